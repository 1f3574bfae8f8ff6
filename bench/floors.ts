import { Decimal } from '@storecredit/contracts';
import { ensureTopics, KeyPartitioner } from '@storecredit/messaging';
import type { Batch, Producer } from 'kafkajs';
import type { PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { BenchConfig, CommandKind } from './config';
import { benchKafka, CpuMeter, createBenchDatabase, deleteKafkaPrefix, waitFor, type BenchDatabase, type CpuUse } from './infra';
import { producePaced, type OutgoingCommand } from './load';
import { benchCurrency, seedWallets } from './seed';
import { latencySummary, round, type LatencySummary } from './stats';

const floorBusinessId = 'bench-floor';
const changeAmount = new Decimal('1.00');

export interface KafkaFloor {
  messages: number;
  averageBytes: number;
  partitions: number;
  /** Produce only: the rate the broker took the messages at (acks=all, chunks of produceChunkSize). */
  producePerSec: number;
  /** First produce to last message consumed by a plain kafkajs consumer doing nothing with them. */
  produceConsumePerSec: number;
  cpu: CpuUse;
}

/** A floor's topic, a producer to it and a consumer of it that hands every fetched batch to `onBatch`. */
interface FloorClients {
  topic: string;
  producer: Producer;
  close(): Promise<void>;
}

async function startFloorClients(config: BenchConfig, prefix: string, name: string, onBatch: (batch: Batch) => void): Promise<FloorClients> {
  const kafka = benchKafka(config.kafkaBrokers, `bench-${name}-${prefix}`);
  const topic = `${prefix}.${name}.v1`;
  await ensureTopics(kafka, [topic], config.partitions);
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: KeyPartitioner });
  const consumer = kafka.consumer({ groupId: `${prefix}.${name}-consumer`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  const close = async () => {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    if (!config.keep) await deleteKafkaPrefix(config.kafkaBrokers, prefix).catch(() => undefined);
  };
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({ partitionsConsumedConcurrently: config.partitions, eachBatch: async ({ batch }) => onBatch(batch) });
    await joined;
    return { topic, producer, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Kafka alone: the same number of messages, the same bytes and keys as the commands, produced and consumed. */
export async function kafkaFloor(config: BenchConfig, prefix: string, messages: readonly OutgoingCommand[]): Promise<KafkaFloor> {
  let consumed = 0;
  let lastConsumedAt = 0;
  const { topic, producer, close } = await startFloorClients(config, prefix, 'floor', (batch) => {
    consumed += batch.messages.length;
    lastConsumedAt = performance.now();
  });
  try {
    const meter = await CpuMeter.start(() => [], null);
    const start = performance.now();
    for (let from = 0; from < messages.length; from += config.produceChunkSize) {
      const chunk = messages.slice(from, from + config.produceChunkSize);
      await producer.send({ topic, acks: -1, messages: chunk.map(({ key, value }) => ({ key, value })) });
    }
    const produced = performance.now();
    await waitFor(() => consumed >= messages.length, `${messages.length} floor messages consumed`, config.phaseTimeoutMs);
    const cpu = await meter.stop();
    const bytes = messages.reduce((sum, message) => sum + message.value.length, 0);
    return {
      messages: messages.length,
      averageBytes: Math.round(bytes / messages.length),
      partitions: config.partitions,
      producePerSec: round((messages.length * 1000) / (produced - start)),
      produceConsumePerSec: round((messages.length * 1000) / (lastConsumedAt - start)),
      cpu,
    };
  } finally {
    await close();
  }
}

export interface KafkaLatencyFloor {
  messages: number;
  perSecond: number;
  /** Scheduled send → consumed by a plain kafkajs consumer: one hop (the end-to-end path takes two, command and event). */
  latency: LatencySummary;
  /** What moving the messages alone costs at this rate: the producer and consumer (bench) and the broker. */
  cpu: CpuUse;
  produceRequests: number;
}

const sequenceHeader = 'bench-sequence';

/**
 * Kafka's latency alone at a given rate: the same messages produced paced (as the paced runs produce them: same
 * producer, acks=all, latency from each message's scheduled time) and consumed by a consumer that does nothing.
 */
export async function kafkaLatencyFloor(config: BenchConfig, prefix: string, messages: readonly OutgoingCommand[], perSecond: number): Promise<KafkaLatencyFloor> {
  const dueAt = new Float64Array(messages.length);
  const latencies: number[] = [];
  const { topic, producer, close } = await startFloorClients(config, prefix, 'latency-floor', (batch) => {
    const at = performance.now();
    for (const message of batch.messages) latencies.push(at - dueAt[Number(message.headers?.[sequenceHeader]?.toString())]);
  });
  try {
    const tagged = messages.map(({ key, value }, index) => ({ key, value, headers: { [sequenceHeader]: String(index) } }));
    const meter = await CpuMeter.start(() => [], null);
    const produceRequests = await producePaced(producer, topic, tagged, perSecond, (index, due) => {
      dueAt[index] = due;
    });
    await waitFor(() => latencies.length >= messages.length, `${messages.length} latency floor messages consumed`, config.phaseTimeoutMs);
    const cpu = await meter.stop();
    return { messages: messages.length, perSecond: round(perSecond), latency: latencySummary(latencies), cpu, produceRequests };
  } finally {
    await close();
  }
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

interface WalletState {
  id: string;
  clientId: string;
  version: number;
}

interface Change {
  wallet: WalletState;
  commandId: string;
  entryId: string;
  sequence: number;
  balanceAfter: string;
}

export interface PgFloorVariant {
  name: string;
  description: string;
  connections: number;
  batchSize: number;
  changes: number;
  seconds: number;
  changesPerSec: number;
  transactionsPerSec: number;
  cpu: CpuUse;
}

export interface PgFloor {
  /** The writes of one change: wallet update with version check, entry, idempotency record, outbox row (+ balance_payment for pay). */
  writesPerChange: string[];
  variants: PgFloorVariant[];
}

const sql = {
  update: `update wallet set balance = balance - $4::numeric, last_sequence = last_sequence + 1, version = version + 1, updated_at = $5
           where business_id = $1 and id = $2 and version = $3 returning balance::text as balance, last_sequence`,
  entry: `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
                                    reference_type, reference_id, note, actor, command_id, created_at)
          values ($1, $2, $3, $4, $5, $6, 'used_for_payment', $7::numeric, $8::numeric, 'payment', $9, null, 'service:checkout', $10, $11)`,
  idempotency: `insert into idempotency_record (business_id, command_id, command_type, payload_hash, reply, created_at)
                values ($1, $2, 'balance.pay', $3, $4::json, $5)`,
  outbox: `insert into outbox_message (id, business_id, message_key, sequence, payload) values ($1, $2, $3, $4, $5::json)`,
  payment: `insert into balance_payment (business_id, command_id, wallet_id, client_id, currency, sale_id, amount_applied,
                                         amount_refunded, version, created_at)
            values ($1, $2, $3, $4, $5, $6, $7::numeric, 0, 1, $8)`,
  updateMany: `update wallet w set balance = w.balance - v.amount, last_sequence = w.last_sequence + v.n, version = w.version + 1, updated_at = $2
               from unnest($3::uuid[], $4::int[], $5::numeric[], $6::int[]) as v(id, version, amount, n)
               where w.business_id = $1 and w.id = v.id and w.version = v.version
               returning w.id, w.balance::text as balance, w.last_sequence`,
  entryMany: `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
                                        reference_type, reference_id, note, actor, command_id, created_at)
              select $1, v.id, v.wallet_id, v.client_id, $2, v.sequence, 'used_for_payment', $3::numeric, v.balance_after,
                     'payment', v.sale_id, null, 'service:checkout', v.command_id, $4
              from unnest($5::uuid[], $6::uuid[], $7::text[], $8::int[], $9::numeric[], $10::text[], $11::text[])
                   as v(id, wallet_id, client_id, sequence, balance_after, sale_id, command_id)`,
  idempotencyMany: `insert into idempotency_record (business_id, command_id, command_type, payload_hash, reply, created_at)
                    select $1, v.command_id, 'balance.pay', v.hash, v.reply, $2
                    from unnest($3::text[], $4::text[], $5::json[]) as v(command_id, hash, reply)`,
  outboxMany: `insert into outbox_message (id, business_id, message_key, sequence, payload)
               select v.id, $1, v.message_key, v.sequence, v.payload from unnest($2::uuid[], $3::text[], $4::int[], $5::json[]) as v(id, message_key, sequence, payload)`,
  paymentMany: `insert into balance_payment (business_id, command_id, wallet_id, client_id, currency, sale_id, amount_applied,
                                             amount_refunded, version, created_at)
                select $1, v.command_id, v.wallet_id, v.client_id, $2, v.sale_id, $3::numeric, 0, 1, $4
                from unnest($5::text[], $6::uuid[], $7::text[], $8::text[]) as v(command_id, wallet_id, client_id, sale_id)`,
};

/** Reply and event bodies the size of the real ones, so the JSON and WAL volume match what the worker writes. */
function replyJson(change: Change, now: Date): string {
  return JSON.stringify({
    schemaVersion: 1,
    commandId: change.commandId,
    commandType: 'balance.pay',
    businessId: floorBusinessId,
    status: 'applied',
    result: {
      walletId: change.wallet.id,
      clientId: change.wallet.clientId,
      currency: benchCurrency,
      entryId: change.entryId,
      entryType: 'used_for_payment',
      amount: '1.00',
      balanceAfter: change.balanceAfter,
      amountStillOwed: '0.00',
    },
    processedAt: now.toISOString(),
  });
}

function eventJson(change: Change, now: Date): string {
  return JSON.stringify({
    schemaVersion: 1,
    type: 'wallet.entry_recorded',
    eventId: change.entryId,
    businessId: floorBusinessId,
    clientId: change.wallet.clientId,
    currency: benchCurrency,
    walletId: change.wallet.id,
    sequence: change.sequence,
    entryType: 'used_for_payment',
    amount: '-1.00',
    balanceAfter: change.balanceAfter,
    reference: { type: 'payment', id: `sale-${change.commandId}` },
    note: null,
    actor: 'service:checkout',
    commandId: change.commandId,
    occurredAt: now.toISOString(),
  });
}

const payloadHash = 'f'.repeat(64);

/** One change as the worker writes it, one statement per row (the shape of today's per-command transaction). */
async function writeOne(client: PoolClient, wallet: WalletState, commandId: string, kind: CommandKind): Promise<void> {
  const now = new Date();
  const updated = await client.query<{ balance: string; last_sequence: number }>({
    name: 'floor-update',
    text: sql.update,
    values: [floorBusinessId, wallet.id, wallet.version, changeAmount.toFixed(2), now],
  });
  if (updated.rowCount !== 1) throw new Error(`version check failed for wallet ${wallet.id}`);
  wallet.version += 1;
  const change: Change = { wallet, commandId, entryId: uuidv7(), sequence: updated.rows[0].last_sequence, balanceAfter: updated.rows[0].balance };
  await client.query({
    name: 'floor-entry',
    text: sql.entry,
    values: [floorBusinessId, change.entryId, wallet.id, wallet.clientId, benchCurrency, change.sequence, '-1.00', change.balanceAfter, `sale-${commandId}`, commandId, now],
  });
  if (kind === 'pay') {
    await client.query({
      name: 'floor-payment',
      text: sql.payment,
      values: [floorBusinessId, commandId, wallet.id, wallet.clientId, benchCurrency, `sale-${commandId}`, '1.00', now],
    });
  }
  await client.query({ name: 'floor-idempotency', text: sql.idempotency, values: [floorBusinessId, commandId, payloadHash, replyJson(change, now), now] });
  await client.query({
    name: 'floor-outbox',
    text: sql.outbox,
    values: [uuidv7(), floorBusinessId, `${floorBusinessId}/${wallet.clientId}/${benchCurrency}`, change.sequence, eventJson(change, now)],
  });
}

/**
 * A batch as group commit would write it: one UPDATE for all its wallets (a wallet met k times moves by k
 * at once) and one multi-row INSERT per table, with each entry's balance-after worked out in order.
 */
async function writeMany(client: PoolClient, wallets: WalletState[], commandIds: string[], kind: CommandKind): Promise<void> {
  const now = new Date();
  const counts = new Map<WalletState, number>();
  for (const wallet of wallets) counts.set(wallet, (counts.get(wallet) ?? 0) + 1);
  const distinct = [...counts.keys()];
  const updated = await client.query<{ id: string; balance: string; last_sequence: number }>({
    name: 'floor-update-many',
    text: sql.updateMany,
    values: [
      floorBusinessId,
      now,
      distinct.map((wallet) => wallet.id),
      distinct.map((wallet) => wallet.version),
      distinct.map((wallet) => changeAmount.times(counts.get(wallet) ?? 0).toFixed(2)),
      distinct.map((wallet) => counts.get(wallet) ?? 0),
    ],
  });
  if (updated.rowCount !== distinct.length) throw new Error('version check failed in a batch');
  const after = new Map(updated.rows.map((row) => [row.id, { balance: new Decimal(row.balance), sequence: row.last_sequence }]));
  const seen = new Map<WalletState, number>();
  const changes: Change[] = wallets.map((wallet, index) => {
    const k = (seen.get(wallet) ?? 0) + 1;
    seen.set(wallet, k);
    const total = counts.get(wallet) ?? 0;
    const final = after.get(wallet.id);
    if (!final) throw new Error(`wallet ${wallet.id} missing from the batch update`);
    const stepsAfterThis = total - k;
    return {
      wallet,
      commandId: commandIds[index],
      entryId: uuidv7(),
      sequence: final.sequence - stepsAfterThis,
      balanceAfter: final.balance.plus(changeAmount.times(stepsAfterThis)).toFixed(2),
    };
  });
  for (const wallet of distinct) wallet.version += 1;
  await client.query({
    name: 'floor-entry-many',
    text: sql.entryMany,
    values: [
      floorBusinessId,
      benchCurrency,
      '-1.00',
      now,
      changes.map((c) => c.entryId),
      changes.map((c) => c.wallet.id),
      changes.map((c) => c.wallet.clientId),
      changes.map((c) => c.sequence),
      changes.map((c) => c.balanceAfter),
      changes.map((c) => `sale-${c.commandId}`),
      changes.map((c) => c.commandId),
    ],
  });
  if (kind === 'pay') {
    await client.query({
      name: 'floor-payment-many',
      text: sql.paymentMany,
      values: [
        floorBusinessId,
        benchCurrency,
        '1.00',
        now,
        changes.map((c) => c.commandId),
        changes.map((c) => c.wallet.id),
        changes.map((c) => c.wallet.clientId),
        changes.map((c) => `sale-${c.commandId}`),
      ],
    });
  }
  await client.query({
    name: 'floor-idempotency-many',
    text: sql.idempotencyMany,
    values: [floorBusinessId, now, changes.map((c) => c.commandId), changes.map(() => payloadHash), changes.map((c) => replyJson(c, now))],
  });
  await client.query({
    name: 'floor-outbox-many',
    text: sql.outboxMany,
    values: [
      floorBusinessId,
      changes.map(() => uuidv7()),
      changes.map((c) => `${floorBusinessId}/${c.wallet.clientId}/${benchCurrency}`),
      changes.map((c) => c.sequence),
      changes.map((c) => eventJson(c, now)),
    ],
  });
}

type Shape = 'per-change' | 'batched-statements' | 'batched-multirow';

interface VariantSpec {
  name: string;
  description: string;
  shape: Shape;
  connections: number;
  batchSize: number;
  hot: boolean;
}

/** Runs one variant for a fixed time: each connection loops over its own wallets, one transaction per batch. */
async function runVariant(config: BenchConfig, db: BenchDatabase, spec: VariantSpec, spreadWallets: WalletState[], hotWallet: WalletState, tag: string): Promise<PgFloorVariant> {
  const deadline = performance.now() + config.pgSeconds * 1000;
  let changes = 0;
  let transactions = 0;
  const meter = await CpuMeter.start(() => [], db);
  const start = performance.now();
  const loop = async (connection: number) => {
    const own = spec.hot ? [hotWallet] : spreadWallets.filter((_, index) => index % spec.connections === connection);
    const client = await db.pool.connect();
    let next = 0;
    let serial = 0;
    try {
      while (performance.now() < deadline) {
        const batch: WalletState[] = [];
        const ids: string[] = [];
        for (let i = 0; i < spec.batchSize; i++) {
          batch.push(own[next++ % own.length]);
          ids.push(`${tag}-${connection}-${serial++}`);
        }
        await client.query('begin');
        if (spec.shape === 'batched-multirow') await writeMany(client, batch, ids, config.commandKind);
        else for (let i = 0; i < batch.length; i++) await writeOne(client, batch[i], ids[i], config.commandKind);
        await client.query('commit');
        changes += batch.length;
        transactions += 1;
      }
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, (_, connection) => loop(connection)));
  const seconds = (performance.now() - start) / 1000;
  return {
    name: spec.name,
    description: spec.description,
    connections: spec.connections,
    batchSize: spec.batchSize,
    changes,
    seconds: round(seconds, 2),
    changesPerSec: round(changes / seconds),
    transactionsPerSec: round(transactions / seconds),
    cpu: await meter.stop(),
  };
}

/** PostgreSQL alone: the minimal SQL of one balance change, one transaction per change and batched. */
export async function pgFloor(config: BenchConfig, tag: string): Promise<PgFloor> {
  const c = config.pgConnections;
  const n = config.pgBatchSize;
  const db: BenchDatabase = await createBenchDatabase(config.databaseServerUrl, 'floor', c + 1);
  try {
    await seedWallets(db, floorBusinessId, 'floor-', config.spreadWallets, '100000000.00');
    await seedWallets(db, floorBusinessId, 'hot-', 1, '100000000.00');
    const rows = await db.query<{ id: string; client_id: string }>('select id, client_id from wallet where business_id = $1 order by client_id', [floorBusinessId]);
    const hotRow = rows.find((row) => row.client_id === 'hot-1');
    if (!hotRow) throw new Error('the hot wallet was not seeded');
    const spread = rows.filter((row) => row !== hotRow).map((row) => ({ id: row.id, clientId: row.client_id, version: 1 }));
    const hot = { id: hotRow.id, clientId: hotRow.client_id, version: 1 };
    const specs: VariantSpec[] = [
      { name: 'per-change ×1', description: 'one transaction per change, 1 connection', shape: 'per-change', connections: 1, batchSize: 1, hot: false },
      { name: `per-change ×${c}`, description: `one transaction per change, ${c} connections`, shape: 'per-change', connections: c, batchSize: 1, hot: false },
      { name: `batched ${n} ×${c}`, description: `${n} changes per transaction, a statement per row, ${c} connections`, shape: 'batched-statements', connections: c, batchSize: n, hot: false },
      { name: `batched multi-row ${n} ×${c}`, description: `${n} changes per transaction, one multi-row statement per table, ${c} connections`, shape: 'batched-multirow', connections: c, batchSize: n, hot: false },
      { name: 'hot per-change ×1', description: 'one wallet, one transaction per change', shape: 'per-change', connections: 1, batchSize: 1, hot: true },
      { name: `hot batched multi-row ${n} ×1`, description: `one wallet, ${n} changes per transaction, multi-row`, shape: 'batched-multirow', connections: 1, batchSize: n, hot: true },
    ];
    const variants: PgFloorVariant[] = [];
    for (const [index, spec] of specs.entries()) variants.push(await runVariant(config, db, spec, spread, hot, `${tag}-v${index}`));
    return {
      writesPerChange: ['update wallet (version check)', 'insert ledger_entry', ...(config.commandKind === 'pay' ? ['insert balance_payment'] : []), 'insert idempotency_record', 'insert outbox_message'],
      variants,
    };
  } finally {
    await db.close(!config.keep);
  }
}
