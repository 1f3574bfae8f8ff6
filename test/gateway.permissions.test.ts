import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { giftCardCode, uniqueId, type TestDatabase } from '@storecredit/testing';
import {
  GatewayClient,
  seedBusiness,
  type HttpAnswer,
  type SeededBusiness,
  startLedgerStack,
  type LedgerStack,
} from './support';
import { randomUUID } from 'node:crypto';
import { permissions, type Permission } from '../apps/gateway/src/auth/permissions';

type Body = Record<string, unknown>;
type Items<T = Body> = { items: T[] };

/** What a business's own routes may name: filled in beforeAll, used by the route table. */
interface Fixtures {
  commandId: string;
  redeemCode: string;
  voidCardId: string;
  revokeKeyId: string;
  staffId: string;
}

interface Route {
  name: string;
  /** The permission the route needs (or any one of a list); 'any' for routes open to every signed-in principal. */
  permission: Permission | readonly Permission[] | 'any';
  /** What an allowed call answers. */
  allowedStatus: number;
  call(http: GatewayClient, biz: SeededBusiness, fx: Fixtures): Promise<HttpAnswer>;
}

const password = 'correct horse battery';

/** Every authenticated route of the gateway, each with a call its permission would allow. */
const routes: Route[] = [
  { name: 'GET /api/auth/me', permission: 'any', allowedStatus: 200, call: (h) => h.get('/api/auth/me') },
  { name: 'POST /api/auth/sign-out', permission: 'any', allowedStatus: 204, call: (h) => h.post('/api/auth/sign-out') },
  { name: 'GET /api/commands/:commandId', permission: 'any', allowedStatus: 200, call: (h, _, fx) => h.get(`/api/commands/${fx.commandId}`) },
  { name: 'GET /api/staff', permission: 'staff.manage', allowedStatus: 200, call: (h) => h.get('/api/staff') },
  {
    name: 'POST /api/staff',
    permission: 'staff.manage',
    allowedStatus: 201,
    // Within staff.manage alone: a principal grants only what it holds (gateway.staff.test.ts tests the refusals).
    call: (h) => h.post('/api/staff', { email: `${uniqueId('staff')}@example.com`, name: 'New Staff', password, role: 'manager', permissions: ['staff.manage'] }),
  },
  {
    name: 'PATCH /api/staff/:id',
    permission: 'staff.manage',
    allowedStatus: 200,
    // Within staff.manage alone, as creation (gateway.staff-roles.test.ts tests the refusals).
    call: (h, _, fx) => h.request('PATCH', `/api/staff/${fx.staffId}`, { role: 'manager', permissions: ['staff.manage'] }),
  },
  {
    name: 'POST /api/staff/:id/deactivate',
    permission: 'staff.manage',
    allowedStatus: 200,
    call: (h, _, fx) => h.post(`/api/staff/${fx.staffId}/deactivate`),
  },
  {
    name: 'POST /api/staff/:id/reactivate',
    permission: 'staff.manage',
    allowedStatus: 200,
    call: (h, _, fx) => h.post(`/api/staff/${fx.staffId}/reactivate`),
  },
  {
    name: 'POST /api/staff/:id/password',
    permission: 'staff.manage',
    allowedStatus: 204,
    call: (h, _, fx) => h.post(`/api/staff/${fx.staffId}/password`, { password: 'a fresh passphrase here' }),
  },
  { name: 'GET /api/api-keys', permission: 'staff.manage', allowedStatus: 200, call: (h) => h.get('/api/api-keys') },
  {
    name: 'POST /api/api-keys',
    permission: 'staff.manage',
    allowedStatus: 201,
    call: (h) => h.post('/api/api-keys', { name: 'user admin', permissions: ['staff.manage'] }),
  },
  {
    name: 'DELETE /api/api-keys/:id',
    permission: 'staff.manage',
    allowedStatus: 200,
    call: (h, _, fx) => h.request('DELETE', `/api/api-keys/${fx.revokeKeyId}`),
  },
  { name: 'GET /api/clients', permission: 'balance.view', allowedStatus: 200, call: (h) => h.get('/api/clients?q=test') },
  { name: 'POST /api/clients', permission: 'balance.add', allowedStatus: 201, call: (h) => h.post('/api/clients', { name: 'Walk-in Client' }) },
  { name: 'GET /api/clients/:clientId', permission: 'balance.view', allowedStatus: 200, call: (h, b) => h.get(`/api/clients/${b.clientId}`) },
  {
    name: 'PATCH /api/clients/:clientId',
    permission: 'balance.add',
    allowedStatus: 200,
    call: (h, b) => h.request('PATCH', `/api/clients/${b.clientId}`, { phone: '+971 50 000 0000' }),
  },
  {
    name: 'GET /api/clients/:clientId/balances',
    permission: 'balance.view',
    allowedStatus: 200,
    call: (h, b) => h.get(`/api/clients/${b.clientId}/balances`),
  },
  {
    name: 'GET /api/clients/:clientId/balances/:currency',
    permission: 'balance.view',
    allowedStatus: 200,
    call: (h, b) => h.get(`/api/clients/${b.clientId}/balances/AED`),
  },
  {
    name: 'GET /api/clients/:clientId/transactions',
    permission: 'balance.view',
    allowedStatus: 200,
    call: (h, b) => h.get(`/api/clients/${b.clientId}/transactions`),
  },
  {
    name: 'GET /api/clients/:clientId/transactions.csv',
    permission: 'balance.view',
    allowedStatus: 200,
    call: (h, b) => h.get(`/api/clients/${b.clientId}/transactions.csv`),
  },
  { name: 'GET /api/reports/liability', permission: 'reports.view', allowedStatus: 200, call: (h) => h.get('/api/reports/liability') },
  { name: 'GET /api/reports/liability.csv', permission: 'reports.view', allowedStatus: 200, call: (h) => h.get('/api/reports/liability.csv') },
  { name: 'GET /api/audit', permission: 'audit.view', allowedStatus: 200, call: (h) => h.get('/api/audit') },
  {
    name: 'POST /api/clients/:clientId/balance/add',
    permission: 'balance.add',
    allowedStatus: 200,
    call: (h, b) => h.post(`/api/clients/${b.clientId}/balance/add`, { amount: '3.00', currency: 'AED' }),
  },
  {
    name: 'POST /api/clients/:clientId/balance/deduct',
    permission: 'balance.deduct',
    allowedStatus: 200,
    call: (h, b) => h.post(`/api/clients/${b.clientId}/balance/deduct`, { amount: '2.00', currency: 'AED' }),
  },
  {
    name: 'POST /api/clients/:clientId/gift-card-redemptions',
    permission: 'giftcard.redeem',
    allowedStatus: 200,
    call: (h, b, fx) => h.post(`/api/clients/${b.clientId}/gift-card-redemptions`, { code: fx.redeemCode }),
  },
  {
    name: 'POST /api/gift-cards',
    permission: 'giftcard.manage',
    allowedStatus: 201,
    call: (h) => h.post('/api/gift-cards', { amount: '15.00', currency: 'AED' }),
  },
  { name: 'GET /api/gift-cards', permission: 'giftcard.manage', allowedStatus: 200, call: (h) => h.get('/api/gift-cards') },
  {
    name: 'POST /api/gift-cards/:id/void',
    permission: 'giftcard.manage',
    allowedStatus: 200,
    call: (h, _, fx) => h.post(`/api/gift-cards/${fx.voidCardId}/void`),
  },
  {
    name: 'POST /api/checkout/payments',
    permission: 'checkout.pay',
    allowedStatus: 200,
    call: (h, b) => h.post('/api/checkout/payments', { clientId: b.clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '4.00' }),
  },
  {
    name: 'POST /api/checkout/holds',
    permission: 'checkout.pay',
    allowedStatus: 200,
    call: (h, b) => h.post('/api/checkout/holds', { clientId: b.clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '4.00' }),
  },
  {
    // A hold that is not there: the permission is checked first, then the hold is not found.
    name: 'POST /api/checkout/holds/:holdId/capture',
    permission: 'checkout.pay',
    allowedStatus: 404,
    call: (h) => h.post('/api/checkout/holds/0193b1f2-7a00-7c3d-8e4f-5a6b7c8d9e0f/capture', {}),
  },
  {
    name: 'POST /api/checkout/holds/:holdId/release',
    permission: 'checkout.pay',
    allowedStatus: 404,
    call: (h) => h.post('/api/checkout/holds/0193b1f2-7a00-7c3d-8e4f-5a6b7c8d9e0f/release', {}),
  },
  { name: 'GET /api/clients/:clientId/holds', permission: 'checkout.pay', allowedStatus: 200, call: (h, b) => h.get(`/api/clients/${b.clientId}/holds?status=active`) },
  {
    name: 'POST /api/refunds',
    permission: 'refund.credit',
    allowedStatus: 200,
    call: (h, b) =>
      h.post('/api/refunds', { clientId: b.clientId, currency: 'AED', refundId: uniqueId('refund'), amount: '1.00', saleId: uniqueId('sale'), saleAmount: '100.00' }),
  },
  { name: 'GET /api/clients/:clientId/payments', permission: 'refund.credit', allowedStatus: 200, call: (h, b) => h.get(`/api/clients/${b.clientId}/payments`) },
  {
    // A sale that is not there: the permission is checked first, then the sale is not found.
    name: 'GET /api/sales/:saleId',
    permission: 'refund.credit',
    allowedStatus: 404,
    call: (h) => h.get(`/api/sales/${uniqueId('sale')}`),
  },
  {
    // An entry the client does not have: the permission is checked first, then the entry is not found.
    name: 'POST /api/clients/:clientId/entries/:entryId/reverse',
    permission: 'balance.reverse',
    allowedStatus: 404,
    call: (h, b) => h.post(`/api/clients/${b.clientId}/entries/0193b1f2-7a00-7c3d-8e4f-5a6b7c8d9e0f/reverse`, { currency: 'AED', note: 'Wrong client' }),
  },
  // Whoever takes a paid top-up reads the tiers (to tell the client the bonus); only settings.manage changes them.
  { name: 'GET /api/settings/bonus-rules', permission: ['settings.manage', 'balance.add'], allowedStatus: 200, call: (h) => h.get('/api/settings/bonus-rules') },
  {
    name: 'PUT /api/settings/bonus-rules/:currency',
    permission: 'settings.manage',
    allowedStatus: 200,
    call: (h) => h.put('/api/settings/bonus-rules/AED', { tiers: [{ minAmount: '500', percent: '10' }], expiresInDays: 30 }),
  },
  { name: 'DELETE /api/settings/bonus-rules/:currency', permission: 'settings.manage', allowedStatus: 200, call: (h) => h.request('DELETE', '/api/settings/bonus-rules/KWD') },
  { name: 'GET /api/settings/credit', permission: 'settings.manage', allowedStatus: 200, call: (h) => h.get('/api/settings/credit') },
  { name: 'PUT /api/settings/credit', permission: 'settings.manage', allowedStatus: 200, call: (h) => h.put('/api/settings/credit', { refundGraceDays: 45 }) },
  // Every screen offers the business's currencies: any principal of the business reads them.
  { name: 'GET /api/settings/currencies', permission: 'any', allowedStatus: 200, call: (h) => h.get('/api/settings/currencies') },
  {
    name: 'PUT /api/settings/currencies',
    permission: 'settings.manage',
    allowedStatus: 200,
    call: (h) => h.put('/api/settings/currencies', { defaultCurrency: 'AED', accepted: ['AED', 'KWD'] }),
  },
];

