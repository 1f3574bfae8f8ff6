import { Migration } from '@mikro-orm/migrations';

/**
 * The ledger schema. Every table leads with business_id so it can be distributed by business
 * (Citus, distributed SQL); ids are time-ordered UUIDs, never global sequences. The rules of money
 * that must hold whatever the code does are enforced here too: no negative balance, no entry rewritten.
 */
export class Migration20261125000000_ledger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table wallet (
        business_id text not null,
        id uuid not null,
        client_id text not null,
        currency char(3) not null,
        balance numeric not null,
        last_sequence integer not null,
        version integer not null default 1,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        primary key (business_id, id),
        constraint wallet_business_client_currency_unique unique (business_id, client_id, currency),
        constraint wallet_balance_not_negative check (balance >= 0),
        constraint wallet_last_sequence_not_negative check (last_sequence >= 0)
      );`);
    this.addSql(`
      create table ledger_entry (
        business_id text not null,
        id uuid not null,
        wallet_id uuid not null,
        client_id text not null,
        currency char(3) not null,
        sequence integer not null,
        type text not null,
        amount numeric not null,
        balance_after numeric not null,
        reference_type text not null,
        reference_id text null,
        note text null,
        actor text not null,
        command_id text not null,
        created_at timestamptz not null,
        primary key (business_id, id),
        constraint ledger_entry_wallet_sequence_unique unique (business_id, wallet_id, sequence),
        constraint ledger_entry_wallet_fk foreign key (business_id, wallet_id) references wallet (business_id, id)
          deferrable initially deferred,
        constraint ledger_entry_amount_not_zero check (amount <> 0),
        constraint ledger_entry_balance_after_not_negative check (balance_after >= 0),
        constraint ledger_entry_sequence_positive check (sequence > 0),
        constraint ledger_entry_type_known check (type in ('balance_added', 'balance_credit', 'balance_deducted',
          'balance_debit', 'used_for_payment', 'refund_credit', 'gift_card_redeemed')),
        constraint ledger_entry_reference_type_known check (reference_type in ('manual', 'payment', 'refund', 'adjustment'))
      );`);
    this.addSql(`create index ledger_entry_history on ledger_entry (business_id, client_id, created_at desc, id desc);`);
    this.addSql(`
      create function ledger_entry_is_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'ledger entries are append-only: % refused', tg_op using errcode = 'integrity_constraint_violation';
      end $$;`);
    this.addSql(`
      create trigger ledger_entry_no_update_or_delete before update or delete on ledger_entry
      for each row execute function ledger_entry_is_append_only();`);
    this.addSql(`
      create trigger ledger_entry_no_truncate before truncate on ledger_entry
      for each statement execute function ledger_entry_is_append_only();`);
    this.addSql(`
      create table idempotency_record (
        business_id text not null,
        command_id text not null,
        command_type text not null,
        payload_hash text not null,
        reply jsonb not null,
        created_at timestamptz not null,
        primary key (business_id, command_id)
      );`);
    this.addSql(`
      create table outbox_message (
        id uuid not null primary key,
        business_id text not null,
        message_key text not null,
        sequence integer not null,
        payload jsonb not null,
        created_at timestamptz not null default clock_timestamp()
      );`);
    this.addSql(`create index outbox_message_created on outbox_message (created_at, id);`);
    this.addSql(`
      create table gift_card (
        business_id text not null,
        id uuid not null,
        code_hash text not null,
        last4 text not null,
        amount numeric not null,
        currency char(3) not null,
        status text not null,
        expires_at timestamptz null,
        redeemed_client_id text null,
        redeemed_at timestamptz null,
        voided_at timestamptz null,
        issued_by text not null,
        version integer not null default 1,
        created_at timestamptz not null,
        primary key (business_id, id),
        constraint gift_card_code_unique unique (business_id, code_hash),
        constraint gift_card_amount_positive check (amount > 0),
        constraint gift_card_status_known check (status in ('active', 'redeemed', 'void')),
        constraint gift_card_redeemed_has_client check ((status = 'redeemed') = (redeemed_at is not null))
      );`);
    this.addSql(`create index gift_card_last4 on gift_card (business_id, last4);`);
    this.addSql(`
      create table balance_payment (
        business_id text not null,
        command_id text not null,
        wallet_id uuid not null,
        client_id text not null,
        currency char(3) not null,
        sale_id text not null,
        amount_applied numeric not null,
        amount_refunded numeric not null,
        version integer not null default 1,
        created_at timestamptz not null,
        primary key (business_id, command_id),
        constraint balance_payment_applied_positive check (amount_applied > 0),
        constraint balance_payment_refund_within_payment check (amount_refunded >= 0 and amount_refunded <= amount_applied)
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists balance_payment, gift_card, outbox_message, idempotency_record, ledger_entry, wallet;');
    this.addSql('drop function if exists ledger_entry_is_append_only();');
  }
}
