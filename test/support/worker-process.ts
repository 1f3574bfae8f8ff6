import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ControlMessage, CrashPoint, HookMessage } from './fault-hooks';
import { testBrokers } from '@storecredit/testing';

export type { CrashPoint } from './fault-hooks';

const repoRoot = path.resolve(__dirname, '../..');
const hooksPath = path.join(__dirname, 'fault-hooks.ts');
export const workerJoinTimeoutMs = 90_000;
export const workerStopTimeoutMs = 30_000;
/** How long an armed crash point may wait for the worker to reach it before the suite kills it anyway. */
export const armedCrashWaitMs = 4_000;
const logLinesKept = 300;

export interface WorkerProcessOptions {
  name: string;
  databaseUrl: string;
  topicPrefix: string;
  /** A consumer group of its own (default: the prefix's), e.g. to replay the command topics from the start. */
  groupId?: string;
  /** Lowers the consumer session timeout so a killed member's partitions move on quickly (broker minimum 6 s). */
  sessionTimeoutMs?: number;
  env?: Record<string, string>;
}

export interface WorkerExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The suite killed or stopped it (or armed a crash point); any other exit is a crash of the worker. */
  expected: boolean;
}

const running = new Set<WorkerProcess>();

/** Kills every worker process a suite left running; call it in afterAll so a failed suite leaves no orphans. */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((worker) => worker.kill9()));
}

/**
 * The ledger worker as a separate process, exactly as the operator runs it (`apps/ledger-worker/src/main.ts`),
 * with the fault hooks preloaded. The suite starts it, kills it with SIGKILL, stops it gracefully and counts
 * every exit it did not cause.
 */
export class WorkerProcess {
  readonly exits: WorkerExit[] = [];
  readonly consumerCrashes: { error: string; restart: boolean }[] = [];
  starts = 0;
  joins = 0;
  assignment: Record<string, number[]> = {};
  private child?: ChildProcess;
  private expectingExit = false;
  private exited?: Promise<void>;
  private readonly log: string[] = [];
  private joinListeners: (() => void)[] = [];

  constructor(readonly options: WorkerProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined;
  }

  get unexpectedExits(): WorkerExit[] {
    return this.exits.filter((exit) => !exit.expected);
  }

  logTail(lines = 60): string {
    return this.log.slice(-lines).join('\n');
  }

  /** Starts the process and resolves once its consumer has joined the group (it is then consuming). */
  async start({ waitForJoin = true }: { waitForJoin?: boolean } = {}): Promise<void> {
    if (this.child) throw new Error(`worker ${this.options.name} is already running`);
    const joined = this.nextJoin();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: this.options.databaseUrl,
      KAFKA_BROKERS: testBrokers,
      KAFKA_TOPIC_PREFIX: this.options.topicPrefix,
      KAFKA_CLIENT_ID: `faults-${this.options.name}`,
      NO_COLOR: '1',
      ...(this.options.groupId ? { WORKER_GROUP_ID: this.options.groupId } : {}),
      ...(this.options.sessionTimeoutMs ? { FAULTS_SESSION_TIMEOUT_MS: String(this.options.sessionTimeoutMs) } : {}),
      ...this.options.env,
    };
    // The worker runs as in production, not with jest's test-mode library defaults.
    delete env.NODE_ENV;
    delete env.JEST_WORKER_ID;
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', '-r', hooksPath, 'apps/ledger-worker/src/main.ts'],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    this.child = child;
    this.starts += 1;
    this.expectingExit = false;
    running.add(this);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.record(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.record(chunk));
    child.on('message', (message: HookMessage) => this.onHookMessage(message));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exits.push({ pid: child.pid ?? -1, code, signal, expected: this.expectingExit });
        this.record(`[worker ${this.options.name} pid ${child.pid} exited: code ${code}, signal ${signal}]\n`);
        if (this.child === child) this.child = undefined;
        running.delete(this);
        resolve();
      });
    });
    if (!waitForJoin) return;
    let settled = false;
    const exitedFirst = this.exited.then(() => {
      if (!settled) throw new Error(`worker ${this.options.name} exited before joining its group:\n${this.logTail()}`);
    });
    exitedFirst.catch(() => undefined);
    try {
      await Promise.race([withTimeout(joined, workerJoinTimeoutMs, `worker ${this.options.name} to join its group`), exitedFirst]);
    } finally {
      settled = true;
    }
  }

  /** Resolves at the next group join (a rebalance makes every member join again). */
  nextJoin(): Promise<void> {
    return new Promise((resolve) => this.joinListeners.push(resolve));
  }

  /** kill -9: no shutdown hook runs, nothing is flushed, the group notices only when the session times out. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * Arms a crash point and waits for the worker to reach it and die; if it does not within armedCrashWaitMs
   * (no batch came), kills it anyway. Returns whether the armed point was reached.
   */
  async crashAt(point: CrashPoint): Promise<boolean> {
    const child = this.child;
    if (!child) throw new Error(`worker ${this.options.name} is not running`);
    this.expectingExit = true;
    const exited = this.exited!;
    child.send({ type: 'arm', point } satisfies ControlMessage);
    const reached = await settlesWithin(exited, armedCrashWaitMs);
    if (!reached) await this.kill9();
    return reached;
  }

  /**
   * Freezes the process (SIGSTOP) for ms, then lets it run on (SIGCONT), as a long GC pause or a stalled VM
   * would: past the session timeout the group moves its partitions while it still believes it owns them.
   */
  async pause(ms: number): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`worker ${this.options.name} is not running`);
    child.kill('SIGSTOP');
    await sleep(ms);
    child.kill('SIGCONT');
  }

  /** SIGTERM: the worker's shutdown hooks leave the group and disconnect. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGTERM');
    const stopped = await settlesWithin(this.exited!, workerStopTimeoutMs);
    if (!stopped) {
      this.record(`[worker ${this.options.name} did not stop within ${workerStopTimeoutMs} ms; killing it]\n`);
      await this.kill9();
      // A worker that cannot shut down is a finding, not something to hide.
      this.exits[this.exits.length - 1].expected = false;
    }
  }

  private onHookMessage(message: HookMessage): void {
    if (message.type === 'group-join') {
      this.joins += 1;
      this.assignment = message.assignment;
      const listeners = this.joinListeners;
      this.joinListeners = [];
      for (const listener of listeners) listener();
    } else if (message.type === 'consumer-crash') {
      this.consumerCrashes.push({ error: message.error, restart: message.restart });
    }
  }

  private record(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim() !== '') this.log.push(line);
    if (this.log.length > logLinesKept) this.log.splice(0, this.log.length - logLinesKept);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether the promise settles within ms; the timer is cleared either way, so it never holds the process open. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
