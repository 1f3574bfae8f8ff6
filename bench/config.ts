import { defaultKafkaBrokers } from '@storecredit/messaging';
import { resolve } from 'node:path';

export const sectionNames = ['floors', 'e2e', 'scale', 'gateway', 'reports'] as const;
export type Section = (typeof sectionNames)[number];
export type CommandKind = 'pay' | 'add';
/** What a scenario sends: the configured command kind, or hold → capture pairs (balance.hold, then balance.capture of it). */
export type LoadKind = CommandKind | 'hold-capture';

/**
 * Every size the bench uses, from the environment. The defaults keep `npm run bench` under about ten
 * minutes on the 2-core development machine; BENCH_QUICK=1 shrinks everything to a smoke run.
 */
export interface BenchConfig {
  quick: boolean;
  sections: Set<Section>;
  /** A server URL whose database part is replaced by a fresh database per phase. */
  databaseServerUrl: string;
  kafkaBrokers: string;
  /** Partitions of every bench topic (the command topics the workers consume, replies, events). */
  partitions: number;
  /** `pay` sends balance.pay on the checkout topic (what checkout does); `add` sends balance.add on the gateway topic. */
  commandKind: CommandKind;
  spreadWallets: number;
  /**
   * How long each saturated run produces. The producer keeps about backlogSeconds of work queued ahead of the
   * workers (at least backlogMin commands), so a run takes this long plus a short drain whatever the speed.
   */
  saturateSeconds: number;
  backlogSeconds: number;
  backlogMin: number;
  /** A fixed number of commands produced at once instead of a timed run (BENCH_COMMANDS etc.); null: timed. */
  spreadCommands: number | null;
  hotCommands: number | null;
  warmupCommands: number;
  /** How long the paced producer runs at half the measured maximum rate. */
  pacedSeconds: number;
  /** How long the spread scenario measures its worker idle, after the warm-up and before the run (0: not at all). */
  idleSeconds: number;
  /** A fixed rate for the paced run instead of half the measured maximum (to see latency at other loads). */
  pacedRate: number | null;
  scaleWorkers: number[];
  scaleCommands: number | null;
  /** Messages in the Kafka floor; by default as many as the spread run produced. */
  kafkaFloorMessages: number | null;
  pgSeconds: number;
  pgConnections: number;
  pgBatchSize: number;
  httpSeconds: number;
  httpConnections: number;
  historyEntries: number;
  historySmallEntries: number;
  /** The reports section: entries in credit lots over reportWallets wallets, the export's wallet, requests timed per route. */
  reportEntries: number;
  reportWallets: number;
  exportEntries: number;
  reportSamples: number;
  /** Saturated produce sends are chunked so one request stays well under the broker's message size limit. */
  produceChunkSize: number;
  phaseTimeoutMs: number;
  /** Run the worker from ts-node (default, no build needed) or from dist (after `npm run build`). */
  workerRuntime: 'ts-node' | 'dist';
  /**
   * The checkout whose worker runs (BENCH_WORKER_ROOT, default this one): point it at another checkout with
   * node_modules (e.g. `git archive HEAD` unpacked, node_modules symlinked) to compare two versions of the worker.
   */
  workerRoot: string;
  /** Take a CPU profile of the worker during the spread run (bench/cpu-profile-hook.ts) and summarise it. */
  profile: boolean;
  /** Keep the bench databases and topics after the run, for a look with psql. */
  keep: boolean;
  resultsDir: string;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function optionalInt(env: NodeJS.ProcessEnv, name: string): number | null {
  const raw = env[name];
  return raw === undefined || raw === '' ? null : positiveInt(env, name, 1);
}

function intList(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) throw new Error(`${name} must be a list like 1,2,4, got ${raw}`);
  return values;
}

