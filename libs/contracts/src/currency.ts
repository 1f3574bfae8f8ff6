import * as currencyCodes from 'currency-codes';

/**
 * ISO 4217 minor units, from the ISO list shipped by `currency-codes`.
 * Funds codes and currencies without minor units defined (XAU, XDR, ...) are not wallet currencies.
 */
const minorUnitsByCode: ReadonlyMap<string, number> = new Map(
  currencyCodes
    .data.filter((c) => typeof c.digits === 'number' && !/^X/.test(c.code))
    .map((c) => [c.code, c.digits] as const),
);

/** Every wallet currency, in code order: what a person may choose from. */
export const supportedCurrencies: readonly string[] = [...minorUnitsByCode.keys()].sort();

export function isSupportedCurrency(code: string): boolean {
  return minorUnitsByCode.has(code);
}

/** Decimal places the currency allows (AED 2, JPY 0, KWD 3). Throws for an unknown code: check first. */
export function currencyScale(code: string): number {
  const scale = minorUnitsByCode.get(code);
  if (scale === undefined) throw new Error(`unsupported currency ${code}`);
  return scale;
}
