import { Migration } from '@mikro-orm/migrations';

/**
 * Credit lots (libs/ledger/src/lot-rules.ts decides; this backs it):
 * - `credit_lot`: one row per credit (its source, amount, what remains, optional expiry); remaining is never below
 *   zero nor above the amount, and only remaining (and version) ever change; `open` (remaining > 0) is what the
 *   partial indexes name, so that a debit's update is a HOT update (fillfactor 80 leaves it room on the page);
 * - `lot_allocation`: what each debit entry drew from each lot, in the consumption order (position), with the lot's
 *   source and the entry's type and time copied for the reports (written in the same statement as the lot it draws
 *   on; `npm run verify` checks every allocation names a lot of its wallet, instead of a foreign key checked per row);
 * - ledger entries say which entry a reversal undid (each at most once) and the bonus tier a bonus_credit followed;
 * - a balance payment names its entry, so a refund of it can give back the lots it drew from;
 * - `bonus_rule` (tiers per business and currency) and `credit_settings` (the refund grace period);
 * - existing data: each wallet's balance becomes one `opening` lot without expiry, so balance = Σ remaining at once.
 */
export class Migration20261204000000_credit_lots extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table ledger_entry drop constraint ledger_entry_type_known,
        add constraint ledger_entry_type_known check (type in ('balance_added', 'balance_credit', 'balance_deducted',
          'balance_debit', 'used_for_payment', 'refund_credit', 'gift_card_redeemed', 'bonus_credit', 'balance_expired',
          'balance_reversed')),
        drop constraint ledger_entry_reference_type_known,
        add constraint ledger_entry_reference_type_known check (reference_type in ('manual', 'payment', 'refund',
          'adjustment', 'entry', 'lot')),
        add column reverses_entry_id uuid null,
        add column bonus_tier jsonb null,
        add constraint ledger_entry_reversal_typed check ((type = 'balance_reversed') = (reverses_entry_id is not null)),
        add constraint ledger_entry_bonus_typed check ((type = 'bonus_credit') = (bonus_tier is not null));`);
    this.addSql(`create unique index ledger_entry_reversed_once on ledger_entry (business_id, reverses_entry_id) where reverses_entry_id is not null;`);
    this.addSql(`alter table balance_payment add column entry_id uuid null;`);
    this.addSql(`create index balance_payment_sale on balance_payment (business_id, sale_id, created_at);`);
    this.addSql(`
      create table credit_lot (
        business_id text not null,
        id uuid not null,
        wallet_id uuid not null,
        client_id text not null,
        currency char(3) not null,
        source text not null,
        amount numeric not null,
        remaining numeric not null,
        -- Whether it still holds credit: the open-lot indexes are partial on it, not on remaining, so that a debit's
        -- update of remaining leaves every index alone (a HOT update) unless it empties the lot.
        open boolean generated always as (remaining > 0) stored,
        expires_at timestamptz null,
        entry_id uuid null,
        restored_from uuid null,
        bonus_for_entry_id uuid null,
        version integer not null default 1,
        created_at timestamptz not null,
        primary key (business_id, id),
        constraint credit_lot_source_known check (source in ('paid', 'bonus', 'gift_card', 'refund', 'adjustment', 'system', 'opening')),
        constraint credit_lot_amount_positive check (amount > 0),
        constraint credit_lot_remaining_within_amount check (remaining >= 0 and remaining <= amount),
        constraint credit_lot_entry_unless_opening check ((source = 'opening') = (entry_id is null)),
        constraint credit_lot_wallet_fk foreign key (business_id, wallet_id) references wallet (business_id, id)
          deferrable initially deferred
      ) with (fillfactor = 80);`);
    // By the wallet's key (business, client, currency), as a group reads it: no join through wallet.
    this.addSql(`create index credit_lot_open on credit_lot (business_id, client_id, currency) where open;`);
    this.addSql(`create index credit_lot_due on credit_lot (expires_at) where open and expires_at is not null;`);
    this.addSql(`create index credit_lot_entry on credit_lot (business_id, entry_id);`);
    this.addSql(`create index credit_lot_bonus_for on credit_lot (business_id, bonus_for_entry_id) where bonus_for_entry_id is not null;`);
    this.addSql(`create index credit_lot_report on credit_lot (business_id, currency, created_at);`);
    this.addSql(`
      create function credit_lot_only_remaining_changes() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'credit lots are never deleted: lot % refused', old.id using errcode = 'integrity_constraint_violation';
        end if;
        if (new.business_id, new.id, new.wallet_id, new.client_id, new.currency, new.source, new.amount, new.expires_at,
            new.entry_id, new.restored_from, new.bonus_for_entry_id, new.created_at) is distinct from
           (old.business_id, old.id, old.wallet_id, old.client_id, old.currency, old.source, old.amount, old.expires_at,
            old.entry_id, old.restored_from, old.bonus_for_entry_id, old.created_at) then
          raise exception 'only what remains of lot % may change', old.id using errcode = 'integrity_constraint_violation';
        end if;
        return new;
      end $$;`);
    this.addSql(`
      create trigger credit_lot_fixed before update or delete on credit_lot
        for each row execute function credit_lot_only_remaining_changes();`);
    this.addSql(`
      create table lot_allocation (
        business_id text not null,
        entry_id uuid not null,
        position integer not null,
        lot_id uuid not null,
        wallet_id uuid not null,
        currency char(3) not null,
        source text not null,
        entry_type text not null,
        amount numeric not null,
        created_at timestamptz not null,
        primary key (business_id, entry_id, position),
        constraint lot_allocation_amount_positive check (amount > 0)
      );`);
    this.addSql(`create index lot_allocation_report on lot_allocation (business_id, currency, created_at);`);
    this.addSql(`
      create trigger lot_allocation_no_update_or_delete before update or delete on lot_allocation
        for each row execute function ledger_entry_is_append_only();`);
    this.addSql(`
      create table bonus_rule (
        business_id text not null,
        currency char(3) not null,
        tiers jsonb not null,
        expires_in_days integer null,
        version integer not null default 1,
        updated_by text not null,
        updated_at timestamptz not null,
        primary key (business_id, currency),
        constraint bonus_rule_tiers_list check (jsonb_typeof(tiers) = 'array'),
        constraint bonus_rule_expiry_positive check (expires_in_days is null or expires_in_days > 0)
      );`);
    this.addSql(`
      create table credit_settings (
        business_id text not null primary key,
        refund_grace_days integer not null default 30,
        updated_by text not null,
        updated_at timestamptz not null,
        constraint credit_settings_grace_positive check (refund_grace_days > 0)
      );`);
    // New permissions: owners get all three; managers may reverse entries and view reports (as the role presets say).
    this.addSql(`
      update staff set permissions = array(select distinct unnest(permissions || array['balance.reverse', 'reports.view', 'settings.manage']))
      where role = 'owner';`);
    this.addSql(`
      update staff set permissions = array(select distinct unnest(permissions || array['balance.reverse', 'reports.view']))
      where role = 'manager';`);
    // Existing data: each wallet's balance becomes one opening lot without expiry (nothing is lost: Σ remaining = balance).
    this.addSql(`
      insert into credit_lot (business_id, id, wallet_id, client_id, currency, source, amount, remaining, expires_at,
        entry_id, restored_from, bonus_for_entry_id, version, created_at)
      select business_id, gen_random_uuid(), id, client_id, currency, 'opening', balance, balance, null, null, null, null, 1, now()
      from wallet where balance > 0;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists lot_allocation;');
    this.addSql('drop table if exists credit_lot;');
    this.addSql('drop function if exists credit_lot_only_remaining_changes();');
    this.addSql('drop table if exists bonus_rule;');
    this.addSql('drop table if exists credit_settings;');
    this.addSql('drop index if exists balance_payment_sale;');
    this.addSql('alter table balance_payment drop column if exists entry_id;');
    this.addSql('drop index if exists ledger_entry_reversed_once;');
    this.addSql(`alter table ledger_entry drop constraint if exists ledger_entry_reversal_typed,
      drop constraint if exists ledger_entry_bonus_typed, drop column if exists reverses_entry_id, drop column if exists bonus_tier;`);
  }
}
