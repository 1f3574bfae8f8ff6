import {
  Decimal,
  formatAmount,
  liabilityAgeBuckets,
  liabilityExpiryBuckets,
  lotSources,
  type CurrencyLiability,
  type LiabilityAgeBucket,
  type LiabilityExpiryBucket,
  type LiabilityReport,
  type LotSource,
} from '@storecredit/contracts';
import type { AllocationSummaryRow, GiftCardLiabilityRow, LotSummaryRow } from './reports.repository';

/** Which disjoint expiry bands (reports.repository.ts: expiryBands, by index) each bucket sums: within-N is cumulative. */
const expiryBandsOf: Record<LiabilityExpiryBucket, readonly number[]> = {
  'past-due': [0],
  'within-30': [1],
  'within-60': [1, 2],
  'within-90': [1, 2, 3],
  later: [4],
  never: [5],
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
  const outstanding = (keep: (row: LotSummaryRow) => boolean) => total(lots.filter(keep).map((row) => row.amount));
  const bonusDrawn = (column: 'expired' | 'reversed' | 'spent') => total(allocations.filter((row) => row.source === 'bonus').map((row) => row[column]));
  const bonusLeft = outstanding((row) => row.source === 'bonus');
  const breakage = allocations.filter((row) => new Decimal(row.expired).gt(0));
  const giftCards = rows.giftCards.find((row) => row.currency === currency);
  return {
    currency,
    outstanding: money(outstanding(() => true)),
    bySource: lotSources.map((source) => ({ source, amount: money(outstanding((row) => row.source === source)) })),
    byAge: liabilityAgeBuckets.map((bucket, index) => ({ bucket, amount: money(outstanding((row) => row.age === index)) })),
    byExpiry: liabilityExpiryBuckets.map((bucket) => ({ bucket, amount: money(outstanding((row) => expiryBandsOf[bucket].includes(row.expiry))) })),
    giftCards: { count: giftCards ? Number(giftCards.count) : 0, amount: money(giftCards?.amount ?? 0) },
    breakage: {
      total: money(total(breakage.map((row) => row.expired))),
      byMonth: breakage.map((row) => ({ month: row.month.slice(0, 7), source: row.source, amount: money(row.expired) })),
    },
    bonus: {
      // Every allocation by asOf drew from a lot created by then: a bonus lot's amount is what is left plus what was drawn.
      granted: money(bonusLeft.plus(bonusDrawn('spent')).plus(bonusDrawn('expired')).plus(bonusDrawn('reversed'))),
      consumed: money(bonusDrawn('spent')),
      expired: money(bonusDrawn('expired')),
      reversed: money(bonusDrawn('reversed')),
      outstanding: money(bonusLeft),
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
