import { Injectable } from '@nestjs/common';
import { HealthRepository } from './health.repository';

export interface Health {
  status: 'ok';
  database: 'up';
  outboxPending: number;
}

/** Up when the database answers (a failed read is a 500); the outbox backlog says whether events are flowing. */
@Injectable()
export class HealthService {
  constructor(private readonly repository: HealthRepository) {}

  async check(): Promise<Health> {
    return { status: 'ok', database: 'up', outboxPending: await this.repository.outboxPending() };
  }
}
