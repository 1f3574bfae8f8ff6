import type { FastifyReply, FastifyRequest } from 'fastify';
import { gatewayConfigFromEnv } from '../gateway.config';
import { contentTypeRefusal, crossSiteRefusal, hostCheck, hostNameOf } from './browser-writes';

const host = 'shop.example.test:3000';

function request(method: string, headers: Record<string, string>, cookie?: string): FastifyRequest {
  return { method, headers: { host, ...headers }, cookies: cookie === undefined ? {} : { sc_session: cookie } } as unknown as FastifyRequest;
}

describe(contentTypeRefusal.name, () => {
  it.each(['application/json', 'APPLICATION/JSON', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"'])(
    'takes %s',
    (contentType) => {
      expect(contentTypeRefusal(request('POST', { 'content-type': contentType, 'content-length': '2' }))).toBeNull();
    },
  );

  it.each(['application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=utf-16', 'application/json, text/plain', ' application/json', 'application/json; charset=utf-8; x=1'])(
    'refuses %s with unsupported_media_type',
    (contentType) => {
      expect(contentTypeRefusal(request('DELETE', { 'content-type': contentType, 'content-length': '2' }))?.code).toBe('unsupported_media_type');
    },
  );

  it('refuses a body without a content type, and takes a write with no body at all', () => {
    expect(contentTypeRefusal(request('POST', { 'content-length': '2' }))?.code).toBe('unsupported_media_type');
    expect(contentTypeRefusal(request('POST', { 'transfer-encoding': 'chunked' }))?.code).toBe('unsupported_media_type');
    expect(contentTypeRefusal(request('POST', {}))).toBeNull();
    expect(contentTypeRefusal(request('POST', { 'content-length': '0' }))).toBeNull();
  });

  it('leaves reads alone', () => {
    expect(contentTypeRefusal(request('GET', { 'content-type': 'text/plain', 'content-length': '2' }))).toBeNull();
  });
});

describe(crossSiteRefusal.name, () => {
  const allowed = new Set(['https://admin.example.test']);

  it('refuses a cookie write whose Origin is not our Host, or whose fetch metadata says another site', () => {
    const refused: Record<string, string>[] = [{ origin: 'http://shop.example.test:4000' }, { origin: 'null' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of refused) {
      expect(crossSiteRefusal(request('POST', headers, 'sess_1'), allowed)?.code).toBe('cross_site_request');
    }
  });

  it('takes our own origin in any case, a configured origin, and a client without Origin or fetch metadata', () => {
    const taken: Record<string, string>[] = [{ origin: 'http://SHOP.example.test:3000' }, { origin: 'https://admin.example.test', 'sec-fetch-site': 'cross-site' }, {}];
    for (const headers of taken) {
      expect(crossSiteRefusal(request('POST', headers, 'sess_1'), allowed)).toBeNull();
    }
  });

  it('leaves bearer writes, writes without a session and reads alone', () => {
    const foreign = { origin: 'https://evil.example.net', 'sec-fetch-site': 'cross-site' };
    expect(crossSiteRefusal(request('POST', { ...foreign, authorization: 'Bearer key_1' }, 'sess_1'), allowed)).toBeNull();
    expect(crossSiteRefusal(request('POST', foreign), allowed)).toBeNull();
    expect(crossSiteRefusal(request('GET', foreign, 'sess_1'), allowed)).toBeNull();
  });
});

describe(hostNameOf.name, () => {
  it.each([
    ['127.0.0.1:3000', '127.0.0.1'],
    ['LOCALHOST', 'localhost'],
    ['[::1]:3000', '[::1]'],
    ['rebind.attacker.example:3000', 'rebind.attacker.example'],
    ['', null],
    [undefined, null],
  ])('reads %s as %s', (header, name) => {
    expect(hostNameOf(header)).toBe(name);
  });
});

describe('the embedded gateway and DNS rebinding', () => {
  const config = (env: NodeJS.ProcessEnv) => gatewayConfigFromEnv({ PORT: '3000', ...env });

  it('answers only to the loopback names in embedded mode, and to the names ALLOWED_HOSTS adds', () => {
    expect(config({}).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(config({ ALLOWED_HOSTS: 'salon-pc.local' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'salon-pc.local']);
    expect(config({ HOST: '0.0.0.0' }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });

  it('answers to any name in production unless ALLOWED_HOSTS lists some', () => {
    const production = { DATABASE_URL: 'postgres://db/ledger', KAFKA_BROKERS: 'kafka:9092' };
    expect(config(production).allowedHosts).toBeNull();
    expect(config({ ...production, ALLOWED_HOSTS: 'ledger.example.com' }).allowedHosts).toEqual(['127.0.0.1', 'ledger.example.com']);
  });

  it('refuses a request to another name with 421 invalid_host, and takes one to an allowed name', async () => {
    const check = hostCheck(['localhost', '127.0.0.1', '[::1]']);
    const sent: { status?: number; body?: unknown } = {};
    const reply = {
      status(code: number) {
        sent.status = code;
        return this;
      },
      send(body: unknown) {
        sent.body = body;
        return this;
      },
    } as unknown as FastifyReply;
    expect(await check(request('GET', { host: '127.0.0.1:3000' }), reply)).toBeUndefined();
    expect(sent.status).toBeUndefined();
    await check({ method: 'POST', headers: { host: 'rebind.attacker.example:3000' } } as unknown as FastifyRequest, reply);
    expect(sent.status).toBe(421);
    expect(sent.body).toMatchObject({ error: { code: 'invalid_host' } });
  });
});
