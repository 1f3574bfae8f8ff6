import { Injectable } from '@nestjs/common';
import type { EntryType } from '@storecredit/contracts';
import { Database } from '../database';

export interface HistoryFilter {
  currency?: string;
  types?: EntryType[];
  from?: Date;
  to?: Date;
}

export interface EntryRow {
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

export interface WalletRow {
  wallet_id: string;
  currency: string;
  balance: string;
  held: string;
  updated_at: Date;
}

/** Reads straight from PostgreSQL; history is keyset-paginated so page 1,000 costs what page 1 does. */
@Injectable()
export class BalancesRepository {
  constructor(private readonly db: Database) {}

  /** The client's wallets (in one currency, when named), or null when the business has no such client (one query answers both). */
  async wallets(businessId: string, clientId: string, currency?: string): Promise<WalletRow[] | null> {
    const rows = await this.db.query<Omit<WalletRow, 'wallet_id'> & { wallet_id: string | null }>(
      `select w.id as wallet_id, w.currency, w.balance::text as balance, w.held::text as held, w.updated_at
       from client c left join wallet w on w.business_id = c.business_id and w.client_id = c.id
         ${currency === undefined ? '' : 'and w.currency = ?'}
       where c.business_id = ? and c.id = ? order by w.currency`,
      currency === undefined ? [businessId, clientId] : [currency, businessId, clientId],
    );
    if (rows.length === 0) return null;
    return rows.filter((row): row is WalletRow => row.wallet_id !== null);
  }

  /**
   * The client's entries matching the filter, newest first, after the sort key `after` (created_at, id), at most
   * `rowsMax`; null when the business has no such client (one query answers both).
   */
  async entries(
    businessId: string,
    clientId: string,
    filter: HistoryFilter,
    after: readonly [string, string] | null,
    rowsMax: number,
  ): Promise<EntryRow[] | null> {
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
    const found = await this.db.query<Omit<EntryRow, 'id'> & { id: string | null }>(
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
      [...params, rowsMax, businessId, clientId],
    );
    if (found.length === 0) return null;
    // The one row of a client without entries on this page has a null id.
    return found.filter((row): row is EntryRow => row.id !== null);
  }
}
