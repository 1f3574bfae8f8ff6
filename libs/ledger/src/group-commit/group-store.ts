import type { PoolClient } from 'pg';
import type { GroupState, GroupWrites, PaymentRow, RecordRow, SetCommand, WalletRow } from './group-planner';

/** A row count other than the group's: another writer changed a row since the group read it. */
export class GroupWriteConflict extends Error {
  constructor(statement: string, expected: number, actual: number) {
    super(`${statement} touched ${actual} rows instead of ${expected}: another writer changed them first`);
    this.name = 'GroupWriteConflict';
  }
}

/**
 * The SQL of a set-based group commit: one statement reads everything the group depends on, one writes everything
 * it decided, whatever the group's size. Rows travel as parallel arrays (unnest); both are named prepared
 * statements, so PostgreSQL plans them once per connection. Amounts are read as text: a JSON number would lose digits.
 */
const readStatement = `
  select
    (select coalesce(json_agg(json_build_object(
        'businessId', r.business_id, 'commandId', r.command_id, 'commandType', r.command_type,
        'payloadHash', r.payload_hash, 'reply', r.reply, 'createdAt', r.created_at)), '[]')
      from unnest($1::text[], $2::text[]) as k(business_id, command_id)
      join idempotency_record r on r.business_id = k.business_id and r.command_id = k.command_id) as records,
    (select coalesce(json_agg(json_build_object(
        'businessId', w.business_id, 'id', w.id, 'clientId', w.client_id, 'currency', w.currency,
        'balance', w.balance::text, 'lastSequence', w.last_sequence, 'version', w.version)), '[]')
      from unnest($3::text[], $4::text[], $5::bpchar[]) as k(business_id, client_id, currency)
      join wallet w on w.business_id = k.business_id and w.client_id = k.client_id and w.currency = k.currency) as wallets,
    (select coalesce(json_agg(json_build_object(
        'businessId', p.business_id, 'commandId', p.command_id, 'walletId', p.wallet_id, 'clientId', p.client_id,
        'currency', p.currency, 'saleId', p.sale_id, 'amountApplied', p.amount_applied::text,
        'amountRefunded', p.amount_refunded::text, 'version', p.version)), '[]')
      from unnest($6::text[], $7::text[]) as k(business_id, command_id)
      join balance_payment p on p.business_id = k.business_id and p.command_id = k.command_id) as payments`;

/**
 * Every write of a group in one statement. Its parts run on one snapshot and touch different rows; an update whose
 * row changed since the read (version) matches nothing, which the counts show; a key taken meanwhile fails the
 * statement. The ledger entries' foreign key to their wallet is checked at commit.
 */
const writeStatement = `
  with
    new_wallets as (
      insert into wallet (business_id, id, client_id, currency, balance, last_sequence, version, created_at, updated_at)
      select * from unnest($1::text[], $2::uuid[], $3::text[], $4::bpchar[], $5::numeric[], $6::int[], $7::int[],
        $8::timestamptz[], $9::timestamptz[])
      returning 1),
    changed_wallets as (
      update wallet w set balance = v.balance, last_sequence = v.last_sequence, version = w.version + 1, updated_at = v.updated_at
      from unnest($10::text[], $11::uuid[], $12::numeric[], $13::int[], $14::int[], $15::timestamptz[])
        as v(business_id, id, balance, last_sequence, version, updated_at)
      where w.business_id = v.business_id and w.id = v.id and w.version = v.version
      returning 1),
    entries as (
      insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
        reference_type, reference_id, note, actor, command_id, created_at)
      select * from unnest($16::text[], $17::uuid[], $18::uuid[], $19::text[], $20::bpchar[], $21::int[], $22::text[],
        $23::numeric[], $24::numeric[], $25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::timestamptz[])
      returning 1),
    new_payments as (
      insert into balance_payment (business_id, command_id, wallet_id, client_id, currency, sale_id, amount_applied,
        amount_refunded, version, created_at)
      select * from unnest($31::text[], $32::text[], $33::uuid[], $34::text[], $35::bpchar[], $36::text[], $37::numeric[],
        $38::numeric[], $39::int[], $40::timestamptz[])
      returning 1),
    changed_payments as (
      update balance_payment p set amount_refunded = v.amount_refunded, version = p.version + 1
      from unnest($41::text[], $42::text[], $43::numeric[], $44::int[]) as v(business_id, command_id, amount_refunded, version)
      where p.business_id = v.business_id and p.command_id = v.command_id and p.version = v.version
      returning 1),
    records as (
      insert into idempotency_record (business_id, command_id, command_type, payload_hash, reply, created_at)
      select business_id, command_id, command_type, payload_hash, reply::jsonb, created_at
      from unnest($45::text[], $46::text[], $47::text[], $48::text[], $49::text[], $50::timestamptz[])
        as v(business_id, command_id, command_type, payload_hash, reply, created_at)
      returning 1),
    outbox as (
      insert into outbox_message (id, business_id, message_key, sequence, payload)
      select id, business_id, message_key, sequence, payload::jsonb
      from unnest($51::uuid[], $52::text[], $53::text[], $54::int[], $55::text[]) as v(id, business_id, message_key, sequence, payload)
      returning 1)
  select
    (select count(*) from new_wallets)::int as "newWallets",
    (select count(*) from changed_wallets)::int as "changedWallets",
    (select count(*) from entries)::int as entries,
    (select count(*) from new_payments)::int as "newPayments",
    (select count(*) from changed_payments)::int as "changedPayments",
    (select count(*) from records)::int as records,
    (select count(*) from outbox)::int as outbox`;

