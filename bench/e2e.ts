import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchConfig, LoadKind } from './config';
import {
  benchKafka,
  CpuMeter,
  createBenchDatabase,
  deleteKafkaPrefix,
  sleep,
  startService,
  tsNodeArgs,
  waitFor,
  type BenchDatabase,
  type CpuUse,
  type ServiceProcess,
} from './infra';
import { buildCommands, CommandLoad, commandSource, summarizePairs, wholeUnits, type OutgoingCommand, type PairRun, type RunResult } from './load';
import { summarizeProfile, type ProfileSummary } from './profile';
import { seedWallets } from './seed';
import { bySecond, latencySummary, round, type LatencySummary } from './stats';
import type { ProbeSample } from './commit-probe';

export const benchBusinessId = 'bench-salon';
/**
 * PostgreSQL 15 flushes a busy backend's statistics at most once a second and an idle one's up to ten
 * seconds later, but at once when the backend exits: the statistics are read before the workers start and
 * again just after they stopped (and closed their connections).
 */
const statsSettleMs = 500;
const profileWriteTimeoutMs = 30_000;
/** Starts, then stops the profiler of bench/cpu-profile-hook.ts. */
const profileSignal = 'SIGWINCH';

export type WalletSpread = 'spread' | 'hot';

/**
 * The durable-commit floor beside a paced run (bench/commit-probe.ts): one single-row commit every 10 ms on a
 * connection of its own, over the same window. `secondsMaxMs` lines up with the run's `secondsP99Ms`.
 */
export interface CommitProbeResult {
  latency: LatencySummary;
  secondsMaxMs: number[];
}

export interface ScenarioOptions {
  label: string;
  workers: number;
  spread: WalletSpread;
  /** Measure the workers idle after the warm-up (config.idleSeconds). */
  idle?: boolean;
  /** A fixed number of commands produced at once, or null for a timed run (config.saturateSeconds). */
  commands: number | null;
  /** Also run the paced producer at half the measured maximum rate. */
  paced: boolean;
  profile: boolean;
  /** What it sends; default the configured command kind (BENCH_COMMAND_TYPE). */
  commandKind?: LoadKind;
}

/**
 * What PostgreSQL did per applied command over the whole scenario (warm-up, saturated and paced runs), from
 * its statistics views; it includes the outbox relay's transactions (one per batch, one per idle poll).
 */
export interface DbActivity {
  transactionsPerCommand: number;
  rollbacksPerCommand: number;
  rowsInsertedPerCommand: number;
  rowsUpdatedPerCommand: number;
  rowsDeletedPerCommand: number;
  indexScansPerCommand: number;
}

export interface CpuPerCommand {
  use: CpuUse;
  /** CPU milliseconds per command by who spent them (worker processes, PostgreSQL, the broker, this bench). */
  workerMs: number;
  postgresMs: number;
  kafkaMs: number;
  benchMs: number;
  otherMs: number;
  /** Cores the whole machine had busy during the window, of its cores in total. */
  machineBusyCores: number;
}

export interface ScenarioResult {
  label: string;
  workers: number;
  partitions: number;
  spread: WalletSpread;
  wallets: number;
  commandKind: string;
  workerStartSeconds: number;
  /**
   * The worker with nothing to do, after the warm-up: share of one core it used, and PostgreSQL's share (the relay's
   * and the expiry sweep's polls), over `seconds`. Null when not measured (BENCH_IDLE_SECONDS=0, other scenarios).
   */
  idle: { seconds: number; workerCoreShare: number; postgresCoreShare: number } | null;
  saturated: RunResult & { cpu: CpuPerCommand; db: DbActivity };
  paced: (RunResult & { commitProbe: CommitProbeResult; cpu: CpuPerCommand }) | null;
  /** hold-capture only: the pairs, saturated and paced (the RunResults above count holds and captures as commands). */
  pairs: { saturated: PairRun; paced: PairRun | null } | null;
  consistency: {
    entriesExpected: number;
    entriesFound: number;
    walletsNotSumOfEntries: number;
    /** hold-capture only: holds of the run not captured (each pair's capture takes its whole hold). */
    holdsNotCaptured?: number;
    ok: boolean;
  };
  profile: ProfileSummary | null;
  workerLogs: string[];
  /** Warnings and errors the workers logged after the warm-up (group-commit fallbacks, lost races, relay failures), with samples. */
  workerLogProblems: { warnings: number; errors: number; samples: string[] };
}

