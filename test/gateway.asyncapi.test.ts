import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { asyncApiDocument } from '@storecredit/contracts';
import { createTestDatabase, type TestDatabase } from '@storecredit/testing';
import { AsyncApiController } from '../apps/gateway/src/asyncapi/asyncapi.controller';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';

/** The published Kafka contract, as anyone reaches it through the gateway: no sign-in, the right types. */
describe(AsyncApiController.name, () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(gatewayConfigFromEnv({ WEB_DIR: '/nonexistent' }), { url: db.url });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('serves the AsyncAPI document as JSON at /api/asyncapi.json without a sign-in', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/asyncapi.json' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.json()).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
  });

  it('serves the page at /api/asyncapi as HTML without a sign-in, under a policy that allows no inline script or style', async () => {
    const answer = await app.inject({ method: 'GET', url: '/api/asyncapi' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toMatch(/^<!doctype html>/);
    expect(answer.body).toContain('<code>storecredit.commands.checkout.v1</code>');
    const policy = String(answer.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
  });
});
