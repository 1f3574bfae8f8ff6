import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { adminEnvFromCredentialsFile } from '@storecredit/messaging';
import { benchConfigFromEnv, type BenchConfig } from './config';
import { benchBusinessId, runScenario, type ScenarioResult } from './e2e';
import { kafkaFloor, kafkaLatencyFloor, pgFloor } from './floors';
import { gatewayBench } from './gateway';
import { reportsBench } from './reports';
import { killChildrenOnExit, machineInfo, runId, setKafkaLogFile } from './infra';
import { buildCommands } from './load';
import { renderReport, targetChecks, type BenchResults, type ScalePoint } from './report';

/** The shared development machine is the one this runs on; every printed table says so. */
const kafkaFloorMessagesMin = 5_000;
const kafkaFloorMessagesDefault = 20_000;
/** The Kafka latency floor's rate when no spread run was paced (BENCH_SECTIONS without e2e). */
const kafkaLatencyFloorRateDefault = 2_000;
const sharedMachineNote =
  'figures from a shared 2-core machine are noisy: other sessions\' tests may run at the same time (see "other" CPU and the load averages); compare runs on the same machine only, and only the full-size ones.';

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function section<T>(results: BenchResults, name: string, fn: () => Promise<T>): Promise<T | null> {
  const started = performance.now();
  progress(`${name} …`);
  try {
    const value = await fn();
    progress(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return value;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`${name} FAILED: ${message}`);
    results.errors.push({ section: name, message });
    return null;
  }
}

function scalePoint(result: ScenarioResult, source: string): ScalePoint {
  return {
    workers: result.workers,
    eventsPerSec: result.saturated.events.sustainedPerSec,
    repliesPerSec: result.saturated.replies.sustainedPerSec,
    workerCpuMsPerCommand: result.saturated.cpu.workerMs,
    postgresCpuMsPerCommand: result.saturated.cpu.postgresMs,
    machineBusyCores: result.saturated.cpu.machineBusyCores,
    source,
  };
}

