import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
export const embeddedDataDirDefault = './data';
/**
 * PGlite's socket server asks for no password, so it listens on a unix socket in an owner-only directory, never
 * on TCP, where any local user could connect. pg finds a socket by directory and port: <dir>/.s.PGSQL.<port>.
 */
export const embeddedSocketPort = 5432;
export const embeddedSocketFileName = `.s.PGSQL.${embeddedSocketPort}`;
/** sun_path holds 108 bytes with its NUL; a data directory too deep for that gets its socket in the OS temp dir. */
export const socketPathBytesMax = 107;
/** Beside PostgreSQL's own files, as postmaster.pid is; PGlite's pid file does not stop a second opener. */
export const dataDirLockFileName = 'storecredit.lock';
/** The running server's URL, for a second client of the same user (`npm run verify`). */
export const serverUrlFileName = 'storecredit.url';
/** Opening an existing directory takes about a second; creating one (initdb) about five on a small machine. */
export const embeddedStartTimeoutMs = 60_000;
export const embeddedStopTimeoutMs = 30_000;
/** The ledger's files are the owner's only. PGlite's initdb writes its files 0666 whatever the umask: they are chmod'ed. */
const ownerOnlyDirMode = 0o700;
const ownerOnlyFileMode = 0o600;
const ownerOnlyUmask = 0o077;

const logger = new Logger('EmbeddedPostgres');

/** A situation the operator resolves (a directory in use, none there): its message says what to do. */
export class EmbeddedDataDirError extends Error {
  override name = 'EmbeddedDataDirError';
}

export interface EmbeddedPostgres {
  /** A postgres:// URL that pg and MikroORM accept (its host is the socket's directory). */
  url: string;
  /** The pool size to give the ORM (`ledgerOrmConfig(url, { poolMax })`, `LedgerModule.forRoot`). */
  poolMax: number;
  /** Stops serving, closes PGlite (a clean shutdown and checkpoint) and releases the data directory. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL for the embedded mode, with no server process (PostgreSQL refuses to run as root): PGlite with
 * its data in dataDir, served over the wire protocol on a unix socket so the production MikroORM driver,
 * schema and migrations run on it unchanged. One process at a time may open a data directory.
 *
 * PGlite runs in a worker thread: its queries execute synchronously in WebAssembly and would otherwise stall
 * this thread's event loop, and its Emscripten runtime loads Node modules with dynamic import(), which
 * sandboxed module loaders (jest's) refuse.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const startedAtMs = performance.now();
  const directory = resolve(dataDir);
  // Process-wide: files created from now on (PGlite's new relations and WAL segments) are the owner's only.
  process.umask(ownerOnlyUmask);
  mkdirSync(directory, { recursive: true, mode: ownerOnlyDirMode });
  chmodSync(directory, ownerOnlyDirMode);
  const releaseLock = lockDataDir(dataDir, directory);
  const socketDir = socketDirectoryFor(directory);
  const socketPath = join(socketDir, embeddedSocketFileName);
  // A socket left by a killed process; the lock says no one else serves on it.
  rmSync(socketPath, { force: true });
  let stopping: Promise<void> | null = null;
  const worker = new Worker(`(${serveEmbeddedPostgres.toString()})()`, {
    eval: true,
    workerData: {
      directory,
      socketPath,
      connectionsMax: embeddedServerConnectionsMax,
      pgliteModule: require.resolve('@electric-sql/pglite'),
      socketModule: require.resolve('@electric-sql/pglite-socket'),
    } satisfies ServerOptions,
  });
  worker.on('message', (message: ServerMessage) => {
    if (message.kind === 'log') logger[message.level](message.text);
  });
  worker.on('error', (error) => logger.error(`the embedded PostgreSQL failed: ${error.stack ?? error.message}`));
  worker.on('exit', (code) => {
    if (stopping === null) logger.error(`the embedded PostgreSQL exited unexpectedly (code ${code})`);
  });
  const release = () => {
    try {
      rmSync(join(directory, serverUrlFileName), { force: true });
      rmSync(socketDir === directory ? socketPath : socketDir, { recursive: true, force: true });
      restrictToOwner(directory);
    } finally {
      releaseLock();
    }
  };
  try {
    await untilListening(worker);
    restrictToOwner(directory);
    const url = `postgres://postgres@${encodeURIComponent(socketDir)}:${embeddedSocketPort}/postgres`;
    publish(join(directory, serverUrlFileName), url);
    logger.log(`PostgreSQL (PGlite) on ${socketPath}, data in ${directory} (${Math.round(performance.now() - startedAtMs)} ms)`);
    return { url, poolMax: embeddedPoolMax, stop: () => (stopping ??= stopServer(worker).finally(release)) };
  } catch (error) {
    stopping = worker.terminate().then(release);
    await stopping;
    throw error;
  }
}

/** True when dataDir holds a database (an earlier start created it). */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), 'PG_VERSION'));
}

/**
 * The server of the process that holds dataDir, for a second client such as `npm run verify`; null when no
 * live process holds it (open it with startEmbeddedPostgres then).
 */
