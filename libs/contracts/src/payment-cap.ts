import { Decimal, minAmount } from './money';

/**
 * What a balance payment applies: never more than the balance, the amount still owed, the amount asked for, or what
 * the sale's amount leaves after its earlier balance payments. The ledger applies it; it is in the contract so a till
 * or the staff web app can show the same cap before sending a payment.
 */
export function paymentToApply(balance: Decimal, owed: Decimal, requested?: Decimal, saleLeft?: Decimal): Decimal {
  const limits = [owed, requested, saleLeft].filter((limit): limit is Decimal => limit !== undefined);
  const capped = minAmount(balance, ...limits);
  return capped.isNegative() ? new Decimal(0) : capped;
}
