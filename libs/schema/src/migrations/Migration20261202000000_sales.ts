import { Migration } from '@mikro-orm/migrations';

/**
 * Bounds per sale and per refund, not only per command (libs/ledger/src/sale-rules.ts decides them; this backs them):
 * - `sale`: what balance paid for a sale and what refunds of it returned never exceed its amount;
 * - `balance_refund`: a refund id is applied at most once (its primary key), and the row is never changed.
 * Existing data: every sale that balance paid gets a row whose amount is what balance paid for it (the least the
 * sale can have been), and every refund already credited claims its refund id, so neither can be repeated.
 */
export class Migration20261202000000_sales extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table sale (
        business_id text not null,
        sale_id text not null,
        client_id text not null,
        currency char(3) not null,
        amount numeric not null,
        paid_with_balance numeric not null,
        refunded numeric not null,
        version integer not null default 1,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        primary key (business_id, sale_id),
        constraint sale_amount_positive check (amount > 0),
        constraint sale_paid_within_amount check (paid_with_balance >= 0 and paid_with_balance <= amount),
        constraint sale_refunded_within_amount check (refunded >= 0 and refunded <= amount)
      );`);
    this.addSql(`
      create table balance_refund (
        business_id text not null,
        refund_id text not null,
        command_id text not null,
        content_hash text not null,
        sale_id text null,
        amount numeric not null,
        result json not null,
        created_at timestamptz not null,
        primary key (business_id, refund_id),
        constraint balance_refund_amount_positive check (amount > 0)
      );`);
    this.addSql(`
      create trigger balance_refund_no_update_or_delete before update or delete on balance_refund
      for each row execute function ledger_entry_is_append_only();`);
    this.addSql(`
      insert into sale (business_id, sale_id, client_id, currency, amount, paid_with_balance, refunded, version, created_at, updated_at)
      select business_id, sale_id, min(client_id), min(currency), sum(amount_applied), sum(amount_applied), sum(amount_refunded), 1,
        min(created_at), max(created_at)
      from balance_payment group by business_id, sale_id;`);
    this.addSql(`
      insert into balance_refund (business_id, refund_id, command_id, content_hash, sale_id, amount, result, created_at)
      select distinct on (e.business_id, e.reference_id) e.business_id, e.reference_id, e.command_id,
        'before-sales:' || e.command_id, null, e.amount, coalesce(r.reply -> 'result', '{}'::json), e.created_at
      from ledger_entry e
      left join idempotency_record r on r.business_id = e.business_id and r.command_id = e.command_id
      where e.type = 'refund_credit' and e.reference_id is not null
      order by e.business_id, e.reference_id, e.created_at, e.id;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists balance_refund, sale;');
  }
}
