import { headerNames } from '@storecredit/contracts';
import { Client } from 'pg';
import { relayLockKey } from '../apps/ledger-worker/src/outbox/outbox-relay';
import { KafkaTestClient, command, uniqueId, waitUntil } from '@storecredit/testing';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { WorkerHttp } from '../apps/ledger-worker/src/operations/worker-http';
import { parseExposition, sampleValue, type Sample } from './support/exposition';
import { seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';

/**
 * The metrics after real traffic: the gateway's `/metrics` and the worker's port, scraped before and after adds, a
 * refused deduct, a replay and a malformed message, move by exactly what was sent. The stack runs the gateway and the
 * worker in this one process, so both endpoints show the one registry.
 */
describe('metrics', () => {
  let stack: LedgerStack;
  let kafka: KafkaTestClient;
  let biz: SeededBusiness;
  let workerPort: number;

  beforeAll(async () => {
    stack = await startLedgerStack({ WORKER_HTTP_PORT: '0' });
    kafka = new KafkaTestClient(stack.prefix);
    await kafka.start();
    biz = await seedBusiness(stack.app, permissions);
    workerPort = stack.worker.get(WorkerHttp).port ?? 0;
  });

  afterAll(async () => {
    await kafka?.stop();
    await stack?.stop();
  });

  async function scrapeGateway(): Promise<{ text: string; samples: Sample[] }> {
    const response = await stack.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: response.body, samples: parseExposition(response.body) };
  }

  async function scrapeWorker(): Promise<{ text: string; samples: Sample[] }> {
    const response = await fetch(`http://127.0.0.1:${workerPort}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, samples: parseExposition(text) };
  }

  it('counts commands by type and outcome, replays, dead letters, group sizes, command ages and HTTP requests', async () => {
    expect(workerPort).toBeGreaterThan(0);
    const before = (await scrapeWorker()).samples;
    const owner = stack.http.as(biz.ownerToken);

    const added = await owner.post(`/api/clients/${biz.clientId}/balance/add`, { amount: '10.00', currency: 'AED' });
    expect(added.status).toBe(200);
    const refused = await owner.post(`/api/clients/${biz.clientId}/balance/deduct`, { amount: '20.00', currency: 'AED' });
    expect(refused.status).toBe(422);
    const topUp = command('balance.add', { businessId: biz.businessId, clientId: biz.clientId, currency: 'AED', amount: '5.00' });
    await kafka.send('gateway', topUp);
    await kafka.waitForReplies(topUp.commandId);
    await kafka.send('gateway', topUp);
    const replies = await kafka.waitForReplies(topUp.commandId, 2);
    expect(replies.map((reply) => reply.replayed)).toEqual([false, true]);
    await kafka.sendRaw('gateway', Buffer.from('{ not json'), uniqueId('key'));
    await waitUntil(() => kafka.deadLetters.length === 1, 'the dead letter');
    const deadLetterCode = kafka.deadLetters[0].headers[headerNames.dlqCode];
    expect(deadLetterCode).toBe('malformed_json');

    // Counted right after the broker took the replies: give the worker a moment past the reply itself.
    const delta = (after: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    let after: Sample[] = [];
    await waitUntil(async () => {
      after = (await scrapeWorker()).samples;
      return delta(after, 'storecredit_dead_letters_total') === 1;
    }, 'the dead letter counted', 10_000);

    for (const scrape of [await scrapeWorker(), await scrapeGateway()]) {
      const samples = scrape.samples;
      expect(delta(samples, 'storecredit_commands_total', { type: 'balance.add', outcome: 'applied', code: 'ok' })).toBe(2);
      expect(delta(samples, 'storecredit_commands_total', { type: 'balance.deduct', outcome: 'rejected', code: 'insufficient_balance' })).toBe(1);
      expect(delta(samples, 'storecredit_commands_total', { type: 'balance.add', outcome: 'replayed', code: 'ok' })).toBe(1);
      expect(delta(samples, 'storecredit_dead_letters_total', { code: deadLetterCode })).toBe(1);
      // Four commands reached the ledger (the dead letter did not); each is in one group and has one age.
      expect(delta(samples, 'storecredit_group_commands_sum')).toBe(4);
      expect(delta(samples, 'storecredit_command_age_seconds_count')).toBe(4);
      expect(delta(samples, 'storecredit_group_apply_duration_seconds_count')).toBe(delta(samples, 'storecredit_group_commands_count'));
      expect(delta(samples, 'storecredit_http_request_duration_seconds_count', { method: 'POST', route: '/api/clients/:clientId/balance/add', status: '200' })).toBe(1);
      expect(delta(samples, 'storecredit_http_request_duration_seconds_count', { method: 'POST', route: '/api/clients/:clientId/balance/deduct', status: '422' })).toBe(1);
      // Every command message has been handled: no lag left on the gateway's command topic's partitions.
      const lag = samples.filter((sample) => sample.name === 'storecredit_consumer_lag_messages' && sample.labels.topic.startsWith(`${stack.prefix}.commands.gateway`));
      expect(lag.length).toBeGreaterThan(0);
      expect(lag.every((sample) => sample.value === 0)).toBe(true);
      expect(sampleValue(samples, 'storecredit_db_pool_connections', { app: 'worker', pool: 'orm', state: 'total' })).toBeGreaterThan(0);
      expect(sampleValue(samples, 'storecredit_db_pool_connections', { app: 'gateway', pool: 'orm', state: 'total' })).toBeGreaterThan(0);
      expect(samples.some((sample) => sample.name === 'storecredit_outbox_oldest_age_seconds')).toBe(true);
      // No series carries a business, client or command id.
      for (const id of [biz.businessId, biz.clientId, topUp.commandId]) expect(scrape.text).not.toContain(id);
    }
  });

  it('reads the outbox depth and its oldest row from the database at scrape time', async () => {
    // Holding the relay's lock keeps the relay from publishing (and deleting) the rows while they are read.
    const lock = new Client({ connectionString: stack.db.url });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [relayLockKey]);
      await lock.query(
        `insert into outbox_message (id, business_id, created_at, message_key, sequence, payload)
         select gen_random_uuid(), 'metrics-test', now() - interval '45 seconds', 'metrics-test', n, '{}'::json from generate_series(1, 3) as n`,
      );
      for (const { samples } of [await scrapeWorker(), await scrapeGateway()]) {
        expect(sampleValue(samples, 'storecredit_outbox_rows')).toBe(3);
        expect(sampleValue(samples, 'storecredit_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(45);
        expect(sampleValue(samples, 'storecredit_outbox_oldest_age_seconds')).toBeLessThan(120);
      }
    } finally {
      await lock.query("delete from outbox_message where business_id = 'metrics-test'");
      await lock.end();
    }
  });

  it('answers the gateway health routes', async () => {
    expect((await stack.http.get('/api/health/live')).body).toEqual({ status: 'ok' });
    const ready = await stack.http.get('/api/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, schema: { status: 'up' }, kafka: { status: 'up' } } });
    expect((await stack.http.get('/api/health')).body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('answers the worker port on its health routes and refuses other paths', async () => {
    expect((await fetch(`http://127.0.0.1:${workerPort}/health/live`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${workerPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, schema: { status: 'up' }, kafka: { status: 'up' }, consumer: { status: 'up' } } });
    expect((await fetch(`http://127.0.0.1:${workerPort}/nothing`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
