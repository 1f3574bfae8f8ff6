import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, TestClock, uniqueId, type TestDatabase } from '@storecredit/testing';
import { GatewayClient, seedBusiness, type HttpAnswer, type SeededBusiness } from './support';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { sessionIdleMsDefault, sessionLifetimeMsDefault, sessionTouchIntervalMs } from '../apps/gateway/src/auth/sessions';
import {
  signInFailuresPerAccountAndAddressMax,
  signInFailuresPerAccountMax,
  signInFailuresPerAddressMax,
  signInThrottleWindowMs,
} from '../apps/gateway/src/auth/sign-in-throttle';
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

    it('keeps one active owner when two owners deactivate each other at once', async () => {
      const ownerId = ((await owner().get('/api/auth/me')).body as { id: string }).id;
      const second = await createStaff(owner(), 'owner');
      const secondSession = await sessionOf(second.email);
      const [ofSecond, ofFirst] = await Promise.all([
        owner().post(`/api/staff/${second.id}/deactivate`),
        secondSession.post(`/api/staff/${ownerId}/deactivate`),
      ]);
      const statuses = [ofSecond.status, ofFirst.status];
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      // The loser either lost the business lock (409 last_owner) or its session had already ended (401).
      expect([401, 409]).toContain(statuses.find((status) => status !== 200));
      const activeOwners = "select count(*)::int as n from staff where business_id = $1 and role = 'owner' and active";
      expect(await db.query(activeOwners, [biz.businessId])).toEqual([{ n: 1 }]);
      // The survivor brings the other back, so later tests still have both.
      const [survivor, loserId] = ofSecond.status === 200 ? [owner(), second.id] : [secondSession, ownerId];
      expect((await survivor.post(`/api/staff/${loserId}/reactivate`)).status).toBe(200);
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

  describe('API keys made with API keys', () => {
    type Key = { id: string; key: string };
    const balances = () => `/api/clients/${biz.clientId}/balances`;

    async function keyChain(session: GatewayClient): Promise<Key[]> {
      const chain: Key[] = [];
      for (const grants of [['staff.manage', 'balance.view'], ['staff.manage', 'balance.view'], ['balance.view']]) {
        const creator = chain.length === 0 ? session : http.as(chain[chain.length - 1].key);
        const created = await creator.post<Key>('/api/api-keys', { name: `generation ${chain.length + 1}`, permissions: grants });
        expect(created.status).toBe(201);
        chain.push(created.body);
      }
      return chain;
    }

    it('revokes every key derived from a deactivated member, however deep, and lists them all', async () => {
      const max = await createStaff(owner(), 'owner');
      const chain = await keyChain(await sessionOf(max.email));
      const ownersKey = await owner().post<Key>('/api/api-keys', { name: 'reporting', permissions: ['balance.view'] });
      for (const key of chain) expect((await http.as(key.key).get(balances())).status).toBe(200);

      const deactivated = await owner().post<{ revokedApiKeyIds: string[] }>(`/api/staff/${max.id}/deactivate`);
      expect(deactivated.status).toBe(200);
      expect([...deactivated.body.revokedApiKeyIds].sort()).toEqual(chain.map((key) => key.id).sort());
      for (const key of chain) expect({ key: key.id, status: (await http.as(key.key).get(balances())).status }).toEqual({ key: key.id, status: 401 });
      expect((await http.as(ownersKey.body.key).get(balances())).status).toBe(200);
    });

    it('refuses a key whose root creator is deactivated, even when the key itself was never revoked', async () => {
      const manager = await createStaff(owner(), 'manager', { permissions: ['staff.manage', 'balance.view'] });
      const chain = await keyChain(await sessionOf(manager.email));
      expect((await owner().post(`/api/staff/${manager.id}/deactivate`)).status).toBe(200);
      // As a key made before derived keys were revoked would be.
      await db.query('update api_key set revoked_at = null where id = any($1::uuid[])', [chain.map((key) => key.id)]);
      expect((await http.as(chain[2].key).get(balances())).status).toBe(401);
      expect((await http.as(chain[1].key).post('/api/api-keys', { name: 'another', permissions: ['balance.view'] })).status).toBe(401);
    });

    it('revokes the keys made by a key when that key is revoked', async () => {
      const chain = await keyChain(owner());
      const revoked = await owner().request<{ revokedAt: string | null; revokedApiKeyIds: string[] }>('DELETE', `/api/api-keys/${chain[0].id}`);
      expect(revoked.status).toBe(200);
      expect([...revoked.body.revokedApiKeyIds].sort()).toEqual(chain.map((key) => key.id).sort());
      for (const key of chain) expect((await http.as(key.key).get(balances())).status).toBe(401);
      const listed = await owner().get<{ items: { id: string; revokedAt: string | null }[] }>('/api/api-keys');
      for (const key of chain) expect(listed.body.items.find((item) => item.id === key.id)?.revokedAt).toEqual(expect.any(String));
    });
  });

  describe('what staff.manage may do', () => {
    const forbidden = { status: 403, body: { error: { code: 'forbidden' } } };
    const ownerId = async () => ((await owner().get('/api/auth/me')).body as { id: string }).id;

    it('lets a member give a key only permissions they have, and a key only what it has', async () => {
      const desk = await createStaff(owner(), 'front_desk', { permissions: ['staff.manage'] });
      const session = await sessionOf(desk.email);
      const refused = await session.post('/api/api-keys', { name: 'escalate', permissions: ['staff.manage', 'balance.deduct'] });
      expect({ status: refused.status, body: refused.body }).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden', details: { permissions: ['balance.deduct'] }, message: expect.stringMatching(/balance\.deduct/) } },
      });
      expect(await db.query('select count(*)::int as n from api_key where created_by = $1', [`staff:${desk.id}`])).toEqual([{ n: 0 }]);
      const allowed = await session.post<{ key: string }>('/api/api-keys', { name: 'same', permissions: ['staff.manage'] });
      expect(allowed.status).toBe(201);
      const fromKey = await http.as(allowed.body.key).post('/api/api-keys', { name: 'escalate', permissions: ['balance.deduct'] });
      expect({ status: fromKey.status, body: fromKey.body }).toMatchObject(forbidden);
    });

    it('lets a member create staff only with permissions they have, and only an owner create an owner', async () => {
      const desk = await sessionOf((await createStaff(owner(), 'front_desk', { permissions: ['staff.manage', 'balance.view'] })).email);
      const richManager = await sessionOf((await createStaff(owner(), 'manager', { permissions: [...permissions] })).email);
      const newMember = (role: string, extra: Body = {}) => ({ email: `${uniqueId(role)}@example.com`, name: 'New', password, role, ...extra });
      const staffBefore = await db.query('select count(*)::int as n from staff');
      for (const [who, session, body] of [
        ['front desk, a preset with more', desk, newMember('front_desk')],
        ['front desk, a list with more', desk, newMember('manager', { permissions: ['balance.view', 'balance.deduct'] })],
        ['front desk, an owner', desk, newMember('owner', { permissions: ['balance.view'] })],
        ['manager with every permission, an owner', richManager, newMember('owner')],
        ['key with every permission, an owner', http.as(biz.allKey), newMember('owner')],
      ] as const) {
        const refused = await session.post('/api/staff', body);
        expect({ who, status: refused.status, body: refused.body }).toMatchObject({ who, ...forbidden });
      }
      expect(await db.query('select count(*)::int as n from staff')).toEqual(staffBefore);
      expect((await desk.post('/api/staff', newMember('manager', { permissions: ['balance.view'] }))).status).toBe(201);
      expect((await richManager.post('/api/staff', newMember('manager', { permissions: [...permissions] }))).status).toBe(201);
      expect((await owner().post('/api/staff', newMember('owner'))).status).toBe(201);
    });

    it('lets a member reset, deactivate or reactivate only members within their own permissions, and an owner only as an owner', async () => {
      const theOwner = await ownerId();
      const desk = await sessionOf((await createStaff(owner(), 'front_desk', { permissions: ['staff.manage'] })).email);
      const richManager = await sessionOf((await createStaff(owner(), 'manager', { permissions: [...permissions] })).email);
      const peer = await createStaff(owner(), 'front_desk', { permissions: ['staff.manage'] });
      const richer = await createStaff(owner(), 'front_desk');
      const actions = [
        ['password', { password: 'a takeover passphrase' }],
        ['deactivate', {}],
        ['reactivate', {}],
      ] as const;
      for (const [who, session, targetId] of [
        ['front desk on the owner', desk, theOwner],
        ['front desk on a member with more', desk, richer.id],
        ['manager with every permission on the owner', richManager, theOwner],
        ['key with every permission on the owner', http.as(biz.allKey), theOwner],
      ] as const) {
        for (const [path, body] of actions) {
          const refused = await session.post(`/api/staff/${targetId}/${path}`, body);
          expect({ who, path, status: refused.status, body: refused.body }).toMatchObject({ who, path, ...forbidden });
        }
      }
      expect((await owner().get('/api/auth/me')).status).toBe(200);
      expect((await signIn({ email: `owner-${biz.businessId}@example.com`, password })).status).toBe(200);
      await sessionOf(richer.email);
      for (const [path, body] of actions) expect((await desk.post(`/api/staff/${peer.id}/${path}`, body)).status).toBeLessThan(300);
      expect((await richManager.post(`/api/staff/${richer.id}/deactivate`)).status).toBe(200);
    });
  });

  describe('timestamps', () => {
    const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    it('answers staff and API key times in ISO 8601', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const deactivated = await owner().post(`/api/staff/${desk.id}/deactivate`);
      expect(deactivated.body).toMatchObject({ deactivatedAt: iso });
      const listed = await owner().get<{ items: { id: string }[] }>('/api/staff');
      expect(listed.body.items.find((item) => item.id === desk.id)).toMatchObject({ deactivatedAt: iso });
      const key = await owner().post<{ id: string }>('/api/api-keys', { name: 'timed', permissions: ['balance.view'] });
      expect((await owner().request('DELETE', `/api/api-keys/${key.body.id}`)).body).toMatchObject({ createdAt: iso, revokedAt: iso });
      const keys = await owner().get<{ items: { id: string }[] }>('/api/api-keys');
      expect(keys.body.items.find((item) => item.id === key.body.id)).toMatchObject({ createdAt: iso, revokedAt: iso });
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
      ['five characters repeated', () => 'abcdeabcdeab'],
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
    it('answers 429 with Retry-After to the address that failed too often, even for the right password, until the window ends', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const address = freshAddress();
      for (let i = 0; i < signInFailuresPerAccountAndAddressMax; i++) {
        expect((await signIn({ email: desk.email, password: `wrong password ${i}` }, address)).status).toBe(401);
      }
      const throttled = await signIn({ email: desk.email, password }, address);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toMatchObject({ error: { code: 'too_many_requests' } });
      const retryAfterSeconds = Number(throttled.headers['retry-after']);
      expect(retryAfterSeconds).toBeGreaterThan(0);
      expect(retryAfterSeconds).toBeLessThanOrEqual(signInThrottleWindowMs / 1000);

      clock.advance(retryAfterSeconds * 1000);
      expect((await signIn({ email: desk.email, password }, address)).status).toBe(200);
    });

    it('lets one address lock an account only for itself: the member signs in from elsewhere', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const attacker = freshAddress();
      for (let i = 0; i <= signInFailuresPerAccountAndAddressMax; i++) await signIn({ email: desk.email, password: `wrong password ${i}` }, attacker);
      expect((await signIn({ email: desk.email, password }, attacker)).status).toBe(429);
      expect((await signIn({ email: desk.email, password }, freshAddress())).status).toBe(200);
    });

    it('throttles an account for everyone once many addresses have failed on it', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      for (let i = 0; i < signInFailuresPerAccountMax; i++) {
        expect((await signIn({ email: desk.email, password: `wrong password ${i}` }, freshAddress())).status).toBe(401);
      }
      const throttled = await signIn({ email: desk.email, password }, freshAddress());
      expect(throttled.status).toBe(429);
      clock.advance(Number(throttled.headers['retry-after']) * 1000);
      expect((await signIn({ email: desk.email, password }, freshAddress())).status).toBe(200);
    });

    it('counts wrong current passwords of an own change against that address, not against the member everywhere', async () => {
      const desk = await createStaff(owner(), 'front_desk');
      const session = await sessionOf(desk.email);
      const change = { currentPassword: 'not my password at all', newPassword: 'walnut meadow sunrise' };
      for (let i = 0; i < signInFailuresPerAccountAndAddressMax; i++) expect((await session.post('/api/auth/password', change)).status).toBe(400);
      const throttled = await session.post('/api/auth/password', { ...change, currentPassword: password });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      expect((await signIn({ email: desk.email, password }, freshAddress())).status).toBe(200);
    });

    it('counts every spelling of an email that reaches an account against that account', async () => {
      const email = `${uniqueId('tina.irving')}@example.com`;
      await owner().post('/api/staff', { email, name: 'Tina Irving', password, role: 'front_desk' });
      const address = freshAddress();
      for (let i = 0; i < signInFailuresPerAccountAndAddressMax; i++) {
        expect((await signIn({ email, password: `wrong password ${i}` }, address)).status).toBe(401);
      }
      const fullWidth = email.replace('tina', 'ｔｉｎａ');
      const dottedCapitalI = email.replace('tina', 'tİna');
      const answers = [];
      for (const spelling of [email.toUpperCase(), ` ${email} `, fullWidth, dottedCapitalI]) {
        answers.push({ spelling, status: (await signIn({ email: spelling, password }, address)).status });
      }
      // The same account under another spelling is the same bucket; `tİna` lower-cases to `ti̇na`, another account.
      expect(answers).toEqual([
        { spelling: email.toUpperCase(), status: 429 },
        { spelling: ` ${email} `, status: 429 },
        { spelling: fullWidth, status: 429 },
        { spelling: dottedCapitalI, status: 401 },
      ]);
    });

    it('throttles an unknown email exactly like a known one', async () => {
      const unknown = `${uniqueId('nobody')}@example.com`;
      const address = freshAddress();
      const answers: number[] = [];
      for (let i = 0; i <= signInFailuresPerAccountAndAddressMax; i++) {
        answers.push((await signIn({ email: unknown, password: `guess number ${i}` }, address)).status);
      }
      expect(answers).toEqual([...Array<number>(signInFailuresPerAccountAndAddressMax).fill(401), 429]);
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
      const address = freshAddress();
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < signInFailuresPerAccountAndAddressMax - 1; i++) {
          expect((await signIn({ email: desk.email, password: 'wrong password!' }, address)).status).toBe(401);
        }
        expect((await signIn({ email: desk.email, password }, address)).status).toBe(200);
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
