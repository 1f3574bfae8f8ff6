import { Injectable } from '@nestjs/common';
import type { LotSource } from '@storecredit/contracts';
import { Database } from '../database';

/**
 * What the lots created by asOf held then, summed per currency, lot source, age bucket and expiry bucket: one row per
 * combination that holds credit.
 */
export interface LotSummaryRow {
  currency: string;
  source: LotSource;
  /** Index into liabilityAgeBuckets (0: 0–30 days, … 4: over 365). */
  age: number;
  /** Index into expiryBands (0: past due … 5: no expiry). */
  expiry: number;
  amount: string;
}

/** What debits drew from lots up to asOf, per currency, lot source and month (UTC): breakage and the bonus's fate. */
export interface AllocationSummaryRow {
  currency: string;
  source: LotSource;
  /** The month's first day, 'YYYY-MM-DD' (UTC). */
  month: string;
  expired: string;
  reversed: string;
  spent: string;
}

export interface GiftCardLiabilityRow {
  currency: string;
  count: string;
  amount: string;
}

/** The ages (days) at which a lot moves to the next bucket: 0–30 is younger than 31 days, and so on. */
export const ageBucketStartsDays = [31, 91, 181, 366] as const;
/**
 * Disjoint expiry bands (days after asOf) that the report sums into its buckets: past due, up to 30, 31–60, 61–90,
 * later, no expiry.
 */
export const expiryBandEndsDays = [30, 60, 90] as const;
export const expiryBands = ['past-due', 'to-30', 'to-60', 'to-90', 'later', 'never'] as const;

/**
 * The liability report's reads. A lot's remaining at asOf is amount − Σ its allocations made by asOf; since a lot's
 * `remaining` is kept as amount − Σ all its allocations (only allocations lower it; credit given back is a new lot,
 * restored_from), that is remaining + Σ its allocations made after asOf. So the lots that held credit at asOf are the
 * ones open now and the ones drawn from since: an as-of-now report reads the open lots (credit_lot_open) and no
 * allocation, one in the past also the allocations since (lot_allocation_report, one range per currency). Each read
 * is one pass, grouped once.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: Database) {}

  lotSummary(businessId: string, asOf: Date, currency: string | undefined): Promise<LotSummaryRow[]> {
    const [b, c] = currencyCondition(currency);
    const [age1, age2, age3, age4] = ageBucketStartsDays.map((days) => `l.created_at > l.as_of - interval '${days} days'`);
    const [to30, to60, to90] = expiryBandEndsDays.map((days) => `l.expires_at <= l.as_of + interval '${days} days'`);
    return this.db.query<LotSummaryRow>(
      `with late as materialized (
         select a.lot_id, sum(a.amount) as drawn
         from lot_allocation a
         where a.business_id = ?
           and a.currency = any(array(select distinct w.currency from wallet w where w.business_id = ? ${c('w')}))
           and a.created_at > ?::timestamptz
         group by a.lot_id
       ), l as (
         -- Open lots (credit_lot_open), and the lots emptied since asOf (by their key): nothing else held credit then.
         select l.currency, l.source, l.created_at, l.expires_at, ?::timestamptz as as_of, l.remaining + coalesce(late.drawn, 0) as left_at
         from credit_lot l left join late on late.lot_id = l.id
         where l.business_id = ? and l.open and l.created_at <= ?::timestamptz ${c('l')}
         union all
         select l.currency, l.source, l.created_at, l.expires_at, ?::timestamptz, late.drawn
         from late join credit_lot l on l.business_id = ? and l.id = late.lot_id
         where not l.open and l.created_at <= ?::timestamptz
       )
       select l.currency, l.source,
         case when ${age1} then 0 when ${age2} then 1 when ${age3} then 2 when ${age4} then 3 else 4 end as age,
         case when l.expires_at is null then 5 when l.expires_at <= l.as_of then 0 when ${to30} then 1 when ${to60} then 2
           when ${to90} then 3 else 4 end as expiry,
         sum(l.left_at)::text as amount
       from l group by 1, 2, 3, 4 having sum(l.left_at) > 0 order by 1, 2, 3, 4`,
      [businessId, businessId, ...b, asOf, asOf, businessId, asOf, ...b, asOf, businessId, asOf],
    );
  }

  /** Only the allocations the report uses: breakage (any source) and whatever was drawn from bonus lots. */
  allocationSummary(businessId: string, asOf: Date, currency: string | undefined): Promise<AllocationSummaryRow[]> {
    const [b, c] = currencyCondition(currency);
    // Grouped by the month's timestamp, formatted after: the statistics on that expression (the reports migration)
    // let the planner hash a few groups instead of sorting every row.
    return this.db.query<AllocationSummaryRow>(
      `select m.currency, m.source, to_char(m.month, 'YYYY-MM-DD') as month, m.expired::text as expired, m.reversed::text as reversed,
         m.spent::text as spent
       from (
         select a.currency, a.source, date_trunc('month', a.created_at at time zone 'UTC') as month,
           coalesce(sum(a.amount) filter (where a.entry_type = 'balance_expired'), 0) as expired,
           coalesce(sum(a.amount) filter (where a.entry_type = 'balance_reversed'), 0) as reversed,
           coalesce(sum(a.amount) filter (where a.entry_type not in ('balance_expired', 'balance_reversed')), 0) as spent
         from lot_allocation a
         where a.business_id = ? and a.created_at <= ?::timestamptz and (a.entry_type = 'balance_expired' or a.source = 'bonus') ${c('a')}
         group by 1, 2, 3
       ) m
       order by 1, 3, 2`,
      [businessId, asOf, ...b],
    );
  }

  /** Gift cards issued by asOf and, at asOf, neither redeemed, voided nor past their expiry: owed until one of those. */
  giftCardLiability(businessId: string, asOf: Date, currency: string | undefined): Promise<GiftCardLiabilityRow[]> {
    const [b, c] = currencyCondition(currency);
    return this.db.query<GiftCardLiabilityRow>(
      `select g.currency, count(*)::text as count, sum(g.amount)::text as amount
       from gift_card g
       where g.business_id = ? and g.created_at <= ?::timestamptz ${c('g')}
         and not coalesce(g.redeemed_at <= ?::timestamptz, false)
         and not coalesce(g.voided_at <= ?::timestamptz, g.status = 'void')
         and not coalesce(g.expires_at <= ?::timestamptz, false)
       group by g.currency order by g.currency`,
      [businessId, asOf, ...b, asOf, asOf, asOf],
    );
  }
}

/** The optional currency filter: its bindings and the condition on a table alias. */
function currencyCondition(currency: string | undefined): [unknown[], (alias: string) => string] {
  if (currency === undefined) return [[], () => ''];
  return [[currency], (alias) => `and ${alias}.currency = ?`];
}
