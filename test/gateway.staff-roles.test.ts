import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { rolePermissions } from '@storecredit/contracts';
import { createTestDatabase, uniqueId, type TestDatabase } from '@storecredit/testing';
import { AuthRepository } from '../apps/gateway/src/auth/auth.repository';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';
import { GatewayClient, seedBusiness, type SeededBusiness } from './support';

type Body = Record<string, unknown>;
interface ErrorBody {
  error: { code: string; message: string; details?: Body };
}
interface StaffView {
  id: string;
  role: string;
  permissions: string[];
  revokedApiKeyIds: string[];
}

const password = 'correct horse battery';

/** PATCH /api/staff/:id: a member's role and permissions, on real PostgreSQL (no ledger command is sent). */
describe('changing a staff member’s role', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let other: SeededBusiness;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(gatewayConfigFromEnv({ WEB_DIR: '/nonexistent' }), { url: db.url });
    http = new GatewayClient(app);
    biz = await seedBusiness(app, permissions);
    other = await seedBusiness(app, permissions);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const owner = () => http.as(biz.ownerToken);

  /** A member of `business`, made by the business's owner, and a session of theirs. */
  async function member(role: string, extra: Body = {}, business = biz): Promise<{ id: string; session: GatewayClient }> {
    const email = `${uniqueId(role)}@example.com`;
    const created = await http.as(business.ownerToken).post<{ id: string }>('/api/staff', { email, name: `A ${role}`, password, role, ...extra });
    expect(created.status).toBe(201);
    const { token } = await app.get(AuthService).signIn(email, password);
    return { id: created.body.id, session: http.as(token) };
  }

  const staffRow = (id: string) => db.query<{ role: string; permissions: string[] }>('select role, permissions from staff where id = $1', [id]);
  const roleAudits = (id: string) =>
    db.query<{ details: Body; business_id: string }>("select details, business_id from audit_log where action = 'staff_role_changed' and target_id = $1", [id]);

  it('gives a member a new role’s preset, recorded with the permissions before and after, and their session holds it at once', async () => {
    const desk = await member('front_desk');
    expect((await desk.session.get('/api/reports/liability')).status).toBe(403);
    const changed = await owner().request<StaffView>('PATCH', `/api/staff/${desk.id}`, { role: 'manager' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: desk.id, role: 'manager', permissions: [...rolePermissions.manager], revokedApiKeyIds: [] });
    const [audit] = await roleAudits(desk.id);
    expect(audit.details).toEqual({
      before: { role: 'front_desk', permissions: [...rolePermissions.front_desk] },
      after: { role: 'manager', permissions: [...rolePermissions.manager] },
      revokedApiKeyIds: [],
    });
    // The same session, not a new sign-in: permissions are read on each request.
    expect((await desk.session.get('/api/reports/liability')).status).not.toBe(403);
    await owner().request('PATCH', `/api/staff/${desk.id}`, { permissions: ['balance.view'] });
    expect((await desk.session.post(`/api/clients/${biz.clientId}/balance/add`, { amount: '1.00', currency: 'AED' })).status).toBe(403);
  });

  it('keeps a member’s role when only permissions are given', async () => {
    const desk = await member('front_desk');
    const changed = await owner().request<StaffView>('PATCH', `/api/staff/${desk.id}`, { permissions: ['balance.view', 'balance.deduct'] });
    expect(changed.body).toMatchObject({ role: 'front_desk', permissions: ['balance.view', 'balance.deduct'] });
  });

  it('refuses a body that names nothing, or an unknown role or permission', async () => {
    const desk = await member('front_desk');
    for (const body of [{}, { role: 'emperor' }, { permissions: ['format.disk'] }, { role: 'manager', email: 'x@example.com' }]) {
      const refused = await owner().request<ErrorBody>('PATCH', `/api/staff/${desk.id}`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid_request');
    }
    expect(await staffRow(desk.id)).toEqual([{ role: 'front_desk', permissions: [...rolePermissions.front_desk] }]);
  });

  it('needs staff.manage, and grants only what the caller holds; only an owner makes or unmakes an owner', async () => {
    const desk = await member('front_desk');
    const target = await member('front_desk');
    expect((await desk.session.request<ErrorBody>('PATCH', `/api/staff/${target.id}`, { role: 'manager' })).body.error.code).toBe('forbidden');

    const admin = await member('manager', { permissions: [...rolePermissions.manager, 'staff.manage'] });
    const beyond = await admin.session.request<ErrorBody>('PATCH', `/api/staff/${target.id}`, { permissions: ['balance.view', 'settings.manage'] });
    expect(beyond.status).toBe(403);
    expect(beyond.body.error.details).toEqual({ permissions: ['settings.manage'] });
    const makeOwner = await admin.session.request<ErrorBody>('PATCH', `/api/staff/${target.id}`, { role: 'owner', permissions: ['balance.view'] });
    expect(makeOwner.status).toBe(403);
    expect(makeOwner.body.error.details).toEqual({ role: 'owner' });
    const secondOwner = await member('owner');
    const unmake = await admin.session.request<ErrorBody>('PATCH', `/api/staff/${secondOwner.id}`, { role: 'manager' });
    expect(unmake.status).toBe(403);
    expect(await staffRow(target.id)).toEqual([{ role: 'front_desk', permissions: [...rolePermissions.front_desk] }]);
    expect(await staffRow(secondOwner.id)).toEqual([{ role: 'owner', permissions: [...permissions] }]);
    expect(await roleAudits(target.id)).toEqual([]);
  });

  it('refuses one’s own role', async () => {
    const [seedOwner] = await db.query<{ id: string }>("select id from staff where business_id = $1 and role = 'owner' order by created_at limit 1", [biz.businessId]);
    const self = await owner().request<ErrorBody>('PATCH', `/api/staff/${seedOwner.id}`, { role: 'manager' });
    expect(self.status).toBe(400);
    expect(await staffRow(seedOwner.id)).toEqual([{ role: 'owner', permissions: [...permissions] }]);
  });

  it('never leaves the business without an active owner, even when two owners demote each other at once', async () => {
    const pair = await seedBusiness(app, permissions);
    const [first] = await db.query<{ id: string }>("select id from staff where business_id = $1 and role = 'owner'", [pair.businessId]);
    const second = await member('owner', {}, pair);
    const answers = await Promise.all([
      http.as(pair.ownerToken).request<ErrorBody>('PATCH', `/api/staff/${second.id}`, { role: 'manager' }),
      second.session.request<ErrorBody>('PATCH', `/api/staff/${first.id}`, { role: 'manager' }),
    ]);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    const [owners] = await db.query<{ n: number }>("select count(*)::int as n from staff where business_id = $1 and role = 'owner' and active", [pair.businessId]);
    expect(owners.n).toBe(1);
    // The last owner's own row refuses the demotion wherever it comes from.
    const lastId = answers[0].status === 200 ? first.id : second.id;
    expect(await app.get(AuthRepository).changeRole(pair.businessId, lastId, 'manager', rolePermissions.manager, new Date())).toBe('last_owner');
  });

  it('lets only one of two simultaneous demotions of the last two owners through (the business row is locked)', async () => {
    const repository = app.get(AuthRepository);
    for (let round = 0; round < 5; round++) {
      const pair = await seedBusiness(app, permissions);
      const [first] = await db.query<{ id: string }>("select id from staff where business_id = $1 and role = 'owner'", [pair.businessId]);
      const second = await member('owner', {}, pair);
      const outcomes = await Promise.all(
        [first.id, second.id].map((id) => repository.changeRole(pair.businessId, id, 'manager', rolePermissions.manager, new Date())),
      );
      expect(outcomes.filter((outcome) => outcome === 'last_owner')).toHaveLength(1);
      const [owners] = await db.query<{ n: number }>("select count(*)::int as n from staff where business_id = $1 and role = 'owner' and active", [pair.businessId]);
      expect(owners.n).toBe(1);
    }
  });

  it('revokes the API keys a member made that hold a permission they lose, and keeps the others', async () => {
    const manager = await member('manager', { permissions: [...rolePermissions.manager, 'staff.manage'] });
    const narrow = await manager.session.post<{ id: string; key: string }>('/api/api-keys', { name: 'view', permissions: ['balance.view'] });
    const wide = await manager.session.post<{ id: string; key: string }>('/api/api-keys', { name: 'deduct', permissions: ['balance.view', 'balance.deduct'] });
    const changed = await owner().request<StaffView>('PATCH', `/api/staff/${manager.id}`, { role: 'front_desk' });
    expect(changed.status).toBe(200);
    expect(changed.body.revokedApiKeyIds).toEqual([wide.body.id]);
    expect((await http.as(wide.body.key).get(`/api/clients/${biz.clientId}/balances`)).status).toBe(401);
    expect((await http.as(narrow.body.key).get(`/api/clients/${biz.clientId}/balances`)).status).toBe(200);
  });

  it('finds no member of another business, and changes nothing there', async () => {
    const theirs = await member('front_desk', {}, other);
    const answer = await owner().request<ErrorBody>('PATCH', `/api/staff/${theirs.id}`, { role: 'manager' });
    expect(answer.status).toBe(404);
    expect(await staffRow(theirs.id)).toEqual([{ role: 'front_desk', permissions: [...rolePermissions.front_desk] }]);
  });
});
