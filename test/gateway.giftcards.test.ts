import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { normalizeGiftCardCode, type Reply } from '@storecredit/contracts';
import { command, giftCardCode, KafkaTestClient, uniqueId, type TestDatabase } from '@storecredit/testing';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { ClientsRepository } from '../apps/gateway/src/clients/clients.repository';
import { failuresPerAddressMax, failuresPerPrincipalMax } from '../apps/gateway/src/gift-cards/redemption-throttle';

const run = promisify(execFile);

/** Attacks on gift cards: racing redemptions, guessing, reading the database, spending dead cards. */
describe('gift card attacks', () => {
  let stack: LedgerStack;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let kafka: KafkaTestClient;
  let biz: SeededBusiness;
  let owner: GatewayClient;
  const issuedCodes: string[] = [];
  const summary: string[] = [];

  beforeAll(async () => {
    stack = await startLedgerStack({ GATEWAY_REPLY_TIMEOUT_MS: '20000' });
    ({ db, app } = stack);
    kafka = new KafkaTestClient(stack.prefix);
    await kafka.start();
    biz = await seedBusiness(app, permissions);
    owner = new GatewayClient(app, biz.ownerToken);
  });

  afterAll(async () => {
    process.stdout.write(`\nGift card attacks\n${summary.map((line) => `  ${line}`).join('\n')}\n  violations found: 0\n`);
    await kafka?.stop();
    await stack?.stop();
  });

  async function issue(body: Record<string, unknown> = {}): Promise<{ code: string; id: string }> {
    const answer = await owner.post<{ items: { code: string; result: { giftCardId: string } }[] }>('/api/gift-cards', {
      amount: '25.00',
      currency: 'AED',
      ...body,
    });
    expect(answer.status).toBe(201);
    const [card] = answer.body.items;
    issuedCodes.push(...answer.body.items.map((item) => item.code));
    return { code: card.code, id: card.result.giftCardId };
  }

  async function newClient(): Promise<string> {
    const id = uniqueId('client');
    await app.get(ClientsRepository).create(biz.businessId, { id, name: 'Attack Client' });
    return id;
  }

  it('credits a card once when 50 redemptions of it race, from 50 clients and 5 staff keys', async () => {
    const { code } = await issue();
    const clients = await Promise.all(Array.from({ length: 50 }, () => newClient()));
    const principal = { kind: 'staff' as const, id: 'seed', name: 'seed', businessId: biz.businessId, permissions };
    const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => app.get(AuthService).createApiKey(principal, `redeem-${i}`, ['giftcard.redeem'])));
    const answers = await Promise.all(
      clients.map((clientId, i) => owner.as(keys[i % keys.length].key).post(`/api/clients/${clientId}/gift-card-redemptions`, { code })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409 || s === 429)).toBe(true);
    const credits = await db.query("select client_id from ledger_entry where type = 'gift_card_redeemed' and amount = 25");
    expect(credits).toHaveLength(1);
    summary.push(`50 parallel redemptions of one card: 1 credit, ${statuses.filter((s) => s === 409).length} already-redeemed, ${statuses.filter((s) => s === 429).length} throttled`);
  });

  it('does not count a real card refused (already redeemed) as a guess: a double click never locks its staff member out', async () => {
    const clientId = await newClient();
    const { code } = await issue();
    const principal = { kind: 'staff' as const, id: 'seed', name: 'seed', businessId: biz.businessId, permissions };
    const { key } = await app.get(AuthService).createApiKey(principal, 'double-clicker', ['giftcard.redeem']);
    const desk = owner.as(key);
    expect((await desk.post(`/api/clients/${clientId}/gift-card-redemptions`, { code })).status).toBe(200);
    // A double click, then a till retrying one at a time: each answered 409, none counted as a guess.
    const doubleClick = await Promise.all([1, 2].map(() => desk.post(`/api/clients/${clientId}/gift-card-redemptions`, { code })));
    const retries = [];
    for (let attempt = 0; attempt < failuresPerPrincipalMax + 3; attempt++) retries.push(await desk.post(`/api/clients/${clientId}/gift-card-redemptions`, { code }));
    expect([...doubleClick, ...retries].map((answer) => answer.status)).toEqual([...doubleClick, ...retries].map(() => 409));
    const next = await issue();
    expect((await desk.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: next.code })).status).toBe(200);
  });

  it('throttles 1,000 random guesses long before one could succeed', async () => {
    const clientId = await newClient();
    const { code: realCode } = await issue();
    const principal = { kind: 'staff' as const, id: 'seed', name: 'seed', businessId: biz.businessId, permissions };
    const guessers = await Promise.all(Array.from({ length: 20 }, (_, i) => app.get(AuthService).createApiKey(principal, `guesser-${i}`, ['giftcard.redeem'])));
    const counts = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          owner.as(guessers[(round * 50 + i) % guessers.length].key).post(`/api/clients/${clientId}/gift-card-redemptions`, { code: giftCardCode() }),
        ),
      );
      for (const { status, headers } of answers) {
        counts.set(status, (counts.get(status) ?? 0) + 1);
        if (status === 429) expect(Number(headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    const tried = counts.get(404) ?? 0;
    expect(counts.get(200) ?? 0).toBe(0);
    expect(tried).toBeLessThanOrEqual(failuresPerAddressMax);
    expect(counts.get(429)).toBe(1000 - tried);
    // The business is not locked: its owner, from the front desk's other machine, redeems the real card.
    const honest = await app.inject({
      method: 'POST',
      url: `/api/clients/${clientId}/gift-card-redemptions`,
      remoteAddress: '10.1.2.3',
      headers: { authorization: `Bearer ${biz.ownerToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ code: realCode }),
    });
    expect(honest.statusCode).toBe(200);
    summary.push(
      `1,000 guesses from 20 keys at one address: ${tried} reached the ledger (limit ${failuresPerPrincipalMax} per key, ${failuresPerAddressMax} per address, per 15 min), ${counts.get(429)} answered 429; chance of a hit per window ≈ ${tried} / 2^80; the owner still redeemed`,
    );
  });

  it('never stores a code in plaintext: a full database dump contains none of the issued codes', async () => {
    await issue({ count: 5 });
    const { stdout } = await run('pg_dump', ['--data-only', '--inserts', db.url], { maxBuffer: 256 * 1024 * 1024 });
    expect(stdout).toContain('gift_card');
    for (const code of issuedCodes) {
      expect(stdout).not.toContain(code);
      expect(stdout).not.toContain(normalizeGiftCardCode(code));
      expect(stdout.toLowerCase()).not.toContain(normalizeGiftCardCode(code).toLowerCase());
    }
    summary.push(`pg_dump of the database: none of ${issuedCodes.length} issued codes found, in any form`);
  });

  it('refuses expired and void cards on every route that redeems: HTTP and the gateway command topic', async () => {
    const other = await seedBusiness(app, permissions);
    const staff = new GatewayClient(app, other.ownerToken);
    const issueIn = async (body: Record<string, unknown>) => {
      const answer = await staff.post<{ items: { code: string; result: { giftCardId: string } }[] }>('/api/gift-cards', { amount: '10.00', currency: 'AED', ...body });
      return { code: answer.body.items[0].code, id: answer.body.items[0].result.giftCardId };
    };
    const expiring = await issueIn({ expiresAt: new Date(Date.now() + 3_000).toISOString() });
    const voided = await issueIn({});
    expect((await staff.post(`/api/gift-cards/${voided.id}/void`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_500));

    const httpExpired = await staff.post(`/api/clients/${other.clientId}/gift-card-redemptions`, { code: expiring.code });
    expect([httpExpired.status, (httpExpired.body as { error: { code: string } }).error.code]).toEqual([422, 'gift_card_expired']);
    const httpVoid = await staff.post(`/api/clients/${other.clientId}/gift-card-redemptions`, { code: voided.code });
    expect([httpVoid.status, (httpVoid.body as { error: { code: string } }).error.code]).toEqual([422, 'gift_card_voided']);

    const viaKafka = [expiring, voided].map(({ code }) =>
      command('giftcard.redeem', { businessId: other.businessId, clientId: other.clientId, currency: 'AED', code }),
    );
    for (const redeem of viaKafka) await kafka.send('gateway', redeem);
    const replies = await Promise.all(viaKafka.map(async (redeem) => (await kafka.waitForReplies(redeem.commandId))[0] as Reply));
    expect(replies.map((reply) => reply.error?.code)).toEqual(['gift_card_expired', 'gift_card_voided']);
    const credited = await db.query("select 1 from ledger_entry where business_id = $1 and type = 'gift_card_redeemed'", [other.businessId]);
    expect(credited).toEqual([]);
    summary.push('expired and void cards: refused over HTTP (422) and on the command topic; 0 credits');
  });

  it('lists each card with the status and voidability the server decides, and filters by the same status', async () => {
    const other = await seedBusiness(app, permissions);
    const staff = new GatewayClient(app, other.ownerToken);
    const issueIn = async () => {
      const answer = await staff.post<{ items: { code: string; result: { giftCardId: string } }[] }>('/api/gift-cards', { amount: '10.00', currency: 'AED' });
      return { code: answer.body.items[0].code, id: answer.body.items[0].result.giftCardId };
    };
    const [active, expired, voided, redeemed] = [await issueIn(), await issueIn(), await issueIn(), await issueIn()];
    await db.query("update gift_card set expires_at = now() - interval '1 day' where id = $1", [expired.id]);
    expect((await staff.post(`/api/gift-cards/${voided.id}/void`)).status).toBe(200);
    expect((await staff.post(`/api/clients/${other.clientId}/gift-card-redemptions`, { code: redeemed.code })).status).toBe(200);

    type Listed = { items: { id: string; status: string; voidable: boolean }[] };
    const shown = async (path: string) => (await staff.get<Listed>(path)).body.items.map(({ id, status, voidable }) => ({ id, status, voidable }));
    expect(await shown('/api/gift-cards')).toEqual(
      expect.arrayContaining([
        { id: active.id, status: 'active', voidable: true },
        { id: expired.id, status: 'expired', voidable: true },
        { id: voided.id, status: 'void', voidable: false },
        { id: redeemed.id, status: 'redeemed', voidable: false },
      ]),
    );
    expect((await shown('/api/gift-cards?status=expired')).map((card) => card.id)).toEqual([expired.id]);
    expect((await shown('/api/gift-cards?status=active')).map((card) => card.id)).toEqual([active.id]);

    // The list said the expired card can be voided: the ledger agrees.
    expect((await staff.post(`/api/gift-cards/${expired.id}/void`)).status).toBe(200);
    expect(await shown('/api/gift-cards?status=void')).toEqual(
      expect.arrayContaining([
        { id: expired.id, status: 'void', voidable: false },
        { id: voided.id, status: 'void', voidable: false },
      ]),
    );
    summary.push('gift card list: active, expired, void and redeemed as the server decides them, voidable only while unspent');
  });
});