/** The permissions a route admits. */
const admitted = (route: Route): readonly Permission[] => (route.permission === 'any' ? permissions : typeof route.permission === 'string' ? [route.permission] : route.permission);

/** What a principal without the route's permission is answered. */
function forbiddenBody(route: Route): Body {
  if (typeof route.permission === 'string') {
    return { error: { code: 'forbidden', message: `This needs the ${route.permission} permission`, details: { permission: route.permission } } };
  }
  const any = [...route.permission];
  return { error: { code: 'forbidden', message: `This needs one of the ${any.join(', ')} permissions`, details: { permissions: any } } };
}

/** An error body without the id of the refused command, which differs from call to call by design. */
function withoutCommandId(body: unknown): unknown {
  const error = (body as { error?: { details?: Body } }).error;
  if (!error?.details || !('commandId' in error.details)) return body;
  const { commandId: _commandId, ...details } = error.details;
  expect(typeof _commandId).toBe('string');
  return { error: { ...error, details } };
}

/** Everything a call could change, business-wide: a refused call must leave all of it as it was. */
async function snapshot(db: TestDatabase): Promise<Body> {
  const [row] = await db.query(`
    select (select count(*) from ledger_entry)::int as entries,
           (select coalesce(sum(balance), 0)::text from wallet) as balances,
           (select count(*) from wallet)::int as wallets,
           (select count(*) from gift_card)::int as gift_cards,
           (select count(*) from gift_card where status = 'active')::int as active_gift_cards,
           (select count(*) from client)::int as clients,
           (select md5(coalesce(string_agg(concat_ws('|', business_id, id, name, phone, email, external_id), '/' order by business_id, id), '')) from client) as client_fields,
           (select count(*) from staff)::int as staff,
           (select count(*) from staff where active)::int as active_staff,
           (select md5(string_agg(password_hash, ',' order by id)) from staff) as password_hashes,
           (select md5(string_agg(concat_ws('|', role, permissions::text), ',' order by id)) from staff) as staff_roles,
           (select count(*) from staff_session)::int as sessions,
           (select count(*) from api_key)::int as api_keys,
           (select count(*) from api_key where revoked_at is null)::int as live_api_keys,
           (select count(*) from gateway_request)::int as submitted_commands,
           (select count(*) from idempotency_record)::int as applied_commands,
           (select coalesce(sum(failures), 0)::int from rate_limit) as throttle_failures,
           (select md5(coalesce(string_agg(concat_ws('|', business_id, currency, tiers::text, expires_in_days, version), '/' order by business_id, currency), '')) from bonus_rule) as bonus_rules,
           (select md5(coalesce(string_agg(concat_ws('|', business_id, refund_grace_days), '/' order by business_id), '')) from credit_settings) as credit_settings,
           (select md5(coalesce(string_agg(concat_ws('|', business_id, default_currency, accepted::text), '/' order by business_id), '')) from business_currencies) as business_currencies`);
  return row;
}

