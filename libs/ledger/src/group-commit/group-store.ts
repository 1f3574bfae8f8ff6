import type { PoolClient, QueryConfig } from 'pg';
import type { StoredReply } from '@storecredit/contracts';
import type { GroupState, GroupWrites, PaymentRow, RecordRow, SetCommand, WalletRow } from './group-planner';

/** A row count other than the group's: another writer changed a row since the group read it. */
export class GroupWriteConflict extends Error {
  constructor(statement: string, expected: number, actual: number) {
    super(`${statement} touched ${actual} rows instead of ${expected}: another writer changed them first`);
    this.name = 'GroupWriteConflict';
  }
}

/**
 * The SQL of a set-based group commit: one statement per table for the reads and one per table for the writes,
 * whatever the group's size. Each takes its rows as parallel arrays (unnest) and is a named prepared statement, so
 * PostgreSQL plans it once per connection.
 */
const statements = {
  records: `
    select r.business_id, r.command_id, r.command_type, r.payload_hash, r.reply, r.created_at
    from unnest($1::text[], $2::text[]) as k(business_id, command_id)
    join idempotency_record r on r.business_id = k.business_id and r.command_id = k.command_id`,
  wallets: `
    select w.business_id, w.id, w.client_id, w.currency, w.balance::text as balance, w.last_sequence, w.version
    from unnest($1::text[], $2::text[], $3::bpchar[]) as k(business_id, client_id, currency)
    join wallet w on w.business_id = k.business_id and w.client_id = k.client_id and w.currency = k.currency`,
  payments: `
    select p.business_id, p.command_id, p.wallet_id, p.client_id, p.currency, p.sale_id,
      p.amount_applied::text as amount_applied, p.amount_refunded::text as amount_refunded, p.version
    from unnest($1::text[], $2::text[]) as k(business_id, command_id)
    join balance_payment p on p.business_id = k.business_id and p.command_id = k.command_id`,
  insertWallets: `
    insert into wallet (business_id, id, client_id, currency, balance, last_sequence, version, created_at, updated_at)
    select * from unnest($1::text[], $2::uuid[], $3::text[], $4::bpchar[], $5::numeric[], $6::int[], $7::int[],
      $8::timestamptz[], $9::timestamptz[])`,
  updateWallets: `
    update wallet w set balance = v.balance, last_sequence = v.last_sequence, version = w.version + 1, updated_at = v.updated_at
    from unnest($1::text[], $2::uuid[], $3::numeric[], $4::int[], $5::int[], $6::timestamptz[])
      as v(business_id, id, balance, last_sequence, version, updated_at)
    where w.business_id = v.business_id and w.id = v.id and w.version = v.version`,
  insertEntries: `
    insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
      reference_type, reference_id, note, actor, command_id, created_at)
    select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::bpchar[], $6::int[], $7::text[],
      $8::numeric[], $9::numeric[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[])`,
  insertPayments: `
    insert into balance_payment (business_id, command_id, wallet_id, client_id, currency, sale_id, amount_applied,
      amount_refunded, version, created_at)
    select * from unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::bpchar[], $6::text[], $7::numeric[],
      $8::numeric[], $9::int[], $10::timestamptz[])`,
  updatePayments: `
    update balance_payment p set amount_refunded = v.amount_refunded, version = p.version + 1
    from unnest($1::text[], $2::text[], $3::numeric[], $4::int[]) as v(business_id, command_id, amount_refunded, version)
    where p.business_id = v.business_id and p.command_id = v.command_id and p.version = v.version`,
  insertRecords: `
    insert into idempotency_record (business_id, command_id, command_type, payload_hash, reply, created_at)
    select business_id, command_id, command_type, payload_hash, reply::jsonb, created_at
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
      as v(business_id, command_id, command_type, payload_hash, reply, created_at)`,
  insertOutbox: `
    insert into outbox_message (id, business_id, message_key, sequence, payload)
    select id, business_id, message_key, sequence, payload::jsonb
    from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[]) as v(id, business_id, message_key, sequence, payload)`,
} as const;

type StatementName = keyof typeof statements;

function query(name: StatementName, values: unknown[]): QueryConfig {
  return { name: `group_${name}`, text: statements[name], values };
}

interface RecordColumns {
  business_id: string;
  command_id: string;
  command_type: string;
  payload_hash: string;
  reply: StoredReply;
  created_at: Date;
}

interface WalletColumns {
  business_id: string;
  id: string;
  client_id: string;
  currency: string;
  balance: string;
  last_sequence: number;
  version: number;
}

interface PaymentColumns {
  business_id: string;
  command_id: string;
  wallet_id: string;
  client_id: string;
  currency: string;
  sale_id: string;
  amount_applied: string;
  amount_refunded: string;
  version: number;
}

/** Reads what a group's commands depend on: their idempotency records, their wallets, the payments they refund. */
export async function loadGroupState(client: PoolClient, commands: readonly SetCommand[]): Promise<GroupState> {
  const recordKeys = distinct(commands.map((command) => [command.businessId, command.commandId]));
  const walletKeys = distinct(commands.map((command) => [command.businessId, command.clientId, command.currency]));
  const paymentKeys = distinct(
    commands.flatMap((command) =>
      command.type === 'balance.refund' && command.paymentCommandId !== undefined ? [[command.businessId, command.paymentCommandId]] : [],
    ),
  );
  const records = await client.query<RecordColumns>(query('records', columns(recordKeys, 2)));
  const wallets = await client.query<WalletColumns>(query('wallets', columns(walletKeys, 3)));
  const payments = paymentKeys.length === 0 ? [] : (await client.query<PaymentColumns>(query('payments', columns(paymentKeys, 2)))).rows;
  return {
    records: records.rows.map(recordRow),
    wallets: wallets.rows.map(walletRow),
    payments: payments.map(paymentRow),
  };
}

