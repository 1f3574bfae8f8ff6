import { Injectable } from '@nestjs/common';
import { hashGiftCardCode } from '@storecredit/contracts';
import { Database } from '../database';
import { decodeCursor, encodeCursor } from '../http/pagination';

export type GiftCardListStatus = 'active' | 'redeemed' | 'expired' | 'void';

interface GiftCardRow {
  id: string;
  last4: string;
  amount: string;
  currency: string;
  status: 'active' | 'redeemed' | 'void';
  expires_at: Date | null;
  redeemed_at: Date | null;
  redeemed_client_id: string | null;
  voided_at: Date | null;
  created_at: Date;
}

/** The status a person sees: an active card past its expiry is expired. */
function displayStatus(row: GiftCardRow, now: Date): GiftCardListStatus {
  if (row.status === 'active' && row.expires_at !== null && new Date(row.expires_at) <= now) return 'expired';
  return row.status;
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

  async list(businessId: string, filter: { status?: GiftCardListStatus; last4?: string }, cursor: string | undefined, limit: number) {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const conditions = ['business_id = ?'];
    const params: unknown[] = [businessId];
    if (filter.last4 !== undefined) {
      conditions.push('last4 = ?');
      params.push(filter.last4.toUpperCase());
    }
    if (filter.status === 'expired') conditions.push("status = 'active' and expires_at is not null and expires_at <= now()");
    else if (filter.status === 'active') conditions.push("status = 'active' and (expires_at is null or expires_at > now())");
    else if (filter.status !== undefined) {
      conditions.push('status = ?');
      params.push(filter.status);
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
    const now = new Date();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        last4: row.last4,
        amount: row.amount,
        currency: row.currency,
        status: displayStatus(row, now),
        expiresAt: row.expires_at && new Date(row.expires_at).toISOString(),
        redeemedAt: row.redeemed_at && new Date(row.redeemed_at).toISOString(),
        redeemedClientId: row.redeemed_client_id,
        voidedAt: row.voided_at && new Date(row.voided_at).toISOString(),
        issuedAt: new Date(row.created_at).toISOString(),
      })),
      nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.created_at).toISOString(), last.id]) : null,
    };
  }
}
