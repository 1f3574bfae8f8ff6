import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LiabilityReport } from '@storecredit/contracts';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';
import { writeGiftCard, writeWallet } from './support/credit-ledger';

/**
 * The liability and breakage report against real PostgreSQL, on a ledger written by hand whose figures are worked out
 * below (AED, client one):
 *   L1 paid 100 (Jan 10)  −40 deducted May 20                      → 60 from May 20
 *   L2 bonus 20 (Jan 10, expires Apr 10)  −5 paid Feb 1, −15 expired Apr 11 (breakage, April, bonus)
 *   L3 gift card 50 (Mar 5)                                        → 50
 *   L4 adjustment 25 (Jun 15, expires Jul 15)  −25 expired Jul 16 (breakage, July, adjustment)
 *   L5 refund 12 (Sep 1, expires 2027-01-20)  −10 paid Oct 1        → 2
 * client two: L6 system 8 (Oct 1, expired Nov 1, not yet swept: still owed). JPY: L7 paid 5000 (Nov 1).
 */
describe('liability and breakage report', () => {
  let stack: LedgerStack;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let other: SeededBusiness;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ app, http } = stack);
    biz = await seedBusiness(app, permissions);
    other = await seedBusiness(app, permissions);
    const { businessId } = biz;
    await writeWallet(stack.db, {
      businessId,
      clientId: 'client-one',
      currency: 'AED',
      steps: [
        { at: '2026-01-10T10:00:00.000Z', type: 'balance_added', amount: '100.00', lot: 'L1', source: 'paid' },
        { at: '2026-01-10T10:00:00.001Z', type: 'bonus_credit', amount: '20.00', lot: 'L2', source: 'bonus', expiresAt: '2026-04-10T10:00:00.000Z' },
        { at: '2026-02-01T12:00:00.000Z', type: 'used_for_payment', draws: { L2: '5.00' } },
        { at: '2026-03-05T09:00:00.000Z', type: 'gift_card_redeemed', amount: '50.00', lot: 'L3', source: 'gift_card' },
        { at: '2026-04-11T00:00:05.000Z', type: 'balance_expired', draws: { L2: '15.00' } },
        { at: '2026-05-20T15:00:00.000Z', type: 'balance_deducted', draws: { L1: '40.00' } },
        { at: '2026-06-15T11:00:00.000Z', type: 'balance_added', amount: '25.00', lot: 'L4', source: 'adjustment', expiresAt: '2026-07-15T11:00:00.000Z' },
        { at: '2026-07-16T00:00:05.000Z', type: 'balance_expired', draws: { L4: '25.00' } },
        { at: '2026-09-01T00:00:00.000Z', type: 'refund_credit', amount: '12.00', lot: 'L5', source: 'refund', expiresAt: '2027-01-20T00:00:00.000Z' },
        { at: '2026-10-01T08:00:00.000Z', type: 'used_for_payment', draws: { L5: '10.00' } },
      ],
    });
    await writeWallet(stack.db, {
      businessId,
      clientId: 'client-two',
      currency: 'AED',
      steps: [{ at: '2026-10-01T08:00:00.000Z', type: 'balance_credit', amount: '8.00', lot: 'L6', source: 'system', expiresAt: '2026-11-01T08:00:00.000Z' }],
    });
    await writeWallet(stack.db, {
      businessId,
      clientId: 'client-one',
      currency: 'JPY',
      steps: [{ at: '2026-11-01T08:00:00.000Z', type: 'balance_added', amount: '5000', lot: 'L7', source: 'paid' }],
    });
    await writeGiftCard(stack.db, businessId, { amount: '100.00', currency: 'AED', createdAt: '2026-02-01T00:00:00Z', status: 'active' });
    await writeGiftCard(stack.db, businessId, { amount: '50.00', currency: 'AED', createdAt: '2026-02-01T00:00:00Z', status: 'redeemed', redeemedAt: '2026-03-05T09:00:00Z' });
    await writeGiftCard(stack.db, businessId, { amount: '30.00', currency: 'AED', createdAt: '2026-05-01T00:00:00Z', status: 'void', voidedAt: '2026-08-01T00:00:00Z' });
    await writeGiftCard(stack.db, businessId, { amount: '40.00', currency: 'AED', createdAt: '2026-05-01T00:00:00Z', status: 'active', expiresAt: '2026-10-01T00:00:00Z' });
    // Another business's credit, breakage and gift cards, which must never show in the first one's report.
    await writeWallet(stack.db, {
      businessId: other.businessId,
      clientId: 'client-one',
      currency: 'AED',
      steps: [
        { at: '2026-01-10T10:00:00.000Z', type: 'balance_added', amount: '999.00', lot: 'X1', source: 'paid', expiresAt: '2026-03-01T00:00:00Z' },
        { at: '2026-01-10T10:00:00.001Z', type: 'bonus_credit', amount: '99.00', lot: 'X2', source: 'bonus' },
        { at: '2026-03-02T00:00:00.000Z', type: 'balance_expired', draws: { X1: '999.00' } },
      ],
    });
    await writeGiftCard(stack.db, other.businessId, { amount: '777.00', currency: 'AED', createdAt: '2026-02-01T00:00:00Z', status: 'active' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const report = async (query: string) => {
    const answer = await http.as(biz.ownerToken).get<LiabilityReport>(`/api/reports/liability${query}`);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const amounts = <T extends { amount: string }>(rows: T[], key: keyof T) => Object.fromEntries(rows.map((row) => [row[key], row.amount]));

  it('shows the liability as it stood at the end of a past day', async () => {
    const body = await report('?asOf=2026-06-30');
    expect(body.asOf).toBe('2026-06-30T23:59:59.999Z');
    expect(body.currencies.map((c) => c.currency)).toEqual(['AED']);
    const [aed] = body.currencies;
    expect(aed.outstanding).toBe('135.00');
    expect(amounts(aed.bySource, 'source')).toEqual({ paid: '60.00', bonus: '0.00', gift_card: '50.00', refund: '0.00', adjustment: '25.00', system: '0.00', opening: '0.00' });
    expect(amounts(aed.byAge, 'bucket')).toEqual({ '0-30': '25.00', '31-90': '0.00', '91-180': '110.00', '181-365': '0.00', 'over-365': '0.00' });
    expect(amounts(aed.byExpiry, 'bucket')).toEqual({ 'past-due': '0.00', 'within-30': '25.00', 'within-60': '25.00', 'within-90': '25.00', later: '0.00', never: '110.00' });
    expect(aed.giftCards).toEqual({ count: 3, amount: '170.00' });
    expect(aed.breakage).toEqual({ total: '15.00', byMonth: [{ month: '2026-04', source: 'bonus', amount: '15.00' }] });
    expect(aed.bonus).toEqual({ granted: '20.00', consumed: '5.00', expired: '15.00', reversed: '0.00', outstanding: '0.00' });
  });

  it('counts what was drawn after asOf back into the lots, open ones and those emptied since', async () => {
    // At the end of March: L1 (paid) still whole (its 40 were deducted in May), L2 (bonus) 15 left (it expired in April).
    const [aed] = (await report('?asOf=2026-03-31')).currencies;
    expect(aed.outstanding).toBe('165.00');
    expect(amounts(aed.bySource, 'source')).toMatchObject({ paid: '100.00', bonus: '15.00', gift_card: '50.00' });
    expect(amounts(aed.byExpiry, 'bucket')).toMatchObject({ 'within-30': '15.00', never: '150.00' });
    expect(aed.bonus).toEqual({ granted: '20.00', consumed: '5.00', expired: '0.00', reversed: '0.00', outstanding: '15.00' });
    expect(aed.breakage.total).toBe('0.00');
  });

  it('shows the later liability, with credit past its expiry still owed until the sweep ends it', async () => {
    const body = await report('?asOf=2026-11-30T23:59:59.999Z');
    const [aed, jpy] = body.currencies;
    expect(aed.outstanding).toBe('120.00');
    expect(amounts(aed.bySource, 'source')).toMatchObject({ paid: '60.00', gift_card: '50.00', refund: '2.00', system: '8.00', adjustment: '0.00', bonus: '0.00' });
    expect(amounts(aed.byAge, 'bucket')).toEqual({ '0-30': '0.00', '31-90': '10.00', '91-180': '0.00', '181-365': '110.00', 'over-365': '0.00' });
    expect(amounts(aed.byExpiry, 'bucket')).toEqual({ 'past-due': '8.00', 'within-30': '0.00', 'within-60': '2.00', 'within-90': '2.00', later: '0.00', never: '110.00' });
    expect(aed.giftCards).toEqual({ count: 1, amount: '100.00' });
    expect(aed.breakage).toEqual({
      total: '40.00',
      byMonth: [
        { month: '2026-04', source: 'bonus', amount: '15.00' },
        { month: '2026-07', source: 'adjustment', amount: '25.00' },
      ],
    });
    expect(jpy).toMatchObject({ currency: 'JPY', outstanding: '5000', bySource: expect.arrayContaining([{ source: 'paid', amount: '5000' }]) });
  });

  it('reports now by default, the balances of today adding up to the lots’ remaining', async () => {
    const body = await report('');
    expect(Date.now() - Date.parse(body.asOf)).toBeLessThan(60_000);
    const aed = body.currencies.find((c) => c.currency === 'AED');
    expect(aed).toMatchObject({ outstanding: '120.00', breakage: { total: '40.00' }, bonus: { granted: '20.00', consumed: '5.00', expired: '15.00' } });
    const balances = await stack.db.query<{ total: string }>(`select sum(balance)::text as total from wallet where business_id = $1 and currency = 'AED'`, [biz.businessId]);
    expect(balances[0].total).toBe('120.00');
  });

  it('keeps to one currency when asked, in that currency’s decimals', async () => {
    const body = await report('?currency=JPY&asOf=2026-11-30');
    expect(body.currencies).toHaveLength(1);
    expect(body.currencies[0]).toMatchObject({ currency: 'JPY', outstanding: '5000', giftCards: { count: 0, amount: '0' }, breakage: { total: '0' } });
  });

  it('never shows another business’s credit, breakage or gift cards', async () => {
    const answer = await http.as(other.ownerToken).get<LiabilityReport>('/api/reports/liability?asOf=2026-06-30');
    expect(answer.body.currencies).toEqual([
      expect.objectContaining({ currency: 'AED', outstanding: '99.00', giftCards: { count: 1, amount: '777.00' }, breakage: { total: '999.00', byMonth: [{ month: '2026-03', source: 'paid', amount: '999.00' }] } }),
    ]);
    const mine = await report('?asOf=2026-06-30');
    expect(JSON.stringify(mine)).not.toMatch(/"(999|99|777)\.00"/);
  });

  it('refuses a principal without reports.view, and anyone signed out', async () => {
    for (const permission of ['balance.view', 'giftcard.manage', 'staff.manage'] as const) {
      const answer = await http.as(biz.keyFor(permission)).get('/api/reports/liability');
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: { code: 'forbidden' } });
      expect((await http.as(biz.keyFor(permission)).request('GET', '/api/reports/liability.csv')).status).toBe(403);
    }
    expect((await http.as(biz.keyFor('reports.view')).get('/api/reports/liability')).status).toBe(200);
    expect((await http.as(undefined).get('/api/reports/liability')).status).toBe(401);
  });

  it.each([
    ['asOf=yesterday', 'asOf'],
    ['asOf=2026-13-45', 'asOf'],
    ['asOf=2026-11-30T10:00:00', 'asOf'],
    ['asOf=', 'asOf'],
    ['asOf=0000-01-01', 'asOf'],
    ['asOf=1969-12-31T23:59:59Z', 'asOf'],
    ['currency=XYZ', 'currency'],
    ['currency=AED&currency=JPY', 'currency'],
    ['limit=5', 'limit'],
  ])('answers a malformed query (%s) with 400 invalid_request naming the field', async (query, field) => {
    const answer = await http.as(biz.ownerToken).get<{ error: { code: string; message: string } }>(`/api/reports/liability?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message).toContain(field);
  });

  it('downloads the same tables as CSV', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/reports/liability.csv?asOf=2026-06-30&currency=AED', headers: { authorization: `Bearer ${biz.ownerToken}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="liability-2026-06-30-AED.csv"');
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toBe('table,currency,category,month,amount,count');
    expect(lines).toEqual(
      expect.arrayContaining([
        'outstanding,AED,total,,135.00,',
        'outstanding_by_source,AED,gift_card,,50.00,',
        'outstanding_by_age_days,AED,91-180,,110.00,',
        'outstanding_by_expiry,AED,within-30,,25.00,',
        'gift_cards_unredeemed,AED,total,,170.00,3',
        'breakage,AED,bonus,2026-04,15.00,',
        'bonus,AED,consumed,,5.00,',
      ]),
    );
  });
});
