import { Injectable } from '@nestjs/common';
import type { BonusTier, EntryType, LotSource } from '@storecredit/contracts';
import { Database } from '../database';

/** The window of "expiring soon" on a balance: credit whose lot expires within it is shown apart. */
export const expiringSoonDays = 30;

export interface HistoryFilter {
  currency?: string;
  types?: EntryType[];
  from?: Date;
  to?: Date;
}

/** The filter's conditions on ledger entries `e` and their parameters: the history and its CSV export filter alike. */
export function historyFilterSql(filter: HistoryFilter): { conditions: string[]; params: unknown[] } {
  const conditions: string[] = [];
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
  return { conditions, params };
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
  reverses_entry_id: string | null;
  bonus_tier: BonusTier | null;
}

/** A lot an entry created, as the lots query returns it (json: amounts as text, times as PostgreSQL writes them). */
export interface LotRow {
  lotId: string;
  source: LotSource;
  amount: string;
  remaining: string;
  expiresAt: string | null;
  restoredFrom: string | null;
}

/** What an entry drew from one lot. */
export interface AllocationRow {
  lotId: string;
  source: LotSource;
  amount: string;
  expiresAt: string | null;
}

/** The lots side of a page of entries, per entry id: lots created, lots drawn from, and the reversal if any. */
export interface EntryLotsRow {
  entry_id: string;
  lots: LotRow[];
  allocations: AllocationRow[];
  reversed_by_entry_id: string | null;
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
  /** What is left of lots expiring within expiringSoonDays (or already due and not yet expired), and the first expiry. */
  expiring_soon: string;
  next_expiry_at: Date | null;
}

/** Reads straight from PostgreSQL; history is keyset-paginated so page 1,000 costs what page 1 does. */
@Injectable()
export class BalancesRepository {
  constructor(private readonly db: Database) {}

  /** The client's wallets (in one currency, when named), or null when the business has no such client (one query answers both). */
  async wallets(businessId: string, clientId: string, currency?: string): Promise<WalletRow[] | null> {
    const rows = await this.db.query<Omit<WalletRow, 'wallet_id'> & { wallet_id: string | null }>(
      `select w.id as wallet_id, w.currency, w.balance::text as balance, w.held::text as held, w.updated_at,
              soon.expiring_soon, soon.next_expiry_at
       from client c left join wallet w on w.business_id = c.business_id and w.client_id = c.id
         ${currency === undefined ? '' : 'and w.currency = ?'}
       left join lateral (
         select coalesce(sum(l.remaining), 0)::text as expiring_soon, min(l.expires_at) as next_expiry_at
         from credit_lot l
         where l.business_id = w.business_id and l.client_id = w.client_id and l.currency = w.currency and l.open
           and l.expires_at is not null and l.expires_at <= now() + make_interval(days => ?)
       ) soon on true
       where c.business_id = ? and c.id = ? order by w.currency`,
      currency === undefined ? [expiringSoonDays, businessId, clientId] : [currency, expiringSoonDays, businessId, clientId],
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
    const filtered = historyFilterSql(filter);
    const conditions = ['e.business_id = c.business_id', 'e.client_id = c.id', ...filtered.conditions];
    const params: unknown[] = [...filtered.params];
    if (after) {
      conditions.push('(e.created_at, e.id) < (?::timestamptz, ?::uuid)');
      params.push(after[0], after[1]);
    }
    const found = await this.db.query<Omit<EntryRow, 'id'> & { id: string | null }>(
      `select e.* from client c left join lateral (
         select e.id, e.created_at, e.type, e.currency, e.amount::text as amount, e.balance_after::text as balance_after,
                e.reference_type, e.reference_id, e.note, e.actor, e.command_id, e.sequence, e.reverses_entry_id, e.bonus_tier,
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

  /**
   * For a page of entries, in one query: the lots each created, what each drew from which lot (in the order drawn)
   * and the entry that reversed it, if one did.
   */
  async entryLots(businessId: string, entryIds: readonly string[]): Promise<EntryLotsRow[]> {
    if (entryIds.length === 0) return [];
    return this.db.query<EntryLotsRow>(
      `select ids.id::text as entry_id,
         (select coalesce(json_agg(json_build_object('lotId', l.id, 'source', l.source, 'amount', l.amount::text,
                   'remaining', l.remaining::text, 'expiresAt', l.expires_at, 'restoredFrom', l.restored_from)
                 order by l.created_at, l.id), '[]'::json)
            from credit_lot l where l.business_id = ? and l.entry_id = ids.id) as lots,
         (select coalesce(json_agg(json_build_object('lotId', a.lot_id, 'source', a.source, 'amount', a.amount::text,
                   'expiresAt', l.expires_at) order by a.position), '[]'::json)
            from lot_allocation a join credit_lot l on l.business_id = a.business_id and l.id = a.lot_id
            where a.business_id = ? and a.entry_id = ids.id) as allocations,
         (select r.id::text from ledger_entry r where r.business_id = ? and r.reverses_entry_id = ids.id limit 1) as reversed_by_entry_id
       from unnest(string_to_array(?, ',')::uuid[]) as ids(id)`,
      [businessId, businessId, businessId, entryIds.join(',')],
    );
  }

  /** Whether the client of this business has this entry (a reversal names it; anything else is not found). */
  async hasEntry(businessId: string, clientId: string, entryId: string): Promise<boolean> {
    const row = await this.db.one<{ found: boolean }>(
      'select true as found from ledger_entry where business_id = ? and client_id = ? and id = ?::uuid',
      [businessId, clientId, entryId],
    );
    return row !== null;
  }
}