type WriteCounts = { [K in keyof GroupWrites]: number };

interface ReadColumns {
  records: (Omit<RecordRow, 'createdAt'> & { createdAt: string })[];
  wallets: WalletRow[];
  payments: PaymentRow[];
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
  const values = [...columns(recordKeys, 2), ...columns(walletKeys, 3), ...columns(paymentKeys, 2)];
  const { rows } = await client.query<ReadColumns>({ name: 'group_read', text: readStatement, values });
  const [{ records, wallets, payments }] = rows;
  return { records: records.map((record) => ({ ...record, createdAt: new Date(record.createdAt) })), wallets, payments };
}

/** Writes a planned group in one statement, and checks that every part touched every row it was given. */
export async function writeGroup(client: PoolClient, writes: GroupWrites): Promise<void> {
  const { newWallets, changedWallets, entries, newPayments, changedPayments, records, outbox } = writes;
  const values = [
    newWallets.map((w) => w.businessId),
    newWallets.map((w) => w.id),
    newWallets.map((w) => w.clientId),
    newWallets.map((w) => w.currency),
    newWallets.map((w) => w.balance),
    newWallets.map((w) => w.lastSequence),
    newWallets.map((w) => w.version),
    newWallets.map((w) => w.createdAt.toISOString()),
    newWallets.map((w) => w.updatedAt.toISOString()),
    changedWallets.map((w) => w.businessId),
    changedWallets.map((w) => w.id),
    changedWallets.map((w) => w.balance),
    changedWallets.map((w) => w.lastSequence),
    changedWallets.map((w) => w.version),
    changedWallets.map((w) => w.updatedAt.toISOString()),
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
    changedPayments.map((p) => p.businessId),
    changedPayments.map((p) => p.commandId),
    changedPayments.map((p) => p.amountRefunded),
    changedPayments.map((p) => p.version),
    records.map((r) => r.businessId),
    records.map((r) => r.commandId),
    records.map((r) => r.commandType),
    records.map((r) => r.payloadHash),
    records.map((r) => JSON.stringify(r.reply)),
    records.map((r) => r.createdAt.toISOString()),
    outbox.map((o) => o.id),
    outbox.map((o) => o.businessId),
    outbox.map((o) => o.messageKey),
    outbox.map((o) => o.sequence),
    outbox.map((o) => JSON.stringify(o.payload)),
  ];
  const { rows } = await client.query<WriteCounts>({ name: 'group_write', text: writeStatement, values });
  const [written] = rows;
  for (const part of Object.keys(writes) as (keyof GroupWrites)[]) {
    if (written[part] !== writes[part].length) throw new GroupWriteConflict(part, writes[part].length, written[part]);
  }
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
