import { Injectable } from '@nestjs/common';
import type { AuditAction, AuditItem } from '@storecredit/contracts';
import { Clock } from '@storecredit/ledger';
import type { Principal } from '../auth/principal';
import { decodeCursor, pageOf, type Page } from '../http/pagination';
import { AuditRepository, type AuditRow } from './audit.repository';
import type { AuditQueryDto } from './audit.schemas';

/** Who acted: a principal, or nobody signed in (a sign-in, failed or not). */
export type AuditActor = Principal | { kind: 'anonymous' };

export interface AuditEntry {
  action: AuditAction;
  /** Null only for a failed sign-in whose email names no member: there is no business to show it to. */
  businessId: string | null;
  actor: AuditActor;
  /** The client's address as the gateway saw it (behind a proxy: the proxy's, unless it is trusted). */
  address: string | null;
  target?: { kind: 'staff' | 'api_key' | 'gift_card' | 'settings'; id: string };
  /** What changed, never a secret: no password, token, key or gift card code goes in here. */
  details?: Record<string, unknown>;
}


/**
 * The audit log of actions outside the ledger. An action records itself once it has succeeded (a refused action
 * changed nothing and is not recorded; a failed sign-in is recorded as one), in a statement of its own right after
 * the action's: a gateway that dies between the two loses the row, never the other way round.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const actor = entry.actor;
    await this.repository.insert(
      {
        businessId: entry.businessId,
        at: this.clock.now(),
        action: entry.action,
        actorKind: actor.kind,
        actorId: actor.kind === 'anonymous' ? null : actor.id,
        actorName: actor.kind === 'anonymous' ? null : actor.name,
        address: entry.address,
        targetKind: entry.target?.kind ?? null,
        targetId: entry.target?.id ?? null,
        details: entry.details ?? {},
      },
    );
  }

  async list(principal: Principal, query: AuditQueryDto): Promise<Page<AuditItem>> {
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid'] as const);
    const rows = await this.repository.list(principal.businessId, {
      action: query.action,
      actorId: query.actorId,
      targetId: query.targetId,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      after,
      limit: query.limit,
    });
    return pageOf(rows, query.limit, (row) => [new Date(row.at).toISOString(), row.id], auditItem);
  }
}

function auditItem(row: AuditRow): AuditItem {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    action: row.action,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    address: row.address,
    target: row.target_kind === null || row.target_id === null ? null : { kind: row.target_kind, id: row.target_id },
    details: row.details,
  };
}
