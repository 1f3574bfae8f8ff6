import { createTestDatabase, deleteSuiteTopics, testBrokers, uniqueTopicPrefix, waitUntil, type TestDatabase } from '@storecredit/testing';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..');
const tsNode = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];
const startTimeoutMs = 90_000;
const stopTimeoutMs = 30_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The all-in-one start in production mode (`npm start` with DATABASE_URL and KAFKA_BROKERS): the gateway and the
 * ledger worker (a Nest microservice beside the HTTP app) in one process. A write over HTTP travels to the worker
 * over Kafka and comes back applied; a SIGTERM stops both, exit code 0.
 */
describe('npm start (production mode: gateway and worker in one process)', () => {
  let db: TestDatabase;
  let prefix: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    prefix = uniqueTopicPrefix();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db?.drop();
    await deleteSuiteTopics(prefix, [`${prefix}.ledger-worker`]);
  });

  it('applies a write through its own worker over Kafka, and stops on a SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: testBrokers, KAFKA_TOPIC_PREFIX: prefix, PORT: String(port), NO_COLOR: '1', LOG_LEVEL: 'info' };
    delete env.NODE_ENV;
    delete env.JEST_WORKER_ID;
    const owner = { email: 'owner@production-start.example', password: 'amber lantern harbor 2026' };
    await run(process.execPath, [...tsNode, 'apps/gateway/src/cli.ts', 'salon-prod', 'Salon Prod', owner.email], {
      cwd: repoRoot,
      env: { ...env, OWNER_PASSWORD: owner.password },
      timeout: startTimeoutMs,
    });

    const started = spawn(process.execPath, [...tsNode, 'apps/storecredit/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      started.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitUntil(() => output.includes('storecredit is running at') || started.exitCode !== null, 'the start to print its URL', startTimeoutMs);
    expect(started.exitCode).toBeNull();
    expect(output).toContain(`as group ${prefix}.ledger-worker`);

    const base = `http://127.0.0.1:${port}`;
    const call = async (route: string, body: unknown, token?: string) => {
      const response = await fetch(`${base}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const signIn = await call('/api/auth/sign-in', owner);
    expect(signIn.status).toBe(200);
    const token = signIn.body.token as string;
    const client = await call('/api/clients', { name: 'Production Client' }, token);
    expect(client.status).toBe(201);
    const added = await call(`/api/clients/${client.body.id}/balance/add`, { amount: '25.00', currency: 'AED' }, token);
    expect(added).toMatchObject({ status: 200, body: { status: 'applied', result: { balanceAfter: '25.00' } } });

    started.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), stopTimeoutMs)))]);
    clearTimeout(timer);
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
