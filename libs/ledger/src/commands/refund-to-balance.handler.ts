import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal, formatAmount, type CommandOf } from '@storecredit/contracts';
import { EarlierResult, type Decision } from '../command-outcomes';
import { restoredLots, type LotSpec } from '../lot-rules';
import { earlierRefund, refundOfSale, refundStateOf, saleSummary, type SaleState } from '../sale-rules';
import type { UnitOfWork } from '../unit-of-work';
import { refundedAfter } from '../wallet-rules';
import { LedgerCommand } from './ledger-command';
import { postedResult } from './wallet-result';

export class RefundToBalanceCommand extends LedgerCommand<'balance.refund'> {}

/**
 * A refund credited to balance, at most once per refund id. A refund of a balance payment never returns more in
 * total than the payment applied, and refunds of one sale never more than the sale's amount (sale-rules.ts and
 * wallet-rules.ts decide; the payment's and the sale's versions serialise two writers of them). What it credits comes
 * back as lots: a refund of a payment gives back the lots that payment drew from; a refund by sale first refunds what
 * the sale's other means of payment (a card) paid, as `refund` credit, then gives back the lots of its balance
 * payments (latest first), so a sale paid with bonus or expiring credit never returns it as credit without expiry.
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
    const graceDays = work.refundGraceDays(payload.businessId);
    const lots = paid
      ? restoredLots(work.drawnBy(payload.businessId, paid.payment.entryId), new Decimal(paid.payment.amountRefunded), amount, 'refund', now, graceDays)
      : refundBySale(work, payload, found, amount, now, graceDays);
    const posted = work.post(payload, { type: 'refund_credit', amount, referenceType: 'refund', referenceId: payload.refundId, lots }, now);
    if (paid) work.changePayment(paid.payment, { amountRefunded: paid.refunded });
    work.storeSale(found, sale, now);
    const result = postedResult(posted, { sale: saleSummary(sale), lots: posted.lots });
    work.addRefund({ ...refundStateOf(payload, result), saleId, amount: payload.amount, createdAt: now });
    return result;
  }
}

/**
 * The lots a refund by sale gives: first what the sale's other means of payment paid and no refund has returned yet
 * (its amount less what balance paid and holds reserve, less refunds that were not of balance payments), as `refund`
 * credit; then the lots its balance payments drew, latest payment first, each payment marked refunded by what it gave
 * back (so a later refund of that payment gives back only the rest); whatever remains (a payment from before lots) as
 * `refund` credit.
 */
function refundBySale(work: UnitOfWork, payload: CommandOf<'balance.refund'>, found: SaleState | undefined, amount: Decimal, now: Date, graceDays: number): LotSpec[] {
  if (!found) return [{ source: 'refund', amount, expiresAt: null }];
  const payments = work.paymentsOfSale(payload.businessId, found.saleId);
  const refundedOfPayments = payments.reduce((sum, payment) => sum.plus(payment.amountRefunded), new Decimal(0));
  const otherMeans = new Decimal(found.amount).minus(found.paidWithBalance).minus(found.held);
  const otherMeansLeft = Decimal.max(0, otherMeans.minus(Decimal.max(0, new Decimal(found.refunded).minus(refundedOfPayments))));
  const specs: LotSpec[] = [];
  const first = Decimal.min(amount, otherMeansLeft);
  if (first.gt(0)) specs.push({ source: 'refund', amount: first, expiresAt: null });
  let left = amount.minus(first);
  for (const payment of [...payments].reverse()) {
    if (left.isZero()) break;
    const refundable = new Decimal(payment.amountApplied).minus(payment.amountRefunded);
    const take = Decimal.min(left, refundable);
    if (take.lte(0)) continue;
    specs.push(...restoredLots(work.drawnBy(payload.businessId, payment.entryId), new Decimal(payment.amountRefunded), take, 'refund', now, graceDays));
    work.changePayment(payment, { amountRefunded: formatAmount(new Decimal(payment.amountRefunded).plus(take), payment.currency) });
    left = left.minus(take);
  }
  if (left.gt(0)) specs.push({ source: 'refund', amount: left, expiresAt: null });
  return specs;
}