/** Writes a planned group: one statement per table, each checked to have touched every row it was given. */
export async function writeGroup(client: PoolClient, writes: GroupWrites): Promise<void> {
  const { newWallets, changedWallets, entries, newPayments, changedPayments, records, outbox } = writes;
  await run(client, 'insertWallets', newWallets.length, () => [
    newWallets.map((w) => w.businessId),
    newWallets.map((w) => w.id),
    newWallets.map((w) => w.clientId),
    newWallets.map((w) => w.currency),
    newWallets.map((w) => w.balance),
    newWallets.map((w) => w.lastSequence),
    newWallets.map((w) => w.version),
    newWallets.map((w) => w.createdAt.toISOString()),
    newWallets.map((w) => w.updatedAt.toISOString()),
  ]);
  await run(client, 'updateWallets', changedWallets.length, () => [
    changedWallets.map((w) => w.businessId),
    changedWallets.map((w) => w.id),
    changedWallets.map((w) => w.balance),
    changedWallets.map((w) => w.lastSequence),
    changedWallets.map((w) => w.version),
    changedWallets.map((w) => w.updatedAt.toISOString()),
  ]);
  await run(client, 'insertEntries', entries.length, () => [
    entries.map((e) => e.businessId),
    entries.map((e) => e.id),
    entries.map((e) => e.walletId),
    entries.map((e) => e.clientId),
    entries.map((e) => e.currency),
    entries.map((e) => e.sequence),
    entries.map((e) => e.type),
    entries.map((e) => e.amount),
    entries.map((e) => e.balanceAfter),
    entries.map((e) => e.referenceType),
    entries.map((e) => e.referenceId),
    entries.map((e) => e.note),
    entries.map((e) => e.actor),
    entries.map((e) => e.commandId),
    entries.map((e) => e.createdAt.toISOString()),
  ]);
  await run(client, 'insertPayments', newPayments.length, () => [
    newPayments.map((p) => p.businessId),
    newPayments.map((p) => p.commandId),
    newPayments.map((p) => p.walletId),
    newPayments.map((p) => p.clientId),
    newPayments.map((p) => p.currency),
    newPayments.map((p) => p.saleId),
    newPayments.map((p) => p.amountApplied),
    newPayments.map((p) => p.amountRefunded),
    newPayments.map((p) => p.version),
    newPayments.map((p) => p.createdAt.toISOString()),
  ]);
  await run(client, 'updatePayments', changedPayments.length, () => [
    changedPayments.map((p) => p.businessId),
    changedPayments.map((p) => p.commandId),
    changedPayments.map((p) => p.amountRefunded),
    changedPayments.map((p) => p.version),
  ]);
  await run(client, 'insertRecords', records.length, () => [
    records.map((r) => r.businessId),
    records.map((r) => r.commandId),
    records.map((r) => r.commandType),
    records.map((r) => r.payloadHash),
    records.map((r) => JSON.stringify(r.reply)),
    records.map((r) => r.createdAt.toISOString()),
  ]);
  await run(client, 'insertOutbox', outbox.length, () => [
    outbox.map((o) => o.id),
    outbox.map((o) => o.businessId),
    outbox.map((o) => o.messageKey),
    outbox.map((o) => o.sequence),
    outbox.map((o) => JSON.stringify(o.payload)),
  ]);
}

async function run(client: PoolClient, name: StatementName, rows: number, values: () => unknown[]): Promise<void> {
  if (rows === 0) return;
  const result = await client.query(query(name, values()));
  if (result.rowCount !== rows) throw new GroupWriteConflict(name, rows, result.rowCount ?? 0);
}

/** Distinct key tuples, as one array per column (the shape unnest takes). */
function columns(keys: string[][], width: number): string[][] {
  return Array.from({ length: width }, (_, column) => keys.map((key) => key[column]));
}

function distinct(keys: string[][]): string[][] {
  const seen = new Map<string, string[]>();
  for (const key of keys) seen.set(key.join('\u0000'), key);
  return [...seen.values()];
}

function recordRow(row: RecordColumns): RecordRow {
  return {
    businessId: row.business_id,
    commandId: row.command_id,
    commandType: row.command_type,
    payloadHash: row.payload_hash,
    reply: row.reply,
    createdAt: row.created_at,
  };
}

function walletRow(row: WalletColumns): WalletRow {
  return {
    businessId: row.business_id,
    id: row.id,
    clientId: row.client_id,
    currency: row.currency,
    balance: row.balance,
    lastSequence: row.last_sequence,
    version: row.version,
  };
}

function paymentRow(row: PaymentColumns): PaymentRow {
  return {
    businessId: row.business_id,
    commandId: row.command_id,
    walletId: row.wallet_id,
    clientId: row.client_id,
    currency: row.currency,
    saleId: row.sale_id,
    amountApplied: row.amount_applied,
    amountRefunded: row.amount_refunded,
    version: row.version,
  };
}
