import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type TestDatabase } from '@storecredit/testing';
import { GatewayClient, seedBusiness, type SeededBusiness, startLedgerStack, type LedgerStack } from './support';
import fc from 'fast-check';
import { permissions } from '../apps/gateway/src/auth/permissions';

/** Generated requests per run; `FUZZ_REQUESTS` raises it for a deeper run. */
const requestsTotal = Number.parseInt(process.env.FUZZ_REQUESTS ?? '10000', 10);
const fuzzTimeoutMs = 20 * 60 * 1000;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => Record<string, unknown>;
}
interface Ids {
  clientId: string;
  giftCardId: string;
  segment: string;
  /** A pagination cursor, percent-encoded. */
  cursor: string;
}

/** Every route, with a valid body the fuzzer mutates. */
const routes: Route[] = [
  { method: 'POST', path: () => '/api/auth/sign-in', body: () => ({ email: 'owner@example.com', password: 'wrong password' }) },
  { method: 'GET', path: () => '/api/auth/me' },
  { method: 'GET', path: () => '/api/staff' },
  { method: 'POST', path: () => '/api/staff', body: () => ({ email: 'x@example.com', name: 'X', password: 'short', role: 'front_desk' }) },
  { method: 'GET', path: () => '/api/api-keys' },
  { method: 'POST', path: () => '/api/api-keys', body: () => ({ name: 'k', permissions: ['balance.view'] }) },
  { method: 'DELETE', path: (ids) => `/api/api-keys/${ids.segment}` },
  { method: 'GET', path: (ids) => `/api/clients?q=${ids.segment}&limit=5` },
  { method: 'GET', path: (ids) => `/api/clients?cursor=${ids.cursor}` },
  { method: 'POST', path: () => '/api/clients', body: () => ({ name: 'Fuzz Client' }) },
  { method: 'GET', path: (ids) => `/api/clients/${ids.segment}` },
  { method: 'GET', path: (ids) => `/api/clients/${ids.clientId}/balances` },
  { method: 'GET', path: (ids) => `/api/clients/${ids.clientId}/balances/${ids.segment}` },
  { method: 'GET', path: (ids) => `/api/clients/${ids.clientId}/transactions?cursor=${ids.cursor}` },
  { method: 'GET', path: (ids) => `/api/clients/${ids.clientId}/transactions?type=${ids.segment}&from=${ids.segment}` },
  { method: 'POST', path: (ids) => `/api/clients/${ids.clientId}/balance/add`, body: () => ({ amount: '0.01', currency: 'AED', note: 'fuzz' }) },
  { method: 'POST', path: (ids) => `/api/clients/${ids.clientId}/balance/deduct`, body: () => ({ amount: '1000000.00', currency: 'AED' }) },
  {
    method: 'POST',
    path: (ids) => `/api/clients/${ids.clientId}/balance/add`,
    body: () => ({ amount: '0.01', currency: 'AED', referenceType: 'payment', expiresAt: '2099-01-01T00:00:00Z' }),
  },
  { method: 'POST', path: (ids) => `/api/clients/${ids.clientId}/entries/${ids.segment}/reverse`, body: () => ({ currency: 'AED', note: 'fuzz' }) },
  { method: 'GET', path: () => '/api/settings/bonus-rules' },
  {
    method: 'PUT',
    path: (ids) => `/api/settings/bonus-rules/${ids.segment}`,
    body: () => ({ tiers: [{ minAmount: '500.00', percent: '10' }, { minAmount: '1000', fixed: '150.00' }], expiresInDays: 90 }),
  },
  { method: 'PUT', path: () => '/api/settings/bonus-rules/AED', body: () => ({ tiers: [{ minAmount: '500.00', percent: '10' }], expiresInDays: null }) },
  { method: 'DELETE', path: (ids) => `/api/settings/bonus-rules/${ids.segment}` },
  { method: 'GET', path: () => '/api/settings/credit' },
  { method: 'PUT', path: () => '/api/settings/credit', body: () => ({ refundGraceDays: 30 }) },
  { method: 'GET', path: () => '/api/settings/currencies' },
  { method: 'PUT', path: () => '/api/settings/currencies', body: (ids) => ({ defaultCurrency: ids.segment, accepted: ['AED', ids.segment] }) },
  { method: 'PUT', path: () => '/api/settings/currencies', body: () => ({ defaultCurrency: 'AED', accepted: ['AED', 'SAR'] }) },
  { method: 'PATCH', path: (ids) => `/api/staff/${ids.segment}`, body: () => ({ role: 'front_desk' }) },
  { method: 'POST', path: (ids) => `/api/clients/${ids.clientId}/gift-card-redemptions`, body: () => ({ code: 'AAAA-BBBB-CCCC-DDDD' }) },
  { method: 'GET', path: (ids) => `/api/gift-cards?last4=${ids.segment}` },
  { method: 'GET', path: (ids) => `/api/gift-cards?status=active&cursor=${ids.cursor}` },
  { method: 'POST', path: () => '/api/gift-cards', body: () => ({ amount: '0', currency: 'AED' }) },
  { method: 'POST', path: (ids) => `/api/gift-cards/${ids.segment}/void` },
  { method: 'POST', path: () => '/api/checkout/payments', body: (ids) => ({ clientId: ids.clientId, currency: 'AED', saleId: 's-1', amountOwed: '0' }) },
  { method: 'POST', path: () => '/api/refunds', body: (ids) => ({ clientId: ids.clientId, currency: 'AED', refundId: 'r-1', amount: '1.00', paymentCommandId: 'none' }) },
  { method: 'GET', path: (ids) => `/api/commands/${ids.segment}` },
  { method: 'GET', path: () => '/api/health' },
];