/** kafkajs says this once per idempotent producer at start; it is not about the run. */
const startupWarnings = [/Limiting retries for the idempotent producer/];
const logSamplesMax = 5;

/** Problems the workers logged from the given offsets on (the end of the warm-up), so start-up retries do not count. */
function logProblems(logs: { file: string; from: number }[]): ScenarioResult['workerLogProblems'] {
  const problems = { warnings: 0, errors: 0, samples: [] as string[] };
  for (const { file, from } of logs) {
    if (!existsSync(file)) continue;
    // eslint-disable-next-line no-control-regex
    const lines = readFileSync(file).subarray(from).toString('utf8').replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    for (const line of lines) {
      const level = /\s(WARN|ERROR)\s/.exec(line)?.[1];
      if (!level || startupWarnings.some((pattern) => pattern.test(line))) continue;
      if (level === 'WARN') problems.warnings++;
      else problems.errors++;
      if (problems.samples.length < logSamplesMax) problems.samples.push(line.slice(0, 300));
    }
  }
  return problems;
}

interface TableStats {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
  deleted: number;
  indexScans: number;
}

async function tableStats(db: BenchDatabase): Promise<TableStats> {
  const [row] = await db.query<Record<keyof TableStats, string>>(
    `select (select xact_commit from pg_stat_database where datname = current_database()) as commits,
            (select xact_rollback from pg_stat_database where datname = current_database()) as rollbacks,
            coalesce(sum(n_tup_ins), 0) as inserted, coalesce(sum(n_tup_upd), 0) as updated,
            coalesce(sum(n_tup_del), 0) as deleted, coalesce(sum(idx_scan), 0) as "indexScans"
     from pg_stat_user_tables`,
  );
  return {
    commits: Number(row.commits),
    rollbacks: Number(row.rollbacks),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
    deleted: Number(row.deleted),
    indexScans: Number(row.indexScans),
  };
}

function activity(before: TableStats, after: TableStats, commands: number): DbActivity {
  const per = (key: keyof TableStats) => round((after[key] - before[key]) / commands, 2);
  return {
    transactionsPerCommand: per('commits'),
    rollbacksPerCommand: per('rollbacks'),
    rowsInsertedPerCommand: per('inserted'),
    rowsUpdatedPerCommand: per('updated'),
    rowsDeletedPerCommand: per('deleted'),
    indexScansPerCommand: per('indexScans'),
  };
}

function cpuPerCommand(use: CpuUse, commands: number): CpuPerCommand {
  const ms = (seconds: number) => round((seconds * 1000) / commands, 3);
  return {
    use,
    workerMs: ms(use.services),
    postgresMs: ms(use.postgres),
    kafkaMs: ms(use.kafka),
    benchMs: ms(use.bench),
    otherMs: ms(use.other),
    machineBusyCores: round(use.machineBusySeconds / use.wallSeconds, 2),
  };
}

function workerArgs(config: BenchConfig, profile: boolean): string[] {
  const hook = resolve(__dirname, 'cpu-profile-hook.ts');
  if (config.workerRuntime === 'dist') {
    const entry = join(config.workerRoot, 'dist/apps/ledger-worker/src/main.js');
    if (!existsSync(entry)) throw new Error(`BENCH_WORKER_RUNTIME=dist needs a build: run npm run build first (${entry} is missing)`);
    return profile ? ['-r', 'ts-node/register/transpile-only', '-r', hook, entry] : [entry];
  }
  return tsNodeArgs('apps/ledger-worker/src/main.ts', profile ? [hook] : []);
}

