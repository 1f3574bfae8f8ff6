import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, type TestDatabase } from '@storecredit/testing';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';

/** The gateway's /metrics with METRICS_TOKEN set: a scrape without the token, or with another, reads nothing. */
describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'prometheus-scrape-token-0123456789';
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(gatewayConfigFromEnv({ WEB_DIR: '/nonexistent', METRICS_TOKEN: token }), { url: db.url });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('refuses a scrape without the token or with another, with a 401 in the API error shape', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token-at-all-000' }, { authorization: token }]) {
      const answer = await app.inject({ method: 'GET', url: '/metrics', headers });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(answer.body).not.toContain('storecredit_');
    }
  });

  it('answers the scrape that brings it', async () => {
    const answer = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('storecredit_http_request_duration_seconds');
  });
});
