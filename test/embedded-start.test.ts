import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@storecredit/testing';

const startTimeoutMs = 120_000;
const stopTimeoutMs = 60_000;
/** A listening socket's state in /proc/net/tcp. */
const tcpListenState = '0A';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Every process in a process group (npm start is spawned detached, so its group is its own pid). */
function groupPids(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** The TCP ports a process listens on, from its socket inodes and /proc/net/tcp{,6}. */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === tcpListenState && inodes.has(fields[9]))
      .map((fields) => Number.parseInt(fields[1].split(':')[1], 16)),
  );
  return [...new Set(ports)].sort();
}

/** Files and directories under root whose mode lets anyone but the owner in. */
function openToOthers(root: string): string[] {
  const loose: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) loose.push(`${(stat.mode & 0o777).toString(8)} ${path}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return loose;
}

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function embeddedEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  // Readable log lines, as on a terminal: the demo logins and gift card codes are printed with them, never in a JSON log.
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), NO_COLOR: '1', LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.KAFKA_BROKERS;
  return env;
}

function spawnNpm(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn('npm', args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => text };
}

/** `npm start` exactly as a newcomer runs it: no DATABASE_URL, no KAFKA_BROKERS. */
async function npmStart(dataDir: string, port: number): Promise<Started> {
  const started = spawnNpm(['start'], embeddedEnv(dataDir, port));
  const { child, output } = started;
  await waitUntil(() => output().includes('storecredit is running at') || child.exitCode !== null, 'npm start to print its URL', startTimeoutMs);
  if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output()}`);
  // The logins (and, on a first start, the gift card codes) are logged line by line just after the URL, and a pipe
  // may deliver them in later chunks: read on until the output has been still for a moment.
  await waitUntil(() => output().includes('sign in as:'), 'npm start to print its logins', startTimeoutMs);
  for (let seen = ''; seen !== output(); ) {
    seen = output();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return started;
}

/** Runs an npm script to its end, with a deadline. */
async function npmRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const run = spawnNpm(args, env);
  const timer = setTimeout(() => process.kill(-run.child.pid!, 'SIGKILL'), startTimeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, output: run.output() };
}

/** A SIGTERM to npm alone, as a service manager or `kill <pid of npm>` sends it. */
async function stop({ child, exited }: Started): Promise<number | null> {
  child.kill('SIGTERM');
  const code = await exited;
  await waitUntil(() => groupPids(child.pid!).length === 0, 'every process of npm start to exit', stopTimeoutMs);
  return code;
}

/** Leaves nothing behind whatever a test did, by the group id of the npm we spawned. */
function killGroup(started: Started | undefined): void {
  if (!started || groupPids(started.child.pid!).length === 0) return;
  process.kill(-started.child.pid!, 'SIGKILL');
}

const lockFileName = 'storecredit.lock';

