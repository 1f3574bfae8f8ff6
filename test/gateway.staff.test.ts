import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, TestClock, uniqueId, type TestDatabase } from '@storecredit/testing';
import { GatewayClient, seedBusiness, type HttpAnswer, type SeededBusiness } from './support';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { sessionIdleMsDefault, sessionLifetimeMsDefault, sessionTouchIntervalMs } from '../apps/gateway/src/auth/sessions';
import { signInFailuresPerAccountMax, signInFailuresPerAddressMax, signInThrottleWindowMs } from '../apps/gateway/src/auth/sign-in-throttle';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';

type Body = Record<string, unknown>;

const password = 'correct horse battery';
const minuteMs = 60_000;

/**
 * Taking staff access away: deactivation, password resets, signing out everywhere, idle sessions, the sign-in
 * throttle, the password policy and emails per business. The gateway runs in-process on real PostgreSQL with a
 * clock the test moves (no worker is needed: none of these routes sends a ledger command).
 */
describe('staff access', () => {
  const clock = new TestClock();
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let other: SeededBusiness;
  /** Each test signs in from addresses of its own, so the per-address throttle of one test never touches another. */
  let addressCounter = 0;
  const freshAddress = () => `10.0.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(gatewayConfigFromEnv({ WEB_DIR: '/nonexistent' }), { url: db.url }, clock);
    http = new GatewayClient(app);
    biz = await seedBusiness(app, permissions);
    other = await seedBusiness(app, permissions);
  });

  /** The clock moves past idle timeouts, so the owners sign in afresh before each test. */
  beforeEach(async () => {
    for (const business of [biz, other]) {
      business.ownerToken = (await app.get(AuthService).signIn(`owner-${business.businessId}@example.com`, password)).token;
    }
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function signIn(body: Body, address = freshAddress()): Promise<HttpAnswer> {
    const response = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: body, remoteAddress: address });
    return { status: response.statusCode, body: JSON.parse(response.body) as Body, headers: response.headers };
  }

  async function sessionOf(email: string, secret = password): Promise<GatewayClient> {
    const answer = await signIn({ email, password: secret });
    expect(answer.status).toBe(200);
    return http.as(answer.body.token as string);
  }

  async function createStaff(owner: GatewayClient, role: string, extra: Body = {}): Promise<{ id: string; email: string }> {
    const email = `${uniqueId(role)}@example.com`;
    const created = await owner.post<{ id: string; email: string }>('/api/staff', { email, name: `A ${role}`, password, role, ...extra });
    expect(created.status).toBe(201);
    return created.body;
  }

  const owner = () => http.as(biz.ownerToken);
  const unauthenticated = { error: { code: 'unauthenticated', message: 'Sign in first' } };
  const invalidCredentials = { error: { code: 'invalid_credentials', message: 'Email or password is incorrect' } };

  describe('deactivation', () => {
    it('ends a deactivated member’s sessions at once and refuses their sign-in, even with the right password', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const first = await sessionOf(desk.email);
      const second = await sessionOf(desk.email);
      expect((await first.get('/api/auth/me')).status).toBe(200);

      const deactivated = await owner().post(`/api/staff/${desk.id}/deactivate`);
      expect(deactivated.status).toBe(200);
      expect(deactivated.body).toMatchObject({ id: desk.id, active: false, revokedApiKeyIds: [] });
      for (const session of [first, second]) {
        const after = await session.get('/api/auth/me');
        expect({ status: after.status, body: after.body }).toEqual({ status: 401, body: unauthenticated });
      }
      expect(await db.query('select count(*)::int as n from staff_session where staff_id = $1', [desk.id])).toEqual([{ n: 0 }]);
      const refused = await signIn({ email: desk.email, password });
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 401, body: invalidCredentials });
      const listed = await owner().get<{ items: { id: string; active: boolean }[] }>('/api/staff');
      expect(listed.body.items.find((s) => s.id === desk.id)).toMatchObject({ active: false });
    });

    it('lets a reactivated member sign in again, with none of the old sessions back', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const old = await sessionOf(desk.email);
      expect((await owner().post(`/api/staff/${desk.id}/deactivate`)).status).toBe(200);
      const reactivated = await owner().post(`/api/staff/${desk.id}/reactivate`);
      expect(reactivated.status).toBe(200);
      expect(reactivated.body).toMatchObject({ id: desk.id, active: true });
      expect((await old.get('/api/auth/me')).status).toBe(401);
      const fresh = await sessionOf(desk.email);
      expect((await fresh.get('/api/auth/me')).body).toMatchObject({ id: desk.id, businessId: biz.businessId });
    });

    it('revokes the API keys the deactivated member created, and only theirs', async () => {
      const manager = await createStaff(owner(), 'manager', { permissions: ['staff.manage', 'balance.view'] });
      const managerSession = await sessionOf(manager.email);
      const theirs = await managerSession.post<{ id: string; key: string }>('/api/api-keys', { name: 'checkout', permissions: ['balance.view'] });
      const ownersKey = await owner().post<{ id: string; key: string }>('/api/api-keys', { name: 'reporting', permissions: ['balance.view'] });
      expect((await http.as(theirs.body.key).get(`/api/clients/${biz.clientId}/balances`)).status).toBe(200);

      const deactivated = await owner().post(`/api/staff/${manager.id}/deactivate`);
      expect(deactivated.body).toMatchObject({ active: false, revokedApiKeyIds: [theirs.body.id] });
      expect((await http.as(theirs.body.key).get(`/api/clients/${biz.clientId}/balances`)).status).toBe(401);
      expect((await http.as(ownersKey.body.key).get(`/api/clients/${biz.clientId}/balances`)).status).toBe(200);
      // Reactivation gives the person back, not the keys: a revoked key stays revoked.
      await owner().post(`/api/staff/${manager.id}/reactivate`);
      expect((await http.as(theirs.body.key).get(`/api/clients/${biz.clientId}/balances`)).status).toBe(401);
    });

    it('refuses a member deactivating themselves', async () => {
      const ownerId = ((await owner().get('/api/auth/me')).body as { id: string }).id;
      const refused = await owner().post(`/api/staff/${ownerId}/deactivate`);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'invalid_request', message: 'You cannot deactivate yourself' } });
      expect((await owner().get('/api/auth/me')).status).toBe(200);
    });

    it('refuses deactivating the last active owner, and allows it while another owner stays', async () => {
      const ownerId = ((await owner().get('/api/auth/me')).body as { id: string }).id;
      const managerKey = http.as(biz.keyFor('staff.manage'));
      const refused = await managerKey.post(`/api/staff/${ownerId}/deactivate`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error: { code: 'last_owner' } });
      expect((await owner().get('/api/auth/me')).status).toBe(200);

      const second = await createStaff(owner(), 'owner');
      const secondSession = await sessionOf(second.email);
      expect((await secondSession.post(`/api/staff/${ownerId}/deactivate`)).status).toBe(200);
      expect((await owner().get('/api/auth/me')).status).toBe(401);
      expect((await managerKey.post(`/api/staff/${second.id}/deactivate`)).status).toBe(409);
      expect((await secondSession.post(`/api/staff/${ownerId}/reactivate`)).status).toBe(200);
    });

    it('answers 404 for another business’s member exactly like a missing one, changing nothing', async () => {
      const foreign = await createStaff(http.as(other.ownerToken), 'front_desk');
      const foreignSession = await sessionOf(foreign.email);
      const missing = '0190a8a0-0000-7000-8000-000000000000';
      for (const path of ['deactivate', 'reactivate', 'password']) {
        const body = path === 'password' ? { password: 'a brand new passphrase' } : {};
        const ofOther = await owner().post(`/api/staff/${foreign.id}/${path}`, body);
        const absent = await owner().post(`/api/staff/${missing}/${path}`, body);
        expect({ path, status: ofOther.status, body: ofOther.body }).toEqual({ path, status: 404, body: absent.body });
      }
      expect((await foreignSession.get('/api/auth/me')).status).toBe(200);
    });

    it('refuses the front desk every staff access route', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const target = await createStaff(owner(), 'front_desk');
      const session = await sessionOf(desk.email);
      for (const [path, body] of [
        ['deactivate', {}],
        ['reactivate', {}],
        ['password', { password: 'a brand new passphrase' }],
      ] as const) {
        const refused = await session.post(`/api/staff/${target.id}/${path}`, body);
        expect({ path, status: refused.status, body: refused.body }).toMatchObject({
          path,
          status: 403,
          body: { error: { code: 'forbidden', details: { permission: 'staff.manage' } } },
        });
      }
      await sessionOf(target.email);
    });
  });

  describe('passwords', () => {
    it('resets a member’s password, ending every session they had', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const session = await sessionOf(desk.email);
      const reset = await owner().post(`/api/staff/${desk.id}/password`, { password: 'lantern river quietly' });
      expect(reset.status).toBe(204);
      expect((await session.get('/api/auth/me')).status).toBe(401);
      expect((await signIn({ email: desk.email, password })).status).toBe(401);
      expect((await signIn({ email: desk.email, password: 'lantern river quietly' })).status).toBe(200);
    });

    it('changes one’s own password with the current one, ending the other sessions but not this one', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const here = await sessionOf(desk.email);
      const elsewhere = await sessionOf(desk.email);
      const changed = await here.post('/api/auth/password', { currentPassword: password, newPassword: 'walnut meadow sunrise' });
      expect(changed.status).toBe(204);
      expect((await here.get('/api/auth/me')).status).toBe(200);
      expect((await elsewhere.get('/api/auth/me')).status).toBe(401);
      expect((await signIn({ email: desk.email, password: 'walnut meadow sunrise' })).status).toBe(200);
    });

    it('refuses an own change with a wrong current password, keeping the old one', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const here = await sessionOf(desk.email);
      const refused = await here.post('/api/auth/password', { currentPassword: 'not my password at all', newPassword: 'walnut meadow sunrise' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'invalid_request', details: { field: 'currentPassword' } } });
      expect((await signIn({ email: desk.email, password })).status).toBe(200);
    });

    it('refuses an own change from an API key, which has no password', async () => {
      const refused = await http.as(biz.allKey).post('/api/auth/password', { currentPassword: password, newPassword: 'walnut meadow sunrise' });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
    });

    /** Each weak password, given the email of the member it is for. */
    it.each<[string, (email: string) => string]>([
      ['ten a’s', () => 'aaaaaaaaaa'],
      ['twelve a’s', () => 'aaaaaaaaaaaa'],
      ['ten spaces', () => ' '.repeat(10)],
      ['sixteen spaces', () => ' '.repeat(16)],
      ['a common password', () => 'password12'],
      ['a common password padded to length', () => 'password1234'],
      ['a common word with a year', () => 'Sunshine2026!'],
      ['two characters repeated', () => 'abababababab'],
      ['the email’s local part', (email) => `${email.split('@')[0]}-2026!`],
      ['too short', () => 'Xq7#v'],
    ])('refuses %s as a password on creation, reset and own change', async (_, weakFor) => {
      const staffBefore = await db.query('select count(*)::int as n from staff');
      const email = 'weak.staff.member@example.com';
      const created = await owner().post('/api/staff', { email, name: 'Weak', password: weakFor(email), role: 'front_desk' });
      expect({ status: created.status, code: (created.body as { error: Body }).error.code }).toEqual({ status: 400, code: 'weak_password' });
      expect(typeof (created.body as { error: { message: string } }).error.message).toBe('string');
      expect(await db.query('select count(*)::int as n from staff')).toEqual(staffBefore);

      const desk = await createStaff(owner(), 'front_desk');
      const reset = await owner().post(`/api/staff/${desk.id}/password`, { password: weakFor(desk.email) });
      expect({ status: reset.status, code: (reset.body as { error: Body }).error.code }).toEqual({ status: 400, code: 'weak_password' });
      const session = await sessionOf(desk.email);
      const own = await session.post('/api/auth/password', { currentPassword: password, newPassword: weakFor(desk.email) });
      expect({ status: own.status, code: (own.body as { error: Body }).error.code }).toEqual({ status: 400, code: 'weak_password' });
      expect((await session.get('/api/auth/me')).status).toBe(200);
    });

    it('refuses a weak password in the service itself, as the business creation CLI calls it', async () => {
      await expect(
        app.get(AuthService).createStaff(biz.businessId, { email: 'cli-owner@example.com', name: 'Owner', password: 'password12', role: 'owner' }),
      ).rejects.toMatchObject({ code: 'weak_password' });
    });
  });

  describe('signing out', () => {
    it('revokes the session on the server at sign-out', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const answer = await signIn({ email: desk.email, password });
      const token = answer.body.token as string;
      expect((await http.as(token).post('/api/auth/sign-out')).status).toBe(204);
      expect(await db.query('select count(*)::int as n from staff_session where staff_id = $1', [desk.id])).toEqual([{ n: 0 }]);
    });

    it('ends every session of the caller at sign-out everywhere, and no one else’s', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const colleague = await createStaff(owner(), 'front_desk');
      const sessions = [await sessionOf(desk.email), await sessionOf(desk.email), await sessionOf(desk.email)];
      const colleagueSession = await sessionOf(colleague.email);
      expect((await sessions[0].post('/api/auth/sign-out-everywhere')).status).toBe(204);
      for (const session of sessions) expect((await session.get('/api/auth/me')).status).toBe(401);
      expect((await colleagueSession.get('/api/auth/me')).status).toBe(200);
    });

    it('refuses sign-out everywhere to an API key, which has no sessions', async () => {
      const refused = await http.as(biz.allKey).post('/api/auth/sign-out-everywhere');
      expect(refused.status).toBe(403);
    });
  });

  describe('session lifetime', () => {
    it('ends a session left idle for longer than the idle timeout', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const session = await sessionOf(desk.email);
      clock.advance(sessionIdleMsDefault + 1_000);
      const after = await session.get('/api/auth/me');
      expect({ status: after.status, body: after.body }).toEqual({ status: 401, body: unauthenticated });
    });

    it('keeps a session in use alive past the idle timeout, until its absolute lifetime', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const session = await sessionOf(desk.email);
      const stepMs = sessionIdleMsDefault - minuteMs * 2;
      let livedMs = 0;
      while (livedMs + stepMs < sessionLifetimeMsDefault) {
        clock.advance(stepMs);
        livedMs += stepMs;
        expect({ livedMs, status: (await session.get('/api/auth/me')).status }).toEqual({ livedMs, status: 200 });
      }
      clock.advance(sessionLifetimeMsDefault - livedMs + 1_000);
      expect((await session.get('/api/auth/me')).status).toBe(401);
    });

    it('records a session’s use at most once per touch interval', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const session = await sessionOf(desk.email);
      const lastSeen = async () => (await db.query<{ t: Date }>('select last_seen_at as t from staff_session where staff_id = $1', [desk.id]))[0].t.getTime();
      const signedInAt = await lastSeen();
      clock.advance(sessionTouchIntervalMs / 2);
      await session.get('/api/auth/me');
      expect(await lastSeen()).toBe(signedInAt);
      clock.advance(sessionTouchIntervalMs);
      await session.get('/api/auth/me');
      expect(await lastSeen()).toBeGreaterThan(signedInAt);
    });
  });

  describe('the sign-in throttle', () => {
    it('answers 429 with Retry-After once an account has too many failures, even for the right password, until the window ends', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      for (let i = 0; i < signInFailuresPerAccountMax; i++) {
        expect((await signIn({ email: desk.email, password: `wrong password ${i}` })).status).toBe(401);
      }
      const throttled = await signIn({ email: desk.email, password });
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatchObject({ error: { code: 'too_many_requests' } });
      const retryAfterSeconds = Number(throttled.headers['retry-after']);
      expect(retryAfterSeconds).toBeGreaterThan(0);
      expect(retryAfterSeconds).toBeLessThanOrEqual(signInThrottleWindowMs / 1000);
      // Another address does not help: the account's own bucket is full.
      expect((await signIn({ email: desk.email, password }, freshAddress())).status).toBe(429);

      clock.advance(retryAfterSeconds * 1000);
      expect((await signIn({ email: desk.email, password })).status).toBe(200);
    });

    it('throttles an unknown email exactly like a known one', async () => {
      const unknown = `${uniqueId('nobody')}@example.com`;
      const answers: number[] = [];
      for (let i = 0; i <= signInFailuresPerAccountMax; i++) answers.push((await signIn({ email: unknown, password: `guess number ${i}` })).status);
      expect(answers).toEqual([...Array<number>(signInFailuresPerAccountMax).fill(401), 429]);
    });

    it('throttles one address guessing across many accounts', async () => {
      const address = freshAddress();
      for (let i = 0; i < signInFailuresPerAddressMax; i++) {
        expect((await signIn({ email: `${uniqueId('spray')}@example.com`, password: 'sprayed password' }, address)).status).toBe(401);
      }
      const desk = await createStaff(owner(), 'front_desk');
      const throttled = await signIn({ email: desk.email, password }, address);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect((await signIn({ email: desk.email, password }, freshAddress())).status).toBe(200);
    });

    it('forgets an account’s failures after a successful sign-in', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < signInFailuresPerAccountMax - 1; i++) expect((await signIn({ email: desk.email, password: 'wrong password!' })).status).toBe(401);
        expect((await signIn({ email: desk.email, password })).status).toBe(200);
      }
    });

    it('answers an unknown email exactly like a wrong password, in about the same time', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const timed = async (email: string) => {
        const startedAt = performance.now();
        const answer = await signIn({ email, password: 'not the password' });
        return { answer: { status: answer.status, body: answer.body }, ms: performance.now() - startedAt };
      };
      const wrong = [await timed(desk.email), await timed(desk.email), await timed(desk.email)];
      const unknown = [await timed(`${uniqueId('ghost')}@example.com`), await timed(`${uniqueId('ghost')}@example.com`), await timed(`${uniqueId('ghost')}@example.com`)];
      for (const { answer } of [...wrong, ...unknown]) expect(answer).toEqual({ status: 401, body: invalidCredentials });
      const median = (samples: { ms: number }[]) => samples.map((s) => s.ms).sort((x, y) => x - y)[1];
      // Both run one scrypt (32 MiB, tens of milliseconds); a lookup alone would take a millisecond or two.
      expect(median(unknown)).toBeGreaterThan(median(wrong) / 3);
    });
  });

  describe('emails per business', () => {
    it('creates staff with an email another business uses, without a word about the other business', async () => {
      const shared = await createStaff(http.as(other.ownerToken), 'front_desk');
      const created = await owner().post('/api/staff', { email: shared.email.toUpperCase(), name: 'Same Email', password: 'a different passphrase', role: 'front_desk' });
      expect(created.status).toBe(201);
      const again = await owner().post('/api/staff', { email: shared.email, name: 'Same Email Again', password, role: 'front_desk' });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ error: { code: 'invalid_request', details: { field: 'email' } } });

      // Different passwords: each password signs in to its own business.
      const inOther = await signIn({ email: shared.email, password });
      expect((await http.as(inOther.body.token as string).get('/api/auth/me')).body).toMatchObject({ businessId: other.businessId });
      const inOurs = await signIn({ email: shared.email, password: 'a different passphrase' });
      expect((await http.as(inOurs.body.token as string).get('/api/auth/me')).body).toMatchObject({ businessId: biz.businessId });
    });

    it('asks for the business when one email and password sign in to two, and takes it when named', async () => {
      const shared = await createStaff(http.as(other.ownerToken), 'front_desk');
      expect((await owner().post('/api/staff', { email: shared.email, name: 'Twin', password, role: 'front_desk' })).status).toBe(201);
      const ambiguous = await signIn({ email: shared.email, password });
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body).toMatchObject({ error: { code: 'invalid_request', details: { field: 'business' } } });
      const named = await signIn({ email: shared.email, password, business: biz.businessId });
      expect(named.status).toBe(200);
      expect((await http.as(named.body.token as string).get('/api/auth/me')).body).toMatchObject({ businessId: biz.businessId });
      const wrongBusiness = await signIn({ email: shared.email, password, business: 'no-such-business' });
      expect({ status: wrongBusiness.status, body: wrongBusiness.body }).toEqual({ status: 401, body: invalidCredentials });
    });
  });
});
