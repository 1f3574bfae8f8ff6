import { Decimal, minAmount } from '@storecredit/contracts';

/**
 * What a balance payment applies: never more than the balance, the amount still owed, the amount asked for, or what
 * the sale's amount leaves after its earlier balance payments.
 */
export function paymentToApply(balance: Decimal, owed: Decimal, requested?: Decimal, saleLeft?: Decimal): Decimal {
  const limits = [owed, requested, saleLeft].filter((limit): limit is Decimal => limit !== undefined);
  const capped = minAmount(balance, ...limits);
  return capped.isNegative() ? new Decimal(0) : capped;
}