/**
 * The workers' and PostgreSQL's CPU while no command arrives: what an idle ledger costs all night. A few seconds
 * first, so the outbox relay has found the outbox empty and backed off, and the warm-up's garbage is collected.
 */
async function measureIdle(workers: ServiceProcess[], db: BenchDatabase, seconds: number): Promise<ScenarioResult['idle']> {
  await sleep(10_000);
  const meter = await CpuMeter.start(() => workers, db);
  await sleep(seconds * 1000);
  const use = await meter.stop();
  return {
    seconds: round(use.wallSeconds, 1),
    workerCoreShare: use.services / workers.length / use.wallSeconds,
    postgresCoreShare: use.postgres / use.wallSeconds,
  };
}

/** Starts the worker processes together and waits until their consumer group is stable with all of them in it. */
async function startWorkers(
  config: BenchConfig,
  count: number,
  db: BenchDatabase,
  prefix: string,
  logDir: string,
  profileFile: string | null,
): Promise<ServiceProcess[]> {
  const workers = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      startService({
        name: `worker-${index + 1}`,
        args: workerArgs(config, profileFile !== null && index === 0),
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          KAFKA_BROKERS: config.kafkaBrokers,
          KAFKA_TOPIC_PREFIX: prefix,
          KAFKA_PARTITIONS: String(config.partitions),
          KAFKA_CLIENT_ID: `bench-worker-${index + 1}`,
          // Several workers on one machine: each takes a free port for its metrics and health.
          WORKER_HTTP_PORT: '0',
          BENCH_PROFILE_FILE: profileFile !== null && index === 0 ? profileFile : '',
        },
        logFile: join(logDir, `worker-${index + 1}.log`),
        // The worker logs one of these once its consumer runs; the consumer group's state is the real gate below.
        readyPattern: /consuming .* as group|ledger worker started/,
        cwd: config.workerRoot,
      }),
    ),
  );
  const admin = benchKafka(config.kafkaBrokers, `bench-admin-${prefix}`).admin();
  await admin.connect();
  try {
    const groupId = `${prefix}.ledger-worker`;
    const stable = async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === count;
    };
    await waitFor(stable, `consumer group ${groupId} stable with ${count} members`, config.phaseTimeoutMs, 250);
  } finally {
    await admin.disconnect();
  }
  return workers;
}

/**
 * One end-to-end scenario in a fresh database and under a fresh topic prefix: seed wallets, start the
 * worker processes, warm up, saturate them (a timed run with a bounded backlog, or a fixed count produced at
 * once) and wait for every reply and event, then (when asked) produce again at half the rate just measured.
 */
