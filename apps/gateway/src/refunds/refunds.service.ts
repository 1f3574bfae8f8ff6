import { Injectable } from '@nestjs/common';
import { referenceIdSchema } from '@storecredit/contracts';
import { paymentRefundableInSale, saleRefundable } from '@storecredit/ledger';
import type { Principal } from '../auth/principal';
import { actorLabel } from '../balances/actor-label';
import { clientNotFound } from '../clients/clients.service';
import { ApiError } from '../http/api-error';
import { decodeCursor, pageOf, type Page } from '../http/pagination';
import type { PaymentListQueryDto } from './refunds.schemas';
import { RefundsRepository, type PaymentRow, type SaleRow } from './refunds.repository';

export type PaymentListQuery = Pick<PaymentListQueryDto, 'currency' | 'cursor' | 'limit'>;

/**
 * What refunds may still return into balance, for the refund screen. "Still refundable" is the ledger's own decision
 * (libs/ledger's paymentRefundableInSale and saleRefundable, which RefundToBalanceHandler refuses beyond), computed
 * here over the same rows it decides against; the gateway never writes the rule again.
 */
@Injectable()
export class RefundsService {
  constructor(private readonly refunds: RefundsRepository) {}

  /** The client's balance payments and captures, newest first, each with what refunds of it may still return. */
  async payments(principal: Principal, clientId: string, query: PaymentListQuery): Promise<Page<PaymentView>> {
    const after = decodeCursor(query.cursor, ['timestamp', 'text']);
    const rows = await this.refunds.paymentsOfClient(principal.businessId, clientId, query.currency, after, query.limit + 1);
    if (rows === null) throw clientNotFound();
    return pageOf(rows, query.limit, (row) => [new Date(row.created_at).toISOString(), row.command_id], paymentView);
  }

  /** A sale of the business: its figures, what refunds of it may still return, and its balance payments. */
  async sale(principal: Principal, saleId: string): Promise<SaleView> {
    // An id no sale can have is not found, like another business's sale: never a 500, never a hint.
    const sale = referenceIdSchema.safeParse(saleId).success ? await this.refunds.sale(principal.businessId, saleId) : null;
    if (!sale) throw new ApiError('not_found', { saleId }, 'Sale not found');
    const payments = await this.refunds.paymentsOfSale(principal.businessId, saleId);
    return { ...saleFigures(sale), refundable: saleRefundable(saleState(sale)), payments: payments.map(paymentView) };
  }
}

export type PaymentView = ReturnType<typeof paymentView>;
export type SaleView = ReturnType<typeof saleFigures> & { refundable: string; payments: PaymentView[] };

function saleState(sale: Pick<SaleRow, 'currency' | 'amount' | 'refunded'>) {
  return { currency: sale.currency, amount: sale.amount, refunded: sale.refunded };
}

function paymentView(row: PaymentRow) {
  const payment = { currency: row.currency, amountApplied: row.amount_applied, amountRefunded: row.amount_refunded };
  const sale = row.sale_amount === null || row.sale_refunded === null ? undefined : saleState({ currency: row.currency, amount: row.sale_amount, refunded: row.sale_refunded });
  return {
    paymentCommandId: row.command_id,
    kind: row.hold_id === null ? ('payment' as const) : ('capture' as const),
    holdId: row.hold_id,
    clientId: row.client_id,
    saleId: row.sale_id,
    currency: row.currency,
    amountApplied: row.amount_applied,
    amountRefunded: row.amount_refunded,
    refundable: paymentRefundableInSale(payment, sale),
    createdAt: new Date(row.created_at).toISOString(),
    actor: row.actor,
    actorName: row.actor === null ? null : actorLabel(row.actor, row.actor_name),
  };
}

function saleFigures(sale: SaleRow) {
  return {
    saleId: sale.sale_id,
    clientId: sale.client_id,
    currency: sale.currency,
    amount: sale.amount,
    paidWithBalance: sale.paid_with_balance,
    refunded: sale.refunded,
    held: sale.held,
    createdAt: new Date(sale.created_at).toISOString(),
    updatedAt: new Date(sale.updated_at).toISOString(),
  };
}
