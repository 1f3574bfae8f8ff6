import { topicNames, walletKey, type EntryRecorded, type HoldEvent } from '@storecredit/contracts';
import { createKafka, KeyPartitioner } from '@storecredit/messaging';
import { createTestDatabase, deleteSuiteTopics, principalSasl, provisionTestTopics, testBrokers, uniqueId, uniqueTopicPrefix, waitUntil, type TestDatabase } from '@storecredit/testing';
import type { INestMicroservice } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { ReportingLifecycle, startReporting, type ReportingConfig } from '../apps/reporting/src';

const businessId = 'salon-1';
const walletA = { businessId, clientId: 'client-a', currency: 'AED', walletId: 'wallet-a' };
const walletB = { businessId, clientId: 'client-b', currency: 'AED', walletId: 'wallet-b' };
type Wallet = typeof walletA;

function entry(wallet: Wallet, sequence: number, amount: string, balanceAfter: string, eventId = uniqueId('event')): EntryRecorded {
  return {
    schemaVersion: 1,
    type: 'wallet.entry_recorded',
    eventId,
    ...wallet,
    sequence,
    entryType: amount.startsWith('-') ? 'balance_deducted' : 'balance_added',
    amount,
    balanceAfter,
    reference: { type: 'manual', id: null },
    note: null,
    actor: 'staff:owner',
    commandId: uniqueId('command'),
    occurredAt: new Date().toISOString(),
  };
}

function holdPlaced(wallet: Wallet, afterSequence: number, amount: string, balanceAfter: string, heldAfter: string): HoldEvent {
  return {
    schemaVersion: 1,
    type: 'hold.placed',
    eventId: uniqueId('event'),
    ...wallet,
    holdId: uniqueId('hold'),
    saleId: uniqueId('sale'),
    amount,
    captured: '0.00',
    afterSequence,
    balanceAfter,
    heldAfter,
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    actor: 'service:checkout',
    commandId: uniqueId('command'),
    occurredAt: new Date().toISOString(),
  };
}

/**
 * The reference reporting consumer against the real broker and PostgreSQL: events produced here as the relay does
 * (keyed by wallet), with a repeat, a gap, an event for a sequence already applied and malformed messages among them.
 */
