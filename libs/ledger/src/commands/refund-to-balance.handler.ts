import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal } from '@storecredit/contracts';
import { EarlierResult, type Decision } from '../command-outcomes';
import { restoredLots } from '../lot-rules';
import { earlierRefund, refundOfSale, refundStateOf, saleSummary } from '../sale-rules';
import { refundedAfter } from '../wallet-rules';
import { LedgerCommand } from './ledger-command';
import { postedResult } from './wallet-result';

export class RefundToBalanceCommand extends LedgerCommand<'balance.refund'> {}

/**
 * A refund credited to balance, at most once per refund id. A refund of a balance payment never returns more in
 * total than the payment applied, and refunds of one sale never more than the sale's amount (sale-rules.ts and
 * wallet-rules.ts decide; the payment's and the sale's versions serialise two writers of them).
 */
@CommandHandler(RefundToBalanceCommand)
export class RefundToBalanceHandler implements ICommandHandler<RefundToBalanceCommand, Decision> {
  async execute({ payload, work, now }: RefundToBalanceCommand): Promise<Decision> {
    const earlier = earlierRefund(work.refund(payload.businessId, payload.refundId), payload);
    if (earlier) return new EarlierResult(earlier);
    const amount = new Decimal(payload.amount);
    const paid =
      payload.paymentCommandId === undefined
        ? undefined
        : refundedAfter(work.payment(payload.businessId, payload.paymentCommandId), payload, payload.paymentCommandId, amount);
    const saleId = paid?.payment.saleId ?? payload.saleId;
    if (saleId === undefined) throw new Error(`refund ${payload.refundId} names neither a payment nor a sale`);
    const found = work.sale(payload.businessId, saleId);
    const sale = refundOfSale(found, payload, { saleId, payment: paid?.payment }, amount);
    // A refund of a balance payment gives back the lots it drew from; a refund by sale is credit of its own.
    const lots = paid
      ? restoredLots(work.drawnBy(payload.businessId, paid.payment.entryId), new Decimal(paid.payment.amountRefunded), amount, 'refund', now, work.refundGraceDays(payload.businessId))
      : [{ source: 'refund' as const, amount, expiresAt: null }];
    const posted = work.post(payload, { type: 'refund_credit', amount, referenceType: 'refund', referenceId: payload.refundId, lots }, now);
    if (paid) work.changePayment(paid.payment, { amountRefunded: paid.refunded });
    work.storeSale(found, sale, now);
    const result = postedResult(posted, { sale: saleSummary(sale), lots: posted.lots });
    work.addRefund({ ...refundStateOf(payload, result), saleId, amount: payload.amount, createdAt: now });
    return result;
  }
}
