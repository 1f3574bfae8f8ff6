import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { hashGiftCardCode, walletKey, type Command } from '@storecredit/contracts';
import { Pool, type PoolClient } from 'pg';
import type {
  BonusRuleRow,
  CreditSettingsRow,
  DrawnRow,
  EntryRow,
  GiftCardRow,
  GroupState,
  GroupWrites,
  HoldRow,
  LotRow,
  PaymentRow,
  RecordRow,
  RefundRow,
  SaleRow,
  WalletRow,
} from './unit-of-work';

/** A row count other than the group's: another writer changed a row since the group read it. */
export class GroupWriteConflict extends Error {
  constructor(statement: string, expected: number, actual: number) {
    super(`${statement} touched ${actual} rows instead of ${expected}: another writer changed them first`);
    this.name = 'GroupWriteConflict';
  }
}

/**
 * The SQL of a set-based group commit: one statement reads everything the group depends on, one writes everything
 * it decided, whatever the group's size. Both are named prepared statements, so PostgreSQL plans them once per
 * connection. Keys travel as parallel arrays (unnest); amounts are read as text, as a JSON number would lose digits.
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
        'balance', w.balance::text, 'held', w.held::text, 'lastSequence', w.last_sequence, 'version', w.version)), '[]')
      from unnest($3::text[], $4::text[], $5::bpchar[]) as k(business_id, client_id, currency)
      join wallet w on w.business_id = k.business_id and w.client_id = k.client_id and w.currency = k.currency) as wallets,
    (select coalesce(json_agg(json_build_object(
        'businessId', p.business_id, 'commandId', p.command_id, 'walletId', p.wallet_id, 'clientId', p.client_id,
        'currency', p.currency, 'saleId', p.sale_id, 'amountApplied', p.amount_applied::text,
        'amountRefunded', p.amount_refunded::text, 'entryId', p.entry_id, 'version', p.version)
        order by p.created_at, p.command_id), '[]')
      from balance_payment p
      where (p.business_id, p.command_id) in (
        select * from unnest($6::text[], $7::text[])
        union
        select q.business_id, q.command_id from unnest($28::text[], $29::text[]) as k(business_id, sale_id)
        join balance_payment q on q.business_id = k.business_id and q.sale_id = k.sale_id)) as payments,
    (select coalesce(json_agg(json_build_object(
        'businessId', s.business_id, 'saleId', s.sale_id, 'clientId', s.client_id, 'currency', s.currency,
        'amount', s.amount::text, 'paidWithBalance', s.paid_with_balance::text, 'refunded', s.refunded::text,
        'held', s.held::text, 'version', s.version)), '[]')
      from sale s
      where (s.business_id, s.sale_id) in (
        select * from unnest($8::text[], $9::text[])
        union all
        select p.business_id, p.sale_id from unnest($6::text[], $7::text[]) as k(business_id, command_id)
        join balance_payment p on p.business_id = k.business_id and p.command_id = k.command_id
        union all
        select h.business_id, h.sale_id from unnest($16::text[], $17::uuid[]) as k(business_id, hold_id)
        join balance_hold h on h.business_id = k.business_id and h.hold_id = k.hold_id)) as sales,
    (select coalesce(json_agg(json_build_object(
        'businessId', f.business_id, 'refundId', f.refund_id, 'commandId', f.command_id, 'contentHash', f.content_hash,
        'result', f.result)), '[]')
      from unnest($10::text[], $11::text[]) as k(business_id, refund_id)
      join balance_refund f on f.business_id = k.business_id and f.refund_id = k.refund_id) as refunds,
    (select coalesce(json_agg(json_build_object(
        'businessId', g.business_id, 'id', g.id, 'codeHash', g.code_hash, 'last4', g.last4, 'amount', g.amount::text,
        'currency', g.currency, 'status', g.status, 'expiresAt', g.expires_at, 'redeemedClientId', g.redeemed_client_id,
        'redeemedAt', g.redeemed_at, 'voidedAt', g.voided_at, 'issuedBy', g.issued_by, 'version', g.version,
        'createdAt', g.created_at)), '[]')
      from gift_card g
      where (g.business_id, g.code_hash) in (select * from unnest($12::text[], $13::text[]))
        or (g.business_id, g.id) in (select * from unnest($14::text[], $15::uuid[]))) as "giftCards",
    (select coalesce(json_agg(json_build_object(
        'businessId', h.business_id, 'holdId', h.hold_id, 'walletId', h.wallet_id, 'clientId', h.client_id,
        'currency', h.currency, 'saleId', h.sale_id, 'amount', h.amount::text, 'captured', h.captured::text,
        'status', h.status, 'expiresAt', h.expires_at, 'commandId', h.command_id, 'endedBy', h.ended_by,
        'endedAt', h.ended_at, 'version', h.version, 'createdAt', h.created_at)), '[]')
      from unnest($16::text[], $17::uuid[]) as k(business_id, hold_id)
      join balance_hold h on h.business_id = k.business_id and h.hold_id = k.hold_id) as holds,
    (select coalesce(json_agg(json_build_object(
        'businessId', l.business_id, 'id', l.id, 'walletId', l.wallet_id, 'clientId', l.client_id, 'currency', l.currency,
        'source', l.source, 'amount', l.amount::text, 'remaining', l.remaining::text, 'expiresAt', l.expires_at,
        'entryId', l.entry_id, 'restoredFrom', l.restored_from, 'bonusForEntryId', l.bonus_for_entry_id,
        'version', l.version, 'createdAt', l.created_at)), '[]')
      from (
        select l.* from unnest($18::text[], $19::text[], $20::bpchar[]) as k(business_id, client_id, currency)
        join credit_lot l on l.business_id = k.business_id and l.client_id = k.client_id and l.currency = k.currency and l.open
        union
        select l.* from unnest($21::text[], $22::uuid[]) as k(business_id, id)
        join credit_lot l on l.business_id = k.business_id and l.id = k.id
        union
        select l.* from unnest($23::text[], $24::uuid[]) as k(business_id, entry_id)
        join credit_lot l on l.business_id = k.business_id and (l.entry_id = k.entry_id or l.bonus_for_entry_id = k.entry_id)) l) as lots,
    (select coalesce(json_agg(json_build_object(
        'businessId', a.business_id, 'entryId', a.entry_id, 'position', a.position, 'lotId', a.lot_id, 'source', a.source,
        'amount', a.amount::text, 'expiresAt', l.expires_at)), '[]')
      from lot_allocation a
      join credit_lot l on l.business_id = a.business_id and l.id = a.lot_id
      where (a.business_id, a.entry_id) in (
        select p.business_id, p.entry_id from unnest($6::text[], $7::text[]) as k(business_id, command_id)
        join balance_payment p on p.business_id = k.business_id and p.command_id = k.command_id
        union all
        select q.business_id, q.entry_id from unnest($28::text[], $29::text[]) as k(business_id, sale_id)
        join balance_payment q on q.business_id = k.business_id and q.sale_id = k.sale_id
        union all
        select * from unnest($23::text[], $24::uuid[]))) as drawn,
    (select coalesce(json_agg(json_build_object(
        'businessId', e.business_id, 'id', e.id, 'walletId', e.wallet_id, 'clientId', e.client_id, 'currency', e.currency,
        'type', e.type, 'amount', e.amount::text,
        'reversed', exists (select 1 from ledger_entry r where r.business_id = e.business_id and r.reverses_entry_id = e.id))), '[]')
      from unnest($23::text[], $24::uuid[]) as k(business_id, entry_id)
      join ledger_entry e on e.business_id = k.business_id and e.id = k.entry_id) as entries,
    (select coalesce(json_agg(json_build_object(
        'businessId', b.business_id, 'currency', b.currency, 'tiers', b.tiers, 'expiresInDays', b.expires_in_days)), '[]')
      from unnest($25::text[], $26::bpchar[]) as k(business_id, currency)
      join bonus_rule b on b.business_id = k.business_id and b.currency = k.currency) as "bonusRules",
    (select coalesce(json_agg(json_build_object('businessId', c.business_id, 'refundGraceDays', c.refund_grace_days)), '[]')
      from unnest($27::text[]) as k(business_id)
      join credit_settings c on c.business_id = k.business_id) as "creditSettings"`;

/**
 * Every write of a group in one statement. Each table's rows travel as one JSON array (json_to_recordset), which
 * costs one JSON.stringify instead of escaping every value into a PostgreSQL array. The parts run on one snapshot
 * and touch different rows; an update whose row changed since the read (version) matches nothing, and
 * ledger_expect_rows then fails the statement (SQLSTATE 40001); a key taken meanwhile fails it too. So the
 * statement is all or nothing by itself and may run as its own transaction. The entries' foreign key to their
 * wallet is checked at the end of the statement (or at commit, inside a transaction).
 */