describe('reporting consumer', () => {
  let db: TestDatabase;
  let prefix: string;
  let producer: Producer;
  let app: INestMicroservice;
  let metricsPort: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    prefix = uniqueTopicPrefix();
    const kafka = createKafka(testBrokers, `reporting-test-${prefix}`);
    await provisionTestTopics(prefix, 2);
    producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: KeyPartitioner });
    await producer.connect();
    const config: ReportingConfig = {
      databaseUrl: db.url,
      kafkaBrokers: testBrokers,
      clientId: `reporting-${prefix}`,
      // The reporting principal: it may read the events and nothing else (test/kafka.acl.test.ts).
      kafkaSasl: principalSasl('reporting'),
      groupId: `${prefix}.reporting`,
      eventsTopic: topicNames(prefix).events,
      partitionsConsumedConcurrently: 2,
      httpPort: 0,
    };
    app = await startReporting(config, { logger: ['error'] });
    metricsPort = app.get(ReportingLifecycle).metricsPort ?? 0;
  });

  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    await db?.drop();
    await deleteSuiteTopics(prefix, [`${prefix}.reporting`]);
  });

  const send = (key: string | null, value: string | Buffer) => producer.send({ topic: topicNames(prefix).events, acks: -1, messages: [{ key, value }] });
  const sendEvent = (event: EntryRecorded | HoldEvent) => send(walletKey(event.businessId, event.clientId, event.currency), JSON.stringify(event));

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  }

  const walletRow = async (walletId: string) =>
    (
      await db.query<{ balance: string; held: string; last_sequence: number }>(
        `select balance::text as balance, held::text as held, last_sequence from reporting.wallet where business_id = $1 and wallet_id = $2`,
        [businessId, walletId],
      )
    )[0];
  const outstanding = async () =>
    (await db.query<{ amount: string }>(`select amount::text as amount from reporting.outstanding where business_id = $1 and currency = 'AED'`, [businessId]))[0]?.amount;
  const eventsCounted = (outcome: string) => metric(`storecredit_reporting_events_total{outcome="${outcome}"}`);

  it('drops a repeated event id, waits behind a gap until the missing event comes, and leaves out a sequence applied twice', async () => {
    const first = entry(walletA, 1, '100.00', '100.00');
    await sendEvent(first);
    await sendEvent(first);
    await sendEvent(entry(walletB, 1, '40.00', '40.00'));
    await waitUntil(async () => (await eventsCounted('duplicate')) === 1 && (await walletRow('wallet-b'))?.last_sequence === 1, 'the repeat and wallet b');
    expect(await walletRow('wallet-a')).toEqual({ balance: '100.00', held: '0', last_sequence: 1 });

    // Sequence 2 is missing: 3 and the hold placed on top of 2 wait for it.
    const second = entry(walletA, 2, '-30.00', '70.00');
    await sendEvent(holdPlaced(walletA, 2, '20.00', '70.00', '20.00'));
    await sendEvent(entry(walletA, 3, '5.00', '75.00'));
    await waitUntil(async () => (await eventsCounted('parked')) === 2, 'both events parked');
    expect(await metric('storecredit_reporting_sequence_gaps_total')).toBe(1);
    expect(await metric('storecredit_reporting_wallets_behind_gap')).toBe(1);
    expect(await walletRow('wallet-a')).toEqual({ balance: '100.00', held: '0', last_sequence: 1 });
    expect(await outstanding()).toBe('140.00');

    await sendEvent(second);
    await waitUntil(async () => (await walletRow('wallet-a'))?.last_sequence === 3, 'wallet a to catch up');
    expect(await walletRow('wallet-a')).toEqual({ balance: '75.00', held: '20.00', last_sequence: 3 });
    expect(await outstanding()).toBe('115.00');
    expect(await metric('storecredit_reporting_wallets_behind_gap')).toBe(0);
    expect(await db.query('select * from reporting.parked_event')).toEqual([]);

    // Sequence 2 again under another event id: the ledger never does this; it is counted, not applied.
    await sendEvent(entry(walletA, 2, '-30.00', '70.00'));
    await waitUntil(async () => (await eventsCounted('behind')) === 1, 'the second event for sequence 2');
    expect(await metric('storecredit_reporting_anomalies_total{kind="sequence_behind"}')).toBe(1);
    expect(await walletRow('wallet-a')).toEqual({ balance: '75.00', held: '20.00', last_sequence: 3 });
    expect(await metric('storecredit_reporting_anomalies_total{kind="balance_mismatch"}')).toBe(0);
  });

  it('keeps a malformed event with its reason and goes on with the partition', async () => {
    const keyA = walletKey(walletA.businessId, walletA.clientId, walletA.currency);
    await send(keyA, 'not json {');
    await send(keyA, Buffer.from([0, 1, 2, 3]));
    await send(keyA, JSON.stringify({ ...entry(walletA, 4, '1.00', '76.00'), amount: 12.5 }));
    await send(keyA, JSON.stringify({ ...entry(walletA, 4, 'lots', '76.00') }));
    await send('another-key', JSON.stringify(entry(walletA, 4, '1.00', '76.00')));
    await sendEvent(entry(walletA, 4, '1.00', '76.00'));
    // The message under another key may sit in another partition: wait for it too.
    await waitUntil(async () => (await walletRow('wallet-a'))?.last_sequence === 4 && (await eventsCounted('malformed')) === 5, 'the event after the malformed ones');
    expect(await walletRow('wallet-a')).toEqual({ balance: '76.00', held: '20.00', last_sequence: 4 });
    const kept = await db.query<{ reason: string; value: string }>('select reason, value from reporting.malformed_event order by id');
    expect(kept.map((row) => row.reason)).toEqual([
      'not a JSON object',
      'not a JSON object',
      expect.stringContaining('amount'),
      'amount is not a decimal string: "lots"',
      expect.stringContaining('not by its wallet'),
    ]);
    expect(kept[0].value).toBe('not json {');
    expect(kept[1].value).toBe('base64:AAECAw==');
  });
  it('keeps and skips an event the read model could never hold, instead of stopping the partition on it for good', async () => {
    const walletC = { businessId, clientId: 'client-c', currency: 'AED', walletId: 'wallet-c' };
    const before = await eventsCounted('malformed');
    // A sequence past any the ledger writes, then an early event whose note holds a NUL (it would be parked).
    await sendEvent(entry(walletC, 3_000_000_000, '5.00', '5.00'));
    await sendEvent({ ...entry(walletC, 2, '5.00', '10.00'), note: 'a\u0000b' });
    await sendEvent(entry(walletC, 1, '5.00', '5.00'));
    await waitUntil(async () => (await walletRow('wallet-c'))?.last_sequence === 1 && (await eventsCounted('malformed')) === before + 2, 'the good event after the two');
    expect(await walletRow('wallet-c')).toEqual({ balance: '5.00', held: '0', last_sequence: 1 });
    const reasons = await db.query<{ reason: string }>(`select reason from reporting.malformed_event order by id desc limit 2`);
    expect(reasons.map((row) => row.reason).sort()).toEqual([
      'it holds a NUL character, which the ledger never writes',
      'its sequence 3000000000 is beyond any the ledger writes (2147483647)',
    ]);
  });
});
