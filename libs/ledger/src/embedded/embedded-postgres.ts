import { Logger } from '@nestjs/common';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * PGlite is one PostgreSQL backend. Extra pool connections add no parallelism, and with one connection a
 * command waiting for the database waits in the pool (bounded by its acquire timeout) rather than in the
 * socket server's queue, which has no timeout.
 */
export const embeddedPoolMax = 1;
/**
 * Connections the socket server accepts at once. More than the pool: a pool replacing a connection, or the
 * migration's pool closing while the application's opens, briefly holds two, and a refused connection gets
 * no protocol error (the server writes plain text and hangs up).
 */
export const embeddedServerConnectionsMax = 8;
export const embeddedHost = '127.0.0.1';
/** Beside PostgreSQL's own files, as postmaster.pid is; PGlite's pid file does not stop a second opener. */
export const dataDirLockFileName = 'storecredit.lock';
/** Opening an existing directory takes about a second; creating one (initdb) about five on a small machine. */
export const embeddedStartTimeoutMs = 60_000;
export const embeddedStopTimeoutMs = 30_000;

const logger = new Logger('EmbeddedPostgres');

export interface EmbeddedPostgres {
  /** A postgres:// URL that pg and MikroORM accept. */
  url: string;
  /** The pool size to give the ORM (`ledgerOrmConfig(url, { poolMax })`, `LedgerModule.forRoot`). */
  poolMax: number;
  /** Stops serving, closes PGlite (a clean shutdown and checkpoint) and releases the data directory. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL for the embedded mode, with no server process (PostgreSQL refuses to run as root): PGlite with
 * its data in dataDir, served over the wire protocol on 127.0.0.1 so the production MikroORM driver, schema
 * and migrations run on it unchanged. One process at a time may open a data directory.
 *
 * PGlite runs in a worker thread: its queries execute synchronously in WebAssembly and would otherwise stall
 * this thread's event loop, and its Emscripten runtime loads Node modules with dynamic import(), which
 * sandboxed module loaders (jest's) refuse.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const startedAtMs = performance.now();
  const directory = resolve(dataDir);
  mkdirSync(directory, { recursive: true });
  const releaseLock = lockDataDir(directory);
  let stopping: Promise<void> | null = null;
  const worker = new Worker(`(${serveEmbeddedPostgres.toString()})()`, {
    eval: true,
    workerData: {
      directory,
      host: embeddedHost,
      connectionsMax: embeddedServerConnectionsMax,
      pglitePath: require.resolve('@electric-sql/pglite'),
      socketPath: require.resolve('@electric-sql/pglite-socket'),
    } satisfies ServerOptions,
  });
  worker.on('message', (message: ServerMessage) => {
    if (message.kind === 'log') logger[message.level](message.text);
  });
  worker.on('error', (error) => logger.error(`the embedded PostgreSQL failed: ${error.stack ?? error.message}`));
  worker.on('exit', (code) => {
    if (stopping === null) logger.error(`the embedded PostgreSQL exited unexpectedly (code ${code})`);
  });
  try {
    const port = await listeningPort(worker);
    logger.log(`PostgreSQL (PGlite) on ${embeddedHost}:${port}, data in ${directory} (${Math.round(performance.now() - startedAtMs)} ms)`);
    return {
      url: `postgres://postgres@${embeddedHost}:${port}/postgres`,
      poolMax: embeddedPoolMax,
      stop: () => (stopping ??= stopServer(worker).finally(releaseLock)),
    };
  } catch (error) {
    stopping = worker.terminate().then(releaseLock);
    await stopping;
    throw error;
  }
}

interface ServerOptions {
  directory: string;
  host: string;
  connectionsMax: number;
  pglitePath: string;
  socketPath: string;
}

type ServerMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'stopped' }
  | { kind: 'failed'; text: string }
  | { kind: 'log'; level: 'log' | 'warn' | 'error'; text: string };

function listeningPort(worker: Worker): Promise<number> {
  return untilWorker(worker, embeddedStartTimeoutMs, 'start', (message, done, fail) => {
    if (message.kind === 'listening') done(message.port);
    if (message.kind === 'failed') fail(new Error(`the embedded PostgreSQL did not start: ${message.text}`));
  });
}

/** Once the worker answers, PGlite is closed and its files are written; the thread itself is then ended. */
async function stopServer(worker: Worker): Promise<void> {
  worker.postMessage({ kind: 'stop' });
  try {
    await untilWorker<void>(worker, embeddedStopTimeoutMs, 'stop', (message, done, fail) => {
      if (message.kind === 'stopped') done();
      if (message.kind === 'failed') fail(new Error(`the embedded PostgreSQL did not stop cleanly: ${message.text}`));
    });
    logger.log('PostgreSQL (PGlite) stopped');
  } finally {
    await worker.terminate();
  }
}

/** Waits for the worker's answer; its crash, exit or silence past the timeout is a failure too. */
function untilWorker<T>(
  worker: Worker,
  timeoutMs: number,
  what: string,
  onMessage: (message: ServerMessage, done: (value: T) => void, fail: (error: Error) => void) => void,
): Promise<T> {
  return new Promise<T>((resolveWait, rejectWait) => {
    const timer = setTimeout(() => fail(new Error(`the embedded PostgreSQL did not ${what} within ${timeoutMs} ms`)), timeoutMs);
    const listeners = {
      message: (message: ServerMessage) => onMessage(message, done, fail),
      error: (error: Error) => fail(error),
      exit: (code: number) => fail(new Error(`the embedded PostgreSQL exited (code ${code}) during ${what}`)),
    };
    function settle(): void {
      clearTimeout(timer);
      for (const [event, listener] of Object.entries(listeners)) worker.off(event, listener);
    }
    function done(value: T): void {
      settle();
      resolveWait(value);
    }
    function fail(error: Error): void {
      settle();
      rejectWait(error);
    }
    for (const [event, listener] of Object.entries(listeners)) worker.on(event, listener);
  });
}

/**
 * The worker thread's program, sent as source text, so it takes nothing from this module's scope: it
 * requires what it uses by the paths resolved here. (Coverage instrumentation of this function would break
 * that; the project does not collect coverage.)
 */
function serveEmbeddedPostgres(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const options = workerData as ServerOptions;
  const { PGlite } = require(options.pglitePath) as typeof import('@electric-sql/pglite');
  const { PGLiteSocketServer } = require(options.socketPath) as typeof import('@electric-sql/pglite-socket');
  type ExecStreamOptions = Parameters<InstanceType<typeof PGlite>['execProtocolRawStream']>[1];
  const port = parentPort!;
  const send = (message: ServerMessage) => port.postMessage(message);
  const errorText = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

  /** ReadyForQuery: 'Z', length 5, then the status; 'I' is idle, outside any transaction. */
  const idleReadyForQuery = [0x5a, 0, 0, 0, 5, 0x49];
  const terminateType = 0x58;

  /**
   * pglite-socket multiplexes its connections over the one backend, message by message, and keeps the
   * backend for one connection only while isInTransaction() (an explicit BEGIN). pg sends an extended query
   * (Parse, Bind, Execute, Sync) as separate writes; when they arrive in two reads, another connection's
   * Parse or Bind runs in between and takes over the unnamed statement and portal. Here the backend stays
   * with a connection until it answers ReadyForQuery idle, the end of that connection's exchange.
   */
  class WholeExchangePGlite extends PGlite {
    private exchangeOpen = false;

    override isInTransaction(): boolean {
      return this.exchangeOpen || super.isInTransaction();
    }

    override async execProtocolRawStream(message: Uint8Array, streamOptions?: ExecStreamOptions): Promise<void> {
      let tail: number[] = [];
      await super.execProtocolRawStream(message, {
        ...streamOptions,
        onRawData: (data) => {
          tail = [...tail, ...data.subarray(-idleReadyForQuery.length)].slice(-idleReadyForQuery.length);
          streamOptions?.onRawData(data);
        },
      });
      const endsIdle = tail.length === idleReadyForQuery.length && tail.every((byte, i) => byte === idleReadyForQuery[i]);
      this.exchangeOpen = message[0] !== terminateType && !endsIdle;
    }

    /** The socket server runs ROLLBACK here for a connection that left mid-exchange; that ends the exchange. */
    override async exec(...args: Parameters<InstanceType<typeof PGlite>['exec']>): ReturnType<InstanceType<typeof PGlite>['exec']> {
      const results = await super.exec(...args);
      this.exchangeOpen = false;
      return results;
    }
  }

  async function serve(): Promise<void> {
    const db = new WholeExchangePGlite(options.directory);
    await db.waitReady;
    const server = new PGLiteSocketServer({ db, host: options.host, port: 0, maxConnections: options.connectionsMax });
    server.addEventListener('error', (event) => send({ kind: 'log', level: 'error', text: `socket server: ${errorText((event as CustomEvent).detail)}` }));
    await server.start();
    port.once('message', () => {
      stop(server, db).then(
        () => send({ kind: 'stopped' }),
        (error: unknown) => send({ kind: 'failed', text: errorText(error) }),
      ).finally(() => port.close());
    });
    send({ kind: 'listening', port: Number(server.getServerConn().split(':').pop()) });
  }

  async function stop(server: InstanceType<typeof PGLiteSocketServer>, db: InstanceType<typeof PGlite>): Promise<void> {
    await server.stop();
    await db.close();
  }

  serve().catch((error: unknown) => {
    send({ kind: 'failed', text: errorText(error) });
    port.close();
  });
}

/** Lock files held by this process, so a lock naming this pid is told apart from one left by an earlier run. */
const locksHeld = new Set<string>();

/**
 * Two PGlite instances on one directory both open it and corrupt it, so the directory is locked with an
 * exclusive-create file naming the pid. A lock whose process is gone (a crash) is taken over.
 */
function lockDataDir(directory: string): () => void {
  const lockPath = join(directory, dataDirLockFileName);
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      locksHeld.add(lockPath);
      return () => releaseDataDirLock(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(lockPath);
    if (holder !== null && isRunning(holder, lockPath)) {
      throw new Error(
        `the embedded database in ${directory} is in use by process ${holder}; stop it first ` +
          `(if no such storecredit process runs, delete ${lockPath})`,
      );
    }
    logger.warn(`taking over ${lockPath} left by process ${holder ?? 'unknown'}, which is no longer running`);
    rmSync(lockPath, { force: true });
  }
  throw new Error(`could not lock ${directory}: another process took ${lockPath} at the same time`);
}

function releaseDataDirLock(lockPath: string): void {
  if (!locksHeld.delete(lockPath)) return;
  if (lockHolder(lockPath) === process.pid) rmSync(lockPath, { force: true });
}

function lockHolder(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number, lockPath: string): boolean {
  if (pid === process.pid) return locksHeld.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
