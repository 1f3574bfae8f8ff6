import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { uniqueId } from '@storecredit/testing';
import { GatewayClient, seedBusiness, startLedgerStack, type LedgerStack, type SeededBusiness } from './support';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { ClientsRepository } from '../apps/gateway/src/clients/clients.repository';
import { encodeCursor } from '../apps/gateway/src/http/pagination';

type Body = Record<string, unknown>;
interface PaymentItem {
  paymentCommandId: string;
  kind: 'payment' | 'capture';
  holdId: string | null;
  saleId: string;
  currency: string;
  amountApplied: string;
  amountRefunded: string;
  refundable: string;
  createdAt: string;
  actorName: string | null;
}
interface Page {
  items: PaymentItem[];
  nextCursor: string | null;
}
interface SaleAnswer {
  saleId: string;
  amount: string;
  paidWithBalance: string;
  refunded: string;
  refundable: string;
  payments: PaymentItem[];
}
interface ErrorAnswer {
  error: { code: string; message: string; details?: Body };
}

/** The refund screen's reads: what each balance payment and sale may still return, as the ledger will accept it. */
describe('refundable reads (GET /api/clients/:id/payments, GET /api/sales/:saleId)', () => {
  let stack: LedgerStack;
  let app: NestFastifyApplication;
  let a: SeededBusiness;
  let b: SeededBusiness;
  let owner: GatewayClient;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ app } = stack);
    a = await seedBusiness(app, permissions);
    b = await seedBusiness(app, permissions);
    owner = new GatewayClient(app, a.ownerToken);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function newClient(balance: string): Promise<string> {
    const id = uniqueId('client');
    await app.get(ClientsRepository).create(a.businessId, { id, name: 'Refund Client' });
    const added = await owner.post(`/api/clients/${id}/balance/add`, { amount: balance, currency: 'AED' });
    expect(added.status).toBe(200);
    return id;
  }

  async function pay(clientId: string, saleId: string, amountOwed: string, saleAmount?: string): Promise<string> {
    const paid = await owner.post<{ commandId: string; status: string }>('/api/checkout/payments', {
      clientId,
      currency: 'AED',
      saleId,
      amountOwed,
      ...(saleAmount === undefined ? {} : { saleAmount }),
    });
    expect(paid.body.status).toBe('applied');
    return paid.body.commandId;
  }

  const refund = (clientId: string, body: Body) => owner.post<ErrorAnswer & { status?: string }>('/api/refunds', { clientId, currency: 'AED', refundId: uniqueId('refund'), ...body });
  const payments = (clientId: string, query = '') => owner.get<Page>(`/api/clients/${clientId}/payments${query}`);

  it('lists a client’s payments newest first with applied, refunded and still refundable after partial refunds', async () => {
    const clientId = await newClient('100.00');
    const first = await pay(clientId, uniqueId('sale'), '30.00');
    const second = await pay(clientId, uniqueId('sale'), '20.00');
    expect((await refund(clientId, { amount: '12.50', paymentCommandId: first })).status).toBe(200);

    const page = await payments(clientId, '?currency=AED');
    expect(page.status).toBe(200);
    expect(page.body.items.map((item) => [item.paymentCommandId, item.kind, item.amountApplied, item.amountRefunded, item.refundable])).toEqual([
      [second, 'payment', '20.00', '0.00', '20.00'],
      [first, 'payment', '30.00', '12.50', '17.50'],
    ]);
    expect(page.body.items[0].actorName).toBe('Owner');
    expect(page.body.nextCursor).toBeNull();

    // What it shows is what the ledger takes: one cent more is refused, exactly that much applies.
    const over = await refund(clientId, { amount: '17.51', paymentCommandId: first });
    expect([over.status, over.body.error.code]).toEqual([422, 'refund_exceeds_payment']);
    expect((await refund(clientId, { amount: '17.50', paymentCommandId: first })).status).toBe(200);
    expect((await payments(clientId)).body.items[1].refundable).toBe('0.00');
  });

  it('bounds a payment by its sale after a refund by sale, and shows the sale with its payments', async () => {
    const clientId = await newClient('100.00');
    const saleId = uniqueId('sale');
    // A sale of 100.00: 30.00 from balance, the rest by card.
    const paymentCommandId = await pay(clientId, saleId, '30.00', '100.00');
    // The refund by sale first returns the card's 70.00, then 10.00 of the balance payment.
    expect((await refund(clientId, { amount: '80.00', saleId, saleAmount: '100.00' })).status).toBe(200);

    const sale = await owner.get<SaleAnswer>(`/api/sales/${saleId}`);
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ saleId, amount: '100.00', paidWithBalance: '30.00', refunded: '80.00', refundable: '20.00' });
    expect(sale.body.payments.map((item) => [item.paymentCommandId, item.amountRefunded, item.refundable])).toEqual([[paymentCommandId, '10.00', '20.00']]);

    const overSale = await refund(clientId, { amount: '20.01', saleId, saleAmount: '100.00' });
    expect([overSale.status, overSale.body.error.code]).toEqual([422, 'refund_exceeds_sale']);
    expect((await refund(clientId, { amount: '5.00', saleId, saleAmount: '100.00' })).status).toBe(200);
    // The refund took the rest of the payment's share: payment and sale agree on 15.00.
    const [item] = (await payments(clientId)).body.items;
    expect([item.amountRefunded, item.refundable]).toEqual(['15.00', '15.00']);
    expect((await owner.get<SaleAnswer>(`/api/sales/${saleId}`)).body.refundable).toBe('15.00');
    const overPayment = await refund(clientId, { amount: '15.01', paymentCommandId });
    expect(overPayment.body.error.code).toMatch(/^refund_exceeds_(payment|sale)$/);
    expect((await refund(clientId, { amount: '15.00', paymentCommandId })).status).toBe(200);
    expect((await owner.get<SaleAnswer>(`/api/sales/${saleId}`)).body).toMatchObject({ refunded: '100.00', refundable: '0.00' });
  });

  it('bounds a payment by what its sale has left when a card refund came first', async () => {
    const clientId = await newClient('100.00');
    const saleId = uniqueId('sale');
    expect((await refund(clientId, { amount: '50.00', saleId, saleAmount: '60.00' })).status).toBe(200);
    const paymentCommandId = await pay(clientId, saleId, '30.00', '60.00');
    const [item] = (await payments(clientId)).body.items;
    expect([item.paymentCommandId, item.amountApplied, item.amountRefunded, item.refundable]).toEqual([paymentCommandId, '30.00', '0.00', '10.00']);
    const over = await refund(clientId, { amount: '10.01', paymentCommandId });
    expect([over.status, over.body.error.code]).toEqual([422, 'refund_exceeds_sale']);
    expect((await refund(clientId, { amount: '10.00', paymentCommandId })).status).toBe(200);
  });

  it('shows a captured hold as a payment of kind capture, with its hold', async () => {
    const clientId = await newClient('50.00');
    const saleId = uniqueId('sale');
    const held = await owner.post<{ result: { hold: { holdId: string } } }>('/api/checkout/holds', { clientId, currency: 'AED', saleId, amountOwed: '40.00' });
    expect(held.status).toBe(200);
    const holdId = held.body.result.hold.holdId;
    const captured = await owner.post<{ commandId: string }>(`/api/checkout/holds/${holdId}/capture`, { amount: '25.00' });
    expect(captured.status).toBe(200);
    const [item] = (await payments(clientId)).body.items;
    expect(item).toMatchObject({ paymentCommandId: captured.body.commandId, kind: 'capture', holdId, saleId, amountApplied: '25.00', refundable: '25.00' });
  });

  it('pages with the keyset cursor and refuses a forged one', async () => {
    const clientId = await newClient('100.00');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await pay(clientId, uniqueId('sale'), '1.00'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await payments(clientId, query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item) => item.paymentCommandId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    for (const forged of ['not-a-cursor', encodeCursor(['yesterday', 'x']), encodeCursor([new Date().toISOString()]), encodeCursor([new Date().toISOString(), 'x', 'y'])]) {
      const answer = await payments(clientId, `?cursor=${encodeURIComponent(forged)}`);
      expect([answer.status, (answer.body as unknown as ErrorAnswer).error.code]).toEqual([400, 'invalid_cursor']);
    }
    const badCurrency = await payments(clientId, '?currency=XXX');
    expect(badCurrency.status).toBe(400);
  });

  it('asks for refund.credit: a key with every other permission is refused', async () => {
    const clientId = await newClient('10.00');
    const saleId = uniqueId('sale');
    await pay(clientId, saleId, '5.00');
    const others = permissions.filter((permission) => permission !== 'refund.credit');
    for (const permission of others) {
      const as = owner.as(a.keyFor(permission));
      expect([permission, (await as.get(`/api/clients/${clientId}/payments`)).status]).toEqual([permission, 403]);
      expect([permission, (await as.get(`/api/sales/${saleId}`)).status]).toEqual([permission, 403]);
    }
    const refunder = owner.as(a.keyFor('refund.credit'));
    expect((await refunder.get(`/api/clients/${clientId}/payments`)).status).toBe(200);
    expect((await refunder.get(`/api/sales/${saleId}`)).status).toBe(200);
    expect((await owner.as(undefined).get(`/api/sales/${saleId}`)).status).toBe(401);
  });

  it('never shows another business’s client, payment or sale: 404 like a missing one', async () => {
    const clientId = await newClient('10.00');
    const saleId = uniqueId('sale');
    await pay(clientId, saleId, '5.00');
    const other = owner.as(b.allKey);
    const foreignClient = await other.get<ErrorAnswer>(`/api/clients/${clientId}/payments`);
    const missingClient = await other.get<ErrorAnswer>(`/api/clients/${uniqueId('client')}/payments`);
    expect([foreignClient.status, foreignClient.body]).toEqual([missingClient.status, missingClient.body]);
    expect(foreignClient.status).toBe(404);
    const foreignSale = await other.get<ErrorAnswer>(`/api/sales/${saleId}`);
    const missingSale = await other.get<ErrorAnswer>(`/api/sales/${uniqueId('sale')}`);
    expect([foreignSale.status, foreignSale.body.error.code]).toEqual([404, 'not_found']);
    expect(missingSale.status).toBe(404);
    expect(JSON.stringify(foreignSale.body)).not.toContain('5.00');
    // B's own client of the same id sees none of A's payments.
    await app.get(ClientsRepository).create(b.businessId, { id: clientId, name: 'Same id in B' });
    expect((await other.get<Page>(`/api/clients/${clientId}/payments`)).body.items).toEqual([]);
    // A sale id no sale can have is not found, never a 500.
    expect((await owner.get(`/api/sales/${encodeURIComponent('../../etc')}`)).status).toBe(404);
  });
});
