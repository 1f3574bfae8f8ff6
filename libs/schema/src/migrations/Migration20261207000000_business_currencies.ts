import { Migration } from '@mikro-orm/migrations';

/**
 * The currencies a business works in (libs/contracts/src/business-currencies.ts): a default and the accepted list.
 * A business without a row works as it did before it could choose (AED, accepting AED). The database holds the same
 * rules the gateway checks: at least one accepted, the default among them, each a three-letter code.
 */
export class Migration20261207000000_business_currencies extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table business_currencies (
        business_id text primary key references business (id),
        default_currency text not null,
        accepted text[] not null,
        updated_by text not null,
        updated_at timestamptz not null default now(),
        constraint business_currencies_accepted_not_empty check (cardinality(accepted) >= 1),
        constraint business_currencies_default_accepted check (default_currency = any(accepted)),
        constraint business_currencies_codes check (default_currency ~ '^[A-Z]{3}$' and array_to_string(accepted, ',') ~ '^[A-Z]{3}(,[A-Z]{3})*$')
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists business_currencies;');
  }
}
