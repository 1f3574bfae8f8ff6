import { Injectable } from '@nestjs/common';
import { Database } from '../database';

export interface AuditRow {
  id: string;
  business_id: string | null;
  at: Date | string;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  address: string | null;
  target_kind: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

export interface AuditInsert {
  businessId: string | null;
  at: Date;
  action: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  address: string | null;
  targetKind: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** The (at, id) of the last row of the previous page. */
  after: readonly [at: string, id: string] | null;
  limit: number;
}

/** The audit_log table: rows are only ever inserted (the database refuses anything else). */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async insert(row: AuditInsert): Promise<void> {
    await this.db.query(
      `insert into audit_log (business_id, at, action, actor_kind, actor_id, actor_name, address, target_kind, target_id, details)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
      [row.businessId, row.at, row.action, row.actorKind, row.actorId, row.actorName, row.address, row.targetKind, row.targetId, JSON.stringify(row.details)],
    );
  }

  /** Newest first, `limit + 1` rows (the extra one says whether a next page exists). */
  list(businessId: string, filter: AuditFilter): Promise<AuditRow[]> {
    const where = ['business_id = ?'];
    const params: unknown[] = [businessId];
    if (filter.action !== undefined) {
      where.push('action = ?');
      params.push(filter.action);
    }
    if (filter.actorId !== undefined) {
      where.push('actor_id = ?');
      params.push(filter.actorId);
    }
    if (filter.targetId !== undefined) {
      where.push('target_id = ?');
      params.push(filter.targetId);
    }
    if (filter.from !== undefined) {
      where.push('at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('at < ?');
      params.push(filter.to);
    }
    if (filter.after !== null) {
      where.push('(at, id) < (?::timestamptz, ?::uuid)');
      params.push(...filter.after);
    }
    params.push(filter.limit + 1);
    return this.db.query<AuditRow>(
      `select id, business_id, at, action, actor_kind, actor_id, actor_name, address, target_kind, target_id, details
       from audit_log where ${where.join(' and ')} order by at desc, id desc limit ?`,
      params,
    );
  }
}