function sectionsFrom(raw: string | undefined): Set<Section> {
  if (raw === undefined || raw === '' || raw === 'all') return new Set(sectionNames);
  const wanted = raw.split(',').map((part) => part.trim());
  const unknown = wanted.filter((part) => !(sectionNames as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(', ')} (known: ${sectionNames.join(', ')})`);
  return new Set(wanted as Section[]);
}

export function benchConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const pick = (full: number, smoke: number) => (quick ? smoke : full);
  const spreadCommands = optionalInt(env, 'BENCH_COMMANDS');
  const commandKind = env.BENCH_COMMAND_TYPE ?? 'pay';
  if (commandKind !== 'pay' && commandKind !== 'add') throw new Error('BENCH_COMMAND_TYPE must be pay or add');
  const workerRuntime = env.BENCH_WORKER_RUNTIME ?? 'ts-node';
  if (workerRuntime !== 'ts-node' && workerRuntime !== 'dist') throw new Error('BENCH_WORKER_RUNTIME must be ts-node or dist');
  return {
    quick,
    sections: sectionsFrom(env.BENCH_SECTIONS),
    databaseServerUrl:
      env.BENCH_DATABASE_SERVER_URL ?? env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    kafkaBrokers: env.KAFKA_BROKERS ?? defaultKafkaBrokers,
    partitions: positiveInt(env, 'BENCH_PARTITIONS', 8),
    commandKind,
    spreadWallets: positiveInt(env, 'BENCH_WALLETS', 10_000),
    saturateSeconds: positiveInt(env, 'BENCH_SECONDS', pick(20, 6)),
    backlogSeconds: positiveInt(env, 'BENCH_BACKLOG_SECONDS', 3),
    backlogMin: positiveInt(env, 'BENCH_BACKLOG_MIN', 1_000),
    spreadCommands,
    hotCommands: optionalInt(env, 'BENCH_HOT_COMMANDS'),
    warmupCommands: positiveInt(env, 'BENCH_WARMUP_COMMANDS', pick(500, 200)),
    pacedSeconds: positiveInt(env, 'BENCH_PACED_SECONDS', pick(10, 4)),
    idleSeconds: env.BENCH_IDLE_SECONDS === '0' ? 0 : positiveInt(env, 'BENCH_IDLE_SECONDS', pick(30, 10)),
    pacedRate: optionalInt(env, 'BENCH_PACED_RATE'),
    scaleWorkers: intList(env, 'BENCH_SCALE_WORKERS', quick ? [1, 2] : [1, 2, 4]),
    scaleCommands: optionalInt(env, 'BENCH_SCALE_COMMANDS') ?? spreadCommands,
    kafkaFloorMessages: optionalInt(env, 'BENCH_KAFKA_MESSAGES'),
    pgSeconds: positiveInt(env, 'BENCH_PG_SECONDS', pick(5, 2)),
    pgConnections: positiveInt(env, 'BENCH_PG_CONNECTIONS', 4),
    pgBatchSize: positiveInt(env, 'BENCH_PG_BATCH', 100),
    httpSeconds: positiveInt(env, 'BENCH_HTTP_SECONDS', pick(10, 3)),
    httpConnections: positiveInt(env, 'BENCH_HTTP_CONNECTIONS', 50),
    historyEntries: positiveInt(env, 'BENCH_HISTORY_ENTRIES', pick(1_000_000, 50_000)),
    historySmallEntries: positiveInt(env, 'BENCH_HISTORY_SMALL_ENTRIES', 100),
    reportEntries: positiveInt(env, 'BENCH_REPORT_ENTRIES', pick(1_000_000, 50_000)),
    reportWallets: positiveInt(env, 'BENCH_REPORT_WALLETS', pick(1_000, 100)),
    exportEntries: positiveInt(env, 'BENCH_EXPORT_ENTRIES', pick(1_000_000, 50_000)),
    reportSamples: positiveInt(env, 'BENCH_REPORT_SAMPLES', pick(20, 5)),
    produceChunkSize: positiveInt(env, 'BENCH_PRODUCE_CHUNK', 500),
    phaseTimeoutMs: positiveInt(env, 'BENCH_PHASE_TIMEOUT_MS', 300_000),
    workerRuntime,
    workerRoot: resolve(env.BENCH_WORKER_ROOT ?? resolve(__dirname, '..')),
    profile: env.BENCH_PROFILE === '1' || env.BENCH_PROFILE === 'true',
    keep: env.BENCH_KEEP === '1' || env.BENCH_KEEP === 'true',
    resultsDir: env.BENCH_RESULTS_DIR ?? 'bench-results',
  };
}
