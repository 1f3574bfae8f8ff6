import { MikroORM } from '@mikro-orm/postgresql';
import { ledgerOrmConfig } from '@storecredit/ledger';
import { kafkaConnectionTimeoutMs, kafkaRequestTimeoutMs, kafkaSaslFromEnv, kafkaSaslOption, parseBrokers } from '@storecredit/messaging';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';

export const repoRoot = resolve(__dirname, '..');
export const serviceReadyTimeoutMs = 120_000;
export const serviceStopTimeoutMs = 15_000;
const clockTicksPerSecond = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function runId(): string {
  return randomBytes(4).toString('hex');
}

/** Polls a condition until it holds or the deadline passes; the bench never waits without a limit. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs: number, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

export interface BenchDatabase {
  name: string;
  url: string;
  pool: Pool;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs fn inside one transaction on a connection of its own, closed afterwards: a closing backend flushes
   * its statistics at once, so seeding never leaks into the statistics of a measured window.
   */
  transaction<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  close(drop: boolean): Promise<void>;
}

function urlWithDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database with the ledger schema, migrated the way libs/testing does it. */
export async function createBenchDatabase(serverUrl: string, label: string, poolMax = 8): Promise<BenchDatabase> {
  const name = `storecredit_bench_${label}_${runId()}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = urlWithDatabase(serverUrl, name);
  const orm = await MikroORM.init(ledgerOrmConfig(url));
  try {
    await orm.migrator.up();
  } finally {
    await orm.close();
  }
  const pool = new Pool({ connectionString: url, max: poolMax });
  return {
    name,
    url,
    pool,
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    transaction: async <T>(fn: (client: Client) => Promise<T>) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('begin');
        const result = await fn(client);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        await client.end();
      }
    },
    close: async (drop: boolean) => {
      await pool.end();
      if (!drop) return;
      const dropper = new Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

// ------------------------------------------------------------------------------------------------- Kafka

let kafkaLogFile: string | null = null;

/** Where the bench's own Kafka clients log; kafkajs retries such as NOT_LEADER right after a topic is made stay out of the table. */
export function setKafkaLogFile(file: string): void {
  mkdirSync(resolve(file, '..'), { recursive: true });
  kafkaLogFile = file;
}

/** A Kafka client for the bench itself (producer, observer, admin); the services use libs/messaging as they always do. */
export function benchKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: parseBrokers(brokers),
    // The bench creates and deletes its topics: it runs as the admin (KAFKA_SASL_* of the admin, when the broker asks).
    ...kafkaSaslOption(kafkaSaslFromEnv()),
    connectionTimeout: kafkaConnectionTimeoutMs,
    requestTimeout: kafkaRequestTimeoutMs,
    retry: { initialRetryTime: 200, retries: 10 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        if (kafkaLogFile === null) return;
        const { message, ...extra } = log;
        appendFileSync(kafkaLogFile, `${new Date().toISOString()} ${logLevel[level]} ${namespace} ${message} ${JSON.stringify(extra)}\n`);
      },
  });
}

/** Deletes the topics and consumer groups of one bench prefix (and nothing else). */
export async function deleteKafkaPrefix(brokers: string, prefix: string): Promise<void> {
  const admin = benchKafka(brokers, `bench-cleanup-${prefix}`).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.startsWith(`${prefix}.`));
    // A group whose members have just left may still be settling; a left-over empty group costs nothing.
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

// --------------------------------------------------------------------------------------------- Processes

export interface ServiceProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Bytes of output logged so far: an offset to read the log from, to skip start-up noise. */
  logBytes(): number;
  /** CPU seconds (user + system) this process has used so far. */
  cpuSeconds(): number;
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** A line matching this means the service is ready. */
  readyPattern: RegExp;
  /** The checkout to run it in (default: this repository). */
  cwd?: string;
}

/** The node arguments that run a TypeScript entry point the way the npm scripts do. */
export function tsNodeArgs(entry: string, preload: string[] = []): string[] {
  return ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...preload.flatMap((file) => ['-r', file]), entry];
}

const livingChildren = new Set<ChildProcess>();

/** Children are ended by their own pid if the bench itself is interrupted, never by name. */
export function killChildrenOnExit(): void {
  const killAll = () => {
    for (const child of livingChildren) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export async function startService(spec: ServiceSpec): Promise<ServiceProcess> {
  mkdirSync(resolve(spec.logFile, '..'), { recursive: true });
  const log = createWriteStream(spec.logFile);
  const child = spawn(process.execPath, spec.args, { cwd: spec.cwd ?? repoRoot, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  livingChildren.add(child);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  void exited.then(() => livingChildren.delete(child));
  let ready = false;
  let tail = '';
  let written = 0;
  const readyNow = new Promise<void>((resolveReady, rejectReady) => {
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      written += chunk.length;
      tail = (tail + chunk.toString('utf8')).slice(-4000);
      if (!ready && spec.readyPattern.test(stripAnsi(tail))) {
        ready = true;
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      if (!ready) rejectReady(new Error(`${spec.name} exited before it was ready; its log ends:\n${stripAnsi(tail).slice(-1500)}`));
    });
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), serviceReadyTimeoutMs);
  try {
    await readyNow;
  } finally {
    clearTimeout(timer);
  }
  const pid = child.pid ?? -1;
  return {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    logBytes: () => written,
    cpuSeconds: () => (processTicks(pid) ?? 0) / clockTicksPerSecond,
    signal: (signal) => {
      if (child.exitCode === null) child.kill(signal);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(serviceStopTimeoutMs).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
      await new Promise<void>((resolveEnd) => log.end(() => resolveEnd()));
    },
  };
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

// --------------------------------------------------------------------------------------------------- CPU

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) are at 11 and 12 after the command name.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

function kafkaBrokerPid(): number | null {
  const pidFile = join(process.env.KAFKA_HOME_DIR ?? join(repoRoot, '.kafka'), 'broker.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** CPU seconds by who used them during one measured window; "other" is everything else on the machine. */
export interface CpuUse {
  wallSeconds: number;
  machineBusySeconds: number;
  services: number;
  bench: number;
  postgres: number;
  kafka: number;
  other: number;
}

interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  services: number;
  bench: number;
  postgresByPid: Map<number, number>;
  kafka: number;
}

/**
 * Measures who used the CPU during a window. PostgreSQL counts the backends connected to the bench's own
 * database plus the shared background processes (WAL writer, checkpointer, autovacuum), so other sessions'
 * queries on the same server land in "other", as does anything else running on the machine.
 */
export class CpuMeter {
  private constructor(
    private readonly services: () => ServiceProcess[],
    private readonly db: BenchDatabase | null,
    private readonly started: CpuSnapshot,
  ) {}

  static async start(services: () => ServiceProcess[], db: BenchDatabase | null): Promise<CpuMeter> {
    return new CpuMeter(services, db, await snapshot(services, db));
  }

  async stop(): Promise<CpuUse> {
    const end = await snapshot(this.services, this.db);
    const start = this.started;
    const machineBusySeconds = (end.machine.busy - start.machine.busy) / clockTicksPerSecond;
    let postgresTicks = 0;
    for (const [pid, ticks] of end.postgresByPid) postgresTicks += ticks - (start.postgresByPid.get(pid) ?? 0);
    const use = {
      services: end.services - start.services,
      bench: end.bench - start.bench,
      postgres: Math.max(0, postgresTicks / clockTicksPerSecond),
      kafka: end.kafka - start.kafka,
    };
    const accounted = use.services + use.bench + use.postgres + use.kafka;
    return {
      wallSeconds: (end.at - start.at) / 1000,
      machineBusySeconds,
      ...use,
      other: Math.max(0, machineBusySeconds - accounted),
    };
  }
}

async function postgresPids(db: BenchDatabase | null): Promise<number[]> {
  if (db === null) return [];
  const rows = await db.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() or backend_type <> 'client backend'`,
  );
  return rows.map((row) => row.pid);
}