async function main(config: BenchConfig): Promise<number> {
  const tag = runId();
  const startedAt = new Date();
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationSeconds: 0,
    quick: config.quick,
    config: { ...config, sections: [...config.sections] },
    machine: await machineInfo(config.databaseServerUrl, config.workerRoot),
    loadAverageAtEnd: [],
    notes: [
      sharedMachineNote,
      'the bench process (producer, observer consumer, autocannon) runs on the same cores as the workers, PostgreSQL and the broker.',
      `workers run as separate processes (${config.workerRuntime === 'dist' ? 'node dist/' : 'node -r ts-node/register/transpile-only'}), ${config.partitions} partitions, WORKER_PARTITIONS_CONCURRENTLY=${process.env.WORKER_PARTITIONS_CONCURRENTLY ?? '16 (default)'}.`,
    ],
    floors: { kafka: null, kafkaLatency: null, pg: null },
    e2e: { spread: null, hot: null, holdCapture: null },
    scale: { points: [], scenarios: [] },
    gateway: null,
    reports: null,
    targets: [],
    errors: [],
  };
  setKafkaLogFile(resolve(config.resultsDir, 'logs', tag, 'bench-kafka.log'));
  progress(`run ${tag}${config.quick ? ' (quick)' : ''}: sections ${[...config.sections].join(', ')}; results in ${config.resultsDir}/`);

  const runs = (fixed: number | null) => (fixed === null ? `${config.saturateSeconds} s saturated` : `${fixed} commands`);
  if (config.sections.has('e2e')) {
    results.e2e.spread = await section(results, `e2e: ${config.spreadWallets} wallets, ${runs(config.spreadCommands)}, 1 worker`, () =>
      runScenario(config, tag, { label: 'spread', workers: 1, spread: 'spread', idle: true, commands: config.spreadCommands, paced: true, profile: config.profile }),
    );
    results.e2e.hot = await section(results, `e2e: one hot wallet, ${runs(config.hotCommands)}, 1 worker`, () =>
      runScenario(config, tag, { label: 'hot', workers: 1, spread: 'hot', commands: config.hotCommands, paced: true, profile: false }),
    );
    // Split-tender checkout beside the payments: balance.hold, then at once balance.capture of it, over the spread wallets.
    // BENCH_HOLDS=0 leaves it out (an A/B against a worker from before holds, which would dead-letter them).
    if (process.env.BENCH_HOLDS !== '0') results.e2e.holdCapture = await section(results, `e2e: hold → capture pairs, ${config.spreadWallets} wallets, ${runs(config.spreadCommands)}, 1 worker`, () =>
      runScenario(config, tag, {
        label: 'hold-capture',
        workers: 1,
        spread: 'spread',
        commands: config.spreadCommands,
        paced: true,
        profile: false,
        commandKind: 'hold-capture',
      }),
    );
  }

  if (config.sections.has('floors')) {
    // The Kafka floor moves as many messages as the spread run produced, with the same bytes and keys.
    const count = config.kafkaFloorMessages ?? Math.max(kafkaFloorMessagesMin, results.e2e.spread?.saturated.commands ?? kafkaFloorMessagesDefault);
    const clientIds = Array.from({ length: config.spreadWallets }, (_, index) => `client-${index + 1}`);
    const messages = buildCommands(config.commandKind, `${tag}-floor`, benchBusinessId, clientIds, count, 2);
    results.floors.kafka = await section(results, `floor: Kafka alone, ${count} messages`, () => kafkaFloor(config, `bench-${tag}-kfloor`, messages));
    // Kafka's latency alone at the spread run's paced rate, for as long as that run was paced.
    const pacedRate = results.e2e.spread?.paced?.pacedRate ?? config.pacedRate ?? kafkaLatencyFloorRateDefault;
    const latencyMessages = messages.slice(0, Math.max(10, Math.round(pacedRate * config.pacedSeconds)));
    results.floors.kafkaLatency = await section(results, `floor: Kafka latency alone at ${Math.round(pacedRate)}/s`, () =>
      kafkaLatencyFloor(config, `bench-${tag}-klat`, latencyMessages, pacedRate),
    );
    results.floors.pg = await section(results, 'floor: PostgreSQL alone', () => pgFloor(config, tag));
  }

  if (config.sections.has('scale')) {
    for (const workers of config.scaleWorkers) {
      const spread = results.e2e.spread;
      if (workers === 1 && spread && config.scaleCommands === config.spreadCommands) {
        results.scale.points.push(scalePoint(spread, 'spread'));
        continue;
      }
      const result = await section(results, `scale: ${workers} worker process${workers === 1 ? '' : 'es'}, ${runs(config.scaleCommands)}`, () =>
        runScenario(config, tag, { label: `scale-${workers}`, workers, spread: 'spread', commands: config.scaleCommands, paced: false, profile: false }),
      );
      if (result) {
        results.scale.scenarios.push(result);
        results.scale.points.push(scalePoint(result, 'own'));
      }
    }
  }

  if (config.sections.has('gateway')) {
    results.gateway = await section(results, `gateway: HTTP reads, history of ${config.historyEntries} entries`, () => gatewayBench(config, tag));
  }

  if (config.sections.has('reports')) {
    results.reports = await section(results, `reports: liability at ${config.reportEntries} entries, CSV export of ${config.exportEntries}`, () => reportsBench(config, tag));
  }

  const finishedAt = new Date();
  results.finishedAt = finishedAt.toISOString();
  results.durationSeconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
  results.loadAverageAtEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  results.targets = targetChecks(results);

  const report = renderReport(results);
  process.stdout.write(report);
  const dir = resolve(config.resultsDir);
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const jsonFile = join(dir, `bench-${stamp}${config.quick ? '-quick' : ''}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.txt'), report);
  progress(`wrote ${jsonFile} (and latest.json, latest.txt)`);
  return results.errors.length === 0 ? 0 : 1;
}

killChildrenOnExit();
// kafkajs logs through the Nest logger (libs/messaging); warnings only, so the table stays readable.
Logger.overrideLogger(['error', 'warn']);
// The bench creates and deletes its topics, and its workers read them: with a local broker that asks for a password
// (scripts/kafka.sh's credentials.env) and no KAFKA_SASL_* given, everything here runs as that broker's admin.
if (!process.env.KAFKA_SASL_MECHANISM) {
  Object.assign(process.env, adminEnvFromCredentialsFile(join(process.env.KAFKA_HOME_DIR || resolve(__dirname, '../.kafka'), 'credentials.env')));
}

main(benchConfigFromEnv()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
