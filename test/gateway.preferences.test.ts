import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, TestClock, uniqueId, type TestDatabase } from '@storecredit/testing';
import { GatewayClient, seedBusiness, type SeededBusiness } from './support';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';

const password = 'correct horse battery';
const preferencesPath = '/api/auth/me/preferences';

/**
 * A staff member's language and digits for the web app: kept on the server, set by the member for themselves only,
 * returned by /api/auth/me and at sign-in, and refused with a stable code when the value is not one the app has.
 */
describe('staff preferences', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let address = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(gatewayConfigFromEnv({ WEB_DIR: '/nonexistent' }), { url: db.url }, new TestClock());
    http = new GatewayClient(app);
    biz = await seedBusiness(app, permissions);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function signIn(email: string): Promise<{ session: GatewayClient; staff: Record<string, unknown> }> {
    const response = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password }, remoteAddress: `10.9.0.${++address}` });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body) as { token: string; staff: Record<string, unknown> };
    return { session: http.as(body.token), staff: body.staff };
  }

  async function newFrontDesk(): Promise<{ id: string; email: string }> {
    const email = `${uniqueId('desk')}@example.com`;
    const created = await http.as(biz.ownerToken).post<{ id: string }>('/api/staff', { email, name: 'Desk', password, role: 'front_desk' });
    expect(created.status).toBe(201);
    return { id: created.body.id, email };
  }

  it('starts in English with Latin digits, at sign-in and in /api/auth/me', async () => {
    const desk = await newFrontDesk();
    const { session, staff } = await signIn(desk.email);
    expect(staff.preferences).toEqual({ language: 'en', digits: 'latn' });
    expect((await session.get('/api/auth/me')).body).toMatchObject({ id: desk.id, preferences: { language: 'en', digits: 'latn' } });
  });

  it('keeps a member’s choice on the server: a new session, on any device, gets it back', async () => {
    const desk = await newFrontDesk();
    const first = await signIn(desk.email);
    const saved = await first.session.put(preferencesPath, { language: 'ar', digits: 'arab' });
    expect(saved).toMatchObject({ status: 200, body: { language: 'ar', digits: 'arab' } });
    expect((await first.session.get('/api/auth/me')).body).toMatchObject({ preferences: { language: 'ar', digits: 'arab' } });
    await first.session.post('/api/auth/sign-out');
    const second = await signIn(desk.email);
    expect(second.staff.preferences).toEqual({ language: 'ar', digits: 'arab' });
    expect((await second.session.get('/api/auth/me')).body).toMatchObject({ preferences: { language: 'ar', digits: 'arab' } });
  });

  it('changes only the caller’s own preferences, never another member’s', async () => {
    const [one, two] = [await newFrontDesk(), await newFrontDesk()];
    const a = await signIn(one.email);
    const b = await signIn(two.email);
    await a.session.put(preferencesPath, { language: 'ar', digits: 'latn' });
    expect((await b.session.get('/api/auth/me')).body).toMatchObject({ id: two.id, preferences: { language: 'en', digits: 'latn' } });
    // The body names no member: there is no way to aim it at someone else.
    expect((await a.session.put(preferencesPath, { language: 'en', digits: 'latn', staffId: two.id })).status).toBe(400);
    expect((await b.session.get('/api/auth/me')).body).toMatchObject({ preferences: { language: 'en', digits: 'latn' } });
  });

  it('refuses a language or digits the app does not have with 422 unknown_preference, and changes nothing', async () => {
    const desk = await newFrontDesk();
    const { session } = await signIn(desk.email);
    for (const body of [{ language: 'fr', digits: 'latn' }, { language: 'ar', digits: 'roman' }, { language: 'AR', digits: 'arab' }]) {
      const answer = await session.put(preferencesPath, body);
      expect(answer).toMatchObject({ status: 422, body: { error: { code: 'unknown_preference' } } });
    }
    expect((await session.get('/api/auth/me')).body).toMatchObject({ preferences: { language: 'en', digits: 'latn' } });
  });

  it('refuses a body of another shape with 400 invalid_request, never a 500', async () => {
    const { session } = await signIn((await newFrontDesk()).email);
    for (const body of [{ language: 'ar' }, {}, [], 'ar', { language: 1, digits: null }]) {
      const answer = await session.put(preferencesPath, body);
      expect(answer.status).toBe(400);
      expect((answer.body as { error: { code: string } }).error.code).toMatch(/^(invalid_request|malformed_json)$/);
    }
  });

  it('needs a signed-in staff member: none is 401, an API key (no person) is 403', async () => {
    expect((await http.put(preferencesPath, { language: 'ar', digits: 'latn' })).status).toBe(401);
    const viaKey = await http.as(biz.allKey).put(preferencesPath, { language: 'ar', digits: 'latn' });
    expect(viaKey).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('the database refuses a language it does not know, whatever the code does', async () => {
    const desk = await newFrontDesk();
    await expect(db.query(`update staff set language = 'fr' where id = $1`, [desk.id])).rejects.toThrow(/staff_language_known/);
    await expect(db.query(`update staff set digits = 'roman' where id = $1`, [desk.id])).rejects.toThrow(/staff_digits_known/);
  });
});
