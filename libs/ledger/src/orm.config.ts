import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { ledgerEntities } from './entities';
import { Migration20261125000000_ledger } from './migrations/Migration20261125000000_ledger';
import { Migration20261125010000_gateway } from './migrations/Migration20261125010000_gateway';

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/storecredit';
export const poolSizeMax = 10;

/** Migrations are listed in code so they ship inside the build; they run as a step, never on worker boot. */
export function ledgerOrmConfig(
  databaseUrl: string = process.env.DATABASE_URL ?? defaultDatabaseUrl,
  { poolMax = poolSizeMax }: { poolMax?: number } = {},
): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities: ledgerEntities,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      migrationsList: [
        { name: 'Migration20261125000000_ledger', class: Migration20261125000000_ledger },
        { name: 'Migration20261125010000_gateway', class: Migration20261125010000_gateway },
      ],
      transactional: true,
      silent: true,
      allOrNothing: true,
    },
    pool: { min: 0, max: poolMax },
    allowGlobalContext: false,
    debug: false,
  });
}
