import { Migration } from '@mikro-orm/migrations';

/**
 * Holds for split-tender checkout (libs/ledger/src/hold-rules.ts decides; this backs it):
 * - `wallet.held`: the sum of the wallet's active holds; never negative and never more than the balance, so
 *   available = balance - held is never negative whatever the code does;
 * - `sale.held`: what active holds reserve for a sale; with what balance paid, never more than the sale's amount;
 * - `balance_hold`: one row a hold; it ends once (a trigger refuses any change to a hold that has ended, and its
 *   deletion), and a capture never takes more than it held.
 */
export class Migration20261203000000_holds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table wallet add column held numeric not null default 0,
        add constraint wallet_held_within_balance check (held >= 0 and held <= balance);`);
    this.addSql(`
      alter table sale add column held numeric not null default 0,
        add constraint sale_held_within_amount check (held >= 0 and paid_with_balance + held <= amount);`);
    this.addSql(`
      create table balance_hold (
        business_id text not null,
        hold_id uuid not null,
        wallet_id uuid not null,
        client_id text not null,
        currency char(3) not null,
        sale_id text not null,
        amount numeric not null,
        captured numeric not null default 0,
        status text not null,
        expires_at timestamptz not null,
        command_id text not null,
        ended_by text null,
        ended_at timestamptz null,
        version integer not null default 1,
        created_at timestamptz not null,
        primary key (business_id, hold_id),
        constraint balance_hold_amount_positive check (amount > 0),
        constraint balance_hold_captured_within_amount check (captured >= 0 and captured <= amount),
        constraint balance_hold_status_known check (status in ('active', 'captured', 'released', 'expired')),
        constraint balance_hold_ended_once check ((status = 'active') = (ended_at is null) and (ended_at is null) = (ended_by is null)),
        constraint balance_hold_captured_only_by_capture check (status = 'captured' or captured = 0)
      );`);
    this.addSql(`create index balance_hold_due on balance_hold (expires_at) where status = 'active';`);
    this.addSql(`create index balance_hold_client on balance_hold (business_id, client_id, created_at);`);
    this.addSql(`
      create function balance_hold_ends_once() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' or old.status <> 'active' then
          raise exception 'hold % has ended: % refused', old.hold_id, tg_op using errcode = 'integrity_constraint_violation';
        end if;
        return new;
      end $$;`);
    this.addSql(`
      create trigger balance_hold_no_change_after_end before update or delete on balance_hold
        for each row execute function balance_hold_ends_once();`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists balance_hold;');
    this.addSql('drop function if exists balance_hold_ends_once();');
    this.addSql('alter table sale drop constraint if exists sale_held_within_amount, drop column if exists held;');
    this.addSql('alter table wallet drop constraint if exists wallet_held_within_balance, drop column if exists held;');
  }
}