const jsonValue = fc.jsonValue({ maxDepth: 3 });
/** Strings meant to break things: control characters, NUL, lone surrogates, huge numbers, SQL and JSON fragments. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', 'a\udc00b', "'; drop table wallet; --", '%', '_', '\\', '1e308', '-0', '0.000', '99999999999999999999.99', 'NaN', '', ' '),
  fc.string({ maxLength: 20 }),
);
const fieldValue = fc.oneof(nasty, jsonValue, fc.double(), fc.integer(), fc.constant(null), fc.array(nasty, { maxLength: 3 }));

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const timestampLike = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom('2026-13-45T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-11-01', 'now', 'infinity', '-infinity'),
);
/** Cursors: ours in shape with parts of the wrong kind, JSON of anything, junk bytes, and plain text. */
const cursor = fc
  .oneof(
    fc.tuple(fc.oneof(timestampLike, nasty, fc.integer()), fc.oneof(fc.uuid(), nasty, fc.integer())).map((parts) => base64url(JSON.stringify(parts))),
    fc.array(fieldValue, { maxLength: 3 }).map((parts) => base64url(JSON.stringify(parts))),
    jsonValue.map((value) => base64url(JSON.stringify(value))),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    nasty,
  )
  .map(encodeSegment);

/** A body: the route's valid one with a field changed, removed or added, or something else entirely. */
function bodyFor(route: Route, ids: Ids) {
  const valid = route.body?.(ids) ?? {};
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.record({ key: keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('x'), value: fieldValue }).map(({ key, value }) => JSON.stringify({ ...valid, [key]: value })),
    fc.record({ key: fc.string({ maxLength: 10 }), value: fieldValue }).map(({ key, value }) => JSON.stringify({ ...valid, [key]: value })),
    keys.length > 0 ? fc.constantFrom(...keys).map((key) => JSON.stringify({ ...valid, [key]: undefined })) : fc.constant('{}'),
    jsonValue.map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constant('{"amount": "1.00", '),
    fc.integer({ min: 17_000, max: 40_000 }).map((size) => JSON.stringify({ note: 'x'.repeat(size) })),
  );
}

