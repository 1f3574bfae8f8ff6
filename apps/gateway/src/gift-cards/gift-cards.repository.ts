import { Injectable } from '@nestjs/common';
import {
  giftCardDisplayStatus,
  hashGiftCardCode,
  isGiftCardVoidable,
  type GiftCardDisplayStatus,
  type GiftCardListItem,
  type GiftCardStatus,
} from '@storecredit/contracts';
import { Clock } from '@storecredit/ledger';
import { Database } from '../database';
import { decodeCursor, encodeCursor } from '../http/pagination';

interface GiftCardRow {
  id: string;
  last4: string;
  amount: string;
  currency: string;
  status: GiftCardStatus;
  expires_at: Date | null;
  redeemed_at: Date | null;
  redeemed_client_id: string | null;
  voided_at: Date | null;
  created_at: Date;
}

/**
 * The status filter in SQL. It must select exactly the cards giftCardDisplayStatus shows with that status, at the
 * same instant: `now` is the one the answer's statuses are worked out with.
 */
function statusCondition(status: GiftCardDisplayStatus, now: Date): { sql: string; params: unknown[] } {
  if (status === 'expired') return { sql: "status = 'active' and expires_at is not null and expires_at <= ?::timestamptz", params: [now.toISOString()] };
  if (status === 'active') return { sql: "status = 'active' and (expires_at is null or expires_at > ?::timestamptz)", params: [now.toISOString()] };
  return { sql: 'status = ?', params: [status] };
}

function listItem(row: GiftCardRow, now: Date): GiftCardListItem {
  const card = { status: row.status, expiresAt: row.expires_at };
  return {
    id: row.id,
    last4: row.last4,
    amount: row.amount,
    currency: row.currency,
    status: giftCardDisplayStatus(card, now),
    voidable: isGiftCardVoidable(card),
    expiresAt: row.expires_at && new Date(row.expires_at).toISOString(),
    redeemedAt: row.redeemed_at && new Date(row.redeemed_at).toISOString(),
    redeemedClientId: row.redeemed_client_id,
    voidedAt: row.voided_at && new Date(row.voided_at).toISOString(),
    issuedAt: new Date(row.created_at).toISOString(),
  };
}

@Injectable()
export class GiftCardsRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  findCurrencyByCode(businessId: string, code: string): Promise<{ currency: string } | null> {
    return this.db.one('select currency from gift_card where business_id = ? and code_hash = ?', [businessId, hashGiftCardCode(code)]);
  }

  async exists(businessId: string, id: string): Promise<boolean> {
    return (await this.db.one('select 1 from gift_card where business_id = ? and id = ?', [businessId, id])) !== null;
  }

  async list(
    businessId: string,
    filter: { status?: GiftCardDisplayStatus; last4?: string },
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: GiftCardListItem[]; nextCursor: string | null }> {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const now = this.clock.now();
    const conditions = ['business_id = ?'];
    const params: unknown[] = [businessId];
    if (filter.last4 !== undefined) {
      conditions.push('last4 = ?');
      params.push(filter.last4.toUpperCase());
    }
    if (filter.status !== undefined) {
      const condition = statusCondition(filter.status, now);
      conditions.push(condition.sql);
      params.push(...condition.params);
    }
    if (after) {
      conditions.push('(created_at, id) < (?::timestamptz, ?::uuid)');
      params.push(after[0], after[1]);
    }
    const rows = await this.db.query<GiftCardRow>(
      `select id, last4, amount::text as amount, currency, status, expires_at, redeemed_at, redeemed_client_id, voided_at, created_at
       from gift_card where ${conditions.join(' and ')} order by created_at desc, id desc limit ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => listItem(row, now)),
      nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null,
    };
  }
}
