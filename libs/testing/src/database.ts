import { MikroORM } from '@mikro-orm/postgresql';
import { ledgerOrmConfig } from '@storecredit/ledger';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const testServerUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs raw SQL as the test, e.g. to corrupt the ledger on purpose. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs the migrations not yet applied. */
  migrate(): Promise<void>;
  drop(): Promise<void>;
}

function databaseUrl(name: string): string {
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh database with the ledger schema migrated in, so suites never share state. `migrateTo` stops after the named
 * migration (to hold data as an older version wrote it); `migrate()` then runs the rest.
 */
export async function createTestDatabase(options: { migrateTo?: string } = {}): Promise<TestDatabase> {
  const name = `storecredit_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: testServerUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  const orm = await MikroORM.init(ledgerOrmConfig(url));
  await orm.migrator.up(options.migrateTo === undefined ? undefined : { to: options.migrateTo });
  await orm.close();
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    url,
    name,
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    migrate: async () => {
      const migrating = await MikroORM.init(ledgerOrmConfig(url));
      await migrating.migrator.up();
      await migrating.close();
    },
    drop: async () => {
      await client.end();
      const dropper = new Client({ connectionString: testServerUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
