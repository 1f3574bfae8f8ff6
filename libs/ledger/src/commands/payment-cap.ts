import { Decimal, minAmount } from '@storecredit/contracts';

/** What a balance payment applies: never more than the balance, the amount still owed, or the amount asked for. */
export function paymentToApply(balance: Decimal, owed: Decimal, requested?: Decimal): Decimal {
  const capped = requested === undefined ? minAmount(balance, owed) : minAmount(balance, owed, requested);
  return capped.isNegative() ? new Decimal(0) : capped;
}
