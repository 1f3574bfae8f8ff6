import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Plain SQL for the gateway's reads and its own tables, on the ledger's connection pool. Bindings use `?`. */
@Injectable()
export class Database {
  constructor(private readonly orm: MikroORM) {}

  query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (this.orm.em.fork() as EntityManager).execute<T[]>(sql, params as never[]);
  }

  async one<T>(sql: string, params: unknown[] = []): Promise<T | null> {
    const [row] = await this.query<T>(sql, params);
    return row ?? null;
  }

  /** Runs work in one transaction: its queries share a connection, and a throw rolls them all back. */
  transaction<T>(work: (tx: Queries) => Promise<T>): Promise<T> {
    return (this.orm.em.fork() as EntityManager).transactional((em) =>
      work({
        query: <R>(sql: string, params: unknown[] = []) => em.execute<R[]>(sql, params as never[]),
        one: async <R>(sql: string, params: unknown[] = []) => (await em.execute<R[]>(sql, params as never[]))[0] ?? null,
      }),
    );
  }
}

/** The queries of one transaction. */
export interface Queries {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  one<T>(sql: string, params?: unknown[]): Promise<T | null>;
}

/** A text[] binding: knex expands a JS array into a list, so arrays travel as one joined string. */
export function textArray(values: readonly string[]): string {
  if (values.some((value) => value.includes(','))) throw new Error('array values must not contain commas');
  return values.join(',');
}
export const textArraySql = "string_to_array(?, ',')::text[]";
