import { Injectable } from '@nestjs/common';
import { Database } from '../database';

export interface HoldRow {
  hold_id: string;
  client_id: string;
  sale_id: string;
  currency: string;
  amount: string;
  captured: string;
  status: 'active' | 'captured' | 'released' | 'expired';
  expires_at: Date;
  created_at: Date;
  ended_at: Date | null;
}

/** How many of a client's holds one read returns, newest first. */
export const holdsListedMax = 100;

/** Reads holds straight from PostgreSQL (the ledger writes them). */
@Injectable()
export class HoldsRepository {
  constructor(private readonly db: Database) {}

  /** A hold of the business, or null. */
  async find(businessId: string, holdId: string): Promise<HoldRow | null> {
    const [row] = await this.db.query<HoldRow>(`${selectHolds} where h.business_id = ? and h.hold_id = ?::uuid`, [businessId, holdId]);
    return row ?? null;
  }

  /** The client's holds (of one status, when named), newest first; null when the business has no such client. */
  async ofClient(businessId: string, clientId: string, status?: HoldRow['status']): Promise<HoldRow[] | null> {
    const [client] = await this.db.query<{ id: string }>('select id from client where business_id = ? and id = ?', [businessId, clientId]);
    if (!client) return null;
    return this.db.query<HoldRow>(
      `${selectHolds} where h.business_id = ? and h.client_id = ? ${status === undefined ? '' : 'and h.status = ?'}
       order by h.created_at desc, h.hold_id desc limit ${holdsListedMax}`,
      status === undefined ? [businessId, clientId] : [businessId, clientId, status],
    );
  }
}

const selectHolds = `select h.hold_id, h.client_id, h.sale_id, h.currency, h.amount::text as amount, h.captured::text as captured,
  h.status, h.expires_at, h.created_at, h.ended_at from balance_hold h`;
