import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { formatAmount } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { paymentOfSale, saleSummary } from '../sale-rules';
import { LedgerCommand } from './ledger-command';
import { postedResult, unchangedResult } from './wallet-result';

export class PayWithBalanceCommand extends LedgerCommand<'balance.pay'> {}

/**
 * Checkout pays part or all of a sale with balance, capped at min(available, owed, requested, what the sale leaves);
 * never over-applies, however many payment commands name the sale (sale-rules.ts decides).
 */
@CommandHandler(PayWithBalanceCommand)
export class PayWithBalanceHandler implements ICommandHandler<PayWithBalanceCommand, Decision> {
  async execute({ payload, work, now }: PayWithBalanceCommand): Promise<Decision> {
    const wallet = work.wallet(payload);
    const found = work.sale(payload.businessId, payload.saleId);
    const payment = paymentOfSale(found, payload, work.available(wallet));
    const extra = { amountStillOwed: payment.amountStillOwed, sale: saleSummary(payment.sale) };
    if (payment.applied.isZero()) {
      // A payment that takes nothing posts nothing; a recorded sale it edits (a new saleAmount) is edited all the same.
      if (found) work.storeSale(found, payment.sale, now);
      return unchangedResult(wallet.posted ? wallet : null, payload, formatAmount(0, payload.currency), extra);
    }
    const posting = { type: 'used_for_payment' as const, amount: payment.applied.negated(), referenceType: 'payment' as const, referenceId: payload.saleId };
    const posted = work.post(payload, posting, now);
    work.storeSale(found, payment.sale, now);
    work.addPayment(payload, posted, payload.saleId, payment.applied, now);
    return postedResult(posted, { ...extra, allocations: posted.allocations });
  }
}
