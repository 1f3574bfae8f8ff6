import type { LotSource } from './entries';

/**
 * GET /api/reports/liability: what a business owes in store credit at a moment (`asOf`), per currency. Amounts are
 * decimal strings in the currency's decimals.
 */

/** A lot's age at asOf in whole days: 0–30 is younger than 31 days, and so on. */
export const liabilityAgeBuckets = ['0-30', '31-90', '91-180', '181-365', 'over-365'] as const;
export type LiabilityAgeBucket = (typeof liabilityAgeBuckets)[number];

/**
 * When a lot's credit stops being spendable, counted from asOf. within-N includes the shorter windows (within-60
 * holds within-30's credit too); past-due + within-90 + later + never = outstanding. past-due: credit past its expiry
 * that the ledger's sweep has not expired yet, still owed until it does.
 */
export const liabilityExpiryBuckets = ['past-due', 'within-30', 'within-60', 'within-90', 'later', 'never'] as const;
export type LiabilityExpiryBucket = (typeof liabilityExpiryBuckets)[number];

export interface CurrencyLiability {
  currency: string;
  /** Σ remaining of the lots at asOf: the balances owed then. */
  outstanding: string;
  bySource: { source: LotSource; amount: string }[];
  byAge: { bucket: LiabilityAgeBucket; amount: string }[];
  byExpiry: { bucket: LiabilityExpiryBucket; amount: string }[];
  /** Gift cards issued and not redeemed, voided or expired at asOf: owed beside the balances, not part of them. */
  giftCards: { count: number; amount: string };
  /** Credit that expired unused (balance_expired), by month (UTC, `YYYY-MM`) and the source of the lot it came from. */
  breakage: { total: string; byMonth: { month: string; source: LotSource; amount: string }[] };
  /** Bonus lots: granted, spent (payments and debits), expired, taken back by a reversal, and what is left. */
  bonus: { granted: string; consumed: string; expired: string; reversed: string; outstanding: string };
}

export interface LiabilityReport {
  /** The moment reported: the request's asOf (a date: the end of that day, UTC), never later than now. */
  asOf: string;
  currencies: CurrencyLiability[];
}
