import { Injectable } from '@nestjs/common';
import { Decimal, type EntryType } from '@storecredit/contracts';
import { Database } from '../database';
import { decodeCursor, encodeCursor } from '../http/pagination';
import { actorLabel } from './actor-label';

export interface HistoryFilter {
  currency?: string;
  types?: EntryType[];
  from?: Date;
  to?: Date;
}

interface EntryRow {
  /** Null on the one row that says the client exists but has no entry on this page. */
  id: string | null;
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
  gift_card_last4: string | null;
  command_id: string;
  sequence: number;
}

/**
 * A redemption's entry refers to the card by its id (libs/ledger's RedeemGiftCardHandler); the card is looked up
 * in the entry's own business. The pattern guards the cast, so no other reference id can fail the read.
 */
const giftCardLast4Sql = `case when e.type = 'gift_card_redeemed'
    and e.reference_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  then (select g.last4 from gift_card g where g.business_id = e.business_id and g.id = e.reference_id::uuid) end`;

/** Reads straight from PostgreSQL; history is keyset-paginated so page 1,000 costs what page 1 does. */
@Injectable()
export class BalancesRepository {
  constructor(private readonly db: Database) {}

  /** The client's wallets, or null when the business has no such client (one query answers both). */
  async balances(businessId: string, clientId: string, currency?: string) {
    const rows = await this.db.query<{ wallet_id: string | null; currency: string; balance: string; updated_at: Date }>(
      `select w.id as wallet_id, w.currency, w.balance::text as balance, w.updated_at
       from client c left join wallet w on w.business_id = c.business_id and w.client_id = c.id
         ${currency === undefined ? '' : 'and w.currency = ?'}
       where c.business_id = ? and c.id = ? order by w.currency`,
      currency === undefined ? [businessId, clientId] : [currency, businessId, clientId],
    );
    if (rows.length === 0) return null;
    return rows.filter((row): row is typeof row & { wallet_id: string } => row.wallet_id !== null).map((row) => ({
      walletId: row.wallet_id,
      currency: row.currency,
      balance: row.balance,
      hasBalance: new Decimal(row.balance).gt(0),
      updatedAt: new Date(row.updated_at).toISOString(),
    }));
  }

  /** A page of the client's entries, or null when the business has no such client (one query answers both). */
  async history(businessId: string, clientId: string, filter: HistoryFilter, cursor: string | undefined, limit: number) {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const conditions = ['e.business_id = c.business_id', 'e.client_id = c.id'];
    const params: unknown[] = [];
    if (filter.currency !== undefined) {
      conditions.push('e.currency = ?');
      params.push(filter.currency);
    }
    if (filter.types !== undefined && filter.types.length > 0) {
      conditions.push(`e.type in (${filter.types.map(() => '?').join(', ')})`);
      params.push(...filter.types);
    }
    if (filter.from !== undefined) {
      conditions.push('e.created_at >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      conditions.push('e.created_at < ?');
      params.push(filter.to);
    }
    if (after) {
      conditions.push('(e.created_at, e.id) < (?::timestamptz, ?::uuid)');
      params.push(after[0], after[1]);
    }
    const found = await this.db.query<EntryRow>(
      `select e.* from client c left join lateral (
         select e.id, e.created_at, e.type, e.currency, e.amount::text as amount, e.balance_after::text as balance_after,
                e.reference_type, e.reference_id, e.note, e.actor, e.command_id, e.sequence,
                coalesce(
                  (select s.name from staff s where s.business_id = e.business_id and 'staff:' || s.id::text = e.actor),
                  (select k.name from api_key k where k.business_id = e.business_id and 'service:api-key:' || k.id::text = e.actor)
                ) as actor_name,
                ${giftCardLast4Sql} as gift_card_last4
         from ledger_entry e where ${conditions.join(' and ')} order by e.created_at desc, e.id desc limit ?
       ) e on true
       where c.business_id = ? and c.id = ?`,
      [...params, limit + 1, businessId, clientId],
    );
    if (found.length === 0) return null;
    const rows = found.filter((row): row is EntryRow & { id: string } => row.id !== null);
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
        /** The staff member's or API key's name, or what the actor is (actor-label.ts); never a piece of an id. */
        actorName: actorLabel(row.actor, row.actor_name),
        /** The redeemed card's last four characters, on a gift card redemption. */
        giftCardLast4: row.gift_card_last4,
        commandId: row.command_id,
        sequence: row.sequence,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null,
    };
  }
}