describe('npm start (embedded mode)', () => {
  const root = mkdtempSync(join(tmpdir(), 'storecredit-embedded-'));
  const dataDir = join(root, 'data');
  let port: number;
  let base: string;
  let running: Started | undefined;
  let serverPid: number;
  let clientId: string;

  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(() => {
    killGroup(running);
    rmSync(root, { recursive: true, force: true });
  });

  async function call(method: string, path: string, token?: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  /** A sign-in as a page on another name that resolves to this machine would send it (DNS rebinding). */
  function signInAs(hostHeader: string, login: { email: string; password: string }): Promise<number> {
    return new Promise((resolveStatus, rejectStatus) => {
      const body = JSON.stringify(login);
      const sent = httpRequest(
        { host: '127.0.0.1', port, path: '/api/auth/sign-in', method: 'POST', headers: { host: hostHeader, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          resolveStatus(response.statusCode ?? 0);
        },
      );
      sent.on('error', rejectStatus);
      sent.end(body);
    });
  }

  /** The front desk's password, made at random by this install's first start and kept, owner-only, beside its data. */
  async function deskToken(): Promise<string> {
    const logins = JSON.parse(readFileSync(join(dataDir, 'demo-logins.json'), 'utf8')) as { email: string; password: string }[];
    const desk = logins.find((login) => login.email === 'desk@demo.salon')!;
    const signIn = await call('POST', '/api/auth/sign-in', undefined, { email: desk.email, password: desk.password });
    return signIn.body.token as string;
  }

  it('starts on a fresh data directory and serves the printed demo logins', async () => {
    running = await npmStart(dataDir, port);
    const out = running.output();
    expect(out).toContain(`storecredit is running at ${base}`);
    // The log names the runtime (Node 24, brought by the project) and, written to a pipe, carries no colour codes.
    expect(out).toMatch(/starting on Node v24\./);
    expect(out).not.toMatch(/\u001b\[/);
    const owner = /owner\s+(\S+@\S+) \/ (\S+)/.exec(out);
    const codes = /demo gift cards \(shown once\): (.+)/.exec(out);
    expect(owner).not.toBeNull();
    expect(codes).not.toBeNull();
    const signIn = await call('POST', '/api/auth/sign-in', undefined, { email: owner![1], password: owner![2] });
    expect(signIn.status).toBe(200);
    // Every install has passwords of its own: none is the one an earlier README printed for all of them.
    expect(owner![2]).not.toBe('velvet-orchid-2026');
    expect(owner![2]).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const ownerLogin = { email: owner![1], password: owner![2] };
    expect(await signInAs(`rebind.attacker.example:${port}`, ownerLogin)).toBe(421);
    expect(await signInAs(`localhost:${port}`, ownerLogin)).toBe(200);
    const token = signIn.body.token as string;
    const clients = await call('GET', '/api/clients?q=sara', token);
    clientId = clients.body.items[0].id as string;

    const added = await call('POST', `/api/clients/${clientId}/balance/add`, token, { amount: '30.00', currency: 'AED', note: 'first visit' });
    expect(added.body.result.balanceAfter).toBe('30.00');
    const deducted = await call('POST', `/api/clients/${clientId}/balance/deduct`, token, { amount: '12.50', currency: 'AED' });
    expect(deducted.body.result.balanceAfter).toBe('17.50');
    const code = codes![1].split(', ')[0].trim();
    const redeemed = await call('POST', `/api/clients/${clientId}/gift-card-redemptions`, token, { code });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.result.balanceAfter).toBe('67.50');
    const history = await call('GET', `/api/clients/${clientId}/transactions`, token);
    expect(history.body.items.map((i: { type: string }) => i.type)).toEqual(['gift_card_redeemed', 'balance_deducted', 'balance_added']);
  });

  it('listens on no TCP port but its HTTP one: PostgreSQL is reachable only through a unix socket in an owner-only directory', () => {
    const [pid] = groupPids(running!.child.pid!).filter((p) => listeningTcpPorts(p).length > 0);
    serverPid = pid;
    expect(listeningTcpPorts(serverPid)).toEqual([port]);
    const socket = join(dataDir, '.s.PGSQL.5432');
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('keeps the data directory owner-only: directories 0700, files 0600, PGlite’s own files included', () => {
    expect(openToOthers(dataDir)).toEqual([]);
  });

  it('refuses a second start on the same data directory, naming the process that holds it', async () => {
    const second = await npmRun(['start'], embeddedEnv(dataDir, port + 1));
    expect(second.code).toBe(1);
    expect(second.output).toContain(`${dataDir} is in use by another storecredit process (pid ${serverPid}); stop it first or set DATA_DIR`);
    expect(second.output).not.toMatch(/^\s+at /m); // a message, not a stack trace
    expect((await call('GET', '/api/health')).status).toBe(200);
  });

  it('verifies the ledger through the running server', async () => {
    const verified = await npmRun(['run', '--silent', 'verify'], embeddedEnv(dataDir, port));
    expect(verified.output).toContain('ledger verified:');
    expect(verified.output).toMatch(/"ok": true/);
    expect(verified.code).toBe(0);
    expect(readFileSync(join(dataDir, lockFileName), 'utf8')).toMatch(new RegExp(`^${serverPid}\\n`));
  });

  it('stops on a SIGTERM to npm: exit code 0, no process left, the port and the data directory released', async () => {
    expect(await stop(running!)).toBe(0);
    expect(await portIsFree(port)).toBe(true);
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
    expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(false);
    expect(openToOthers(dataDir)).toEqual([]);
  });

  it('verifies a data directory no server holds by opening it itself, and releases it', async () => {
    const verified = await npmRun(['run', '--silent', 'verify'], embeddedEnv(dataDir, port));
    expect(verified.output).toContain('ledger verified:');
    expect(verified.code).toBe(0);
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
  });

  it('starts again after a kill -9 left its lock behind, with every balance kept', async () => {
    running = await npmStart(dataDir, port);
    process.kill(-running.child.pid!, 'SIGKILL');
    await running.exited;
    await waitUntil(() => groupPids(running!.child.pid!).length === 0, 'the killed processes to be gone', stopTimeoutMs);
    expect(existsSync(join(dataDir, lockFileName))).toBe(true);

    running = await npmStart(dataDir, port);
    expect(running.output()).not.toContain('demo gift cards (shown once)');
    const token = await deskToken();
    const balances = await call('GET', `/api/clients/${clientId}/balances`, token);
    expect(balances.body.items).toEqual([expect.objectContaining({ currency: 'AED', balance: '67.50', hasBalance: true })]);
    expect(await stop(running)).toBe(0);
  });

  it('refuses a verify on a directory with no embedded database, with a message', async () => {
    const verified = await npmRun(['run', '--silent', 'verify'], embeddedEnv(join(root, 'nothing-here'), port));
    expect(verified.code).toBe(1);
    expect(verified.output).toContain(`no embedded database in ${join(root, 'nothing-here')}`);
    expect(verified.output).not.toMatch(/^\s+at /m);
    expect(existsSync(join(root, 'nothing-here'))).toBe(false);
  });
});
