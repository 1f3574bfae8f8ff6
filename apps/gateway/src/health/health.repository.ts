import { Injectable } from '@nestjs/common';
import { Database } from '../database';

@Injectable()
export class HealthRepository {
  constructor(private readonly db: Database) {}

  /** Outbox rows not yet published as events; reading them at all proves the database answers. */
  async outboxPending(): Promise<number> {
    const [row] = await this.db.query<{ pending: string }>('select count(*) as pending from outbox_message');
    return Number(row.pending);
  }
}