async function snapshot(services: () => ServiceProcess[], db: BenchDatabase | null): Promise<CpuSnapshot> {
  const pids = await postgresPids(db);
  const kafkaPid = kafkaBrokerPid();
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machine: machineTicks(),
    services: services().reduce((sum, service) => sum + service.cpuSeconds(), 0),
    bench: (usage.user + usage.system) / 1e6,
    postgresByPid: new Map(pids.map((pid) => [pid, processTicks(pid) ?? 0])),
    kafka: kafkaPid === null ? 0 : (processTicks(kafkaPid) ?? 0) / clockTicksPerSecond,
  };
}

// ------------------------------------------------------------------------------------------------ Machine

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  loadAverageAtStart: number[];
  node: string;
  postgres: string;
  kafka: string;
  gitCommit: string;
  gitDirty: boolean;
  /**
   * The code under test can change between runs (and in a shared work tree, during one): a hash of the
   * worker's and the ledger's sources as they were when the run started, and their uncommitted files.
   */
  ledgerSourceHash: string;
  ledgerSourceChanges: string[];
  /** Where the workers ran from when BENCH_WORKER_ROOT points at another checkout (an A/B run), and its sources' hash. */
  workerRoot: string;
  workerSourceHash: string;
}

const ledgerSourceDirs = ['apps/ledger-worker/src', 'libs/ledger/src', 'libs/contracts/src', 'libs/messaging/src'];

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(join(root, dir))) return out;
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(path);
  }
  return out.sort();
}

export function ledgerSourceHash(root: string = repoRoot): string {
  const hash = createHash('sha256');
  for (const file of ledgerSourceDirs.flatMap((dir) => sourceFiles(root, dir))) hash.update(file).update('\0').update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 12);
}

export async function machineInfo(serverUrl: string, workerRoot: string): Promise<MachineInfo> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  let postgres: string;
  try {
    postgres = (await client.query<{ version: string }>('select version()')).rows[0].version.split(' on ')[0];
  } finally {
    await client.end();
  }
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
    node: process.version,
    postgres,
    kafka: `Apache Kafka ${process.env.KAFKA_VERSION ?? '3.9.1'} (single-node KRaft, scripts/kafka.sh)`,
    gitCommit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    gitDirty: git(['status', '--porcelain']) !== '',
    ledgerSourceHash: ledgerSourceHash(),
    ledgerSourceChanges: git(['status', '--porcelain', '--', ...ledgerSourceDirs])
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.trim()),
    workerRoot,
    workerSourceHash: ledgerSourceHash(workerRoot),
  };
}
