import { Decimal, formatAmount, lotSources, type LotSource } from '@storecredit/contracts';
import type { AllocationSummaryRow, GiftCardLiabilityRow, LotSummaryRow } from './reports.repository';

export const ageBuckets = ['0-30', '31-90', '91-180', '181-365', 'over-365'] as const;
export type AgeBucket = (typeof ageBuckets)[number];
/** within-N includes the shorter windows; pastDue + within-90 + later + never = outstanding. */
export const expiryBuckets = ['past-due', 'within-30', 'within-60', 'within-90', 'later', 'never'] as const;
export type ExpiryBucket = (typeof expiryBuckets)[number];

export interface CurrencyLiability {
  currency: string;
  /** Σ remaining of the lots at asOf: the balances owed then. */
  outstanding: string;
  bySource: { source: LotSource; amount: string }[];
  byAge: { bucket: AgeBucket; amount: string }[];
  byExpiry: { bucket: ExpiryBucket; amount: string }[];
  /** Gift cards issued and not redeemed, voided or expired at asOf: owed beside the balances, not part of them. */
  giftCards: { count: number; amount: string };
  breakage: { total: string; byMonth: { month: string; source: LotSource; amount: string }[] };
  bonus: { granted: string; consumed: string; expired: string; reversed: string; outstanding: string };
}

export interface LiabilityReport {
  asOf: string;
  currencies: CurrencyLiability[];
}

const ageColumns: Record<AgeBucket, keyof LotSummaryRow> = {
  '0-30': 'age_0_30',
  '31-90': 'age_31_90',
  '91-180': 'age_91_180',
  '181-365': 'age_181_365',
  'over-365': 'age_over_365',
};
const expiryColumns: Record<ExpiryBucket, keyof LotSummaryRow> = {
  'past-due': 'expiry_past_due',
  'within-30': 'expiry_within_30',
  'within-60': 'expiry_within_60',
  'within-90': 'expiry_within_90',
  later: 'expiry_later',
  never: 'expiry_never',
};

export interface LiabilityRows {
  lots: LotSummaryRow[];
  allocations: AllocationSummaryRow[];
  giftCards: GiftCardLiabilityRow[];
}

/**
 * The report from the summary rows: every currency that has a lot, an allocation or a gift card (or the one asked
 * for, even when it has none), every source and bucket listed (zero when empty), amounts in the currency's decimals.
 */
export function liabilityReport(asOf: Date, rows: LiabilityRows, currency: string | undefined): LiabilityReport {
  const currencies = new Set<string>([...rows.lots, ...rows.allocations, ...rows.giftCards].map((row) => row.currency));
  if (currency !== undefined) currencies.add(currency);
  return {
    asOf: asOf.toISOString(),
    currencies: [...currencies].sort().map((code) => currencyLiability(code, rows)),
  };
}

function currencyLiability(currency: string, rows: LiabilityRows): CurrencyLiability {
  const lots = rows.lots.filter((row) => row.currency === currency);
  const allocations = rows.allocations.filter((row) => row.currency === currency);
  const money = (value: Decimal.Value) => formatAmount(value, currency);
  const total = (values: Decimal.Value[]) => values.reduce<Decimal>((sum, value) => sum.plus(value), new Decimal(0));
  const lotTotal = (column: keyof LotSummaryRow, source?: LotSource) =>
    total(lots.filter((row) => source === undefined || row.source === source).map((row) => row[column]));
  const bonusDrawn = (column: 'expired' | 'reversed' | 'spent') => total(allocations.filter((row) => row.source === 'bonus').map((row) => row[column]));
  const breakage = allocations.filter((row) => new Decimal(row.expired).gt(0));
  const giftCards = rows.giftCards.find((row) => row.currency === currency);
  return {
    currency,
    outstanding: money(lotTotal('outstanding')),
    bySource: lotSources.map((source) => ({ source, amount: money(lotTotal('outstanding', source)) })),
    byAge: ageBuckets.map((bucket) => ({ bucket, amount: money(lotTotal(ageColumns[bucket])) })),
    byExpiry: expiryBuckets.map((bucket) => ({ bucket, amount: money(lotTotal(expiryColumns[bucket])) })),
    giftCards: { count: giftCards ? Number(giftCards.count) : 0, amount: money(giftCards?.amount ?? 0) },
    breakage: {
      total: money(total(breakage.map((row) => row.expired))),
      byMonth: breakage.map((row) => ({ month: row.month.slice(0, 7), source: row.source, amount: money(row.expired) })),
    },
    bonus: {
      granted: money(lotTotal('granted', 'bonus')),
      consumed: money(bonusDrawn('spent')),
      expired: money(bonusDrawn('expired')),
      reversed: money(bonusDrawn('reversed')),
      outstanding: money(lotTotal('outstanding', 'bonus')),
    },
  };
}

export const liabilityCsvColumns = ['table', 'currency', 'category', 'month', 'amount', 'count'] as const;

/**
 * The report's tables as CSV records (one long table, so a spreadsheet can pivot it): every cell is ours (codes,
 * months, amounts), none is text a person typed, so none needs the formula guard of a client's history.
 */
export function liabilityCsvRecords(report: LiabilityReport): string[][] {
  const records: string[][] = [];
  for (const c of report.currencies) {
    const add = (table: string, category: string, amount: string, month = '', count = '') => records.push([table, c.currency, category, month, amount, count]);
    add('outstanding', 'total', c.outstanding);
    for (const row of c.bySource) add('outstanding_by_source', row.source, row.amount);
    for (const row of c.byAge) add('outstanding_by_age_days', row.bucket, row.amount);
    for (const row of c.byExpiry) add('outstanding_by_expiry', row.bucket, row.amount);
    add('gift_cards_unredeemed', 'total', c.giftCards.amount, '', String(c.giftCards.count));
    for (const row of c.breakage.byMonth) add('breakage', row.source, row.amount, row.month);
    add('breakage', 'total', c.breakage.total);
    for (const key of ['granted', 'consumed', 'expired', 'reversed', 'outstanding'] as const) add('bonus', key, c.bonus[key]);
  }
  return records;
}
