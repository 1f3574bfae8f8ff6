import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_ledger } from './migrations/Migration20261125000000_ledger';
import { Migration20261125010000_gateway } from './migrations/Migration20261125010000_gateway';
import { Migration20261125020000_json_bodies } from './migrations/Migration20261125020000_json_bodies';
import { Migration20261201000000_group_write_rows } from './migrations/Migration20261201000000_group_write_rows';
import { Migration20261202000000_sales } from './migrations/Migration20261202000000_sales';
import { Migration20261202010000_staff_access } from './migrations/Migration20261202010000_staff_access';
import { Migration20261202020000_staff_email_normal } from './migrations/Migration20261202020000_staff_email_normal';
import { Migration20261203000000_holds } from './migrations/Migration20261203000000_holds';
import { Migration20261204000000_credit_lots } from './migrations/Migration20261204000000_credit_lots';
import { Migration20261204010000_reports } from './migrations/Migration20261204010000_reports';
import { Migration20261205000000_trace_context } from './migrations/Migration20261205000000_trace_context';
import { Migration20261206000000_audit_log } from './migrations/Migration20261206000000_audit_log';
import { Migration20261207000000_business_currencies } from './migrations/Migration20261207000000_business_currencies';
import { Migration20261207010000_payments_by_client } from './migrations/Migration20261207010000_payments_by_client';
import { Migration20261207100000_staff_preferences } from './migrations/Migration20261207100000_staff_preferences';

/**
 * The one database's migrations, the ledger's tables and the gateway's (staff, sessions, keys) alike, in the order
 * they run. MikroORM keeps one ordered list per database, and a database records each by this name in
 * mikro_orm_migrations: a name never changes. They are listed in code so they ship inside the build.
 */
export const schemaMigrations: MigrationObject[] = [
  { name: 'Migration20261125000000_ledger', class: Migration20261125000000_ledger },
  { name: 'Migration20261125010000_gateway', class: Migration20261125010000_gateway },
  { name: 'Migration20261125020000_json_bodies', class: Migration20261125020000_json_bodies },
  { name: 'Migration20261201000000_group_write_rows', class: Migration20261201000000_group_write_rows },
  { name: 'Migration20261202000000_sales', class: Migration20261202000000_sales },
  { name: 'Migration20261202010000_staff_access', class: Migration20261202010000_staff_access },
  { name: 'Migration20261202020000_staff_email_normal', class: Migration20261202020000_staff_email_normal },
  { name: 'Migration20261203000000_holds', class: Migration20261203000000_holds },
  { name: 'Migration20261204000000_credit_lots', class: Migration20261204000000_credit_lots },
  { name: 'Migration20261204010000_reports', class: Migration20261204010000_reports },
  { name: 'Migration20261205000000_trace_context', class: Migration20261205000000_trace_context },
  { name: 'Migration20261206000000_audit_log', class: Migration20261206000000_audit_log },
  { name: 'Migration20261207000000_business_currencies', class: Migration20261207000000_business_currencies },
  { name: 'Migration20261207010000_payments_by_client', class: Migration20261207010000_payments_by_client },
  { name: 'Migration20261207100000_staff_preferences', class: Migration20261207100000_staff_preferences },
];
