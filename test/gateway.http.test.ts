import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GatewayClient, giftCardCode, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from '@storecredit/testing';
import { permissions } from '../apps/gateway/src/auth/permissions';

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
});
