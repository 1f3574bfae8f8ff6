import {
  currencyScale,
  Decimal,
  formatAmount,
  isSupportedCurrency,
  parseAmount,
  paymentToApply,
  type AmountProblem,
} from '@storecredit/contracts';
import { currentDigits, currentLanguage, t } from './i18n';

/**
 * Money in the browser: decimal strings from the server, decimal.js for arithmetic, never a JavaScript number.
 * The rules (currencies and their decimals, what a valid amount is, the payment cap) are the contract's; this file
 * only reads what a person types and writes amounts for the screen.
 */

/** Decimals to show: the currency's, or none added for a code the contract does not know. */
function shownScale(currency: string): number {
  return isSupportedCurrency(currency) ? currencyScale(currency) : 0;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Intl's locale for the app's language: the UAE's English and Arabic, where the seed businesses are. */
export const intlLocales = { en: 'en-AE', ar: 'ar-AE' } as const;

/** English with Latin digits keeps the app's own plain format; any other choice is written by Intl for its locale. */
function byIntl(): boolean {
  return currentLanguage() !== 'en' || currentDigits() !== 'latn';
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * Intl's formatter for the language and digits chosen. An amount is given to it as its decimal string (Intl formats a
 * string exactly, never through a float), with the decimals it has, so nothing is rounded.
 */
function intlNumber(scale: number, currency: string | null, signed: boolean): Intl.NumberFormat {
  const key = `${currentLanguage()}|${currentDigits()}|${scale}|${currency ?? ''}|${signed}`;
  let format = numberFormats.get(key);
  if (!format) {
    const money: Intl.NumberFormatOptions = currency ? { style: 'currency', currency, currencyDisplay: currentLanguage() === 'en' ? 'code' : 'symbol' } : {};
    format = new Intl.NumberFormat(intlLocales[currentLanguage()], {
      ...money,
      numberingSystem: currentDigits(),
      minimumFractionDigits: scale,
      maximumFractionDigits: scale,
      signDisplay: signed ? 'exceptZero' : 'negative',
    });
    numberFormats.set(key, format);
  }
  return format;
}

/** Intl's own type admits a decimal string (ES2023 Intl.NumberFormat v3); the DOM lib here still says number. */
function formatDecimal(format: Intl.NumberFormat, value: Decimal, scale: number): string {
  return format.format(value.toFixed(scale) as unknown as number);
}

/** "1234.5" in AED → "1,234.50". Never rounds: an amount with more decimals than the currency has keeps them. */
export function formatNumber(amount: string, currency: string): string {
  const value = new Decimal(amount).abs();
  const scale = Math.max(shownScale(currency), value.decimalPlaces());
  if (byIntl()) return formatDecimal(intlNumber(scale, null, false), value, scale);
  const [whole, fraction] = value.toFixed(scale).split('.');
  return fraction === undefined ? groupThousands(whole) : `${groupThousands(whole)}.${fraction}`;
}

/**
 * "AED 1,234.50"; with `signed`, "+AED 25.00" or "−AED 5.00" (a true minus sign, read aloud as minus). In Arabic,
 * Intl's "‏1,234.50 د.إ.‏" (or with Arabic-Indic digits, by the staff member's setting).
 */
export function formatMoney(amount: string, currency: string, options: { signed?: boolean } = {}): string {
  const value = new Decimal(amount);
  if (byIntl() && /^[A-Z]{3}$/.test(currency)) {
    const scale = Math.max(shownScale(currency), value.decimalPlaces());
    return formatDecimal(intlNumber(scale, currency, options.signed ?? false), value, scale);
  }
  const sign = value.isNegative() && !value.isZero() ? '−' : options.signed && !value.isZero() ? '+' : '';
  return `${sign}${currency} ${formatNumber(amount, currency)}`;
}

export function isPositive(amount: string): boolean {
  return new Decimal(amount).gt(0);
}

export type AmountCheck = { ok: true; value: string } | { ok: false; message: string };

/** The contract's reasons to refuse an amount, in the words the staff see. */
const amountProblemMessages: Record<AmountProblem, (currency: string) => string> = {
  not_a_decimal_string: () => t('money.notADecimal'),
  unsupported_currency: (currency) => t('money.unsupportedCurrency', { currency }),
  not_positive: () => t('money.notPositive'),
  too_many_decimals: (currency) => {
    const scale = currencyScale(currency);
    return scale === 0 ? t('money.noDecimals', { currency }) : t('money.atMostDecimals', { currency, count: scale });
  },
  too_large: () => t('money.tooLarge'),
};

/** Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits, as a person may type them on an Arabic keyboard. */
const arabicIndicDigits = /[\u0660-\u0669\u06F0-\u06F9]/g;

/**
 * What a person typed in either digit set, in ASCII: Arabic-Indic digits become 0-9, the Arabic decimal separator
 * (٫) a point and the Arabic thousands separator (٬) a comma. Nothing else changes, so the contract still refuses
 * what is not an amount; no other digits ever reach the API.
 */
export function toAsciiDigits(text: string): string {
  return text
    .replace(arabicIndicDigits, (digit) => {
      const code = digit.charCodeAt(0);
      return String(code - (code >= 0x06f0 ? 0x06f0 : 0x0660));
    })
    .replace(/\u066B/g, '.')
    .replace(/\u066C/g, ',');
}

/**
 * What a person typed, as the contract's wire amount would be written: grouping commas dropped, a leading point given
 * its zero (".5" is "0.5") and leading zeros dropped ("007" is "7"). Anything else is left for parseAmount to refuse.
 */
function typedToWire(text: string): string {
  const withWhole = text.startsWith('.') ? `0${text}` : text;
  return withWhole.replace(/^0+(?=\d)/, '');
}

/** Validates what a person typed as an amount by the contract's rule; the wire value has the currency's decimals. */
export function checkAmount(input: string, currency: string): AmountCheck {
  const text = toAsciiDigits(input).trim().replace(/,/g, '');
  if (text === '') return { ok: false, message: t('money.enterAmount') };
  if (/^\d+\.$/.test(text)) return { ok: false, message: t('money.digitsAfterPoint') };
  const parsed = parseAmount(typedToWire(text), currency);
  if (!parsed.ok) return { ok: false, message: amountProblemMessages[parsed.problem](currency) };
  return { ok: true, value: formatAmount(parsed.value, currency) };
}

/**
 * A deduction typed against the available balance shown: more than it is refused before anything is sent (the
 * ledger refuses it too, and decides when the balance shown is out of date).
 */
export function checkWithinAvailable(check: AmountCheck, available: string, currency: string): AmountCheck {
  return checkAtMost(check, available, () => t('money.moreThanAvailable', { amount: formatMoney(available, currency) }));
}

/**
 * An amount typed against the most the server showed it may be (what is available, what is still refundable): more
 * is refused before anything is sent, in the words `tooMuch` gives; the server decides again when it is out of date.
 */
export function checkAtMost(check: AmountCheck, most: string, tooMuch: () => string): AmountCheck {
  if (!check.ok || !new Decimal(check.value).gt(most)) return check;
  return { ok: false, message: tooMuch() };
}

export function sameAmount(a: string, b: string): boolean {
  return new Decimal(a).eq(b);
}

/** The most a checkout may take from the balance, by the ledger's own rule, with the currency's decimals. */
export function paymentCap(available: string, owed: string, currency: string): string {
  return paymentToApply(new Decimal(available), new Decimal(owed)).toFixed(currencyScale(currency));
}

export function subtract(a: string, b: string, currency: string): string {
  return new Decimal(a).minus(b).toFixed(shownScale(currency));
}

export function toScale(amount: string, currency: string): string {
  return new Decimal(amount).toFixed(shownScale(currency));
}

export function greaterThan(a: string, b: string): boolean {
  return new Decimal(a).gt(b);
}