const writeStatement = `
  with
    new_wallets as (
      insert into wallet (business_id, id, client_id, currency, balance, held, last_sequence, version, created_at, updated_at)
      select "businessId", id, "clientId", currency, balance, held, "lastSequence", version, "createdAt", "updatedAt"
      from json_to_recordset($1::json) as v("businessId" text, id uuid, "clientId" text, currency bpchar, balance numeric,
        held numeric, "lastSequence" int, version int, "createdAt" timestamptz, "updatedAt" timestamptz)
      returning 1),
    changed_wallets as (
      update wallet w set balance = v.balance, held = v.held, last_sequence = v."lastSequence", version = w.version + 1,
        updated_at = v."updatedAt"
      from json_to_recordset($2::json) as v("businessId" text, id uuid, balance numeric, held numeric, "lastSequence" int,
        version int, "updatedAt" timestamptz)
      where w.business_id = v."businessId" and w.id = v.id and w.version = v.version
      returning 1),
    entries as (
      insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
        reference_type, reference_id, note, actor, command_id, created_at, reverses_entry_id, bonus_tier)
      select "businessId", id, "walletId", "clientId", currency, sequence, type, amount, "balanceAfter", "referenceType",
        "referenceId", note, actor, "commandId", "createdAt", "reversesEntryId", "bonusTier"
      from json_to_recordset($3::json) as v("businessId" text, id uuid, "walletId" uuid, "clientId" text, currency bpchar,
        sequence int, type text, amount numeric, "balanceAfter" numeric, "referenceType" text, "referenceId" text,
        note text, actor text, "commandId" text, "createdAt" timestamptz, "reversesEntryId" uuid, "bonusTier" jsonb)
      returning 1),
    new_payments as (
      insert into balance_payment (business_id, command_id, wallet_id, client_id, currency, sale_id, amount_applied,
        amount_refunded, entry_id, version, created_at)
      select "businessId", "commandId", "walletId", "clientId", currency, "saleId", "amountApplied", "amountRefunded",
        "entryId", version, "createdAt"
      from json_to_recordset($4::json) as v("businessId" text, "commandId" text, "walletId" uuid, "clientId" text,
        currency bpchar, "saleId" text, "amountApplied" numeric, "amountRefunded" numeric, "entryId" uuid, version int,
        "createdAt" timestamptz)
      returning 1),
    changed_payments as (
      update balance_payment p set amount_refunded = v."amountRefunded", version = p.version + 1
      from json_to_recordset($5::json) as v("businessId" text, "commandId" text, "amountRefunded" numeric, version int)
      where p.business_id = v."businessId" and p.command_id = v."commandId" and p.version = v.version
      returning 1),
    new_sales as (
      insert into sale (business_id, sale_id, client_id, currency, amount, paid_with_balance, refunded, held, version, created_at,
        updated_at)
      select "businessId", "saleId", "clientId", currency, amount, "paidWithBalance", refunded, held, version, "createdAt", "updatedAt"
      from json_to_recordset($6::json) as v("businessId" text, "saleId" text, "clientId" text, currency bpchar, amount numeric,
        "paidWithBalance" numeric, refunded numeric, held numeric, version int, "createdAt" timestamptz, "updatedAt" timestamptz)
      returning 1),
    changed_sales as (
      update sale s set amount = v.amount, paid_with_balance = v."paidWithBalance", refunded = v.refunded, held = v.held,
        version = s.version + 1, updated_at = v."updatedAt"
      from json_to_recordset($7::json) as v("businessId" text, "saleId" text, amount numeric, "paidWithBalance" numeric,
        refunded numeric, held numeric, version int, "updatedAt" timestamptz)
      where s.business_id = v."businessId" and s.sale_id = v."saleId" and s.version = v.version
      returning 1),
    new_refunds as (
      insert into balance_refund (business_id, refund_id, command_id, content_hash, sale_id, amount, result, created_at)
      select "businessId", "refundId", "commandId", "contentHash", "saleId", amount, result, "createdAt"
      from json_to_recordset($8::json) as v("businessId" text, "refundId" text, "commandId" text, "contentHash" text,
        "saleId" text, amount numeric, result json, "createdAt" timestamptz)
      returning 1),
    new_gift_cards as (
      insert into gift_card (business_id, id, code_hash, last4, amount, currency, status, expires_at, redeemed_client_id,
        redeemed_at, voided_at, issued_by, version, created_at)
      select "businessId", id, "codeHash", last4, amount, currency, status, "expiresAt", "redeemedClientId", "redeemedAt",
        "voidedAt", "issuedBy", version, "createdAt"
      from json_to_recordset($9::json) as v("businessId" text, id uuid, "codeHash" text, last4 text, amount numeric,
        currency bpchar, status text, "expiresAt" timestamptz, "redeemedClientId" text, "redeemedAt" timestamptz,
        "voidedAt" timestamptz, "issuedBy" text, version int, "createdAt" timestamptz)
      returning 1),
    changed_gift_cards as (
      update gift_card g set status = v.status, redeemed_client_id = v."redeemedClientId", redeemed_at = v."redeemedAt",
        voided_at = v."voidedAt", version = g.version + 1
      from json_to_recordset($10::json) as v("businessId" text, id uuid, status text, "redeemedClientId" text,
        "redeemedAt" timestamptz, "voidedAt" timestamptz, version int)
      where g.business_id = v."businessId" and g.id = v.id and g.version = v.version
      returning 1),
    new_holds as (
      insert into balance_hold (business_id, hold_id, wallet_id, client_id, currency, sale_id, amount, captured, status,
        expires_at, command_id, ended_by, ended_at, version, created_at)
      select "businessId", "holdId", "walletId", "clientId", currency, "saleId", amount, captured, status, "expiresAt",
        "commandId", "endedBy", "endedAt", version, "createdAt"
      from json_to_recordset($11::json) as v("businessId" text, "holdId" uuid, "walletId" uuid, "clientId" text,
        currency bpchar, "saleId" text, amount numeric, captured numeric, status text, "expiresAt" timestamptz,
        "commandId" text, "endedBy" text, "endedAt" timestamptz, version int, "createdAt" timestamptz)
      returning 1),
    changed_holds as (
      update balance_hold h set status = v.status, captured = v.captured, ended_by = v."endedBy", ended_at = v."endedAt",
        version = h.version + 1
      from json_to_recordset($12::json) as v("businessId" text, "holdId" uuid, status text, captured numeric,
        "endedBy" text, "endedAt" timestamptz, version int)
      where h.business_id = v."businessId" and h.hold_id = v."holdId" and h.version = v.version
      returning 1),
    new_lots as (
      insert into credit_lot (business_id, id, wallet_id, client_id, currency, source, amount, remaining, expires_at,
        entry_id, restored_from, bonus_for_entry_id, version, created_at)
      select "businessId", id, "walletId", "clientId", currency, source, amount, remaining, "expiresAt", "entryId",
        "restoredFrom", "bonusForEntryId", version, "createdAt"
      from json_to_recordset($13::json) as v("businessId" text, id uuid, "walletId" uuid, "clientId" text, currency bpchar,
        source text, amount numeric, remaining numeric, "expiresAt" timestamptz, "entryId" uuid, "restoredFrom" uuid,
        "bonusForEntryId" uuid, version int, "createdAt" timestamptz)
      returning 1),
    changed_lots as (
      update credit_lot l set remaining = v.remaining, version = l.version + 1
      from json_to_recordset($14::json) as v("businessId" text, id uuid, remaining numeric, version int)
      where l.business_id = v."businessId" and l.id = v.id and l.version = v.version
      returning 1),
    allocations as (
      insert into lot_allocation (business_id, entry_id, position, lot_id, wallet_id, currency, source, entry_type, amount,
        created_at)
      select "businessId", "entryId", position, "lotId", "walletId", currency, source, "entryType", amount, "createdAt"
      from json_to_recordset($15::json) as v("businessId" text, "entryId" uuid, position int, "lotId" uuid, "walletId" uuid,
        currency bpchar, source text, "entryType" text, amount numeric, "createdAt" timestamptz)
      returning 1),
    records as (
      insert into idempotency_record (business_id, command_id, command_type, payload_hash, reply, created_at)
      select "businessId", "commandId", "commandType", "payloadHash", reply, "createdAt"
      from json_to_recordset($16::json) as v("businessId" text, "commandId" text, "commandType" text, "payloadHash" text,
        reply json, "createdAt" timestamptz)
      returning 1),
    outbox as (
      insert into outbox_message (id, business_id, message_key, sequence, payload, trace_parent)
      select id, "businessId", "messageKey", sequence, payload, "traceParent"
      from json_to_recordset($17::json) as v(id uuid, "businessId" text, "messageKey" text, sequence int, payload json,
        "traceParent" text)
      returning 1)
  select
    ledger_expect_rows('newWallets', $18, (select count(*) from new_wallets)::int) as "newWallets",
    ledger_expect_rows('changedWallets', $19, (select count(*) from changed_wallets)::int) as "changedWallets",
    ledger_expect_rows('entries', $20, (select count(*) from entries)::int) as entries,
    ledger_expect_rows('newPayments', $21, (select count(*) from new_payments)::int) as "newPayments",
    ledger_expect_rows('changedPayments', $22, (select count(*) from changed_payments)::int) as "changedPayments",
    ledger_expect_rows('newSales', $23, (select count(*) from new_sales)::int) as "newSales",
    ledger_expect_rows('changedSales', $24, (select count(*) from changed_sales)::int) as "changedSales",
    ledger_expect_rows('newRefunds', $25, (select count(*) from new_refunds)::int) as "newRefunds",
    ledger_expect_rows('newGiftCards', $26, (select count(*) from new_gift_cards)::int) as "newGiftCards",
    ledger_expect_rows('changedGiftCards', $27, (select count(*) from changed_gift_cards)::int) as "changedGiftCards",
    ledger_expect_rows('newHolds', $28, (select count(*) from new_holds)::int) as "newHolds",
    ledger_expect_rows('changedHolds', $29, (select count(*) from changed_holds)::int) as "changedHolds",
    ledger_expect_rows('newLots', $30, (select count(*) from new_lots)::int) as "newLots",
    ledger_expect_rows('changedLots', $31, (select count(*) from changed_lots)::int) as "changedLots",
    ledger_expect_rows('allocations', $32, (select count(*) from allocations)::int) as allocations,
    ledger_expect_rows('records', $33, (select count(*) from records)::int) as records,
    ledger_expect_rows('outbox', $34, (select count(*) from outbox)::int) as outbox`;