export async function runScenario(config: BenchConfig, runTag: string, options: ScenarioOptions): Promise<ScenarioResult> {
  const prefix = `bench-${runTag}-${options.label}`;
  const logDir = resolve(config.resultsDir, 'logs', runTag, options.label);
  mkdirSync(logDir, { recursive: true });
  const db = await createBenchDatabase(config.databaseServerUrl, options.label.replace(/[^a-z0-9]/g, '_'), 2);
  const wallets = options.spread === 'spread' ? config.spreadWallets : 1;
  const clientPrefix = options.spread === 'spread' ? 'client-' : 'hot-';
  await seedWallets(db, benchBusinessId, clientPrefix, wallets, options.spread === 'spread' ? '100000.00' : '100000000.00');
  const clientIds = Array.from({ length: wallets }, (_, index) => `${clientPrefix}${index + 1}`);
  const kind = options.commandKind ?? config.commandKind;
  const load = new CommandLoad(config.kafkaBrokers, prefix, config.partitions, kind);
  let workers: ServiceProcess[] = [];
  try {
    await load.start();
    const statsBefore = await tableStats(db);
    const profileFile = options.profile ? join(logDir, 'worker-1.cpuprofile') : null;
    const startedAt = performance.now();
    workers = await startWorkers(config, options.workers, db, prefix, logDir, profileFile);
    const workerStartSeconds = round((performance.now() - startedAt) / 1000, 1);

    const warmup = buildCommands(kind, `${runTag}-${options.label}-warm`, benchBusinessId, clientIds, config.warmupCommands, 1);
    await load.produceAll(warmup, config.produceChunkSize);
    await load.waitForAll(warmup, config.phaseTimeoutMs);
    const idle = options.idle && config.idleSeconds > 0 ? await measureIdle(workers, db, config.idleSeconds) : null;

    const logOffsets = workers.map((worker) => worker.logBytes());
    if (profileFile) workers[0].signal(profileSignal);
    const meter = await CpuMeter.start(() => workers, db);
    const runTagOf = `${runTag}-${options.label}-run`;
    let measured: OutgoingCommand[];
    if (options.commands === null) {
      measured = await load.produceSaturated(commandSource(kind, runTagOf, benchBusinessId, clientIds, 2), {
        seconds: config.saturateSeconds,
        backlogSeconds: config.backlogSeconds,
        backlogMin: config.backlogMin,
        chunkSize: config.produceChunkSize,
      });
    } else {
      measured = buildCommands(kind, runTagOf, benchBusinessId, clientIds, options.commands, 2);
      await load.produceAll(measured, config.produceChunkSize);
    }
    await load.waitForAll(measured, config.phaseTimeoutMs);
    const cpu = await meter.stop();
    if (profileFile) workers[0].signal(profileSignal);
    const saturatedRun = { ...load.summarize(options.label, measured, null), cpu: cpuPerCommand(cpu, measured.length) };
    const saturatedPairs = kind === 'hold-capture' ? summarizePairs(load, measured) : null;

    let paced: ScenarioResult['paced'] = null;
    let pacedPairs: PairRun | null = null;
    let pacedCount = 0;
    if (options.paced) {
      const rate = config.pacedRate ?? Math.max(1, Math.min(saturatedRun.events.sustainedPerSec, saturatedRun.replies.sustainedPerSec) / 2);
      pacedCount = wholeUnits(kind, Math.max(10, Math.round(rate * config.pacedSeconds)));
      const pacedCommands = buildCommands(kind, `${runTag}-${options.label}-paced`, benchBusinessId, clientIds, pacedCount, 3);
      const probe = await startCommitProbe(db, logDir);
      let pacedCpu: CpuUse;
      try {
        const pacedMeter = await CpuMeter.start(() => workers, db);
        await load.producePaced(pacedCommands, rate);
        await load.waitForAll(pacedCommands, config.phaseTimeoutMs);
        pacedCpu = await pacedMeter.stop();
      } finally {
        await probe.stop();
      }
      const run = load.summarize(`${options.label} paced`, pacedCommands, rate);
      if (kind === 'hold-capture') pacedPairs = summarizePairs(load, pacedCommands);
      paced = {
        ...run,
        commitProbe: probeResult(probe.samples(), run.startedAtEpochMs, run.wallSeconds),
        cpu: cpuPerCommand(pacedCpu, pacedCommands.length),
      };
    }

    let profile: ProfileSummary | null = null;
    if (profileFile) {
      await waitFor(() => existsSync(profileFile), 'the worker CPU profile', profileWriteTimeoutMs, 200);
      await sleep(500);
      profile = summarizeProfile(profileFile);
    }
    const commandsApplied = warmup.length + measured.length + pacedCount;
    await Promise.all(workers.map((worker) => worker.stop()));
    await sleep(statsSettleMs);
    const saturated = { ...saturatedRun, db: activity(statsBefore, await tableStats(db), commandsApplied) };
    const consistency = await checkConsistency(db, `${runTag}-${options.label}-`, commandsApplied, kind);
    return {
      label: options.label,
      workers: options.workers,
      partitions: config.partitions,
      spread: options.spread,
      wallets,
      commandKind: kind,
      workerStartSeconds,
      idle,
      saturated,
      paced,
      pairs: saturatedPairs ? { saturated: saturatedPairs, paced: pacedPairs } : null,
      consistency,
      profile,
      workerLogs: workers.map((worker) => worker.logFile),
      workerLogProblems: logProblems(workers.map((worker, index) => ({ file: worker.logFile, from: logOffsets[index] ?? 0 }))),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await load.stop().catch(() => undefined);
    await db.close(!config.keep);
    if (!config.keep) await deleteKafkaPrefix(config.kafkaBrokers, prefix).catch(() => undefined);
  }
}

/** Starts bench/commit-probe.ts against the scenario's database; `samples()` reads what it wrote once stopped. */
async function startCommitProbe(db: BenchDatabase, logDir: string): Promise<{ stop(): Promise<void>; samples(): ProbeSample[] }> {
  const out = join(logDir, 'commit-probe.json');
  const probe = await startService({
    name: 'commit-probe',
    args: tsNodeArgs('bench/commit-probe.ts'),
    env: { ...process.env, PROBE_DATABASE_URL: db.url, PROBE_OUT: out },
    logFile: join(logDir, 'commit-probe.log'),
    readyPattern: /commit probe running/,
  });
  return {
    stop: () => probe.stop(),
    samples: () => (existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as ProbeSample[]) : []),
  };
}

