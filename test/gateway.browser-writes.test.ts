import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { browserWriteChecks } from '../apps/gateway/src/http/browser-writes';

const host = 'shop.example.test:3000';
const allowedOrigin = 'https://admin.example.test';

/** Writes a page on another site could make with the staff member's cookie, and the headers every answer carries. */
describe(browserWriteChecks.name, () => {
  let stack: LedgerStack;
  let app: NestFastifyApplication;
  let biz: SeededBusiness;
  let owner: GatewayClient;

  beforeAll(async () => {
    stack = await startLedgerStack({ ALLOWED_ORIGINS: `${allowedOrigin}, http://localhost:5173` });
    ({ app } = stack);
    biz = await seedBusiness(app, permissions);
    owner = new GatewayClient(app, biz.ownerToken);
    expect((await owner.post(`/api/clients/${biz.clientId}/balance/add`, { amount: '50.00', currency: 'AED' })).status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const balance = async () => {
    const answer = await owner.get<{ items: { balance: string }[] }>(`/api/clients/${biz.clientId}/balances`);
    return answer.body.items.map((item) => item.balance);
  };

  /** A write as the browser sends it: with the session cookie, at our Host, with the headers given. */
  const cookieWrite = (path: string, headers: Record<string, string>, payload = JSON.stringify({ amount: '1.00', currency: 'AED' })) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: { host, cookie: `sc_session=${biz.ownerToken}`, 'content-type': 'application/json', ...headers },
      payload,
    });

  const deductPath = () => `/api/clients/${biz.clientId}/balance/deduct`;

  describe('content types', () => {
    const refused: [string, string | undefined, string][] = [
      ['a form', 'application/x-www-form-urlencoded', 'amount=1.00&currency=AED'],
      ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="amount"\r\n\r\n1.00\r\n--x--\r\n'],
      ['text/plain', 'text/plain', '{"amount":"1.00","currency":"AED"}'],
      ['text/plain with a charset', 'text/plain; charset=utf-8', '{"amount":"1.00","currency":"AED"}'],
      ['JSON in UTF-16', 'application/json; charset=utf-16', '{"amount":"1.00","currency":"AED"}'],
      ['JSON in Latin-1', 'application/json; charset=iso-8859-1', '{"amount":"1.00","currency":"AED"}'],
      ['JSON with another parameter', 'application/json; boundary=x', '{"amount":"1.00","currency":"AED"}'],
      ['a JSON look-alike', 'application/jsonx', '{"amount":"1.00","currency":"AED"}'],
      ['text/json', 'text/json', '{"amount":"1.00","currency":"AED"}'],
      ['no content type on a body', undefined, '{"amount":"1.00","currency":"AED"}'],
    ];

    it.each(refused)('refuses %s on a write with 415 unsupported_media_type, changing nothing', async (_, contentType, payload) => {
      const before = await balance();
      for (const [url, token] of [
        [deductPath(), biz.ownerToken],
        [`/api/clients/${biz.clientId}/balance/add`, biz.ownerToken],
        ['/api/gift-cards', biz.ownerToken],
        ['/api/auth/sign-in', undefined],
      ] as const) {
        const answer = await app.inject({
          method: 'POST',
          url,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
          payload,
        });
        expect({ url, status: answer.statusCode, code: answer.json<{ error: { code: string } }>().error.code }).toEqual({ url, status: 415, code: 'unsupported_media_type' });
        expect(answer.json<{ error: { message: string } }>().error.message).toMatch(/JSON/);
      }
      expect(await balance()).toEqual(before);
    });

    it('takes JSON, in any case, with or without charset=utf-8, and a write without a body', async () => {
      for (const contentType of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
        const answer = await owner.request('POST', `/api/clients/${biz.clientId}/balance/add`, { amount: '1.00', currency: 'AED' }, { 'content-type': contentType });
        expect({ contentType, status: answer.status }).toEqual({ contentType, status: 200 });
      }
      const noBody = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { authorization: 'Bearer sess_nothing' } });
      expect(noBody.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    });
  });

  describe('cookie writes from another site', () => {
    const refused: [string, Record<string, string>][] = [
      ['another port of the same host', { origin: 'http://shop.example.test:4000', 'sec-fetch-site': 'same-site' }],
      ['another site', { origin: 'https://evil.example.net', 'sec-fetch-site': 'cross-site' }],
      ['a foreign Origin alone', { origin: 'https://evil.example.net' }],
      ['Sec-Fetch-Site cross-site alone', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site same-site alone', { 'sec-fetch-site': 'same-site' }],
      ['a sandboxed frame (Origin null)', { origin: 'null' }],
      ['our host name on another port', { origin: 'http://shop.example.test' }],
    ];

    it.each(refused)('refuses a cookie write from %s with 403 cross_site_request, changing nothing', async (_, headers) => {
      const before = await balance();
      const answer = await cookieWrite(deductPath(), headers);
      expect(answer.statusCode).toBe(403);
      expect(answer.json()).toMatchObject({ error: { code: 'cross_site_request', message: expect.any(String) } });
      expect(await balance()).toEqual(before);
    });

    it('takes a cookie write from our own pages, a configured origin, or a client that sends no fetch metadata', async () => {
      const allowed: Record<string, string>[] = [
        { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
        { origin: `https://${host}` },
        { origin: allowedOrigin, 'sec-fetch-site': 'same-site' },
        { origin: 'http://localhost:5173' },
        { 'sec-fetch-site': 'none' },
        {},
      ];
      for (const headers of allowed) {
        const answer = await cookieWrite(`/api/clients/${biz.clientId}/balance/add`, headers);
        expect({ headers, status: answer.statusCode }).toEqual({ headers, status: 200 });
      }
    });

    it('lets a service write with its bearer token whatever Origin and Sec-Fetch-Site say', async () => {
      const answer = await app.inject({
        method: 'POST',
        url: `/api/clients/${biz.clientId}/balance/add`,
        headers: {
          host,
          authorization: `Bearer ${biz.keyFor('balance.add')}`,
          cookie: `sc_session=${biz.ownerToken}`,
          'content-type': 'application/json',
          origin: 'https://evil.example.net',
          'sec-fetch-site': 'cross-site',
        },
        payload: JSON.stringify({ amount: '1.00', currency: 'AED' }),
      });
      expect(answer.statusCode).toBe(200);
    });

    it('still reads with the cookie from another site (reads change nothing and answers are not readable cross-origin)', async () => {
      const answer = await app.inject({
        method: 'GET',
        url: `/api/clients/${biz.clientId}/balances`,
        headers: { host, cookie: `sc_session=${biz.ownerToken}`, origin: 'https://evil.example.net', 'sec-fetch-site': 'cross-site' },
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('security headers', () => {
    const expectSecurityHeaders = (headers: Record<string, unknown>, path: string) => {
      const csp = String(headers['content-security-policy']);
      expect({ path, frameAncestors: /frame-ancestors 'none'/.test(csp), defaultSrc: /default-src 'self'/.test(csp), scriptSrc: /script-src 'self'(;|$)/.test(csp) }).toEqual({
        path,
        frameAncestors: true,
        defaultSrc: true,
        scriptSrc: true,
      });
      expect({ path, frame: headers['x-frame-options'], sniff: headers['x-content-type-options'], referrer: headers['referrer-policy'] }).toEqual({
        path,
        frame: 'DENY',
        sniff: 'nosniff',
        referrer: 'no-referrer',
      });
    };

    it('sends CSP, X-Frame-Options, nosniff and Referrer-Policy on pages, API answers and refusals', async () => {
      const answers = {
        '/': await app.inject({ method: 'GET', url: '/' }),
        '/api/health': await app.inject({ method: 'GET', url: '/api/health' }),
        '/api/clients (401)': await app.inject({ method: 'GET', url: '/api/clients' }),
        'balances (200)': await app.inject({ method: 'GET', url: `/api/clients/${biz.clientId}/balances`, headers: { authorization: `Bearer ${biz.ownerToken}` } }),
        'deduct (415)': await app.inject({ method: 'POST', url: deductPath(), headers: { 'content-type': 'text/plain' }, payload: 'x' }),
        'deduct (403)': await cookieWrite(deductPath(), { origin: 'https://evil.example.net' }),
        '/api/docs': await app.inject({ method: 'GET', url: '/api/docs' }),
      };
      for (const [path, answer] of Object.entries(answers)) expectSecurityHeaders(answer.headers, path);
    });

    it('allows inline styles on the API docs page only, and inline scripts nowhere', async () => {
      const docs = String((await app.inject({ method: 'GET', url: '/api/docs' })).headers['content-security-policy']);
      const api = String((await app.inject({ method: 'GET', url: '/api/health' })).headers['content-security-policy']);
      expect(docs).toMatch(/style-src 'self' 'unsafe-inline'/);
      expect(api).toMatch(/style-src 'self'(;|$)/);
      for (const csp of [docs, api]) expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    });
  });
});
