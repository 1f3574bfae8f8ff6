import type { FastifyRequest } from 'fastify';
import { contentTypeRefusal, crossSiteRefusal } from './browser-writes';

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