export function runningEmbeddedPostgres(dataDir: string): { url: string; poolMax: number; pid: number } | null {
  const directory = resolve(dataDir);
  const lockPath = join(directory, dataDirLockFileName);
  const holder = lockHolder(lockPath);
  if (holder === null || !isRunning(holder, lockPath)) return null;
  try {
    return { url: readFileSync(join(directory, serverUrlFileName), 'utf8').trim(), poolMax: embeddedPoolMax, pid: holder.pid };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new EmbeddedDataDirError(
      `${dataDir} is held by storecredit process ${holder.pid}, which is starting or stopping; try again in a moment`,
    );
  }
}

/** The data directory when the socket's path fits there; else a fresh owner-only directory in the OS temp dir. */
function socketDirectoryFor(directory: string): string {
  if (Buffer.byteLength(join(directory, embeddedSocketFileName)) <= socketPathBytesMax) return directory;
  return mkdtempSync(join(tmpdir(), 'storecredit-'));
}

/** Written whole or not at all (a reader never sees half a URL), owner-only. */
function publish(path: string, text: string): void {
  const partPath = `${path}.${process.pid}.part`;
  writeFileSync(partPath, `${text}\n`, { mode: ownerOnlyFileMode });
  renameSync(partPath, path);
}

/** Directories 0700, files and sockets 0600; symbolic links are left alone (their own mode means nothing). */
function restrictToOwner(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isSymbolicLink()) return;
  const mode = stat.isDirectory() ? ownerOnlyDirMode : ownerOnlyFileMode;
  if ((stat.mode & 0o777) !== mode) chmodSync(path, mode);
  if (stat.isDirectory()) for (const name of readdirSync(path)) restrictToOwner(join(path, name));
}

interface ServerOptions {
  directory: string;
  socketPath: string;
  connectionsMax: number;
  pgliteModule: string;
  socketModule: string;
}

type ServerMessage =
  | { kind: 'listening' }
  | { kind: 'stopped' }
  | { kind: 'failed'; text: string }
  | { kind: 'log'; level: 'log' | 'warn' | 'error'; text: string };

function untilListening(worker: Worker): Promise<void> {
  return untilWorker<void>(worker, embeddedStartTimeoutMs, 'start', (message, done, fail) => {
    if (message.kind === 'listening') done();
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
  const { PGlite } = require(options.pgliteModule) as typeof import('@electric-sql/pglite');
  const { PGLiteSocketServer } = require(options.socketModule) as typeof import('@electric-sql/pglite-socket');
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
    const server = new PGLiteSocketServer({ db, path: options.socketPath, maxConnections: options.connectionsMax });
    server.addEventListener('error', (event) => send({ kind: 'log', level: 'error', text: `socket server: ${errorText((event as CustomEvent).detail)}` }));
    await server.start();
    port.once('message', () => {
      stop(server, db).then(
        () => send({ kind: 'stopped' }),
        (error: unknown) => send({ kind: 'failed', text: errorText(error) }),
      ).finally(() => port.close());
    });
    send({ kind: 'listening' });
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

/** Who holds a lock: the pid, and the process's start time where the system tells it (Linux), as pids are reused. */
interface LockHolder {
  pid: number;
  startTime: string | null;
}

/**
 * Two PGlite instances on one directory both open it and corrupt it, so the directory is locked with an
 * exclusive-create file naming the process. A lock whose process is gone (a crash, a kill -9) is taken over.
 */
function lockDataDir(dataDir: string, directory: string): () => void {
  const lockPath = join(directory, dataDirLockFileName);
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`, { flag: 'wx', mode: ownerOnlyFileMode });
      locksHeld.add(lockPath);
      return () => releaseDataDirLock(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(lockPath);
    if (holder !== null && isRunning(holder, lockPath)) {
      throw new EmbeddedDataDirError(
        `${dataDir} is in use by another storecredit process (pid ${holder.pid}); stop it first or set DATA_DIR`,
      );
    }
    logger.warn(`taking over ${lockPath} left by process ${holder?.pid ?? 'unknown'}, which is no longer running`);
    rmSync(lockPath, { force: true });
  }
  throw new EmbeddedDataDirError(`could not lock ${dataDir}: another process took ${lockPath} at the same time`);
}

function releaseDataDirLock(lockPath: string): void {
  if (!locksHeld.delete(lockPath)) return;
  if (lockHolder(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
}

function lockHolder(lockPath: string): LockHolder | null {
  try {
    const [pidLine, startTime] = readFileSync(lockPath, 'utf8').split('\n');
    const pid = Number.parseInt(pidLine, 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, startTime: startTime || null } : null;
  } catch {
    return null;
  }
}

function isRunning(holder: LockHolder, lockPath: string): boolean {
  if (holder.pid === process.pid) return locksHeld.has(lockPath);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const startTime = processStartTime(holder.pid);
  return holder.startTime === null || startTime === null || startTime === holder.startTime;
}

/** Field 22 of /proc/<pid>/stat (clock ticks after boot); null where there is no /proc. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
