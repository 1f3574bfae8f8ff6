import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { outboxGaugesStatement, type PoolCounts } from '@storecredit/observability';
import { Database } from '../database';

@Injectable()
export class HealthRepository {
  constructor(
    private readonly db: Database,
    private readonly orm: MikroORM,
  ) {}

  /** Outbox rows not yet published as events; reading them at all proves the database answers. */
  async outboxPending(): Promise<number> {
    const [row] = await this.db.query<{ pending: string }>('select count(*) as pending from outbox_message');
    return Number(row.pending);
  }

  async outboxGauges(): Promise<{ rows: number; oldest_seconds: number }> {
    const [row] = await this.db.query<{ rows: number; oldest_seconds: number }>(outboxGaugesStatement);
    return row;
  }

  async ping(): Promise<void> {
    await this.db.query('select 1');
  }

  /** Migrations this build has and the database has not run. */
  async pendingMigrations(): Promise<string[]> {
    return (await this.orm.migrator.getPending()).map((migration) => migration.name);
  }

  /** The counts of the ORM's pg pool (MikroORM's PostgreSQL driver hands out its pg Pool as the native client). */
  poolCounts(): Promise<PoolCounts> {
    return this.orm.em.getConnection().getNativeClient();
  }
}
