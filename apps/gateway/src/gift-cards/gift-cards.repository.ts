import { Injectable } from '@nestjs/common';
import { hashGiftCardCode, type GiftCardDisplayStatus, type GiftCardStatus } from '@storecredit/contracts';
import { Database } from '../database';

export interface GiftCardRow {
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

@Injectable()
export class GiftCardsRepository {
  constructor(private readonly db: Database) {}

  findCurrencyByCode(businessId: string, code: string): Promise<{ currency: string } | null> {
    return this.db.one('select currency from gift_card where business_id = ? and code_hash = ?', [businessId, hashGiftCardCode(code)]);
  }

  async exists(businessId: string, id: string): Promise<boolean> {
    return (await this.db.one('select 1 from gift_card where business_id = ? and id = ?', [businessId, id])) !== null;
  }

  /**
   * The business's cards matching the filter, newest first, after the sort key `after` (created_at, id), at most
   * `rowsMax`. `now` decides which active cards have expired, so pass the instant their statuses are shown for.
   */
  cards(
    businessId: string,
    filter: { status?: GiftCardDisplayStatus; last4?: string },
    now: Date,
    after: readonly [string, string] | null,
    rowsMax: number,
  ): Promise<GiftCardRow[]> {
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
    return this.db.query<GiftCardRow>(
      `select id, last4, amount::text as amount, currency, status, expires_at, redeemed_at, redeemed_client_id, voided_at, created_at
       from gift_card where ${conditions.join(' and ')} order by created_at desc, id desc limit ?`,
      [...params, rowsMax],
    );
  }
}
