import { Test } from '@nestjs/testing';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { LedgerModule } from '@storecredit/ledger';
import { createTestDatabase, type TestDatabase } from '@storecredit/testing';
import { EventSink, type OutgoingEvent } from '../apps/ledger-worker/src/outbox/event-sink';
import { OutboxRelay, relayBatchMax, relayLockKey } from '../apps/ledger-worker/src/outbox/outbox-relay';

/** Records what it is given, or fails every publish while `failing` is set. */
class RecordingSink extends EventSink {
  published: OutgoingEvent[][] = [];
  failing = false;

  async connect(): Promise<void> {}

  async publish(events: OutgoingEvent[]): Promise<void> {
    if (this.failing) throw new Error('broker unavailable');
    this.published.push(events);
  }
}

describe('outbox relay (PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let sink: RecordingSink;
  let relay: OutboxRelay;
  let rowNumber = 0;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({ imports: [LedgerModule.forRoot({ databaseUrl: db.url })] }).compile();
    app = await moduleRef.init();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    await db.query('delete from outbox_message');
    sink = new RecordingSink();
    relay = new OutboxRelay(app.get(MikroORM), sink, { enabled: false });
  });

  /** Outbox rows in the order given, each committed (and so created) after the one before. */
  async function insertRows(rows: { key: string; sequence: number; type?: string }[]): Promise<void> {
    for (const { key, sequence, type = 'wallet.entry_recorded' } of rows) {
      rowNumber++;
      await db.query(
        `insert into outbox_message (id, business_id, message_key, sequence, payload)
         values (gen_random_uuid(), 'salon-1', $1, $2, $3::json)`,
        [key, sequence, JSON.stringify({ type, eventId: `event-${rowNumber}`, sequence })],
      );
    }
  }

  const remaining = async () => Number((await db.query<{ n: string }>('select count(*) as n from outbox_message'))[0].n);
  const keysAndSequences = (events: OutgoingEvent[]) => events.map(({ key, json }) => `${key}#${(JSON.parse(json) as { sequence: number }).sequence}`);

  it('publishes the rows as stored, each wallet in sequence order, and deletes them', async () => {
    await insertRows([
      { key: 'w1', sequence: 1 },
      { key: 'w2', sequence: 1 },
      { key: 'w1', sequence: 2 },
      { key: 'gift-cards', sequence: 0, type: 'gift_card.issued' },
      { key: 'gift-cards', sequence: 0, type: 'gift_card.voided' },
    ]);

    expect(await relay.publishBatch()).toBe(5);

    expect(sink.published).toHaveLength(1);
    const [events] = sink.published;
    expect(keysAndSequences(events)).toEqual(['w1#1', 'w1#2', 'w2#1', 'gift-cards#0', 'gift-cards#0']);
    // Events of equal sequence (gift cards) keep their commit order; the type header comes from the payload.
    expect(events.filter(({ key }) => key === 'gift-cards').map(({ type }) => type)).toEqual(['gift_card.issued', 'gift_card.voided']);
    expect(JSON.parse(events[0].json)).toMatchObject({ type: 'wallet.entry_recorded', sequence: 1 });
    expect(await remaining()).toBe(0);
    // An empty outbox, with the lock had: the relay may wait longer before it looks again.
    expect(await relay.poll()).toEqual({ published: 0, locked: true });
  });

  it('keeps every row when publishing fails, and publishes them on the next try', async () => {
    await insertRows([
      { key: 'w1', sequence: 1 },
      { key: 'w1', sequence: 2 },
    ]);
    sink.failing = true;

    await expect(relay.publishBatch()).rejects.toThrow('broker unavailable');
    expect(await remaining()).toBe(2);

    sink.failing = false;
    expect(await relay.publishBatch()).toBe(2);
    expect(keysAndSequences(sink.published.flat())).toEqual(['w1#1', 'w1#2']);
    expect(await remaining()).toBe(0);
  });

  it('publishes nothing while another relay holds the lock', async () => {
    await insertRows([{ key: 'w1', sequence: 1 }]);
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock($1)', [relayLockKey]);

      // Not an empty outbox: another relay is at work, so this one keeps looking at the shortest interval.
      expect(await relay.poll()).toEqual({ published: 0, locked: false });
      expect(sink.published).toHaveLength(0);
      expect(await remaining()).toBe(1);

      await other.query('commit');
    } finally {
      await other.end();
    }
    expect(await relay.poll()).toEqual({ published: 1, locked: true });
  });

  it('takes the oldest rows first, at most one batch at a time', async () => {
    const rows = Array.from({ length: relayBatchMax + 20 }, (_, index) => ({ key: 'w1', sequence: index + 1 }));
    await db.query(
      `insert into outbox_message (id, business_id, message_key, sequence, payload, created_at)
       select gen_random_uuid(), 'salon-1', 'w1', s, json_build_object('type', 'wallet.entry_recorded', 'sequence', s),
              timestamptz '2026-01-01' + s * interval '1 millisecond'
       from generate_series(1, $1::int) s`,
      [rows.length],
    );

    expect(await relay.publishBatch()).toBe(relayBatchMax);
    expect(await relay.publishBatch()).toBe(20);

    const sequences = sink.published.flat().map(({ json }) => (JSON.parse(json) as { sequence: number }).sequence);
    expect(sequences).toEqual(rows.map(({ sequence }) => sequence));
  });
});
