import { Injectable } from '@nestjs/common';
import { Database } from '../database';

/** A balance payment (a payment at checkout or a hold's capture) with its sale's figures and who made it. */
export interface PaymentRow {
  command_id: string;
  client_id: string;
  sale_id: string;
  currency: string;
  amount_applied: string;
  amount_refunded: string;
  created_at: Date;
  /** The hold this payment captured; null for a payment made at once. */
  hold_id: string | null;
  actor: string | null;
  actor_name: string | null;
  /** The sale's amount and what refunds of it returned; null for a payment from before sales were recorded. */
  sale_amount: string | null;
  sale_refunded: string | null;
}

export interface SaleRow {
  sale_id: string;
  client_id: string;
  currency: string;
  amount: string;
  paid_with_balance: string;
  refunded: string;
  held: string;
  created_at: Date;
  updated_at: Date;
}

/** How many balance payments of one sale the sale's read lists (a till splits a sale into a few, never hundreds). */
export const salePaymentsListedMax = 100;

/**
 * A payment's columns: the sale it paid (bounding its refunds with its own figures), the entry it posted (who) and the
 * hold it captured, if any. The ledger writes all of these; the gateway only reads them.
 */
const selectPayments = `select p.command_id, p.client_id, p.sale_id, p.currency, p.amount_applied::text as amount_applied,
    p.amount_refunded::text as amount_refunded, p.created_at, h.hold_id::text as hold_id, e.actor,
    coalesce(
      (select s.name from staff s where s.business_id = e.business_id and 'staff:' || s.id::text = e.actor),
      (select k.name from api_key k where k.business_id = e.business_id and 'service:api-key:' || k.id::text = e.actor)
    ) as actor_name,
    sa.amount::text as sale_amount, sa.refunded::text as sale_refunded
  from balance_payment p
  left join sale sa on sa.business_id = p.business_id and sa.sale_id = p.sale_id
  left join ledger_entry e on e.business_id = p.business_id and e.id = p.entry_id
  left join lateral (
    select h.hold_id from balance_hold h
    where h.business_id = p.business_id and h.client_id = p.client_id and h.ended_by = p.command_id and h.status = 'captured' limit 1
  ) h on true`;

/** Reads what refunds may still return straight from PostgreSQL (the ledger writes it); every read is of one business. */
@Injectable()
export class RefundsRepository {
  constructor(private readonly db: Database) {}

  /**
   * The client's balance payments (in one currency, when named), newest first, after the sort key `after`
   * (created_at, command id), at most `rowsMax`; null when the business has no such client.
   */
  async paymentsOfClient(
    businessId: string,
    clientId: string,
    currency: string | undefined,
    after: readonly [string, string] | null,
    rowsMax: number,
  ): Promise<PaymentRow[] | null> {
    const client = await this.db.one<{ id: string }>('select id from client where business_id = ? and id = ?', [businessId, clientId]);
    if (!client) return null;
    const conditions = ['p.business_id = ?', 'p.client_id = ?'];
    const params: unknown[] = [businessId, clientId];
    if (currency !== undefined) {
      conditions.push('p.currency = ?');
      params.push(currency);
    }
    if (after) {
      conditions.push('(p.created_at, p.command_id) < (?::timestamptz, ?)');
      params.push(after[0], after[1]);
    }
    return this.db.query<PaymentRow>(
      `${selectPayments} where ${conditions.join(' and ')} order by p.created_at desc, p.command_id desc limit ?`,
      [...params, rowsMax],
    );
  }

  /** A sale of the business, or null. */
  sale(businessId: string, saleId: string): Promise<SaleRow | null> {
    return this.db.one<SaleRow>(
      `select sale_id, client_id, currency, amount::text as amount, paid_with_balance::text as paid_with_balance,
              refunded::text as refunded, held::text as held, created_at, updated_at
       from sale where business_id = ? and sale_id = ?`,
      [businessId, saleId],
    );
  }

  /** The sale's balance payments, newest first. */
  paymentsOfSale(businessId: string, saleId: string): Promise<PaymentRow[]> {
    return this.db.query<PaymentRow>(`${selectPayments} where p.business_id = ? and p.sale_id = ? order by p.created_at desc, p.command_id desc limit ?`, [
      businessId,
      saleId,
      salePaymentsListedMax,
    ]);
  }
}