type WriteCounts = { [K in keyof GroupWrites]: number };

interface ReadColumns {
  records: (Omit<RecordRow, 'createdAt'> & { createdAt: string })[];
  wallets: WalletRow[];
  payments: PaymentRow[];
  sales: SaleRow[];
  refunds: RefundRow[];
  holds: (Omit<HoldRow, 'expiresAt' | 'endedAt' | 'createdAt'> & DatesAsText<'endedAt', 'expiresAt' | 'createdAt'>)[];
  lots: (Omit<LotRow, 'expiresAt' | 'createdAt'> & DatesAsText<'expiresAt', 'createdAt'>)[];
  drawn: (Omit<DrawnRow, 'expiresAt'> & DatesAsText<'expiresAt', never>)[];
  entries: EntryRow[];
  bonusRules: BonusRuleRow[];
  creditSettings: CreditSettingsRow[];
  giftCards: (Omit<GiftCardRow, 'expiresAt' | 'redeemedAt' | 'voidedAt' | 'createdAt'> & DatesAsText<'expiresAt' | 'redeemedAt' | 'voidedAt', 'createdAt'>)[];
}

/** The commands that may take from a wallet's lots: the read loads all the wallet's open lots for them. */
function debits(command: Command): command is Extract<Command, { clientId: string }> {
  switch (command.type) {
    case 'balance.deduct':
    case 'balance.debit':
    case 'balance.pay':
    case 'balance.capture':
    case 'balance.reverse':
    case 'balance.expire-credit':
      return true;
    default:
      return false;
  }
}

