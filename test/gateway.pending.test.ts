import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestDatabase,
  testBrokers,
  uniqueId,
  uniqueTopicPrefix,
  waitUntil,
  type TestDatabase,
} from '@storecredit/testing';
import { GatewayClient, seedBusiness, type SeededBusiness } from './support';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';
import { startLedgerWorker } from '../apps/ledger-worker/src/ledger-worker.app';
import { workerConfigFromEnv } from '../apps/ledger-worker/src/worker.config';

const replyTimeoutMs = 1_000;

interface Pending {
  commandId: string;
  status: 'pending';
  statusUrl: string;
}
interface Status {
  commandId: string;
  status: 'pending' | 'applied' | 'rejected';
  commandType: string;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** A write the worker cannot answer in time gets 202 and a status URL, which tells the outcome once the worker runs. */
describe('gateway with the worker stopped', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let worker: INestMicroservice | undefined;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let env: NodeJS.ProcessEnv;
  const headers = { 'idempotency-key': uniqueId('pending-add') };
  const addBody = { amount: '12.34', currency: 'AED', note: 'while the worker is down' };
  let lateCommandId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      ...process.env,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testBrokers,
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
      GATEWAY_REPLY_TIMEOUT_MS: String(replyTimeoutMs),
    };
    app = await createGatewayApp(gatewayConfigFromEnv(env), { url: db.url });
    http = new GatewayClient(app);
    biz = await seedBusiness(app, permissions);
  });

  afterAll(async () => {
    await app?.close();
    await worker?.close();
    await db?.drop();
  });

  const entries = async () =>
    (await db.query<{ n: number }>('select count(*)::int as n from ledger_entry where business_id = $1 and client_id = $2', [biz.businessId, biz.clientId]))[0].n;

  it('answers 202 with a status URL, then reports the outcome once the worker runs, applying it once', async () => {
    const owner = http.as(biz.ownerToken);

    const startedAt = Date.now();
    const added = await owner.post<Pending>(`/api/clients/${biz.clientId}/balance/add`, addBody, headers);
    const waitedMs = Date.now() - startedAt;
    expect(added.status).toBe(202);
    lateCommandId = added.body.commandId;
    expect(added.body).toEqual({ commandId: expect.any(String), status: 'pending', statusUrl: `/api/commands/${encodeURIComponent(added.body.commandId)}` });
    expect(waitedMs).toBeGreaterThanOrEqual(replyTimeoutMs - 50);

    // The same request retried while still pending is the same command.
    const retried = await owner.post<Pending>(`/api/clients/${biz.clientId}/balance/add`, addBody, headers);
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual(added.body);
    // A deduction the worker will refuse once it runs: pending now, never a false success or failure.
    const deducted = await owner.post<Pending>(`/api/clients/${biz.clientId}/balance/deduct`, { amount: '100.00', currency: 'AED' });
    expect(deducted.status).toBe(202);
    expect(deducted.body.status).toBe('pending');

    const pending = await owner.get<Status>(added.body.statusUrl);
    expect(pending.status).toBe(200);
    expect(pending.body).toEqual({ commandId: added.body.commandId, status: 'pending', commandType: 'balance.add' });
    const byViewer = await http.as(biz.keyFor('balance.view')).get<Status>(deducted.body.statusUrl);
    expect(byViewer.body).toEqual({ commandId: deducted.body.commandId, status: 'pending', commandType: 'balance.deduct' });
    expect((await owner.get(`/api/clients/${biz.clientId}/balances`)).body).toEqual({ clientId: biz.clientId, items: [] });
    expect(await entries()).toBe(0);

    worker = await startLedgerWorker(workerConfigFromEnv(env), { logger: ['error'] });
    let status: Status | undefined;
    await waitUntil(async () => {
      status = (await owner.get<Status>(added.body.statusUrl)).body;
      return status.status !== 'pending';
    }, `status of ${added.body.commandId}`);
    expect(status).toEqual({
      commandId: added.body.commandId,
      status: 'applied',
      commandType: 'balance.add',
      result: expect.objectContaining({ clientId: biz.clientId, currency: 'AED', entryType: 'balance_added', amount: '12.34', balanceAfter: '12.34' }),
    });
    let refused: Status | undefined;
    await waitUntil(async () => {
      refused = (await owner.get<Status>(deducted.body.statusUrl)).body;
      return refused.status !== 'pending';
    }, `status of ${deducted.body.commandId}`);
    expect(refused).toEqual({
      commandId: deducted.body.commandId,
      status: 'rejected',
      commandType: 'balance.deduct',
      error: expect.objectContaining({ code: 'insufficient_balance', message: 'Insufficient balance' }),
    });

    expect((await owner.get(`/api/clients/${biz.clientId}/balances/AED`)).body).toMatchObject({ balance: '12.34', hasBalance: true });
    expect(await entries()).toBe(1);
    const history = await owner.get<{ items: { type: string; amount: string; commandId: string }[] }>(`/api/clients/${biz.clientId}/transactions`);
    expect(history.body.items).toEqual([expect.objectContaining({ type: 'balance_added', amount: '12.34', commandId: added.body.commandId })]);
  });

  it('answers a retry of the late request with its result once the worker has applied it, and new writes at once', async () => {
    const owner = http.as(biz.ownerToken);
    const retried = await owner.post(`/api/clients/${biz.clientId}/balance/add`, addBody, headers);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({
      commandId: lateCommandId,
      status: 'applied',
      replayed: true,
      result: expect.objectContaining({ entryType: 'balance_added', amount: '12.34', balanceAfter: '12.34' }),
    });
    expect(await entries()).toBe(1);

    const fresh = await owner.post(`/api/clients/${biz.clientId}/balance/add`, { amount: '0.66', currency: 'AED' });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ status: 'applied', replayed: false, result: { balanceAfter: '13.00' } });
    expect(await entries()).toBe(2);
  });
});
