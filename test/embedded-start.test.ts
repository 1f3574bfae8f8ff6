import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@storecredit/testing';

const startTimeoutMs = 120_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** `npm start` exactly as a newcomer runs it: no DATABASE_URL, no KAFKA_BROKERS, a fresh data directory. */
async function npmStart(dataDir: string, port: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.KAFKA_BROKERS;
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await waitUntil(() => text.includes('storecredit is running at') || child.exitCode !== null, 'npm start to print its URL', startTimeoutMs);
  if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${text}`);
  return { child, output: () => text };
}

async function stop({ child }: Started): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

describe('npm start (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'storecredit-embedded-'));
  let port: number;
  let base: string;

  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function call(method: string, path: string, token?: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('starts on a fresh data directory, serves the printed demo logins, and keeps the data across a restart', async () => {
    const first = await npmStart(dataDir, port);
    let balanceAfter: string;
    try {
      const out = first.output();
      expect(out).toContain(`storecredit is running at ${base}`);
      const owner = /owner\s+(\S+@\S+) \/ (\S+)/.exec(out);
      const codes = /demo gift cards \(shown once\): (.+)/.exec(out);
      expect(owner).not.toBeNull();
      expect(codes).not.toBeNull();
      const signIn = await call('POST', '/api/auth/sign-in', undefined, { email: owner![1], password: owner![2] });
      expect(signIn.status).toBe(200);
      const token = signIn.body.token as string;
      const clients = await call('GET', '/api/clients?q=sara', token);
      const clientId = clients.body.items[0].id as string;

      const added = await call('POST', `/api/clients/${clientId}/balance/add`, token, { amount: '30.00', currency: 'AED', note: 'first visit' });
      expect(added.body.result.balanceAfter).toBe('30.00');
      const deducted = await call('POST', `/api/clients/${clientId}/balance/deduct`, token, { amount: '12.50', currency: 'AED' });
      expect(deducted.body.result.balanceAfter).toBe('17.50');
      const code = codes![1].split(', ')[0].trim();
      const redeemed = await call('POST', `/api/clients/${clientId}/gift-card-redemptions`, token, { code });
      expect(redeemed.status).toBe(200);
      balanceAfter = redeemed.body.result.balanceAfter as string;
      expect(balanceAfter).toBe('67.50');
      const history = await call('GET', `/api/clients/${clientId}/transactions`, token);
      expect(history.body.items.map((i: { type: string }) => i.type)).toEqual(['gift_card_redeemed', 'balance_deducted', 'balance_added']);
    } finally {
      await stop(first);
    }

    const second = await npmStart(dataDir, port);
    try {
      expect(second.output()).not.toContain('demo gift cards (shown once)');
      const signIn = await call('POST', '/api/auth/sign-in', undefined, { email: 'desk@demo.salon', password: 'amber-comb-lantern' });
      const token = signIn.body.token as string;
      const clients = await call('GET', '/api/clients?q=sara', token);
      const balances = await call('GET', `/api/clients/${clients.body.items[0].id}/balances`, token);
      expect(balances.body.items).toEqual([expect.objectContaining({ currency: 'AED', balance: '67.50', hasBalance: true })]);
    } finally {
      await stop(second);
    }
  });
});
