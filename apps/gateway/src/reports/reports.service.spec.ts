import { Clock } from '@storecredit/ledger';
import { staffPrincipal as principal } from '../commands/commands.fakes';
import type { AllocationSummaryRow, GiftCardLiabilityRow, LotSummaryRow, ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** The summary rows as SQL gives them; the bucketing and the filters by date are the SQL's part (test/reports.test.ts). */
class FakeReportsRepository implements Pick<ReportsRepository, 'lotSummary' | 'allocationSummary' | 'giftCardLiability'> {
  lots: LotSummaryRow[] = [];
  allocations: AllocationSummaryRow[] = [];
  giftCards: GiftCardLiabilityRow[] = [];
  readonly reads: { businessId: string; asOf: Date; currency: string | undefined }[] = [];

  async lotSummary(businessId: string, asOf: Date, currency: string | undefined) {
    this.reads.push({ businessId, asOf, currency });
    return this.lots;
  }
  async allocationSummary() {
    return this.allocations;
  }
  async giftCardLiability() {
    return this.giftCards;
  }
}

class FixedClock extends Clock {
  constructor(private readonly at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

function service(now = new Date('2026-12-02T10:00:00.000Z')) {
  const repository = new FakeReportsRepository();
  const clock = new FixedClock(now);
  return { repository, clock, reports: new ReportsService(repository as unknown as ReportsRepository, clock) };
}

describe(ReportsService.name, () => {
  it('totals the sources and buckets per currency in its own decimals, every source and bucket listed, the bonus granted as what is left plus what was drawn', async () => {
    const { repository, reports } = service();
    // age: index into the age buckets; expiry: the disjoint band (0 past due, 1 up to 30 days, … 5 never).
    repository.lots = [
      { currency: 'AED', source: 'paid', age: 0, expiry: 5, amount: '100' },
      { currency: 'AED', source: 'paid', age: 1, expiry: 5, amount: '20.5' },
      { currency: 'AED', source: 'bonus', age: 0, expiry: 1, amount: '10' },
      { currency: 'JPY', source: 'gift_card', age: 4, expiry: 0, amount: '5000' },
    ];
    repository.allocations = [
      { currency: 'AED', source: 'bonus', month: '2026-10-01', expired: '5', reversed: '0', spent: '12' },
      { currency: 'AED', source: 'bonus', month: '2026-11-01', expired: '0', reversed: '3', spent: '0' },
      { currency: 'AED', source: 'paid', month: '2026-11-01', expired: '7.25', reversed: '0', spent: '0' },
    ];
    repository.giftCards = [{ currency: 'KWD', count: '2', amount: '15.5' }];
    const report = await reports.liability(principal, {});
    expect(report.asOf).toBe('2026-12-02T10:00:00.000Z');
    expect(report.currencies.map((c) => c.currency)).toEqual(['AED', 'JPY', 'KWD']);
    const [aed, jpy, kwd] = report.currencies;
    expect(aed.outstanding).toBe('130.50');
    expect(aed.bySource).toContainEqual({ source: 'paid', amount: '120.50' });
    expect(aed.bySource).toContainEqual({ source: 'opening', amount: '0.00' });
    expect(aed.bySource).toHaveLength(7);
    expect(aed.byAge).toEqual([
      { bucket: '0-30', amount: '110.00' },
      { bucket: '31-90', amount: '20.50' },
      { bucket: '91-180', amount: '0.00' },
      { bucket: '181-365', amount: '0.00' },
      { bucket: 'over-365', amount: '0.00' },
    ]);
    expect(aed.byExpiry).toEqual([
      { bucket: 'past-due', amount: '0.00' },
      { bucket: 'within-30', amount: '10.00' },
      { bucket: 'within-60', amount: '10.00' },
      { bucket: 'within-90', amount: '10.00' },
      { bucket: 'later', amount: '0.00' },
      { bucket: 'never', amount: '120.50' },
    ]);
    expect(aed.breakage).toEqual({
      total: '12.25',
      byMonth: [
        { month: '2026-10', source: 'bonus', amount: '5.00' },
        { month: '2026-11', source: 'paid', amount: '7.25' },
      ],
    });
    expect(aed.bonus).toEqual({ granted: '30.00', consumed: '12.00', expired: '5.00', reversed: '3.00', outstanding: '10.00' });
    expect(jpy.outstanding).toBe('5000');
    expect(jpy.byExpiry[0]).toEqual({ bucket: 'past-due', amount: '5000' });
    expect(kwd).toMatchObject({ outstanding: '0.000', giftCards: { count: 2, amount: '15.500' } });
  });

  it('reads only the principal’s business, at the end of the day a date names, and never after now', async () => {
    const { repository, reports } = service();
    await reports.liability(principal, { asOf: '2026-11-30', currency: 'AED' });
    await reports.liability(principal, { asOf: '2026-11-30T18:00:00+04:00' });
    await reports.liability(principal, { asOf: '2027-01-01' });
    expect(repository.reads).toEqual([
      { businessId: principal.businessId, asOf: new Date('2026-11-30T23:59:59.999Z'), currency: 'AED' },
      { businessId: principal.businessId, asOf: new Date('2026-11-30T14:00:00.000Z'), currency: undefined },
      { businessId: principal.businessId, asOf: new Date('2026-12-02T10:00:00.000Z'), currency: undefined },
    ]);
  });

  it('lists the currency asked for even when it has nothing, as zeros', async () => {
    const { reports } = service();
    const report = await reports.liability(principal, { currency: 'KWD' });
    expect(report.currencies).toHaveLength(1);
    expect(report.currencies[0]).toMatchObject({ currency: 'KWD', outstanding: '0.000', giftCards: { count: 0, amount: '0.000' }, breakage: { total: '0.000', byMonth: [] } });
  });

  it('writes the tables as one CSV with a header, named after the day and currency', async () => {
    const { repository, reports } = service();
    repository.lots = [{ currency: 'AED', source: 'paid', age: 0, expiry: 5, amount: '10' }];
    const { fileName, csv } = await reports.liabilityCsv(principal, { asOf: '2026-11-30', currency: 'AED' });
    expect(fileName).toBe('liability-2026-11-30-AED.csv');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('table,currency,category,month,amount,count');
    expect(lines).toContain('outstanding,AED,total,,10.00,');
    expect(lines).toContain('outstanding_by_age_days,AED,0-30,,10.00,');
    expect(lines).toContain('gift_cards_unredeemed,AED,total,,0.00,0');
  });
});