type DatesAsText<Nullable extends string, Required extends string> = { [K in Nullable]: string | null } & { [K in Required]: string };

/** Reads what a group's commands depend on: idempotency records, wallets, payments and sales, refund ids, gift cards. */
export async function loadGroupState(client: PoolClient, commands: readonly Command[]): Promise<GroupState> {
  const recordKeys = distinct(commands.map((command) => [command.businessId, command.commandId]));
  const walletKeys = distinct(commands.flatMap((command) => ('clientId' in command ? [[command.businessId, command.clientId, command.currency]] : [])));
  const paymentKeys = distinct(
    commands.flatMap((command) =>
      command.type === 'balance.refund' && command.paymentCommandId !== undefined ? [[command.businessId, command.paymentCommandId]] : [],
    ),
  );
  const saleKeys = distinct(
    commands.flatMap((command) =>
      command.type === 'balance.pay' || command.type === 'balance.hold' || (command.type === 'balance.refund' && command.saleId !== undefined)
        ? [[command.businessId, command.saleId as string]]
        : [],
    ),
  );
  const refundKeys = distinct(commands.flatMap((command) => (command.type === 'balance.refund' ? [[command.businessId, command.refundId]] : [])));
  const codeKeys = distinct(
    commands.flatMap((command) =>
      command.type === 'giftcard.issue' || command.type === 'giftcard.redeem' ? [[command.businessId, hashGiftCardCode(command.code)]] : [],
    ),
  );
  const cardKeys = distinct(commands.flatMap((command) => (command.type === 'giftcard.void' ? [[command.businessId, command.giftCardId]] : [])));
  const holdKeys = distinct(commands.flatMap((command) => ('holdId' in command ? [[command.businessId, command.holdId]] : [])));
  const lotWalletKeys = distinct(commands.flatMap((command) => (debits(command) ? [[command.businessId, command.clientId, command.currency]] : [])));
  const lotKeys = distinct(commands.flatMap((command) => (command.type === 'balance.expire-credit' ? [[command.businessId, command.lotId]] : [])));
  const entryKeys = distinct(commands.flatMap((command) => (command.type === 'balance.reverse' ? [[command.businessId, command.entryId]] : [])));
  const bonusKeys = distinct(
    commands.flatMap((command) => (command.type === 'balance.add' && command.reference?.type === 'payment' ? [[command.businessId, command.currency]] : [])),
  );
  const settingsKeys = distinct(
    commands.flatMap((command) => (command.type === 'balance.refund' || command.type === 'balance.reverse' ? [[command.businessId]] : [])),
  );
  // A refund by sale gives back the lots its balance payments drew: all of the sale's payments, with what they drew.
  const refundSaleKeys = distinct(
    commands.flatMap((command) => (command.type === 'balance.refund' && command.saleId !== undefined ? [[command.businessId, command.saleId]] : [])),
  );
  const values = [
    ...columns(recordKeys, 2),
    ...columns(walletKeys, 3),
    ...columns(paymentKeys, 2),
    ...columns(saleKeys, 2),
    ...columns(refundKeys, 2),
    ...columns(codeKeys, 2),
    ...columns(cardKeys, 2),
    ...columns(holdKeys, 2),
    ...columns(lotWalletKeys, 3),
    ...columns(lotKeys, 2),
    ...columns(entryKeys, 2),
    ...columns(bonusKeys, 2),
    ...columns(settingsKeys, 1),
    ...columns(refundSaleKeys, 2),
  ];
  const { rows } = await client.query<ReadColumns>({ name: 'group_read', text: readStatement, values });
  const [{ records, wallets, payments, sales, refunds, giftCards, holds, lots, drawn, entries, bonusRules, creditSettings }] = rows;
  return {
    lots: lots.map((lot) => ({ ...lot, expiresAt: dateOrNull(lot.expiresAt), createdAt: new Date(lot.createdAt) })),
    drawn: drawn.map((row) => ({ ...row, expiresAt: dateOrNull(row.expiresAt) })),
    entries,
    bonusRules,
    creditSettings,
    lotWallets: lotWalletKeys.map(([businessId, clientId, currency]) => walletKey(businessId, clientId, currency)),
    records: records.map((record) => ({ ...record, createdAt: new Date(record.createdAt) })),
    wallets,
    payments,
    sales,
    refunds,
    giftCards: giftCards.map((card) => ({
      ...card,
      expiresAt: dateOrNull(card.expiresAt),
      redeemedAt: dateOrNull(card.redeemedAt),
      voidedAt: dateOrNull(card.voidedAt),
      createdAt: new Date(card.createdAt),
    })),
    holds: holds.map((hold) => ({ ...hold, expiresAt: new Date(hold.expiresAt), endedAt: dateOrNull(hold.endedAt), createdAt: new Date(hold.createdAt) })),
  };
}

