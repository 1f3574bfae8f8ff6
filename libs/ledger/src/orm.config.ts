import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { schemaMigrations } from '@storecredit/schema';
import { ledgerEntities } from './entities';

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/storecredit';
export const poolSizeMax = 10;

/** The database the ledger uses: the given URL, else DATABASE_URL, else the local default. */
export function ledgerDatabaseUrl(databaseUrl?: string): string {
  return databaseUrl ?? process.env.DATABASE_URL ?? defaultDatabaseUrl;
}

/** Migrations (libs/schema) run as a step, never on worker boot. */
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
      migrationsList: schemaMigrations,
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
