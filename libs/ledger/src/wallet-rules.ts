import { Decimal, formatAmount, type CommandOf } from '@storecredit/contracts';
import { LedgerRejection } from './errors';

/**
 * The rules of money that decide a balance change, as pure functions: UnitOfWork.post and the refund handler decide
 * through them.
 */

/**
 * The balance after a posting; refuses a debit that would take the balance below what active holds reserve (below
 * zero when nothing is held): a debit is checked against available = balance - held, never against balance alone.
 */
export function balanceAfterPosting(balance: string, amount: Decimal, currency: string, held: string = '0'): string {
  if (amount.isZero()) throw new Error('a ledger entry must move a non-zero amount');
  const after = new Decimal(balance).plus(amount);
  if (amount.isNegative() && after.lt(held)) {
    const details = { balance: formatAmount(balance, currency), currency };
    const onHold = new Decimal(held);
    throw new LedgerRejection(
      'insufficient_balance',
      onHold.isZero() ? details : { ...details, available: formatAmount(availableOf(balance, held), currency), held: formatAmount(held, currency) },
    );
  }
  return formatAmount(after, currency);
}

/** What a wallet can spend: its balance less its active holds. */
export function availableOf(balance: string, held: string): Decimal {
  return new Decimal(balance).minus(held);
}

export interface RefundablePayment {
  clientId: string;
  currency: string;
  amountApplied: string;
  amountRefunded: string;
}

/**
 * The payment's refunded total after a refund of it; refuses a refund of a payment that is not this client's,
 * is in another currency, or would return more in total than the payment applied.
 */
export function refundedAfter<P extends RefundablePayment>(
  found: P | null | undefined,
  command: Pick<CommandOf<'balance.refund'>, 'clientId' | 'currency'>,
  paymentCommandId: string,
  amount: Decimal,
): { payment: P; refunded: string } {
  const payment = found ?? undefined;
  if (!payment || payment.clientId !== command.clientId) {
    throw new LedgerRejection('not_found', { paymentCommandId }, 'Balance payment not found');
  }
  if (payment.currency !== command.currency) {
    throw new LedgerRejection('currency_mismatch', { paymentCurrency: payment.currency, currency: command.currency });
  }
  const refundable = paymentRefundable(payment);
  if (amount.gt(refundable)) {
    throw new LedgerRejection('refund_exceeds_payment', { amountApplied: payment.amountApplied, amountRefunded: payment.amountRefunded, refundable });
  }
  return { payment, refunded: formatAmount(new Decimal(payment.amountRefunded).plus(amount), payment.currency) };
}

/**
 * What refunds of a balance payment may still return: what it applied less what refunds of it returned. The refund
 * handler refuses more (refundedAfter); the gateway shows it to staff (the sale's own bound is saleRefundable).
 */
export function paymentRefundable(payment: Pick<RefundablePayment, 'currency' | 'amountApplied' | 'amountRefunded'>): string {
  return formatAmount(new Decimal(payment.amountApplied).minus(payment.amountRefunded), payment.currency);
}
