import Decimal from 'decimal.js';
import { currencyScale, isSupportedCurrency } from './currency';

/**
 * decimal.js rounds every result to 20 significant digits by default, so a balance past 1e18 would silently lose
 * its cents. Amounts have at most 15 integer digits: with 60 digits no reachable balance is ever rounded.
 */
export const decimalPrecisionDigits = 60;
Decimal.set({ precision: decimalPrecisionDigits });

/** Money never touches a JavaScript number: amounts are decimal strings on the wire and Decimal in code. */
export const amountIntegerDigitsMax = 15;
const amountPattern = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export type AmountProblem =
  | 'not_a_decimal_string'
  | 'unsupported_currency'
  | 'not_positive'
  | 'too_many_decimals'
  | 'too_large';

export type ParsedAmount = { ok: true; value: Decimal } | { ok: false; problem: AmountProblem; message: string };

/** Parses a wire amount for a currency: a plain decimal string, > 0, with no more decimals than the currency allows. */
export function parseAmount(raw: unknown, currency: string): ParsedAmount {
  if (typeof raw !== 'string' || !amountPattern.test(raw)) {
    return { ok: false, problem: 'not_a_decimal_string', message: 'Amount must be a decimal string such as "25.50"' };
  }
  if (!isSupportedCurrency(currency)) {
    return { ok: false, problem: 'unsupported_currency', message: `Unsupported currency ${currency}` };
  }
  const value = new Decimal(raw);
  const scale = currencyScale(currency);
  if (value.lte(0)) return { ok: false, problem: 'not_positive', message: 'Amount must be greater than zero' };
  const writtenDecimals = raw.split('.')[1]?.length ?? 0;
  if (writtenDecimals > scale) {
    return {
      ok: false,
      problem: 'too_many_decimals',
      message: `${currency} amounts allow at most ${scale} decimal place${scale === 1 ? '' : 's'}`,
    };
  }
  if (value.trunc().toFixed(0).length > amountIntegerDigitsMax) {
    return { ok: false, problem: 'too_large', message: `Amount must have at most ${amountIntegerDigitsMax} integer digits` };
  }
  return { ok: true, value };
}

/** Formats an amount with exactly the currency's decimals ("25.50", "1000", "1.250"). Refuses to round. */
export function formatAmount(value: Decimal.Value, currency: string): string {
  const decimal = new Decimal(value);
  const scale = currencyScale(currency);
  if (decimal.decimalPlaces() > scale) throw new Error(`${decimal.toString()} has more than ${scale} decimals for ${currency}`);
  return decimal.toFixed(scale);
}

/** The smallest of the given amounts: used to cap a payment at min(balance, owed, requested). */
export function minAmount(first: Decimal, ...rest: Decimal[]): Decimal {
  return rest.reduce((min, value) => (value.lt(min) ? value : min), first);
}

export { Decimal };
