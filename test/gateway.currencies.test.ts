import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { permissions, supportedCurrencies, type StaffRole } from '@storecredit/contracts';
import { uniqueId, type TestDatabase } from '@storecredit/testing';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';

type Body = Record<string, unknown>;
interface ErrorBody {
  error: { code: string; message: string; details?: Body };
}
interface Settings {
  defaultCurrency: string;
  accepted: string[];
  chosen: boolean;
}
interface Wallet {
  currency: string;
  balance: string;
}

const password = 'correct horse battery';
const url = '/api/settings/currencies';

/** A business's default and accepted currencies through the gateway, against real PostgreSQL and Kafka with the worker. */
describe('gateway business currencies', () => {
  let stack: LedgerStack;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let a: SeededBusiness;
  let b: SeededBusiness;
  let owner: GatewayClient;
  let desk: GatewayClient;

  async function signedIn(biz: SeededBusiness, role: StaffRole): Promise<GatewayClient> {
    const auth = app.get(AuthService);
    const email = `${uniqueId(role)}@example.com`;
    await auth.createStaff(biz.businessId, { email, name: `A ${role}`, password, role });
    return http.as((await auth.signIn(email, password)).token);
  }

  const stored = (businessId: string) => db.query('select default_currency, accepted from business_currencies where business_id = $1', [businessId]);
  const audited = (businessId: string) =>
    db.query<{ details: Body; actor_id: string }>("select details, actor_id from audit_log where business_id = $1 and action = 'currencies_changed' order by at", [businessId]);

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ db, app, http } = stack);
    a = await seedBusiness(app, permissions);
    b = await seedBusiness(app, permissions);
    owner = http.as(a.ownerToken);
    desk = await signedIn(a, 'front_desk');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers AED and every currency until the business chooses, to any member of it', async () => {
    const answer = await desk.get<Settings>(url);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ defaultCurrency: 'AED', accepted: [...supportedCurrencies], chosen: false });
    expect((await http.get(url)).status).toBe(401);
  });

  it('refuses a change from a member without settings.manage and stores nothing', async () => {
    const refused = await desk.put<ErrorBody>(url, { defaultCurrency: 'SAR', accepted: ['SAR'] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(await stored(a.businessId)).toEqual([]);
  });

  it.each([
    [{ defaultCurrency: 'SAR', accepted: ['AED'] }, 'default_not_accepted'],
    [{ defaultCurrency: 'AED', accepted: [] }, 'accepted_empty'],
    [{ defaultCurrency: 'AED', accepted: ['AED', 'XAU'] }, 'currency_not_supported'],
    [{ defaultCurrency: 'ZZZ', accepted: ['ZZZ'] }, 'currency_not_supported'],
    [{ defaultCurrency: 'AED', accepted: ['AED'], extra: true }, 'invalid_request'],
    [{ defaultCurrency: 'AED' }, 'invalid_request'],
  ])('refuses %j with %s and stores nothing', async (body, code) => {
    const refused = await owner.put<ErrorBody>(url, body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe(code);
    expect(await stored(a.businessId)).toEqual([]);
  });

  it('keeps the USD a client holds after USD is taken off the list: visible, deductible; only new USD credit is refused', async () => {
    const clientId = a.clientId;
    expect((await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '40.00', currency: 'USD' })).status).toBe(200);

    const put = await owner.put<Settings>(url, { defaultCurrency: 'SAR', accepted: ['SAR', 'AED', 'SAR'] });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ defaultCurrency: 'SAR', accepted: ['AED', 'SAR'], chosen: true });
    expect((await desk.get<Settings>(url)).body).toEqual(put.body);
    const [row] = await audited(a.businessId);
    expect(row.details).toEqual({ before: null, after: { defaultCurrency: 'SAR', accepted: ['AED', 'SAR'] } });

    const refusedAdd = await owner.post<ErrorBody>(`/api/clients/${clientId}/balance/add`, { amount: '5.00', currency: 'USD' });
    expect(refusedAdd.status).toBe(422);
    expect(refusedAdd.body.error).toMatchObject({ code: 'currency_not_accepted', details: { currency: 'USD', accepted: ['AED', 'SAR'] } });
    const refusedCards = await owner.post<ErrorBody>('/api/gift-cards', { amount: '10.00', currency: 'USD' });
    expect(refusedCards.status).toBe(422);
    expect(refusedCards.body.error.code).toBe('currency_not_accepted');
    const refusedBonus = await owner.put<ErrorBody>('/api/settings/bonus-rules/USD', { tiers: [{ minAmount: '100', percent: '5' }], expiresInDays: null });
    expect(refusedBonus.status).toBe(422);
    expect(refusedBonus.body.error.code).toBe('currency_not_accepted');
    expect((await db.query("select 1 from gift_card where business_id = $1 and currency = 'USD'", [a.businessId])).length).toBe(0);

    expect((await owner.post(`/api/clients/${clientId}/balance/deduct`, { amount: '15.00', currency: 'USD' })).status).toBe(200);
    const balances = await owner.get<{ items: Wallet[] }>(`/api/clients/${clientId}/balances`);
    expect(balances.body.items.find((wallet) => wallet.currency === 'USD')?.balance).toBe('25.00');

    expect((await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '5.00', currency: 'SAR' })).status).toBe(200);
    expect((await owner.post('/api/gift-cards', { amount: '10.00', currency: 'AED' })).status).toBe(201);
  });

  it('records the settings before and after each change', async () => {
    expect((await owner.put(url, { defaultCurrency: 'AED', accepted: ['AED', 'SAR', 'USD'] })).status).toBe(200);
    const rows = await audited(a.businessId);
    expect(rows.at(-1)?.details).toEqual({
      before: { defaultCurrency: 'SAR', accepted: ['AED', 'SAR'] },
      after: { defaultCurrency: 'AED', accepted: ['AED', 'SAR', 'USD'] },
    });
  });

  it('leaves another business’s currencies alone', async () => {
    expect((await http.as(b.ownerToken).get<Settings>(url)).body.chosen).toBe(false);
    expect(await stored(b.businessId)).toEqual([]);
    expect((await http.as(b.ownerToken).post(`/api/clients/${b.clientId}/balance/add`, { amount: '1.000', currency: 'KWD' })).status).toBe(200);
  });
});