/** The probe's commits over the run's window (first command due to last event), whole and second by second. */
function probeResult(samples: readonly ProbeSample[], fromEpochMs: number, seconds: number): CommitProbeResult {
  const inWindow = samples.filter((sample) => sample.at >= fromEpochMs && sample.at <= fromEpochMs + seconds * 1000);
  const secondsMaxMs = bySecond(inWindow, fromEpochMs, (sample) => sample.at, (sample) => sample.ms).map((values) =>
    values.length === 0 ? Number.NaN : round(Math.max(...values)),
  );
  return { latency: latencySummary(inWindow.map((sample) => sample.ms)), secondsMaxMs };
}

/**
 * Every command applied exactly once (for hold-capture: an entry per capture, and every hold captured), and every
 * wallet still the sum of its entries.
 */
async function checkConsistency(db: BenchDatabase, commandPrefix: string, commands: number, kind: LoadKind): Promise<ScenarioResult['consistency']> {
  const expected = kind === 'hold-capture' ? commands / 2 : commands;
  const [entries] = await db.query<{ n: string }>(
    `select count(*) as n from ledger_entry where business_id = $1 and command_id like $2 || '%'`,
    [benchBusinessId, commandPrefix],
  );
  const [wallets] = await db.query<{ n: string }>(
    `select count(*) as n from wallet w
     where w.business_id = $1
       and (w.balance <> (select coalesce(sum(e.amount), 0) from ledger_entry e where e.business_id = w.business_id and e.wallet_id = w.id)
         or w.last_sequence <> (select count(*) from ledger_entry e where e.business_id = w.business_id and e.wallet_id = w.id))`,
    [benchBusinessId],
  );
  const entriesFound = Number(entries.n);
  const walletsNotSumOfEntries = Number(wallets.n);
  const ok = entriesFound === expected && walletsNotSumOfEntries === 0;
  if (kind !== 'hold-capture') return { entriesExpected: expected, entriesFound, walletsNotSumOfEntries, ok };
  const [holds] = await db.query<{ placed: string; captured: string }>(
    `select count(*) as placed, count(*) filter (where status = 'captured' and captured = amount) as captured
     from balance_hold where business_id = $1 and command_id like $2 || '%'`,
    [benchBusinessId, commandPrefix],
  );
  const holdsNotCaptured = expected - Number(holds.captured);
  return { entriesExpected: expected, entriesFound, walletsNotSumOfEntries, holdsNotCaptured, ok: ok && holdsNotCaptured === 0 && Number(holds.placed) === expected };
}