function dateOrNull(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

/** Writes a decided group in one statement, and checks that every part touched every row it was given. */
export async function writeGroup(client: PoolClient, writes: GroupWrites): Promise<void> {
  const parts = [
    writes.newWallets,
    writes.changedWallets,
    writes.entries,
    writes.newPayments,
    writes.changedPayments,
    writes.newSales,
    writes.changedSales,
    writes.newRefunds,
    writes.newGiftCards,
    writes.changedGiftCards,
    writes.newHolds,
    writes.changedHolds,
    writes.newLots,
    writes.changedLots,
    writes.allocations,
    writes.records,
    writes.outbox,
  ];
  const values = [...parts.map((rows) => JSON.stringify(rows)), ...parts.map((rows) => rows.length)];
  let written: WriteCounts;
  try {
    [written] = (await client.query<WriteCounts>({ name: 'group_write', text: writeStatement, values })).rows;
  } catch (error) {
    const conflict = rowCountConflict(error);
    throw conflict ?? error;
  }
  // ledger_expect_rows has checked every count already; a difference here would be a defect of the statement.
  for (const part of Object.keys(writes) as (keyof GroupWrites)[]) {
    if (written[part] !== writes[part].length) throw new Error(`group write: ${part} touched ${written[part]} rows instead of ${writes[part].length}`);
  }
}

/** The error ledger_expect_rows raises, as the GroupWriteConflict it stands for (its message kept as it is). */
function rowCountConflict(error: unknown): GroupWriteConflict | undefined {
  if (!(error instanceof Error) || (error as Error & { code?: string }).code !== serializationFailure) return undefined;
  const match = /^(\w+) touched (\d+) rows instead of (\d+)/.exec(error.message);
  return match ? new GroupWriteConflict(match[1], Number(match[3]), Number(match[2])) : undefined;
}

const serializationFailure = '40001';

/** Distinct key tuples, as one array per column (the shape unnest takes). */
function columns(keys: string[][], width: number): string[][] {
  return Array.from({ length: width }, (_, column) => keys.map((key) => key[column]));
}

function distinct(keys: string[][]): string[][] {
  const seen = new Map<string, string[]>();
  for (const key of keys) seen.set(key.join('\u0000'), key);
  return [...seen.values()];
}

export interface GroupStoreOptions {
  databaseUrl: string;
  poolMax: number;
}
export const groupStoreOptionsToken = Symbol('GroupStoreOptions');

/**
 * The connections a group is read and written on: a pool of plain `pg` connections of its own, opened on first use,
 * because the ORM's unit of work costs more CPU per command than the database does.
 */
@Injectable()
export class GroupStore implements OnApplicationShutdown {
  private readonly logger = new Logger(GroupStore.name);
  private pool?: Pool;

  constructor(@Inject(groupStoreOptionsToken) private readonly options: GroupStoreOptions) {}

  /** Runs `use` on one connection; a connection that failed meanwhile is closed rather than handed to the next group. */
  async withConnection<T>(use: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connections().connect();
    let broken: Error | undefined;
    // A connection cut while checked out but between queries is reported here, not to the pool; unheard, it would
    // crash the worker. The next query on it fails, and the group is tried again.
    const onError = (error: Error) => {
      broken = error;
      this.logger.warn(`a database connection failed: ${error.message}`);
    };
    client.on('error', onError);
    try {
      return await use(client);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }

  /** The pool's counts for the metrics; none before the first group opened it. */
  poolCounts(): { totalCount: number; idleCount: number; waitingCount: number } | undefined {
    return this.pool && { totalCount: this.pool.totalCount, idleCount: this.pool.idleCount, waitingCount: this.pool.waitingCount };
  }

  private connections(): Pool {
    if (!this.pool) {
      this.pool = new Pool({ connectionString: this.options.databaseUrl, max: this.options.poolMax });
      // An idle connection the server closed (restart, network cut) must not crash the worker; the next group reconnects.
      this.pool.on('error', (error) => this.logger.warn(`an idle database connection failed: ${error.message}`));
    }
    return this.pool;
  }
}
