import Decimal from 'decimal.js';

/**
 * Money in the browser: decimal strings from the server, decimal.js for arithmetic, never a JavaScript
 * number. Formatting is done on the string so no amount goes through a float on its way to the screen.
 */

/** ISO 4217 minor units for the currencies a salon is likely to use; others ask the browser's own table. */
const scaleByCurrency: Readonly<Record<string, number>> = {
  AED: 2, SAR: 2, QAR: 2, USD: 2, EUR: 2, GBP: 2, EGP: 2, INR: 2, CHF: 2, AUD: 2, CAD: 2,
  KWD: 3, BHD: 3, OMR: 3, JOD: 3, TND: 3, IQD: 3, LYD: 3,
  JPY: 0, KRW: 0, CLP: 0, ISK: 0, VND: 0, UGX: 0,
};

/** Currencies offered when a client has no wallet in one yet. */
export const currencyChoices = ['AED', 'SAR', 'QAR', 'KWD', 'BHD', 'OMR', 'USD', 'EUR', 'GBP', 'JPY'] as const;
export const defaultCurrency = 'AED';
/** Twelve integer digits: far above any salon's balance, far below where a typo becomes plausible. */
export const integerDigitsMax = 12;

export function currencyScale(currency: string): number {
  const known = scaleByCurrency[currency];
  if (known !== undefined) return known;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1234.5" in AED → "1,234.50". Never rounds: an amount with more decimals than the currency has keeps them. */
export function formatNumber(amount: string, currency: string): string {
  const value = new Decimal(amount).abs();
  const scale = Math.max(currencyScale(currency), value.decimalPlaces());
  const [whole, fraction] = value.toFixed(scale).split('.');
  return fraction === undefined ? groupThousands(whole) : `${groupThousands(whole)}.${fraction}`;
}

/** "AED 1,234.50"; with `signed`, "+AED 25.00" or "−AED 5.00" (a true minus sign, read aloud as minus). */
export function formatMoney(amount: string, currency: string, options: { signed?: boolean } = {}): string {
  const value = new Decimal(amount);
  const sign = value.isNegative() && !value.isZero() ? '−' : options.signed && !value.isZero() ? '+' : '';
  return `${sign}${currency} ${formatNumber(amount, currency)}`;
}

export function isPositive(amount: string): boolean {
  return new Decimal(amount).gt(0);
}

export type AmountCheck = { ok: true; value: string } | { ok: false; message: string };

/** Validates what a person typed as an amount: digits and one point, > 0, no more decimals than the currency allows. */
export function checkAmount(input: string, currency: string): AmountCheck {
  const text = input.trim().replace(/,/g, '');
  if (text === '') return { ok: false, message: 'Enter an amount' };
  if (!/^\d*\.?\d*$/.test(text) || text === '.') return { ok: false, message: 'Use digits and a decimal point only' };
  if (text.endsWith('.')) return { ok: false, message: 'Add the digits after the decimal point' };
  const scale = currencyScale(currency);
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  if (decimals > scale) {
    return { ok: false, message: scale === 0 ? `${currency} amounts have no decimals` : `${currency} allows at most ${scale} decimal${scale === 1 ? '' : 's'}` };
  }
  const value = new Decimal(text);
  if (value.lte(0)) return { ok: false, message: 'Amount must be more than zero' };
  if (value.truncated().toFixed(0).length > integerDigitsMax) return { ok: false, message: 'Amount is too large' };
  return { ok: true, value: value.toFixed(scale) };
}

/**
 * A deduction typed against the available balance shown: more than it is refused before anything is sent (the
 * ledger refuses it too, and decides when the balance shown is out of date).
 */
export function checkWithinAvailable(check: AmountCheck, available: string, currency: string): AmountCheck {
  if (!check.ok || !new Decimal(check.value).gt(available)) return check;
  return { ok: false, message: `More than the available ${formatMoney(available, currency)}` };
}

export function sameAmount(a: string, b: string): boolean {
  return new Decimal(a).eq(b);
}

/** The most a checkout may take from the balance: min(available, still owed), never below zero. */
export function paymentCap(available: string, owed: string): string {
  return Decimal.max(0, Decimal.min(available, owed)).toString();
}

export function subtract(a: string, b: string, currency: string): string {
  return new Decimal(a).minus(b).toFixed(currencyScale(currency));
}

export function toScale(amount: string, currency: string): string {
  return new Decimal(amount).toFixed(currencyScale(currency));
}

export function greaterThan(a: string, b: string): boolean {
  return new Decimal(a).gt(b);
}