/** Percent-encodes a path or query segment; a lone surrogate becomes invalid UTF-8 bytes on purpose. */
function encodeSegment(text: string): string {
  return Array.from(text, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%ED%A0%80';
    }
  }).join('');
}

describe('gateway under generated requests', () => {
  let stack: LedgerStack;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let biz: SeededBusiness;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ db, app } = stack);
    biz = await seedBusiness(app, permissions);
    const owner = new GatewayClient(app, biz.ownerToken);
    expect((await owner.post(`/api/clients/${biz.clientId}/balance/add`, { amount: '100.00', currency: 'AED' })).status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** What a refused request must not change: money, cards, clients, staff and keys. */
  const ledgerState = async () =>
    JSON.stringify(
      await db.query(`select
        (select count(*) from ledger_entry) as entries,
        (select coalesce(sum(balance), 0)::text from wallet) as balances,
        (select count(*) from wallet) as wallets,
        (select string_agg(status, ',' order by id) from gift_card) as cards,
        (select count(*) from client) as clients,
        (select count(*) from staff) as staff,
        (select count(*) from api_key where revoked_at is null) as keys,
        (select string_agg(currency || ':' || version, ',' order by currency) from bonus_rule) as bonus_rules,
        (select string_agg(refund_grace_days::text, ',') from credit_settings) as credit_settings,
        (select string_agg(role || ':' || permissions::text, ',' order by id) from staff) as roles,
        (select string_agg(default_currency || ':' || accepted::text, ',') from business_currencies) as currencies`),
    );

  it(
    `answers ${requestsTotal} generated requests across every route with no 5xx, and refused ones change nothing`,
    async () => {
      const statuses = new Map<number, number>();
      let refusedChecked = 0;
      let before = await ledgerState();
      const request = fc.record({
        route: fc.constantFrom(...routes),
        segment: fc.oneof(nasty, fc.constant(biz.clientId), fc.uuid()).map(encodeSegment),
        cursor,
        auth: fc.constantFrom(`Bearer ${biz.ownerToken}`, `Bearer ${biz.allKey}`, undefined, 'Bearer sess_forged', 'Basic abc'),
        contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
        idempotencyKey: fc.option(nasty.map((s) => s.replace(/[^\x21-\x7e]/g, '') || 'k'), { nil: undefined }),
        bodySeed: fc.nat(),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ route, segment, cursor, auth, contentType, idempotencyKey, bodySeed }) => {
          const ids: Ids = { clientId: biz.clientId, giftCardId: segment, segment, cursor };
          const [payload] = route.method === 'GET' ? [undefined] : fc.sample(bodyFor(route, ids), { seed: bodySeed, numRuns: 1 });
          const response = await app.inject({
            method: route.method,
            url: route.path(ids),
            headers: {
              ...(auth ? { authorization: auth } : {}),
              ...(contentType && payload !== undefined ? { 'content-type': contentType } : {}),
              ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            },
            payload,
          });
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          if (response.statusCode >= 500) {
            throw new Error(`${route.method} ${route.path(ids)} ${String(payload).slice(0, 200)} -> ${response.statusCode} ${response.body}`);
          }
          if (response.statusCode >= 400 && route.method !== 'GET') {
            const after = await ledgerState();
            if (after !== before) throw new Error(`refused ${route.method} ${route.path(ids)} changed the ledger: ${before} -> ${after}`);
            refusedChecked += 1;
          } else if (route.method !== 'GET') {
            before = await ledgerState();
          }
        }),
        { numRuns: requestsTotal, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
      );
      const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
      process.stdout.write(
        `\nHTTP fuzz: ${requestsTotal} requests over ${routes.length} routes | statuses ${summary} | refused writes checked unchanged: ${refusedChecked} | 5xx: 0 | violations: 0\n`,
      );
      expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
      const report = await db.query<{ balance: string }>('select balance::text from wallet where client_id = $1', [biz.clientId]);
      expect(Number(report[0].balance)).toBeGreaterThanOrEqual(0);
    },
    fuzzTimeoutMs,
  );
});
