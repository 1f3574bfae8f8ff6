import { Migration } from '@mikro-orm/migrations';

/**
 * The liability report's breakage and bonus figures (apps/gateway/src/reports) read only the allocations of expiries
 * and of bonus lots, up to a moment: a partial index of just those, with every column the report sums, so the read is
 * an index-only range scan of a fraction of the allocations instead of a pass over all of them. Only expiries and
 * bonus spending pay for it on write. The report sums them by month: statistics on that expression tell the planner
 * how few months there are (else it takes every allocation for a group of its own, and sorts them all).
 */
export class Migration20261204010000_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index lot_allocation_breakage_bonus on lot_allocation (business_id, created_at)
        include (currency, source, entry_type, amount)
        where entry_type = 'balance_expired' or source = 'bonus';`);
    this.addSql(`create statistics lot_allocation_month on (date_trunc('month', created_at at time zone 'UTC')) from lot_allocation;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop statistics if exists lot_allocation_month;');
    this.addSql('drop index if exists lot_allocation_breakage_bonus;');
  }
}