/** The gateway's permissions and tenancy, route by route, against real PostgreSQL and Kafka. */
describe('gateway permissions', () => {
  let stack: LedgerStack;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let a: SeededBusiness;
  let b: SeededBusiness;
  const fx = {} as Fixtures;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ db, app } = stack);
    http = new GatewayClient(app);
    a = await seedBusiness(app, permissions);
    b = await seedBusiness(app, permissions);

    const owner = http.as(a.ownerToken);
    const added = await owner.post<{ commandId: string; status: string }>(`/api/clients/${a.clientId}/balance/add`, { amount: '100.00', currency: 'AED' });
    expect(added.body.status).toBe('applied');
    fx.commandId = added.body.commandId;
    const issued = await owner.post<Items<{ code: string; status: string; result: { giftCardId: string } }>>('/api/gift-cards', {
      amount: '20.00',
      currency: 'AED',
      count: 2,
    });
    expect(issued.status).toBe(201);
    fx.redeemCode = issued.body.items[0].code;
    fx.voidCardId = issued.body.items[1].result.giftCardId;
    const key = await owner.post<{ id: string }>('/api/api-keys', { name: 'to revoke', permissions: ['balance.view'] });
    fx.revokeKeyId = key.body.id;
    // A member the staff.manage key may manage: no permission beyond its own.
    const member = await owner.post<{ id: string }>('/api/staff', {
      email: `${uniqueId('member')}@example.com`,
      name: 'Member',
      password,
      role: 'front_desk',
      permissions: ['staff.manage'],
    });
    fx.staffId = member.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('the permission matrix', () => {
    it.each(routes.map((route) => [route.name, route] as const))('%s admits exactly its own permission', async (_, route) => {
      const allowed = admitted(route);
      const refused = permissions.filter((permission) => !allowed.includes(permission));
      const before = await snapshot(db);
      for (const permission of refused) {
        const answer = await route.call(http.as(a.keyFor(permission)), a, fx);
        expect({ permission, status: answer.status, body: answer.body }).toEqual({ permission, status: 403, body: forbiddenBody(route) });
      }
      expect(await snapshot(db)).toEqual(before);

      for (const permission of allowed) {
        const answer = await route.call(http.as(a.keyFor(permission)), a, fx);
        expect({ permission, status: answer.status }).toEqual({ permission, status: route.allowedStatus });
      }
    });

    it('lets an allowed call really do its work', async () => {
      // The matrix above ran one allowed call per route; these are their effects.
      const card = await db.query<{ status: string }>('select status from gift_card where id = $1', [fx.voidCardId]);
      expect(card).toEqual([{ status: 'void' }]);
      const key = await db.query<{ revoked: boolean }>('select revoked_at is not null as revoked from api_key where id = $1', [fx.revokeKeyId]);
      expect(key).toEqual([{ revoked: true }]);
      // 100 + 3 (add) - 2 (deduct) + 20 (gift card) - 4 (checkout) + 1 (refund)
      const balance = await http.as(a.ownerToken).get(`/api/clients/${a.clientId}/balances/AED`);
      expect(balance.body).toMatchObject({ balance: '118.00', hasBalance: true });
    });

    it('refuses every route without a token, with a garbage token and with a revoked key, changing nothing', async () => {
      const owner = http.as(a.ownerToken);
      const created = await owner.post<{ id: string; key: string }>('/api/api-keys', { name: 'everything', permissions: [...permissions] });
      expect(created.status).toBe(201);
      expect((await http.as(created.body.key).get(`/api/clients/${a.clientId}/balances`)).status).toBe(200);
      const revoked = await owner.request<{ revokedAt: string | null }>('DELETE', `/api/api-keys/${created.body.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      const stale = `sk_${'0'.repeat(32)}_${'A'.repeat(43)}`;

      const before = await snapshot(db);
      for (const [label, token] of [
        ['no token', undefined],
        ['garbage token', 'not-a-token'],
        ['unknown key', stale],
        ['revoked key', created.body.key],
      ] as const) {
        for (const route of routes) {
          const answer = await route.call(http.as(token), a, fx);
          expect({ label, route: route.name, status: answer.status, body: answer.body }).toEqual({
            label,
            route: route.name,
            status: 401,
            body: { error: { code: 'unauthenticated', message: 'Sign in first' } },
          });
        }
      }
      expect(await snapshot(db)).toEqual(before);
    });

    it('ends a session at sign-out', async () => {
      const signedIn = await http.post<{ token: string }>('/api/auth/sign-in', { email: `owner-${a.businessId}@example.com`, password });
      expect(signedIn.status).toBe(200);
      const session = http.as(signedIn.body.token);
      expect((await session.get('/api/auth/me')).body).toMatchObject({ kind: 'staff', businessId: a.businessId });
      expect((await session.post('/api/auth/sign-out')).status).toBe(204);
      const after = await session.get('/api/auth/me');
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ error: { code: 'unauthenticated', message: 'Sign in first' } });
    });

    it('serves health, the OpenAPI document and the docs page without a token', async () => {
      const health = await http.get('/api/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', database: 'up' });
      const openapi = await http.get<{ openapi: string; paths: Record<string, unknown> }>('/api/openapi.json');
      expect(openapi.status).toBe(200);
      expect(Object.keys(openapi.body.paths)).toEqual(
        expect.arrayContaining(['/api/clients/{clientId}/balance/add', '/api/checkout/payments', '/api/commands/{commandId}']),
      );
      const docs = await app.inject({ method: 'GET', url: '/api/docs' });
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toMatch(/^text\/html/);
      const wrong = await http.post('/api/auth/sign-in', { email: `owner-${a.businessId}@example.com`, password: 'wrong password!' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ error: { code: 'invalid_credentials', message: 'Email or password is incorrect' } });
    });
  });

  describe('staff roles', () => {
    it('lets the front desk view, add and redeem, but not deduct or manage', async () => {
      const owner = http.as(a.ownerToken);
      const email = `${uniqueId('desk')}@example.com`;
      const created = await owner.post<{ permissions: string[] }>('/api/staff', { email, name: 'Front Desk', password, role: 'front_desk' });
      expect(created.status).toBe(201);
      expect(created.body.permissions).toEqual(['balance.view', 'balance.add', 'giftcard.redeem', 'checkout.pay']);
      const signedIn = await http.post<{ token: string; staff: { role: string } }>('/api/auth/sign-in', { email, password });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.staff.role).toBe('front_desk');
      const desk = http.as(signedIn.body.token);
      const issued = await owner.post<Items<{ code: string }>>('/api/gift-cards', { amount: '10.00', currency: 'AED' });
      const start = (await desk.get<{ balance: string }>(`/api/clients/${a.clientId}/balances/AED`)).body.balance;
      expect(start).toBe('118.00');

      const added = await desk.post(`/api/clients/${a.clientId}/balance/add`, { amount: '5.00', currency: 'AED' });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ status: 'applied', result: { balanceAfter: '123.00' } });
      const redeemed = await desk.post(`/api/clients/${a.clientId}/gift-card-redemptions`, { code: issued.body.items[0].code });
      expect(redeemed.status).toBe(200);
      expect(redeemed.body).toMatchObject({ status: 'applied', result: { entryType: 'gift_card_redeemed', balanceAfter: '133.00' } });
      const history = await desk.get<Items<{ type: string }>>(`/api/clients/${a.clientId}/transactions?limit=2`);
      expect(history.status).toBe(200);
      expect(history.body.items.map((item) => item.type)).toEqual(['gift_card_redeemed', 'balance_added']);

      const entries = await db.query('select count(*)::int as n from ledger_entry');
      const deducted = await desk.post(`/api/clients/${a.clientId}/balance/deduct`, { amount: '1.00', currency: 'AED' });
      expect(deducted.status).toBe(403);
      expect(deducted.body).toMatchObject({ error: { code: 'forbidden', details: { permission: 'balance.deduct' } } });
      for (const url of ['/api/staff', '/api/api-keys', '/api/gift-cards']) expect((await desk.get(url)).status).toBe(403);
      expect((await desk.post('/api/refunds', { clientId: a.clientId, currency: 'AED', refundId: 'r-1', amount: '1.00', saleId: 's-1', saleAmount: '100.00' })).status).toBe(403);
      expect(await db.query('select count(*)::int as n from ledger_entry')).toEqual(entries);
      expect((await desk.get(`/api/clients/${a.clientId}/balances/AED`)).body).toMatchObject({ balance: '133.00' });
    });
  });

  describe('tenant isolation', () => {
    /** Resources of business A named by another business's principal, beside a random id of the same shape. */
    const namedRoutes: { name: string; call(h: GatewayClient, ids: { clientId: string; cardId: string; commandId: string; keyId: string; staffId: string }): Promise<HttpAnswer> }[] = [
      { name: 'GET client', call: (h, ids) => h.get(`/api/clients/${ids.clientId}`) },
      { name: 'edit client', call: (h, ids) => h.request('PATCH', `/api/clients/${ids.clientId}`, { name: 'Taken Over' }) },
      { name: 'GET balances', call: (h, ids) => h.get(`/api/clients/${ids.clientId}/balances`) },
      { name: 'GET balance in AED', call: (h, ids) => h.get(`/api/clients/${ids.clientId}/balances/AED`) },
      { name: 'GET transactions', call: (h, ids) => h.get(`/api/clients/${ids.clientId}/transactions`) },
      { name: 'GET transactions CSV', call: (h, ids) => h.get(`/api/clients/${ids.clientId}/transactions.csv`) },
      { name: 'add balance', call: (h, ids) => h.post(`/api/clients/${ids.clientId}/balance/add`, { amount: '1.00', currency: 'AED' }) },
      { name: 'deduct balance', call: (h, ids) => h.post(`/api/clients/${ids.clientId}/balance/deduct`, { amount: '1.00', currency: 'AED' }) },
      { name: 'redeem into client', call: (h, ids) => h.post(`/api/clients/${ids.clientId}/gift-card-redemptions`, { code: giftCardCode() }) },
      {
        name: 'reverse an entry of the client',
        call: (h, ids) => h.post(`/api/clients/${ids.clientId}/entries/0193b1f2-7a00-7c3d-8e4f-5a6b7c8d9e0f/reverse`, { currency: 'AED', note: 'Taken over' }),
      },
      {
        name: 'checkout payment',
        call: (h, ids) => h.post('/api/checkout/payments', { clientId: ids.clientId, currency: 'AED', saleId: 'sale-x', amountOwed: '10.00' }),
      },
      {
        name: 'refund',
        call: (h, ids) => h.post('/api/refunds', { clientId: ids.clientId, currency: 'AED', refundId: 'refund-x', amount: '1.00', saleId: 'sale-x', saleAmount: '100.00' }),
      },
      { name: 'void gift card', call: (h, ids) => h.post(`/api/gift-cards/${ids.cardId}/void`) },
      { name: 'command status', call: (h, ids) => h.get(`/api/commands/${ids.commandId}`) },
      { name: 'revoke API key', call: (h, ids) => h.request('DELETE', `/api/api-keys/${ids.keyId}`) },
      { name: 'deactivate staff', call: (h, ids) => h.post(`/api/staff/${ids.staffId}/deactivate`) },
      { name: 'reactivate staff', call: (h, ids) => h.post(`/api/staff/${ids.staffId}/reactivate`) },
      { name: 'reset staff password', call: (h, ids) => h.post(`/api/staff/${ids.staffId}/password`, { password: 'a fresh passphrase here' }) },
    ];
    let ofA: { clientId: string; cardId: string; cardLast4: string; commandId: string; keyId: string; staffId: string; code: string };

    beforeAll(async () => {
      const owner = http.as(a.ownerToken);
      const issued = await owner.post<Items<{ code: string; result: { giftCardId: string; last4: string } }>>('/api/gift-cards', {
        amount: '30.00',
        currency: 'AED',
      });
      const keys = await owner.get<Items<{ id: string; revokedAt: string | null }>>('/api/api-keys');
      const liveKey = keys.body.items.find((key) => key.revokedAt === null);
      if (!liveKey) throw new Error('business A has no live API key');
      const [card] = issued.body.items;
      ofA = { clientId: a.clientId, cardId: card.result.giftCardId, cardLast4: card.code.slice(-4), commandId: fx.commandId, keyId: liveKey.id, staffId: fx.staffId, code: card.code };
    });

    it.each(namedRoutes.map((route) => [route.name, route] as const))(
      '%s: a resource of another business answers 404 exactly like a missing one',
      async (_, route) => {
        const before = await snapshot(db);
        const missing = { clientId: uniqueId('client'), cardId: randomUUID(), commandId: randomUUID(), keyId: randomUUID(), staffId: randomUUID() };
        for (const [who, token] of [
          ['B owner', b.ownerToken],
          ['B all-permission key', b.allKey],
        ] as const) {
          const foreign = await route.call(http.as(token), ofA);
          const absent = await route.call(http.as(token), missing);
          expect({ who, status: foreign.status, code: (foreign.body as { error?: Body }).error?.code }).toEqual({
            who,
            status: 404,
            code: expect.stringMatching(/^(not_found|gift_card_not_found)$/),
          });
          expect({ who, status: foreign.status, body: withoutCommandId(foreign.body) }).toEqual({ who, status: absent.status, body: withoutCommandId(absent.body) });
        }
        // Only the gateway's record of B's own refused submissions may appear; nothing of A changes.
        const after = await snapshot(db);
        expect({ ...after, submitted_commands: 0, applied_commands: 0 }).toEqual({ ...before, submitted_commands: 0, applied_commands: 0 });
      },
    );

    it('leaves A’s card active and A’s key live after B tried to void and revoke them', async () => {
      const card = await db.query('select status from gift_card where id = $1', [ofA.cardId]);
      expect(card).toEqual([{ status: 'active' }]);
      const key = await db.query('select revoked_at from api_key where id = $1', [ofA.keyId]);
      expect(key).toEqual([{ revoked_at: null }]);
      const idempotency = await db.query('select business_id from idempotency_record where command_id = $1', [ofA.commandId]);
      expect(idempotency).toEqual([{ business_id: a.businessId }]);
    });

    it('does not find A’s gift card code or A’s balance payment from B', async () => {
      const allKey = http.as(b.allKey);
      const foreign = await allKey.post(`/api/clients/${b.clientId}/gift-card-redemptions`, { code: ofA.code });
      const absent = await allKey.post(`/api/clients/${b.clientId}/gift-card-redemptions`, { code: giftCardCode() });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: { code: 'gift_card_not_found', message: 'Gift card not found' } });
      expect(absent.body).toEqual(foreign.body);

      const paid = await http.as(a.ownerToken).post<{ commandId: string; result: { amount: string } }>('/api/checkout/payments', {
        clientId: a.clientId,
        currency: 'AED',
        saleId: uniqueId('sale'),
        amountOwed: '5.00',
      });
      expect(paid.body.result.amount).toBe('5.00');
      const refund = (paymentCommandId: string) =>
        allKey.post<{ error: Body }>('/api/refunds', { clientId: b.clientId, currency: 'AED', refundId: uniqueId('refund'), amount: '1.00', paymentCommandId });
      const foreignRefund = await refund(paid.body.commandId);
      const absentRefund = await refund(uniqueId('payment'));
      expect(foreignRefund.status).toBe(404);
      expect(foreignRefund.body.error).toMatchObject({ code: 'not_found', message: 'Balance payment not found' });
      expect(absentRefund.status).toBe(404);
      expect({ ...absentRefund.body.error, details: null }).toEqual({ ...foreignRefund.body.error, details: null });
      expect((await http.as(b.ownerToken).get(`/api/clients/${b.clientId}/balances`)).body).toEqual({ clientId: b.clientId, items: [] });
    });

    it('shows nothing of A in B’s lists', async () => {
      const owner = http.as(b.ownerToken);
      await owner.post('/api/gift-cards', { amount: '9.00', currency: 'AED' });
      const aNames = await db.query<{ id: string }>('select id from client where business_id = $1', [a.businessId]);
      expect(aNames.length).toBeGreaterThan(1);
      const aCards = (await db.query<{ id: string }>('select id from gift_card where business_id = $1', [a.businessId])).map((row) => row.id);
      const bCards = (await db.query<{ id: string }>('select id from gift_card where business_id = $1', [b.businessId])).map((row) => row.id);
      const aKeys = (await db.query<{ id: string }>('select id from api_key where business_id = $1', [a.businessId])).map((row) => row.id);
      const bKeys = (await db.query<{ id: string }>('select id from api_key where business_id = $1', [b.businessId])).map((row) => row.id);

      for (const token of [b.ownerToken, b.allKey]) {
        const h = http.as(token);
        const clients = await h.get<Items<{ id: string }>>('/api/clients?limit=100');
        expect(clients.body.items.map((c) => c.id)).toEqual([b.clientId]);
        const byName = await h.get<Items<{ id: string }>>(`/api/clients?q=${encodeURIComponent('Test Client')}`);
        expect(byName.body.items.map((c) => c.id)).toEqual([b.clientId]);
        const byId = await h.get<Items>(`/api/clients?q=${encodeURIComponent(a.clientId)}`);
        expect(byId.body.items).toEqual([]);
        const cards = await h.get<Items<{ id: string }>>('/api/gift-cards?limit=100');
        expect(cards.body.items.map((c) => c.id).sort()).toEqual([...bCards].sort());
        expect(cards.body.items.map((c) => c.id).filter((id) => aCards.includes(id))).toEqual([]);
        const byLast4 = await h.get<Items>(`/api/gift-cards?last4=${ofA.cardLast4}`);
        expect(byLast4.body.items).toEqual([]);
        const keys = await h.get<Items<{ id: string }>>('/api/api-keys');
        expect(keys.body.items.map((k) => k.id).sort()).toEqual([...bKeys].sort());
        const staff = await h.get<Items<{ email: string }>>('/api/staff');
        expect(staff.body.items.map((s) => s.email)).toEqual([`owner-${b.businessId}@example.com`]);
        const history = await h.get<Items>(`/api/clients/${b.clientId}/transactions`);
        expect(history.body.items).toEqual([]);
        const me = await h.get('/api/auth/me');
        expect(me.body).toMatchObject({ businessId: b.businessId });
      }
      expect(aKeys.filter((id) => bKeys.includes(id))).toEqual([]);
    });

    it('keeps Idempotency-Keys apart per business', async () => {
      const key = uniqueId('same-key');
      const inA = await http.as(a.ownerToken).post(`/api/clients/${a.clientId}/balance/add`, { amount: '1.00', currency: 'AED' }, { 'idempotency-key': key });
      const inB = await http.as(b.ownerToken).post(`/api/clients/${b.clientId}/balance/add`, { amount: '2.00', currency: 'AED' }, { 'idempotency-key': key });
      expect(inA).toMatchObject({ status: 200, body: { status: 'applied', replayed: false } });
      expect(inB).toMatchObject({ status: 200, body: { status: 'applied', replayed: false, result: { balanceAfter: '2.00' } } });
      expect(inB.body.commandId).not.toBe(inA.body.commandId);
    });

    it('lets two businesses use the same client id without mixing balances', async () => {
      // Runs last: from here on B has a client with A's client id.
      const created = await http.as(b.ownerToken).post('/api/clients', { id: a.clientId, name: 'Same Id, Other Business' });
      expect(created.status).toBe(201);
      const added = await http.as(b.ownerToken).post(`/api/clients/${a.clientId}/balance/add`, { amount: '7.00', currency: 'AED' });
      expect(added.body).toMatchObject({ status: 'applied', result: { balanceAfter: '7.00' } });
      const inA = await http.as(a.ownerToken).get<{ balance: string }>(`/api/clients/${a.clientId}/balances/AED`);
      const inB = await http.as(b.ownerToken).get<{ balance: string }>(`/api/clients/${a.clientId}/balances/AED`);
      expect(inB.body.balance).toBe('7.00');
      expect(inA.body.balance).not.toBe('7.00');
      const historyB = await http.as(b.ownerToken).get<Items<{ amount: string }>>(`/api/clients/${a.clientId}/transactions`);
      expect(historyB.body.items.map((item) => item.amount)).toEqual(['7.00']);
    });
  });
});
