import { Injectable } from '@nestjs/common';
import { Decimal, type EntryType } from '@storecredit/contracts';
import { Database } from '../database';
import { decodeCursor, encodeCursor } from '../http/pagination';

export interface HistoryFilter {
  currency?: string;
  types?: EntryType[];
  from?: Date;
  to?: Date;
}

interface EntryRow {
  id: string;
  created_at: Date;
  type: EntryType;
  currency: string;
  amount: string;
  balance_after: string;
  reference_type: string;
  reference_id: string | null;
  note: string | null;
  actor: string;
  actor_name: string | null;
  command_id: string;
  sequence: number;
}

/** Reads straight from PostgreSQL; history is keyset-paginated so page 1,000 costs what page 1 does. */
@Injectable()
export class BalancesRepository {
  constructor(private readonly db: Database) {}

  async balances(businessId: string, clientId: string, currency?: string) {
    const rows = await this.db.query<{ wallet_id: string; currency: string; balance: string; updated_at: Date }>(
      `select id as wallet_id, currency, balance::text as balance, updated_at from wallet
       where business_id = ? and client_id = ? ${currency === undefined ? '' : 'and currency = ?'} order by currency`,
      currency === undefined ? [businessId, clientId] : [businessId, clientId, currency],
    );
    return rows.map((row) => ({
      walletId: row.wallet_id,
      currency: row.currency,
      balance: row.balance,
      hasBalance: new Decimal(row.balance).gt(0),
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }

  async history(businessId: string, clientId: string, filter: HistoryFilter, cursor: string | undefined, limit: number) {
    const after = decodeCursor(cursor, 2);
    const conditions = ['business_id = ?', 'client_id = ?'];
    const params: unknown[] = [businessId, clientId];
    if (filter.currency !== undefined) {
      conditions.push('currency = ?');
      params.push(filter.currency);
    }
    if (filter.types !== undefined && filter.types.length > 0) {
      conditions.push(`type in (${filter.types.map(() => '?').join(', ')})`);
      params.push(...filter.types);
    }
    if (filter.from !== undefined) {
      conditions.push('created_at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      conditions.push('created_at < ?');
      params.push(filter.to);
    }
    if (after) {
      conditions.push('(created_at, id) < (?::timestamptz, ?::uuid)');
      params.push(after[0], after[1]);
    }
    const rows = await this.db.query<EntryRow>(
      `select id, created_at, type, currency, amount::text as amount, balance_after::text as balance_after, reference_type,
              reference_id, note, actor, command_id, sequence,
              coalesce(
                (select s.name from staff s where s.business_id = e.business_id and 'staff:' || s.id::text = e.actor),
                (select k.name from api_key k where k.business_id = e.business_id and 'service:api-key:' || k.id::text = e.actor)
              ) as actor_name
       from ledger_entry e where ${conditions.join(' and ')} order by created_at desc, id desc limit ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        occurredAt: new Date(row.created_at).toISOString(),
        type: row.type,
        currency: row.currency,
        amount: row.amount,
        balanceAfter: row.balance_after,
        reference: { type: row.reference_type, id: row.reference_id },
        note: row.note,
        actor: row.actor,
        /** The staff member's or API key's name, when the actor is one of this business's. */
        actorName: row.actor_name,
        commandId: row.command_id,
        sequence: row.sequence,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null,
    };
  }
}
