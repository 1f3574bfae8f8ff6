import { Injectable } from '@nestjs/common';
import type { LotSource } from '@storecredit/contracts';
import { Database } from '../database';

/** One row per currency and lot source: what the lots created by asOf held then, split by age and by expiry. */
export interface LotSummaryRow {
  currency: string;
  source: LotSource;
  /** Σ amount of the lots created by asOf (for bonus lots: the bonus granted). */
  granted: string;
  outstanding: string;
  age_0_30: string;
  age_31_90: string;
  age_91_180: string;
  age_181_365: string;
  age_over_365: string;
  /** Past their expiry at asOf but not yet expired by the ledger's sweep: still owed until it runs. */
  expiry_past_due: string;
  expiry_within_30: string;
  expiry_within_60: string;
  expiry_within_90: string;
  expiry_later: string;
  expiry_never: string;
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
/** The windows (days after asOf) of the expiry buckets; each includes the shorter ones. */
export const expiryWindowsDays = [30, 60, 90] as const;

/**
 * The liability report's reads. A lot's remaining at asOf is amount − Σ its allocations made by asOf; since a lot's
 * `remaining` is kept as amount − Σ all its allocations (only allocations lower it; credit given back is a new lot,
 * restored_from), that is remaining + Σ its allocations made after asOf. So an as-of-now report reads no allocation
 * at all, and one in the past only the allocations since. Each read is one pass with FILTER aggregates.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: Database) {}

  lotSummary(businessId: string, asOf: Date, currency: string | undefined): Promise<LotSummaryRow[]> {
    const [b, c] = currencyCondition(currency);
    const [age1, age2, age3, age4] = ageBucketStartsDays.map((days) => `l.created_at > l.as_of - interval '${days} days'`);
    const within = (days: number) => `l.expires_at > l.as_of and l.expires_at <= l.as_of + interval '${days} days'`;
    const [w30, w60, w90] = expiryWindowsDays;
    const sumWhere = (condition: string) => `coalesce(sum(l.left_at) filter (where ${condition}), 0)::text`;
    return this.db.query<LotSummaryRow>(
      `with late as (
         select a.lot_id, sum(a.amount) as drawn
         from lot_allocation a
         where a.business_id = ? and a.created_at > ?::timestamptz ${c('a')}
         group by a.lot_id
       ), l as (
         select l.currency, l.source, l.amount, l.created_at, l.expires_at, ?::timestamptz as as_of,
           l.remaining + coalesce(late.drawn, 0) as left_at
         from credit_lot l left join late on late.lot_id = l.id
         where l.business_id = ? and l.created_at <= ?::timestamptz ${c('l')}
       )
       select l.currency, l.source, sum(l.amount)::text as granted, sum(l.left_at)::text as outstanding,
         ${sumWhere(age1)} as age_0_30,
         ${sumWhere(`not (${age1}) and ${age2}`)} as age_31_90,
         ${sumWhere(`not (${age2}) and ${age3}`)} as age_91_180,
         ${sumWhere(`not (${age3}) and ${age4}`)} as age_181_365,
         ${sumWhere(`not (${age4})`)} as age_over_365,
         ${sumWhere('l.expires_at <= l.as_of')} as expiry_past_due,
         ${sumWhere(within(w30))} as expiry_within_30,
         ${sumWhere(within(w60))} as expiry_within_60,
         ${sumWhere(within(w90))} as expiry_within_90,
         ${sumWhere(`l.expires_at > l.as_of + interval '${w90} days'`)} as expiry_later,
         ${sumWhere('l.expires_at is null')} as expiry_never
       from l group by l.currency, l.source order by l.currency, l.source`,
      [businessId, asOf, ...b, asOf, businessId, asOf, ...b],
    );
  }

  /** Only the allocations the report uses: breakage (any source) and whatever was drawn from bonus lots. */
  allocationSummary(businessId: string, asOf: Date, currency: string | undefined): Promise<AllocationSummaryRow[]> {
    const [b, c] = currencyCondition(currency);
    return this.db.query<AllocationSummaryRow>(
      `select a.currency, a.source, to_char(date_trunc('month', a.created_at at time zone 'UTC'), 'YYYY-MM-DD') as month,
         coalesce(sum(a.amount) filter (where a.entry_type = 'balance_expired'), 0)::text as expired,
         coalesce(sum(a.amount) filter (where a.entry_type = 'balance_reversed'), 0)::text as reversed,
         coalesce(sum(a.amount) filter (where a.entry_type not in ('balance_expired', 'balance_reversed')), 0)::text as spent
       from lot_allocation a
       where a.business_id = ? and a.created_at <= ?::timestamptz and (a.entry_type = 'balance_expired' or a.source = 'bonus') ${c('a')}
       group by 1, 2, 3 order by 1, 3, 2`,
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
