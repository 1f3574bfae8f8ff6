import { adminEnvFromCredentialsFile } from '@storecredit/messaging';
import { waitUntil } from '@storecredit/testing';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WorkerHttp } from '../apps/ledger-worker/src/operations/worker-http';
import { startLedgerStack, type LedgerStack } from './support';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '..');
/** A broker of this suite's own, on ports of its own: the shared broker on 9092 is never stopped. */
const brokerEnv = (home: string) => ({ ...process.env, KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093', KAFKA_HOME_DIR: home });
const kafkaScript = (home: string, ...args: string[]) => run('bash', [join(repoRoot, 'scripts/kafka.sh'), ...args], { env: brokerEnv(home), timeout: 120_000 });

interface Readiness {
  status: number;
  body: { status: string; error?: Record<string, { status: string; message?: string }> };
}

describe('readiness when the broker stops', () => {
  let home: string;
  let stack: LedgerStack;
  let workerPort: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'storecredit-kafka-'));
    await kafkaScript(home, 'start');
    // Its broker has passwords of its own (scripts/kafka.sh wrote them into its home): the stack runs as its admin.
    const credentials = adminEnvFromCredentialsFile(join(home, 'credentials.env'));
    stack = await startLedgerStack({ KAFKA_BROKERS: '127.0.0.1:19092', WORKER_HTTP_PORT: '0', ...credentials });
    workerPort = stack.worker.get(WorkerHttp).port ?? 0;
  }, 240_000);

  afterAll(async () => {
    await kafkaScript(home, 'start').catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await kafkaScript(home, 'stop', '--clean').catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }, 240_000);

  async function gatewayReady(): Promise<Readiness> {
    const response = await stack.app.inject({ method: 'GET', url: '/api/health/ready' });
    return { status: response.statusCode, body: JSON.parse(response.body) as Readiness['body'] };
  }

  async function workerReady(): Promise<Readiness> {
    const response = await fetch(`http://127.0.0.1:${workerPort}/health/ready`);
    return { status: response.status, body: (await response.json()) as Readiness['body'] };
  }

  it('answers 503 naming kafka while the broker is down, and 200 once it is back', async () => {
    await waitUntil(async () => (await gatewayReady()).status === 200 && (await workerReady()).status === 200, 'both ready', 60_000);

    await kafkaScript(home, 'stop');
    let gateway: Readiness | undefined;
    let worker: Readiness | undefined;
    await waitUntil(async () => {
      [gateway, worker] = [await gatewayReady(), await workerReady()];
      return gateway.status === 503 && worker.status === 503;
    }, 'both not ready', 60_000);
    expect(gateway?.body.error?.kafka?.status).toBe('down');
    expect(worker?.body.error?.kafka?.status).toBe('down');
    // PostgreSQL is still there: only Kafka (and the worker's group membership) is named.
    expect(gateway?.body.error?.database).toBeUndefined();

    await kafkaScript(home, 'start');
    await waitUntil(async () => (await gatewayReady()).status === 200 && (await workerReady()).status === 200, 'both ready again', 120_000);
  }, 300_000);
});
