import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildCommand } from '@storecredit/contracts';
import { giftCardCode, uniqueId } from '@storecredit/testing';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';
import { v7 as uuidv7 } from 'uuid';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { CommandTransport } from '../apps/gateway/src/commands/command-transport';

interface HistoryEntry {
  type: string;
  actor: string;
  actorName: string;
  reference: { type: string; id: string | null };
  giftCardLast4: string | null;
}

/** The gateway against real PostgreSQL and the real Kafka broker, with the worker applying its commands. */
describe('gateway over Kafka', () => {
  let stack: LedgerStack;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ app, http } = stack);
    biz = await seedBusiness(app, permissions);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('adds, deducts and reads a balance and its history', async () => {
    const owner = http.as(biz.ownerToken);
    const added = await owner.post(`/api/clients/${biz.clientId}/balance/add`, { amount: '25.50', currency: 'AED', note: 'hello' });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ status: 'applied', result: { balanceAfter: '25.50' } });
    const deducted = await owner.post(`/api/clients/${biz.clientId}/balance/deduct`, { amount: '5.50', currency: 'AED' });
    expect(deducted.body).toMatchObject({ status: 'applied', result: { balanceAfter: '20.00' } });
    const tooMuch = await owner.post(`/api/clients/${biz.clientId}/balance/deduct`, { amount: '20.01', currency: 'AED' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ error: { code: 'insufficient_balance', message: 'Insufficient balance' } });
    const balances = await owner.get(`/api/clients/${biz.clientId}/balances`);
    expect(balances.body).toMatchObject({ items: [{ currency: 'AED', balance: '20.00', hasBalance: true }] });
    const history = await owner.get<{ items: { type: string }[] }>(`/api/clients/${biz.clientId}/transactions`);
    expect(history.body.items.map((i) => i.type)).toEqual(['balance_deducted', 'balance_added']);
  });

  it('holds balance at checkout, shows it on the balance, captures once and releases; refuses the wrong hold clearly', async () => {
    const owner = http.as(biz.ownerToken);
    const clientId = uniqueId('client');
    await owner.post('/api/clients', { id: clientId, name: 'Holding Client' });
    await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '100.00', currency: 'AED' });
    const saleId = uniqueId('sale');
    const held = await owner.post<{ result: { hold: { holdId: string; status: string }; amountHeld: string; available: string } }>(
      '/api/checkout/holds',
      { clientId, currency: 'AED', saleId, amountOwed: '70.00', saleAmount: '120.00', expiresInSeconds: 600 },
      { 'Idempotency-Key': `hold-${saleId}` },
    );
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: 'applied', result: { amountHeld: '70.00', available: '30.00', hold: { status: 'active' } } });
    const { holdId } = held.body.result.hold;
    const balances = await owner.get(`/api/clients/${clientId}/balances`);
    expect(balances.body).toMatchObject({ items: [{ currency: 'AED', balance: '100.00', held: '70.00', available: '30.00' }] });
    const listed = await owner.get<{ items: { holdId: string; status: string; amount: string }[] }>(`/api/clients/${clientId}/holds?status=active`);
    expect(listed.body.items).toEqual([expect.objectContaining({ holdId, status: 'active', amount: '70.00', saleId })]);
    const spend = await owner.post(`/api/clients/${clientId}/balance/deduct`, { amount: '30.01', currency: 'AED' });
    expect(spend.status).toBe(422);
    const over = await owner.post(`/api/checkout/holds/${holdId}/capture`, { amount: '70.01' });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ error: { code: 'capture_exceeds_hold' } });
    const captured = await owner.post(`/api/checkout/holds/${holdId}/capture`, { amount: '50.00' }, { 'Idempotency-Key': `capture-${saleId}` });
    expect(captured.body).toMatchObject({ status: 'applied', result: { entryType: 'used_for_payment', amount: '50.00', balanceAfter: '50.00', available: '50.00', hold: { status: 'captured' } } });
    const again = await owner.post(`/api/checkout/holds/${holdId}/capture`, { amount: '50.00' }, { 'Idempotency-Key': `capture-${saleId}` });
    expect(again.body).toMatchObject({ status: 'applied', replayed: true });
    const twice = await owner.post(`/api/checkout/holds/${holdId}/capture`, {});
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ error: { code: 'hold_already_captured' } });
    const release = await owner.post(`/api/checkout/holds/${holdId}/release`, {});
    expect(release.body).toMatchObject({ error: { code: 'hold_already_captured' } });
    const unknown = await owner.post('/api/checkout/holds/not-a-hold/release', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'hold_not_found' } });
    const history = await owner.get<{ items: { type: string }[] }>(`/api/clients/${clientId}/transactions`);
    expect(history.body.items.map((item) => item.type)).toEqual(['used_for_payment', 'balance_added']);
    // A second hold released gives its balance back.
    const second = await owner.post<{ result: { hold: { holdId: string } } }>('/api/checkout/holds', { clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '20.00' });
    const released = await owner.post(`/api/checkout/holds/${second.body.result.hold.holdId}/release`, {});
    expect(released.body).toMatchObject({ status: 'applied', result: { available: '50.00', hold: { status: 'released' } } });
  });

  it('reaches a client whose id is as long as the contract allows (128 characters) on every client route', async () => {
    const owner = http.as(biz.ownerToken);
    const clientId = `c${'x'.repeat(127)}`;
    expect((await owner.post('/api/clients', { id: clientId, name: 'Long Id' })).status).toBe(201);
    expect((await owner.get(`/api/clients/${clientId}/balances`)).status).toBe(200);
    expect((await owner.get(`/api/clients/${clientId}/holds`)).status).toBe(200);
    expect((await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '1.00', currency: 'AED' })).status).toBe(200);
  });

  it('issues and redeems a gift card', async () => {
    const owner = http.as(biz.ownerToken);
    const issued = await owner.post<{ items: { code: string }[] }>('/api/gift-cards', { amount: '40.00', currency: 'AED' });
    expect(issued.status).toBe(201);
    const code = issued.body.items[0].code;
    const redeemed = await owner.post(`/api/clients/${biz.clientId}/gift-card-redemptions`, { code: code.toLowerCase() });
    expect(redeemed.body).toMatchObject({ status: 'applied', result: { entryType: 'gift_card_redeemed', amount: '40.00' } });
    const unknown = await owner.post(`/api/clients/${biz.clientId}/gift-card-redemptions`, { code: giftCardCode() });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'gift_card_not_found' } });
  });

  it('names the redeemed gift card by its last four and every actor by name, never by a piece of an id', async () => {
    const owner = http.as(biz.ownerToken);
    const clientId = uniqueId('client');
    expect((await owner.post('/api/clients', { id: clientId, name: 'History Names' })).status).toBe(201);
    const issued = await owner.post<{ items: { code: string; result: { giftCardId: string } }[] }>('/api/gift-cards', { amount: '15.00', currency: 'AED' });
    const [card] = issued.body.items;
    expect((await owner.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code })).status).toBe(200);
    // The embedded start's demo seed writes as this actor (apps/gateway/src/embedded/demo-seed.ts).
    const seeded = buildCommand({
      type: 'balance.add',
      commandId: uuidv7(),
      businessId: biz.businessId,
      clientId,
      currency: 'AED',
      actor: { kind: 'staff', id: 'demo-seed' },
      amount: '5.00',
      reference: { type: 'manual' },
    });
    expect((await app.get(CommandTransport).send(seeded, 15_000))?.status).toBe('applied');
    expect((await http.as(biz.keyFor('balance.add')).post(`/api/clients/${clientId}/balance/add`, { amount: '1.00', currency: 'AED' })).status).toBe(200);

    const history = await owner.get<{ items: HistoryEntry[] }>(`/api/clients/${clientId}/transactions`);
    expect(history.body.items.map(({ type, actorName, giftCardLast4 }) => ({ type, actorName, giftCardLast4 }))).toEqual([
      { type: 'balance_added', actorName: 'key-balance.add', giftCardLast4: null },
      { type: 'balance_added', actorName: 'Demo data', giftCardLast4: null },
      { type: 'gift_card_redeemed', actorName: 'Owner', giftCardLast4: card.code.slice(-4) },
    ]);
    expect(history.body.items[2].reference).toEqual({ type: 'manual', id: card.result.giftCardId });
  });

  describe('PATCH /api/clients/:clientId', () => {
    type ClientBody = { id: string; name: string; phone: string | null; email: string | null; externalId: string | null };
    const patch = (token: string, id: string, body: unknown) => http.as(token).request<ClientBody>('PATCH', `/api/clients/${id}`, body);
    let first: string;

    beforeAll(async () => {
      const owner = http.as(biz.ownerToken);
      first = (await owner.post<ClientBody>('/api/clients', { name: 'Edit Me', phone: '+971 50 111 1111', externalId: uniqueId('ext') })).body.id;
    });

    it('changes the named fields, clears one given null, and leaves the rest as they were', async () => {
      const externalId = uniqueId('ext');
      const changed = await patch(biz.ownerToken, first, { name: '  Edited Name ', email: 'edited@example.com', externalId });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: first, name: 'Edited Name', phone: '+971 50 111 1111', email: 'edited@example.com', externalId });
      const cleared = await patch(biz.ownerToken, first, { phone: null });
      expect(cleared.body).toMatchObject({ name: 'Edited Name', phone: null, email: 'edited@example.com', externalId });
      expect((await http.as(biz.ownerToken).get(`/api/clients/${first}`)).body).toEqual(cleared.body);
    });

    it.each([
      ['nothing to change', {}],
      ['an empty name', { name: '   ' }],
      ['a malformed email', { email: 'not-an-email' }],
      ['a new id', { id: 'another-id' }],
      ['an unknown field', { balance: '100.00' }],
    ])('refuses %s with 400 and changes nothing', async (_, body) => {
      const before = await http.as(biz.ownerToken).get(`/api/clients/${first}`);
      const refused = await patch(biz.ownerToken, first, body);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'invalid_request', message: expect.any(String) } });
      expect((await http.as(biz.ownerToken).get(`/api/clients/${first}`)).body).toEqual(before.body);
    });

    it('refuses an external id another client of the business already has with 409', async () => {
      const taken = uniqueId('ext');
      expect((await http.as(biz.ownerToken).post('/api/clients', { name: 'Holds The Id', externalId: taken })).status).toBe(201);
      const before = await http.as(biz.ownerToken).get(`/api/clients/${first}`);
      const refused = await patch(biz.ownerToken, first, { name: 'Not Saved', externalId: taken });
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({ error: { code: 'client_exists', message: 'A client with this external id already exists', details: { field: 'externalId' } } });
      expect((await http.as(biz.ownerToken).get(`/api/clients/${first}`)).body).toEqual(before.body);
    });

    it('refuses to create a client under an id or external id the business already has with 409 client_exists', async () => {
      const id = uniqueId('client');
      const externalId = uniqueId('ext');
      expect((await http.as(biz.ownerToken).post('/api/clients', { id, name: 'First', externalId })).status).toBe(201);
      const sameId = await http.as(biz.ownerToken).post('/api/clients', { id, name: 'Second' });
      const sameExternal = await http.as(biz.ownerToken).post('/api/clients', { name: 'Third', externalId });
      expect([sameId.status, sameExternal.status]).toEqual([409, 409]);
      expect(sameId.body).toMatchObject({ error: { code: 'client_exists' } });
    });

    it('refuses another business’s client with 404, as it does a missing one, and leaves it as it was', async () => {
      const other = await seedBusiness(app, permissions);
      const foreign = await patch(other.ownerToken, first, { name: 'Taken Over' });
      const missing = await patch(other.ownerToken, uniqueId('client'), { name: 'Taken Over' });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: { code: 'not_found', message: 'Client not found' } });
      expect(foreign.body).toEqual(missing.body);
      expect((await http.as(biz.ownerToken).get<ClientBody>(`/api/clients/${first}`)).body.name).not.toBe('Taken Over');
    });
  });
});
