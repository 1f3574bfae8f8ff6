import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { uniqueId, type TestDatabase } from '@storecredit/testing';
import { randomUUID } from 'node:crypto';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { permissions, type StaffRole } from '@storecredit/contracts';
import { GatewayClient, seedBusiness, startLedgerStack, type HttpAnswer, type LedgerStack, type SeededBusiness } from './support';

type Body = Record<string, unknown>;
interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } & Body };
}
interface BonusRule {
  currency: string;
  tiers: { minAmount: string; percent?: string; fixed?: string }[];
  expiresInDays: number | null;
  version: number;
  updatedBy: string;
  updatedByName: string;
}
interface Lot {
  lotId: string;
  source: string;
  amount: string;
  remaining: string;
  expiresAt: string | null;
  restoredFrom?: string | null;
}
interface HistoryEntry {
  id: string;
  type: string;
  amount: string;
  lots: Lot[];
  allocations: { lotId: string; source: string; amount: string; expiresAt: string | null }[];
  reversesEntryId: string | null;
  reversedByEntryId: string | null;
  bonusTier: { minAmount: string; percent?: string; fixed?: string } | null;
}

const password = 'correct horse battery';
const rulesUrl = '/api/settings/bonus-rules';

/** Bonus rules, credit settings and reversals through the gateway, against real PostgreSQL and Kafka with the worker. */
describe('gateway settings and reversals', () => {
  let stack: LedgerStack;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let a: SeededBusiness;
  let b: SeededBusiness;
  let desk: GatewayClient;
  let manager: GatewayClient;
  let owner: GatewayClient;

  async function signedIn(biz: SeededBusiness, role: StaffRole): Promise<GatewayClient> {
    const auth = app.get(AuthService);
    const email = `${uniqueId(role)}@example.com`;
    await auth.createStaff(biz.businessId, { email, name: `A ${role}`, password, role });
    return http.as((await auth.signIn(email, password)).token);
  }

  /** The business's bonus_rule rows as stored, for what a refused call must leave alone. */
  const storedRules = (businessId: string) =>
    db.query('select currency, tiers, expires_in_days, version, updated_by from bonus_rule where business_id = $1 order by currency', [businessId]);

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ db, app, http } = stack);
    a = await seedBusiness(app, permissions);
    b = await seedBusiness(app, permissions);
    owner = http.as(a.ownerToken);
    desk = await signedIn(a, 'front_desk');
    manager = await signedIn(a, 'manager');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('bonus rules', () => {
    it('sets, reads, replaces and clears a currency’s tiers, one version after another, naming who changed them', async () => {
      const set = await owner.put<BonusRule>(`${rulesUrl}/AED`, {
        tiers: [
          { minAmount: '1000', percent: '10' },
          { minAmount: '500', fixed: '25' },
        ],
        expiresInDays: 90,
      });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({
        currency: 'AED',
        tiers: [
          { minAmount: '500.00', fixed: '25.00' },
          { minAmount: '1000.00', percent: '10' },
        ],
        expiresInDays: 90,
        version: 1,
        updatedByName: 'Owner',
      });
      expect(set.body.updatedBy).toMatch(/^staff:/);
      expect((await owner.put<BonusRule>(`${rulesUrl}/KWD`, { tiers: [{ minAmount: '10.5', fixed: '1.25' }] })).body).toMatchObject({
        tiers: [{ minAmount: '10.500', fixed: '1.250' }],
        expiresInDays: null,
        version: 1,
      });

      const replaced = await owner.put<BonusRule>(`${rulesUrl}/AED`, { tiers: [{ minAmount: '200', percent: '5.5' }], expiresInDays: null });
      expect(replaced.body).toMatchObject({ tiers: [{ minAmount: '200.00', percent: '5.5' }], expiresInDays: null, version: 2 });
      const listed = await owner.get<{ items: BonusRule[] }>(rulesUrl);
      expect(listed.body.items.map(({ currency, tiers, version }) => ({ currency, tiers, version }))).toEqual([
        { currency: 'AED', tiers: [{ minAmount: '200.00', percent: '5.5' }], version: 2 },
        { currency: 'KWD', tiers: [{ minAmount: '10.500', fixed: '1.250' }], version: 1 },
      ]);

      const cleared = await owner.request<BonusRule>('DELETE', `${rulesUrl}/KWD`);
      expect(cleared).toMatchObject({ status: 200, body: { currency: 'KWD', tiers: [], expiresInDays: null, version: 2 } });
      const emptied = await owner.put<BonusRule>(`${rulesUrl}/AED`, { tiers: [], expiresInDays: 30 });
      expect(emptied.body).toMatchObject({ tiers: [], expiresInDays: null, version: 3 });
      expect(await storedRules(a.businessId)).toEqual([
        { currency: 'AED', tiers: [], expires_in_days: null, version: 3, updated_by: set.body.updatedBy },
        { currency: 'KWD', tiers: [], expires_in_days: null, version: 2, updated_by: set.body.updatedBy },
      ]);
    });

    it.each([
      ['percent and fixed both', { tiers: [{ minAmount: '100', percent: '5', fixed: '5' }] }, 'invalid_request', 'tiers.0.percent: give exactly one of percent or fixed'],
      ['neither percent nor fixed', { tiers: [{ minAmount: '100' }] }, 'invalid_request', 'tiers.0.percent: give exactly one of percent or fixed'],
      ['a percentage over 100', { tiers: [{ minAmount: '100', percent: '100.01' }] }, 'invalid_request', 'tiers.0.percent: must be more than 0 and at most 100'],
      ['a percentage of zero', { tiers: [{ minAmount: '100', percent: '0' }] }, 'invalid_request', 'tiers.0.percent: must be more than 0 and at most 100'],
      ['a percentage in words', { tiers: [{ minAmount: '100', percent: 'ten' }] }, 'invalid_request', 'tiers.0.percent: must be a percentage such as "5" or "12.5"'],
      ['a minimum of zero', { tiers: [{ minAmount: '0', fixed: '5' }] }, 'invalid_request', 'tiers.0.minAmount: must be an amount greater than zero, such as "500.00"'],
      [
        'two tiers at one amount',
        { tiers: [{ minAmount: '100', fixed: '5' }, { minAmount: '100.00', percent: '5' }] },
        'invalid_request',
        'tiers.1.minAmount: two tiers cannot start at the same amount',
      ],
      ['a minimum finer than the currency', { tiers: [{ minAmount: '100.005', fixed: '5' }] }, 'invalid_amount', 'tiers.0.minAmount: AED amounts allow at most 2 decimal places'],
      ['a fixed bonus finer than the currency', { tiers: [{ minAmount: '100', fixed: '0.001' }] }, 'invalid_amount', 'tiers.0.fixed: AED amounts allow at most 2 decimal places'],
      ['a fixed bonus of zero', { tiers: [{ minAmount: '100', fixed: '0' }] }, 'invalid_amount', 'tiers.0.fixed: Amount must be greater than zero'],
      ['eleven tiers', { tiers: Array.from({ length: 11 }, (_, i) => ({ minAmount: `${i + 1}00`, fixed: '1' })) }, 'invalid_request', 'tiers: Too big'],
      ['an expiry of no days', { tiers: [{ minAmount: '100', fixed: '5' }], expiresInDays: 0 }, 'invalid_request', 'expiresInDays: Too small'],
      ['an expiry past ten years', { tiers: [{ minAmount: '100', fixed: '5' }], expiresInDays: 3651 }, 'invalid_request', 'expiresInDays: Too big'],
      ['an expiry in part days', { tiers: [{ minAmount: '100', fixed: '5' }], expiresInDays: 1.5 }, 'invalid_request', 'expiresInDays: Invalid input'],
      ['an unknown field', { tiers: [], version: 7 }, 'invalid_request', 'Unrecognized key'],
      ['no tiers at all', { expiresInDays: 30 }, 'invalid_request', 'tiers: Invalid input'],
    ] as const)('refuses %s with 400 and a message naming the field, changing nothing', async (_, body, code, message) => {
      const before = await storedRules(a.businessId);
      const answer = await owner.put<ErrorBody>(`${rulesUrl}/AED`, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe(code);
      expect(answer.body.error.message).toContain(message);
      expect(answer.body.error.details?.issues?.length).toBeGreaterThan(0);
      expect(await storedRules(a.businessId)).toEqual(before);
    });

    it('refuses an amount in JPY with decimals, and a currency it does not know, with 400', async () => {
      const jpy = await owner.put<ErrorBody>(`${rulesUrl}/JPY`, { tiers: [{ minAmount: '1000.5', percent: '5' }] });
      expect(jpy.status).toBe(400);
      expect(jpy.body.error).toMatchObject({ code: 'invalid_amount', details: { issues: [{ path: 'tiers.0.minAmount', message: 'JPY amounts allow at most 0 decimal places' }] } });
      for (const currency of ['XYZ', 'aed', 'A%2FE']) {
        const unknown = await owner.put<ErrorBody>(`${rulesUrl}/${currency}`, { tiers: [] });
        expect({ currency, status: unknown.status, code: unknown.body.error.code }).toEqual({ currency, status: 400, code: 'invalid_request' });
      }
      expect((await owner.request<ErrorBody>('DELETE', `${rulesUrl}/XYZ`)).status).toBe(400);
    });

    it('shows the tiers to the front desk and managers (balance.add), and lets only settings.manage change them', async () => {
      await owner.put(`${rulesUrl}/AED`, { tiers: [{ minAmount: '500', percent: '10' }], expiresInDays: 60 });
      const before = await storedRules(a.businessId);
      for (const [who, client] of [
        ['front desk', desk],
        ['manager', manager],
      ] as const) {
        const seen = await client.get<{ items: BonusRule[] }>(rulesUrl);
        expect({ who, status: seen.status, tiers: seen.body.items.find((rule) => rule.currency === 'AED')?.tiers }).toEqual({
          who,
          status: 200,
          tiers: [{ minAmount: '500.00', percent: '10' }],
        });
        const put = await client.put<ErrorBody>(`${rulesUrl}/AED`, { tiers: [] });
        expect({ who, status: put.status, body: put.body }).toEqual({
          who,
          status: 403,
          body: { error: { code: 'forbidden', message: 'This needs the settings.manage permission', details: { permission: 'settings.manage' } } },
        });
        expect((await client.request('DELETE', `${rulesUrl}/AED`)).status).toBe(403);
      }
      // Neither balance.add nor settings.manage: not even a read.
      const viewer = await http.as(a.keyFor('balance.view')).get<ErrorBody>(rulesUrl);
      expect(viewer).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden', message: 'This needs one of the settings.manage, balance.add permissions', details: { permissions: ['settings.manage', 'balance.add'] } } },
      });
      expect((await http.as(a.keyFor('settings.manage')).get(rulesUrl)).status).toBe(200);
      expect(await storedRules(a.businessId)).toEqual(before);
    });

    it('never shows or changes another business’s rules', async () => {
      await owner.put(`${rulesUrl}/AED`, { tiers: [{ minAmount: '500', percent: '10' }] });
      const aBefore = await storedRules(a.businessId);
      const other = http.as(b.ownerToken);
      expect((await other.get<{ items: BonusRule[] }>(rulesUrl)).body).toEqual({ items: [] });
      const bSet = await other.put<BonusRule>(`${rulesUrl}/AED`, { tiers: [{ minAmount: '50', fixed: '5' }] });
      expect(bSet.body).toMatchObject({ currency: 'AED', version: 1, tiers: [{ minAmount: '50.00', fixed: '5.00' }] });
      expect((await other.request('DELETE', `${rulesUrl}/AED`)).status).toBe(200);
      expect(await storedRules(a.businessId)).toEqual(aBefore);
      expect((await http.as(b.allKey).get<{ items: BonusRule[] }>(rulesUrl)).body.items.map((rule) => rule.tiers)).toEqual([[]]);
      expect((await owner.get<{ items: BonusRule[] }>(rulesUrl)).body.items.find((rule) => rule.currency === 'AED')?.tiers).toEqual([{ minAmount: '500.00', percent: '10' }]);
    });
  });

  describe('credit settings', () => {
    it('answers the default grace period, then the business’s own, to settings.manage only', async () => {
      const other = http.as(b.ownerToken);
      expect((await other.get('/api/settings/credit')).body).toEqual({ refundGraceDays: 30, isDefault: true, updatedAt: null, updatedByName: null });
      const set = await owner.put('/api/settings/credit', { refundGraceDays: 45 });
      expect(set).toMatchObject({ status: 200, body: { refundGraceDays: 45, isDefault: false, updatedByName: 'Owner' } });
      expect((await owner.get('/api/settings/credit')).body).toMatchObject({ refundGraceDays: 45, isDefault: false });
      expect((await other.get('/api/settings/credit')).body).toMatchObject({ refundGraceDays: 30, isDefault: true });

      for (const [label, body, message] of [
        ['no days', { refundGraceDays: 0 }, 'refundGraceDays: Too small'],
        ['more than a year', { refundGraceDays: 366 }, 'refundGraceDays: Too big'],
        ['days as text', { refundGraceDays: '30' }, 'refundGraceDays: Invalid input'],
        ['nothing', {}, 'refundGraceDays: Invalid input'],
      ] as const) {
        const refused = await owner.put<ErrorBody>('/api/settings/credit', body);
        expect({ label, status: refused.status, code: refused.body.error.code }).toEqual({ label, status: 400, code: 'invalid_request' });
        expect(refused.body.error.message).toContain(message);
      }
      for (const [who, client] of [
        ['front desk', desk],
        ['manager', manager],
      ] as const) {
        expect({ who, status: (await client.put('/api/settings/credit', { refundGraceDays: 1 })).status }).toEqual({ who, status: 403 });
        expect({ who, status: (await client.get('/api/settings/credit')).status }).toEqual({ who, status: 403 });
      }
      expect(await db.query('select refund_grace_days from credit_settings where business_id = $1', [a.businessId])).toEqual([{ refund_grace_days: 45 }]);
    });
  });

  describe('POST /api/clients/:clientId/entries/:entryId/reverse', () => {
    const reverse = (client: GatewayClient, clientId: string, entryId: string, body: unknown, headers?: Record<string, string>) =>
      client.post<ErrorBody & Body>(`/api/clients/${clientId}/entries/${entryId}/reverse`, body, headers);

    let entryOfA: string;
    beforeAll(async () => {
      const added = await owner.post<{ result: { entryId: string } }>(`/api/clients/${a.clientId}/balance/add`, { amount: '10.00', currency: 'AED' });
      entryOfA = added.body.result.entryId;
    });

    it('refuses a reversal without a reason, or with an unknown field, with 400 before it reaches the ledger', async () => {
      const submitted = async () => (await db.query<{ n: number }>('select count(*)::int as n from gateway_request'))[0].n;
      const before = await submitted();
      for (const [label, body, message] of [
        ['no note', { currency: 'AED' }, 'note'],
        ['a blank note', { currency: 'AED', note: '   ' }, 'note: say why the entry is reversed'],
        ['a note over 500 characters', { currency: 'AED', note: 'x'.repeat(501) }, 'note: Too big'],
        ['no currency', { note: 'wrong client' }, 'currency'],
        ['an unknown currency', { currency: 'XYZ', note: 'wrong client' }, 'currency: must be an ISO 4217 currency code such as AED'],
        ['an unknown field', { currency: 'AED', note: 'wrong client', amount: '10.00' }, 'Unrecognized key'],
      ] as const) {
        const refused = await reverse(owner, a.clientId, entryOfA, body);
        expect({ label, status: refused.status, code: refused.body.error.code }).toEqual({ label, status: 400, code: 'invalid_request' });
        expect(refused.body.error.message).toContain(message);
      }
      expect(await submitted()).toBe(before);
    });

    it('answers 404 for an entry the client does not have, a malformed entry id, and another business’s client or entry', async () => {
      const why = { currency: 'AED', note: 'wrong client' };
      const cases: [string, Promise<HttpAnswer<ErrorBody>>, string][] = [
        ['unknown entry', reverse(owner, a.clientId, randomUUID(), why), 'Entry not found'],
        ['not an entry id', reverse(owner, a.clientId, 'not-an-entry', why), 'Entry not found'],
        ['B names A’s client', reverse(http.as(b.ownerToken), a.clientId, entryOfA, why), 'Client not found'],
        ['B names A’s entry on its own client', reverse(http.as(b.ownerToken), b.clientId, entryOfA, why), 'Entry not found'],
        ['B names a missing client', reverse(http.as(b.ownerToken), uniqueId('client'), entryOfA, why), 'Client not found'],
      ];
      for (const [label, call, message] of cases) {
        const answer = await call;
        expect({ label, status: answer.status, error: answer.body.error }).toEqual({ label, status: 404, error: { code: 'not_found', message } });
      }
    });

    it('lets managers and owners reverse (balance.reverse), never the front desk', async () => {
      const why = { currency: 'AED', note: 'wrong client' };
      const refused = await reverse(desk, a.clientId, entryOfA, why);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: { code: 'forbidden', message: 'This needs the balance.reverse permission', details: { permission: 'balance.reverse' } } });
      // Past the permission, an entry the client does not have is not found: the manager is let through.
      expect((await reverse(manager, a.clientId, randomUUID(), why)).status).toBe(404);
      expect((await reverse(http.as(a.keyFor('balance.deduct')), a.clientId, entryOfA, why)).status).toBe(403);
    });
  });

  /**
   * What the ledger core (libs/ledger: lots, bonus rules, balance.reverse) decides, seen through the gateway. These
   * need the core's handlers on the branch.
   */
  describe('with the ledger core', () => {
    it('grants the bonus of the tier a paid top-up reaches, as its own entry and lot, and shows both in the history', async () => {
      const clientId = uniqueId('client');
      await owner.post('/api/clients', { id: clientId, name: 'Bonus Client' });
      await owner.put(`${rulesUrl}/AED`, { tiers: [{ minAmount: '500', fixed: '20' }, { minAmount: '1000', percent: '10' }], expiresInDays: 90 });
      const paid = await desk.post<{ result: { entryId: string; balanceAfter: string; lots: Lot[]; bonus: { entryId: string; amount: string; lot: Lot; tier: Body } } }>(
        `/api/clients/${clientId}/balance/add`,
        { amount: '1000.00', currency: 'AED', referenceType: 'payment', referenceId: 'pos-1' },
      );
      expect(paid.status).toBe(200);
      expect(paid.body.result).toMatchObject({
        balanceAfter: '1100.00',
        lots: [{ source: 'paid', amount: '1000.00', expiresAt: null }],
        bonus: { amount: '100.00', lot: { source: 'bonus', amount: '100.00' }, tier: { minAmount: '1000.00', percent: '10' } },
      });
      const bonusExpiry = paid.body.result.bonus.lot.expiresAt;
      expect(bonusExpiry).not.toBeNull();
      const days = (Date.parse(bonusExpiry as string) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(89);
      expect(days).toBeLessThanOrEqual(90.01);
      // A top-up that is not a payment earns nothing.
      const manual = await owner.post<{ result: Body }>(`/api/clients/${clientId}/balance/add`, { amount: '1000.00', currency: 'AED' });
      expect(manual.body.result.bonus).toBeUndefined();

      const history = await owner.get<{ items: HistoryEntry[] }>(`/api/clients/${clientId}/transactions`);
      const bonus = history.body.items.find((entry) => entry.type === 'bonus_credit');
      expect(bonus).toMatchObject({ id: paid.body.result.bonus.entryId, amount: '100.00', bonusTier: { minAmount: '1000.00', percent: '10' } });
      expect(bonus?.lots).toEqual([expect.objectContaining({ source: 'bonus', amount: '100.00', remaining: '100.00', expiresAt: new Date(bonusExpiry as string).toISOString() })]);
      const topUp = history.body.items.find((entry) => entry.id === paid.body.result.entryId);
      expect(topUp?.lots).toEqual([expect.objectContaining({ source: 'paid', amount: '1000.00', remaining: '1000.00', expiresAt: null })]);
      const balances = await owner.get<{ items: { currency: string; expiringSoon: { amount: string } }[] }>(`/api/clients/${clientId}/balances`);
      expect(balances.body.items[0].expiringSoon.amount).toBe('0.00');
    });

    it('gives an add its expiry, counts it as expiring soon, and refuses an expiry in the past', async () => {
      const clientId = uniqueId('client');
      await owner.post('/api/clients', { id: clientId, name: 'Expiring Client' });
      const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
      const added = await owner.post<{ result: { lots: Lot[] } }>(`/api/clients/${clientId}/balance/add`, { amount: '40.00', currency: 'AED', expiresAt });
      expect(added.body.result.lots).toEqual([expect.objectContaining({ amount: '40.00', expiresAt })]);
      const balance = await owner.get(`/api/clients/${clientId}/balances/AED`);
      expect(balance.body).toMatchObject({ balance: '40.00', expiringSoon: { amount: '40.00', firstExpiresAt: expiresAt } });
      const past = await owner.post<ErrorBody>(`/api/clients/${clientId}/balance/add`, { amount: '1.00', currency: 'AED', expiresAt: '2020-01-01T00:00:00Z' });
      expect(past.status).toBe(400);
      expect(past.body.error.code).toBe('expiry_not_in_future');
      const deduct = await owner.post<ErrorBody>(`/api/clients/${clientId}/balance/deduct`, { amount: '1.00', currency: 'AED', expiresAt });
      expect(deduct.status).toBe(400);
      expect(deduct.body.error.code).toBe('invalid_request');
    });

    it('reverses a deduction once, giving back what it drew, and shows both sides in the history', async () => {
      const clientId = uniqueId('client');
      await owner.post('/api/clients', { id: clientId, name: 'Reversal Client' });
      await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '50.00', currency: 'AED' });
      const deducted = await owner.post<{ result: { entryId: string } }>(`/api/clients/${clientId}/balance/deduct`, { amount: '30.00', currency: 'AED' });
      const deductId = deducted.body.result.entryId;
      const key = uniqueId('reverse');
      const reversed = await manager.post<{ status: string; replayed: boolean; result: { entryType: string; balanceAfter: string; reversedEntryId: string; lots: Lot[] } }>(
        `/api/clients/${clientId}/entries/${deductId}/reverse`,
        { currency: 'AED', note: 'Deducted by mistake' },
        { 'Idempotency-Key': key },
      );
      expect(reversed.status).toBe(200);
      expect(reversed.body).toMatchObject({ status: 'applied', replayed: false, result: { entryType: 'balance_reversed', balanceAfter: '50.00', reversedEntryId: deductId } });
      const replay = await manager.post(`/api/clients/${clientId}/entries/${deductId}/reverse`, { currency: 'AED', note: 'Deducted by mistake' }, { 'Idempotency-Key': key });
      expect(replay.body).toMatchObject({ status: 'applied', replayed: true });
      const again = await owner.post<ErrorBody>(`/api/clients/${clientId}/entries/${deductId}/reverse`, { currency: 'AED', note: 'Again' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('entry_already_reversed');

      const history = await owner.get<{ items: HistoryEntry[] }>(`/api/clients/${clientId}/transactions`);
      const [reversal, deduction, addition] = history.body.items;
      expect(reversal).toMatchObject({ type: 'balance_reversed', amount: '30.00', reversesEntryId: deductId, reversedByEntryId: null });
      expect(deduction).toMatchObject({ id: deductId, type: 'balance_deducted', reversedByEntryId: reversal.id });
      expect(deduction.allocations).toEqual([expect.objectContaining({ lotId: addition.lots[0].lotId, source: 'adjustment', amount: '30.00' })]);
      // What the deduction drew comes back as a lot of its own, named by the lot it was drawn from.
      expect(addition.lots).toEqual([expect.objectContaining({ source: 'adjustment', amount: '50.00', remaining: '20.00' })]);
      expect(reversal.lots).toEqual([expect.objectContaining({ source: 'adjustment', amount: '30.00', remaining: '30.00', restoredFrom: addition.lots[0].lotId })]);
    });

    it('refuses to reverse an add whose credit was spent (lot_consumed), and an entry that is no staff add or deduct', async () => {
      const clientId = uniqueId('client');
      await owner.post('/api/clients', { id: clientId, name: 'Spent Client' });
      const added = await owner.post<{ result: { entryId: string } }>(`/api/clients/${clientId}/balance/add`, { amount: '20.00', currency: 'AED' });
      const paid = await owner.post<{ result: { entryId: string } }>('/api/checkout/payments', { clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '5.00' });
      const spent = await owner.post<ErrorBody>(`/api/clients/${clientId}/entries/${added.body.result.entryId}/reverse`, { currency: 'AED', note: 'Wrong client' });
      expect(spent.status).toBe(409);
      expect(spent.body.error.code).toBe('lot_consumed');
      const payment = await owner.post<ErrorBody>(`/api/clients/${clientId}/entries/${paid.body.result.entryId}/reverse`, { currency: 'AED', note: 'Wrong client' });
      expect(payment.status).toBe(422);
      expect(payment.body.error.code).toBe('entry_not_reversible');
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '15.00' });
    });
  });
});
