import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { ledgerEntities } from './entities';
import { Migration20261125000000_ledger } from './migrations/Migration20261125000000_ledger';
import { Migration20261125010000_gateway } from './migrations/Migration20261125010000_gateway';
import { Migration20261125020000_json_bodies } from './migrations/Migration20261125020000_json_bodies';
import { Migration20261201000000_group_write_rows } from './migrations/Migration20261201000000_group_write_rows';
import { Migration20261202000000_sales } from './migrations/Migration20261202000000_sales';
import { Migration20261202010000_staff_access } from './migrations/Migration20261202010000_staff_access';

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/storecredit';
export const poolSizeMax = 10;

/** The database the ledger uses: the given URL, else DATABASE_URL, else the local default. */
export function ledgerDatabaseUrl(databaseUrl?: string): string {
  return databaseUrl ?? process.env.DATABASE_URL ?? defaultDatabaseUrl;
}

/** Migrations are listed in code so they ship inside the build; they run as a step, never on worker boot. */
export function ledgerOrmConfig(
  databaseUrl?: string,
  { poolMax = poolSizeMax }: { poolMax?: number } = {},
): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: ledgerDatabaseUrl(databaseUrl),
    entities: ledgerEntities,
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    migrations: {
      migrationsList: [
        { name: 'Migration20261125000000_ledger', class: Migration20261125000000_ledger },
        { name: 'Migration20261125010000_gateway', class: Migration20261125010000_gateway },
        { name: 'Migration20261125020000_json_bodies', class: Migration20261125020000_json_bodies },
        { name: 'Migration20261201000000_group_write_rows', class: Migration20261201000000_group_write_rows },
        { name: 'Migration20261202000000_sales', class: Migration20261202000000_sales },
        { name: 'Migration20261202010000_staff_access', class: Migration20261202010000_staff_access },
      ],
      transactional: true,
      silent: true,
      allOrNothing: true,
      // MikroORM 7 writes a schema snapshot file beside the process after `up`; our migrations are written by hand.
      snapshot: false,
    },
    pool: { min: 0, max: poolMax },
    allowGlobalContext: false,
    debug: false,
  });
}
