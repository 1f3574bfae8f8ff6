import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AuditItem } from '@storecredit/contracts';
import { createTestDatabase, TestClock, type TestDatabase } from '@storecredit/testing';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { createGatewayApp } from '../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../apps/gateway/src/gateway.config';
import { GatewayClient, seedBusiness, type SeededBusiness } from './support';

type Body = Record<string, unknown>;
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

const password = 'correct horse battery';
const deskPassword = 'quiet lantern morning river';

/**
 * The audit log: every action outside the ledger leaves a row saying who, what, when and from where; owners read
 * their own business's rows only; the database refuses to change or remove one; no secret is ever written to it.
 * The gateway runs in-process on real PostgreSQL with its commands applied in-process (no worker needed).
 */
describe('audit log', () => {
  const clock = new TestClock();
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let other: SeededBusiness;
  /** Every secret the test saw: none may appear in the audit log. */
  const secrets: string[] = [password, deskPassword];

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(gatewayConfigFromEnv({ WEB_DIR: '/nonexistent' }), { url: db.url }, clock);
    http = new GatewayClient(app);
    biz = await seedBusiness(app, permissions);
    other = await seedBusiness(app, permissions);
    secrets.push(biz.ownerToken, biz.allKey, other.ownerToken, other.allKey);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const owner = () => http.as(biz.ownerToken);

  async function from(address: string, method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown, token = biz.ownerToken) {
    const response = await app.inject({
      method,
      url,
      remoteAddress: address,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.statusCode, body: (response.body ? JSON.parse(response.body) : null) as Body };
  }

  async function signIn(email: string, secret: string, address: string) {
    const response = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password: secret }, remoteAddress: address });
    return { status: response.statusCode, body: JSON.parse(response.body) as Body };
  }

  async function all(client: GatewayClient, query = ''): Promise<AuditItem[]> {
    const items: AuditItem[] = [];
    let cursor: string | null = null;
    do {
      const separator = query === '' ? '?' : `?${query}&`;
      const url: string = `/api/audit${separator}limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page: { status: number; body: AuditPage } = await client.get<AuditPage>(url);
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    return items;
  }

  it('records who did what to staff, keys, gift cards and settings, and from which address, newest first', async () => {
    clock.advance(1_000);
    const since = clock.now().toISOString();
    const created = await from('10.1.0.1', 'POST', '/api/staff', { email: 'desk@example.com', name: 'Desk', password: deskPassword, role: 'front_desk' });
    expect(created.status).toBe(201);
    const deskId = created.body.id as string;
    clock.advance(1_000);
    expect((await signIn('desk@example.com', deskPassword, '10.1.0.2')).status).toBe(200);
    clock.advance(1_000);
    expect((await signIn('desk@example.com', 'not the password at all', '10.1.0.3')).status).toBe(401);
    clock.advance(1_000);
    expect((await from('10.1.0.1', 'POST', `/api/staff/${deskId}/password`, { password: 'violet harbour seven stones' })).status).toBe(204);
    secrets.push('violet harbour seven stones');
    clock.advance(1_000);
    expect((await from('10.1.0.1', 'POST', `/api/staff/${deskId}/deactivate`, {})).status).toBe(200);
    clock.advance(1_000);
    expect((await from('10.1.0.1', 'POST', `/api/staff/${deskId}/reactivate`, {})).status).toBe(200);
    clock.advance(1_000);
    const key = await from('10.1.0.4', 'POST', '/api/api-keys', { name: 'checkout', permissions: ['checkout.pay'] });
    expect(key.status).toBe(201);
    secrets.push(key.body.key as string);
    clock.advance(1_000);
    expect((await from('10.1.0.4', 'DELETE', `/api/api-keys/${key.body.id as string}`, undefined)).status).toBe(200);
    clock.advance(1_000);
    const issued = await from('10.1.0.5', 'POST', '/api/gift-cards', { amount: '50.00', currency: 'AED', count: 2 });
    expect(issued.status).toBe(201);
    const cards = issued.body.items as Array<{ code: string; result: { giftCardId: string } }>;
    secrets.push(...cards.map((card) => card.code), ...cards.map((card) => card.code.replace(/-/g, '')));
    clock.advance(1_000);
    expect((await from('10.1.0.5', 'POST', `/api/gift-cards/${cards[0].result.giftCardId}/void`, {})).status).toBe(200);
    clock.advance(1_000);
    expect((await from('10.1.0.6', 'PUT', '/api/settings/credit', { refundGraceDays: 12 })).status).toBe(200);
    clock.advance(1_000);
    expect((await from('10.1.0.6', 'PUT', '/api/settings/bonus-rules/AED', { tiers: [{ minAmount: '100', percent: '5' }], expiresInDays: 30 })).status).toBe(200);
    clock.advance(1_000);
    expect((await from('10.1.0.6', 'DELETE', '/api/settings/bonus-rules/AED', undefined)).status).toBe(200);

    const items = await all(owner(), `from=${encodeURIComponent(since)}`);
    expect(items.map((item) => item.action)).toEqual([
      'bonus_rules_removed',
      'bonus_rules_changed',
      'credit_settings_changed',
      'gift_card_voided',
      'gift_cards_issued',
      'api_key_revoked',
      'api_key_created',
      'staff_reactivated',
      'staff_deactivated',
      'password_reset',
      'sign_in_failed',
      'sign_in',
      'staff_created',
    ]);
    const byAction = new Map(items.map((item) => [item.action, item]));
    const ownerActor = byAction.get('staff_created')?.actor;
    expect(ownerActor).toMatchObject({ kind: 'staff', name: 'Owner' });
    expect(byAction.get('staff_created')).toMatchObject({
      address: '10.1.0.1',
      target: { kind: 'staff', id: deskId },
      details: { email: 'desk@example.com', role: 'front_desk' },
    });
    expect(byAction.get('sign_in')).toMatchObject({ address: '10.1.0.2', actor: { kind: 'staff', id: deskId }, target: { kind: 'staff', id: deskId } });
    expect(byAction.get('sign_in_failed')).toMatchObject({ address: '10.1.0.3', actor: { kind: 'anonymous', id: null }, target: { kind: 'staff', id: deskId } });
    expect(byAction.get('api_key_created')).toMatchObject({ address: '10.1.0.4', details: { name: 'checkout', permissions: ['checkout.pay'] } });
    expect(byAction.get('gift_cards_issued')?.details).toMatchObject({
      amount: '50.00',
      currency: 'AED',
      cards: cards.map((card) => ({ giftCardId: card.result.giftCardId, status: 'applied' })),
    });
    expect(byAction.get('gift_card_voided')?.target).toEqual({ kind: 'gift_card', id: cards[0].result.giftCardId });
    expect(byAction.get('credit_settings_changed')?.details).toEqual({ refundGraceDays: 12 });
    expect(byAction.get('bonus_rules_changed')?.details).toMatchObject({ currency: 'AED', expiresInDays: 30, version: 1 });
    // Newest first, and times from the gateway's clock.
    const times = items.map((item) => Date.parse(item.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by action, actor and target', async () => {
    const failed = await all(owner(), 'action=sign_in_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((item) => item.action === 'sign_in_failed')).toBe(true);
    const staffCreated = (await all(owner(), 'action=staff_created'))[0];
    const onDesk = await all(owner(), `targetId=${staffCreated.target?.id}`);
    expect(new Set(onDesk.map((item) => item.target?.id))).toEqual(new Set([staffCreated.target?.id]));
    const byOwner = await all(owner(), `actorId=${staffCreated.actor.id}`);
    expect(byOwner.length).toBeGreaterThanOrEqual(10);
    expect(byOwner.every((item) => item.actor.id === staffCreated.actor.id)).toBe(true);
  });

  it('shows a business its own rows only, and only to who holds audit.view', async () => {
    const theirs = await all(http.as(other.ownerToken));
    expect(theirs.every((item) => item.action === 'sign_in' || item.action === 'api_key_created')).toBe(true);
    expect(theirs.some((item) => item.action === 'staff_created')).toBe(false);
    const desk = await app.get(AuthService).signIn('desk@example.com', 'violet harbour seven stones');
    const refused = await http.as(desk.token).get('/api/audit');
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('keeps a failed sign-in of an unknown email away from every business, and without the email typed', async () => {
    const typed = 'nobody-here@example.com';
    expect((await signIn(typed, 'whatever the password', '10.9.9.9')).status).toBe(401);
    const rows = await db.query<{ business_id: string | null; details: Body; address: string }>(
      `select business_id, details, address from audit_log where action = 'sign_in_failed' and address = '10.9.9.9'`,
    );
    expect(rows).toEqual([{ business_id: null, details: {}, address: '10.9.9.9' }]);
    expect(JSON.stringify(await db.query('select * from audit_log'))).not.toContain(typed);
  });

  it('answers a bad filter or a forged cursor with a 400 and a stable code', async () => {
    expect((await owner().get('/api/audit?action=format_disk')).status).toBe(400);
    expect((await owner().get('/api/audit?from=yesterday')).status).toBe(400);
    const forged = await owner().get(`/api/audit?cursor=${Buffer.from('["not a time","x"]').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect((forged.body as { error: { code: string } }).error.code).toBe('invalid_cursor');
  });

  it('is append-only: the database refuses an update, a delete or a truncate', async () => {
    await expect(db.query(`update audit_log set action = 'sign_in' where action = 'sign_in_failed'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.query(`truncate audit_log`)).rejects.toThrow(/append-only/);
  });

  it('never holds a password, a session token, an API key or a gift card code', async () => {
    const text = JSON.stringify(await db.query('select * from audit_log'));
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
