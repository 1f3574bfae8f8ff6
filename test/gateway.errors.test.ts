import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { giftCardCode, uniqueId, type TestDatabase } from '@storecredit/testing';
import {
  GatewayClient,
  seedBusiness,
  type HttpAnswer,
  type SeededBusiness,
  startLedgerStack,
  type LedgerStack,
} from './support';
import { permissions } from '../apps/gateway/src/auth/permissions';
import { Logger } from '@nestjs/common';
import {
  failedAttemptDelayUnderAttackMs,
  failuresPerAddressMax,
  failuresPerBusinessAlertMin,
  failuresPerPrincipalMax,
  throttleWindowMs,
} from '../apps/gateway/src/gift-cards/redemption-throttle';

type Body = Record<string, unknown>;
type Items<T = Body> = { items: T[]; nextCursor?: string | null };
interface ErrorAnswer {
  error: { code: string; message: string; details?: Body };
}
interface Applied<R = Body> {
  commandId: string;
  status: 'applied';
  replayed: boolean;
  result: R;
}
interface WalletResult {
  entryId: string | null;
  entryType: string | null;
  amount: string;
  balanceAfter: string;
  amountStillOwed?: string;
  giftCardId?: string;
}
interface HistoryRow {
  id: string;
  occurredAt: string;
  type: string;
  currency: string;
  amount: string;
  balanceAfter: string;
  reference: { type: string; id: string | null };
  note: string | null;
  actor: string;
  commandId: string;
  sequence: number;
}

const password = 'correct horse battery';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a request could change, business-wide: a refused request must leave all of it as it was. */
async function snapshot(db: TestDatabase): Promise<Body> {
  const [row] = await db.query(`
    select (select count(*) from ledger_entry)::int as entries,
           (select coalesce(string_agg(client_id || '/' || currency || '=' || balance::text, ',' order by client_id, currency), '') from wallet) as balances,
           (select count(*) from gift_card)::int as gift_cards,
           (select coalesce(string_agg(id::text || '=' || status, ',' order by id), '') from gift_card) as gift_card_states,
           (select count(*) from balance_payment)::int as payments,
           (select coalesce(sum(amount_refunded), 0)::text from balance_payment) as refunded,
           (select coalesce(string_agg(sale_id || '=' || amount::text || '/' || paid_with_balance::text || '/' || refunded::text, ',' order by sale_id), '') from sale) as sales,
           (select count(*) from balance_refund)::int as refund_ids,
           (select count(*) from client)::int as clients,
           (select count(*) from staff)::int as staff,
           (select count(*) from api_key where revoked_at is null)::int as live_api_keys`);
  return row;
}

/** Every error a user can meet over HTTP, with its status, and proof that a refused request changed nothing. */
describe('gateway errors', () => {
  let stack: LedgerStack;
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: GatewayClient;
  let biz: SeededBusiness;
  let owner: GatewayClient;

  beforeAll(async () => {
    stack = await startLedgerStack();
    ({ db, app } = stack);
    http = new GatewayClient(app);
    biz = await seedBusiness(app, permissions);
    owner = http.as(biz.ownerToken);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function newClient(topUp?: string, currency = 'AED'): Promise<string> {
    const created = await owner.post<{ id: string }>('/api/clients', { name: uniqueId('Client') });
    expect(created.status).toBe(201);
    if (topUp !== undefined) {
      const added = await owner.post(`/api/clients/${created.body.id}/balance/add`, { amount: topUp, currency });
      expect(added.status).toBe(200);
    }
    return created.body.id;
  }

  async function issueCard(amount = '25.00', extra: Body = {}): Promise<{ code: string; id: string }> {
    const issued = await owner.post<Items<{ code: string; status: string; result: { giftCardId: string } }>>('/api/gift-cards', {
      amount,
      currency: 'AED',
      ...extra,
    });
    expect(issued.status).toBe(201);
    return { code: issued.body.items[0].code, id: issued.body.items[0].result.giftCardId };
  }

  /** Runs the requests and checks each was refused as expected and that nothing at all changed. */
  async function expectRefusedUnchanged(requests: (() => Promise<HttpAnswer<unknown>>)[], status: number, code: string): Promise<HttpAnswer<ErrorAnswer>[]> {
    const before = await snapshot(db);
    const answers: HttpAnswer<ErrorAnswer>[] = [];
    for (const [index, request] of requests.entries()) {
      const answer = (await request()) as HttpAnswer<ErrorAnswer>;
      expect({ index, status: answer.status, code: answer.body?.error?.code }).toEqual({ index, status, code });
      answers.push(answer);
    }
    expect(await snapshot(db)).toEqual(before);
    return answers;
  }

  describe('ledger rejections', () => {
    it('answers insufficient_balance with 422 and deducts nothing', async () => {
      const clientId = await newClient('20.00');
      const [answer] = await expectRefusedUnchanged(
        [() => owner.post(`/api/clients/${clientId}/balance/deduct`, { amount: '20.01', currency: 'AED' })],
        422,
        'insufficient_balance',
      );
      expect(answer.body.error.message).toBe('Insufficient balance');
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '20.00' });
      const drained = await owner.post(`/api/clients/${clientId}/balance/deduct`, { amount: '20.00', currency: 'AED' });
      expect(drained.body).toMatchObject({ status: 'applied', result: { balanceAfter: '0.00' } });
      await expectRefusedUnchanged(
        [() => owner.post(`/api/clients/${clientId}/balance/deduct`, { amount: '0.01', currency: 'AED' })],
        422,
        'insufficient_balance',
      );
    });

    it('answers gift_card_not_found with 404', async () => {
      const clientId = await newClient();
      const [answer] = await expectRefusedUnchanged(
        [() => owner.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: giftCardCode() })],
        404,
        'gift_card_not_found',
      );
      expect(answer.body.error.message).toBe('Gift card not found');
    });

    it('answers gift_card_expired with 422 once the card has expired', async () => {
      const clientId = await newClient();
      const expiresAt = new Date(Date.now() + 3_000);
      const card = await issueCard('30.00', { expiresAt: expiresAt.toISOString() });
      await sleep(expiresAt.getTime() - Date.now() + 100);
      const allKey = http.as(biz.allKey);
      const [answer] = await expectRefusedUnchanged(
        [() => allKey.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code })],
        422,
        'gift_card_expired',
      );
      expect(answer.body.error).toMatchObject({ message: 'Gift card expired', details: { expiresAt: expiresAt.toISOString() } });
      const expired = await owner.get<Items<{ id: string }>>('/api/gift-cards?status=expired');
      expect(expired.body.items.map((item) => item.id)).toContain(card.id);
      const past = await owner.post('/api/gift-cards', { amount: '5.00', currency: 'AED', expiresAt: new Date(Date.now() - 60_000).toISOString() });
      expect(past.status).toBe(422);
      expect(past.body).toMatchObject({ error: { code: 'gift_card_expired' } });
    });

    it('answers gift_card_already_redeemed with 409 and credits the card once', async () => {
      const clientId = await newClient();
      const card = await issueCard('12.50');
      const redeemKey = http.as(biz.keyFor('giftcard.redeem'));
      const first = await redeemKey.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code });
      expect(first.body).toMatchObject({ status: 'applied', result: { amount: '12.50', balanceAfter: '12.50' } });
      const [again] = await expectRefusedUnchanged(
        [() => redeemKey.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code.replace(/-/g, ' ').toLowerCase() })],
        409,
        'gift_card_already_redeemed',
      );
      expect(again.body.error.message).toBe('Gift card already redeemed');
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '12.50' });
    });

    it('answers gift_card_voided with 422', async () => {
      const clientId = await newClient();
      const card = await issueCard('40.00');
      const voided = await owner.post(`/api/gift-cards/${card.id}/void`);
      expect(voided.body).toMatchObject({ status: 'applied', result: { status: 'void' } });
      const [answer] = await expectRefusedUnchanged(
        [() => owner.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code })],
        422,
        'gift_card_voided',
      );
      expect(answer.body.error.message).toBe('Gift card has been voided');
      expect((await owner.get<Items>(`/api/clients/${clientId}/balances`)).body.items).toEqual([]);
    });

    it('answers currency_mismatch with 422 for a refund in another currency than its payment', async () => {
      const clientId = await newClient('50.00');
      const paid = await owner.post<Applied<WalletResult>>('/api/checkout/payments', { clientId, currency: 'AED', saleId: 'sale-cm', amountOwed: '10.00' });
      expect(paid.body.result.amount).toBe('10.00');
      const [answer] = await expectRefusedUnchanged(
        [
          () =>
            owner.post('/api/refunds', { clientId, currency: 'USD', refundId: 'refund-cm', amount: '5.00', paymentCommandId: paid.body.commandId }),
        ],
        422,
        'currency_mismatch',
      );
      expect(answer.body.error.details).toMatchObject({ paymentCurrency: 'AED', currency: 'USD' });
    });

    it('answers refund_exceeds_payment with 422 once a payment is fully refunded', async () => {
      const clientId = await newClient('50.00');
      const paid = await owner.post<Applied<WalletResult>>('/api/checkout/payments', { clientId, currency: 'AED', saleId: 'sale-rx', amountOwed: '20.00' });
      const refund = (amount: string) =>
        owner.post<Applied<WalletResult>>('/api/refunds', { clientId, currency: 'AED', refundId: uniqueId('refund'), amount, paymentCommandId: paid.body.commandId });
      const partial = await refund('15.00');
      expect(partial.body).toMatchObject({ status: 'applied', result: { entryType: 'refund_credit', amount: '15.00', balanceAfter: '45.00' } });
      const [answer] = await expectRefusedUnchanged([() => refund('5.01')], 422, 'refund_exceeds_payment');
      expect(answer.body.error.details).toMatchObject({ amountApplied: '20.00', amountRefunded: '15.00', refundable: '5.00' });
      const rest = await refund('5.00');
      expect(rest.body).toMatchObject({ status: 'applied', result: { balanceAfter: '50.00' } });
      await expectRefusedUnchanged([() => refund('0.01')], 422, 'refund_exceeds_payment');
    });

    it('answers not_found with 404 for an unknown client, payment, command, gift card and route', async () => {
      const clientId = await newClient('5.00');
      const missing = uniqueId('client');
      await expectRefusedUnchanged(
        [
          () => owner.get(`/api/clients/${missing}`),
          () => owner.get(`/api/clients/${missing}/balances`),
          () => owner.get(`/api/clients/${missing}/transactions`),
          () => owner.post(`/api/clients/${missing}/balance/add`, { amount: '1.00', currency: 'AED' }),
          () => owner.post('/api/checkout/payments', { clientId: missing, currency: 'AED', saleId: 's', amountOwed: '1.00' }),
          () => owner.post('/api/refunds', { clientId, currency: 'AED', refundId: 'r-nf', amount: '1.00', paymentCommandId: 'no-such-payment' }),
          () => owner.get('/api/commands/no-such-command'),
          () => owner.request('DELETE', '/api/api-keys/00000000-0000-7000-8000-000000000000'),
          () => owner.get('/api/no-such-route'),
        ],
        404,
        'not_found',
      );
      const unknownCard = await owner.post('/api/gift-cards/00000000-0000-7000-8000-000000000000/void');
      expect(unknownCard).toMatchObject({ status: 404, body: { error: { code: 'gift_card_not_found' } } });
    });
  });

  describe('the HTTP edge', () => {
    it('answers an address the router cannot read with 400 invalid_request in our shape, never echoing it', async () => {
      const clientId = await newClient('5.00');
      const broken = await owner.post(`/api/clients/${clientId}/entries/%E0%A4%A/reverse`, { currency: 'AED', note: 'x' });
      expect(broken).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', details: { reason: 'malformed_address' } } } });
      const long = await owner.get(`/api/clients/${'x'.repeat(300)}/balances`);
      expect(long).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', details: { reason: 'path_segment_too_long' } } } });
      expect(JSON.stringify(long.body)).not.toContain('x'.repeat(300));
      expect(await owner.get(`/api/clients/${clientId}/balances/AED`)).toMatchObject({ status: 200, body: { balance: '5.00' } });
    });

    it('answers forbidden with 403 and unauthenticated with 401', async () => {
      const clientId = await newClient('10.00');
      const viewer = http.as(biz.keyFor('balance.view'));
      const [forbidden] = await expectRefusedUnchanged(
        [() => viewer.post(`/api/clients/${clientId}/balance/deduct`, { amount: '1.00', currency: 'AED' })],
        403,
        'forbidden',
      );
      expect(forbidden.body.error.details).toEqual({ permission: 'balance.deduct' });
      const [unauthenticated] = await expectRefusedUnchanged(
        [
          () => http.post(`/api/clients/${clientId}/balance/deduct`, { amount: '1.00', currency: 'AED' }),
          () => http.as('sess_not-a-session').post(`/api/clients/${clientId}/balance/deduct`, { amount: '1.00', currency: 'AED' }),
        ],
        401,
        'unauthenticated',
      );
      expect(unauthenticated.body.error.message).toBe('Sign in first');
    });

    it('answers invalid_credentials with 401 for a wrong password or an unknown email alike', async () => {
      const answers = await expectRefusedUnchanged(
        [
          () => http.post('/api/auth/sign-in', { email: `owner-${biz.businessId}@example.com`, password: 'not the password' }),
          () => http.post('/api/auth/sign-in', { email: `owner-${biz.businessId}@example.com`, password: password.toUpperCase() }),
          () => http.post('/api/auth/sign-in', { email: `nobody-${biz.businessId}@example.com`, password }),
        ],
        401,
        'invalid_credentials',
      );
      for (const answer of answers) expect(answer.body).toEqual({ error: { code: 'invalid_credentials', message: 'Email or password is incorrect' } });
      expect(await db.query('select count(*)::int as n from staff_session')).toEqual([{ n: 1 }]);
    });

    it('answers malformed JSON with 400 malformed_json', async () => {
      const clientId = await newClient('10.00');
      const [answer] = await expectRefusedUnchanged(
        [
          () => owner.post(`/api/clients/${clientId}/balance/add`, '{"amount": "1.00", "currency": '),
          () => owner.post(`/api/clients/${clientId}/balance/deduct`, "{'amount': '1.00'}"),
          () => http.post('/api/auth/sign-in', '{"email":'),
        ],
        400,
        'malformed_json',
      );
      expect(answer.body.error.message).toBe('The request body is not valid JSON');
    });

    it('answers wrong types, unknown fields and bad parameters with 400 invalid_request', async () => {
      const clientId = await newClient('10.00');
      const add = (body: unknown) => () => owner.post(`/api/clients/${clientId}/balance/add`, body);
      const answers = await expectRefusedUnchanged(
        [
          add({ amount: '1.00', currency: 5 }),
          add({ amount: '1.00', currency: 'AED', note: 7 }),
          add({ amount: '1.00', currency: 'AED', colour: 'red' }),
          add({ amount: '1.00', currency: 'XXX' }),
          add({ amount: '1.00', currency: 'AED', referenceType: 'bribe' }),
          add({ amount: '1.00', currency: 'AED', referenceId: 'has/slash' }),
          add({ amount: '1.00', currency: 'AED', note: 'x'.repeat(501) }),
          add({ amount: '1.00' }),
          add([]),
          add('"just a string"'),
          add('null'),
          add(''),
          () => owner.post(`/api/clients/${clientId}/balance/add`, { amount: '1.00', currency: 'AED' }, { 'idempotency-key': 'x'.repeat(201) }),
          () => http.post('/api/auth/sign-in', { email: 5, password }),
          () => http.post('/api/auth/sign-in', { email: `owner-${biz.businessId}@example.com`, password, remember: true }),
          () => owner.post('/api/gift-cards', { amount: '5.00', currency: 'AED', count: '2' }),
          () => owner.post('/api/gift-cards', { amount: '5.00', currency: 'AED', count: 51 }),
          () => owner.post('/api/gift-cards', { amount: '5.00', currency: 'AED', expiresAt: 'tomorrow' }),
          () => owner.post('/api/gift-cards', { amount: '5.00', currency: 'AED' }, { 'idempotency-key': 'issue-1' }),
          () => owner.post('/api/gift-cards/not-a-uuid/void'),
          () => owner.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: 42 }),
          () => owner.post('/api/checkout/payments', { clientId, currency: 'AED', saleId: 'has/slash', amountOwed: '1.00' }),
          () => owner.post('/api/refunds', { clientId, currency: 'AED', refundId: 'r-1', amount: '1.00' }),
          () => owner.post('/api/refunds', { clientId, currency: 'AED', refundId: 'r-1', amount: '1.00', saleId: 's-1', paymentCommandId: 'p-1' }),
          () => owner.post('/api/staff', { email: 'not-an-email', name: 'X', password, role: 'owner' }),
          () => owner.post('/api/staff', { email: `${uniqueId('s')}@example.com`, name: 'X', password, role: 'emperor' }),
          () => owner.post('/api/api-keys', { name: 'k', permissions: ['balance.everything'] }),
          () => owner.post('/api/api-keys', { name: 'k', permissions: [] }),
          () => owner.post('/api/staff', { email: `owner-${biz.businessId}@example.com`, name: 'Again', password, role: 'owner' }),
          () => owner.post('/api/clients', { name: 'Bad email', email: 'nope' }),
          () => owner.get(`/api/clients/${clientId}/balances/XYZ`),
          () => owner.get(`/api/clients/${clientId}/transactions?from=yesterday`),
          () => owner.get(`/api/clients/${clientId}/transactions?type=balance_stolen`),
          () => owner.get(`/api/clients/${clientId}/transactions?limit=0`),
          () => owner.get(`/api/clients/${clientId}/transactions?limit=101`),
          () => owner.get(`/api/clients/${clientId}/transactions?limit=ten`),
          () => owner.get(`/api/clients/${clientId}/transactions?page=2`),
          () => owner.get('/api/gift-cards?status=lost'),
          () => owner.get('/api/gift-cards?last4=ABCDE'),
        ],
        400,
        'invalid_request',
      );
      for (const answer of answers) expect(answer.body.error.message).toEqual(expect.any(String));
      expect(answers[2].body.error.details).toMatchObject({ issues: [expect.objectContaining({ message: expect.stringMatching(/colour/) })] });
      const [weak] = await expectRefusedUnchanged(
        [() => owner.post('/api/staff', { email: `${uniqueId('s')}@example.com`, name: 'X', password: 'short', role: 'owner' })],
        400,
        'weak_password',
      );
      expect(weak.body.error).toMatchObject({ message: 'Use at least 12 characters', details: { field: 'password', reason: 'too_short' } });
    });

    it('answers a forged or stale cursor with 400 invalid_cursor on every paged list', async () => {
      const clientId = await newClient('10.00');
      const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
      const at = '2026-11-01T10:00:00.000Z';
      const forgedEverywhere = [
        'not-a-cursor',
        'bm9wZQ',
        '12345',
        '-1',
        Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]).toString('base64url'),
        json(null),
        json({ at, id }),
        json([at]),
        json([at, id, 'extra']),
        json([at, null]),
        json([at, [id]]),
        json(['x\u0000y', id]),
      ];
      const forgedKeysetOnTime = [
        json([1, 2]),
        json([Date.parse(at), id]),
        json(['not a date', id]),
        json(['2026-13-45T00:00:00.000Z', id]),
        json(['0000-01-01T00:00:00.000Z', id]),
        json(['+275760-09-13T00:00:00.000Z', id]),
        json([at, 'not-a-uuid']),
        json([at, 5]),
        json([at, `${id}0`]),
      ];
      const lists = {
        history: (cursor: string) => owner.get(`/api/clients/${clientId}/transactions?cursor=${encodeURIComponent(cursor)}`),
        giftCards: (cursor: string) => owner.get(`/api/gift-cards?cursor=${encodeURIComponent(cursor)}`),
        clients: (cursor: string) => owner.get(`/api/clients?cursor=${encodeURIComponent(cursor)}`),
      };
      const requests = [
        ...Object.values(lists).flatMap((list) => forgedEverywhere.map((cursor) => () => list(cursor))),
        ...[lists.history, lists.giftCards].flatMap((list) => forgedKeysetOnTime.map((cursor) => () => list(cursor))),
        () => lists.clients(json([5, 'client-1'])),
      ];
      const answers = await expectRefusedUnchanged(requests, 400, 'invalid_cursor');
      for (const answer of answers) {
        expect(answer.body.error).toMatchObject({ message: expect.stringMatching(/cursor/), details: { parameter: 'cursor' } });
      }
    });

    const validOwed: Record<string, string> = { AED: '1.00', JPY: '100', KWD: '1.000' };
    const badAmounts: [string, unknown, string][] = [
      ['too many decimals', '10.001', 'AED'],
      ['zero', '0', 'AED'],
      ['zero with decimals', '0.00', 'AED'],
      ['negative', '-5.00', 'AED'],
      ['a JSON number', 5, 'AED'],
      ['a fractional JSON number', 5.5, 'AED'],
      ['null', null, 'AED'],
      ['empty', '', 'AED'],
      ['exponent notation', '1e3', 'AED'],
      ['padded', ' 5.00', 'AED'],
      ['a leading plus', '+5.00', 'AED'],
      ['a trailing dot', '5.', 'AED'],
      ['too many integer digits', '1234567890123456', 'AED'],
      ['decimals on JPY', '1.5', 'JPY'],
      ['four decimals on KWD', '1.0001', 'KWD'],
    ];

    it.each(badAmounts)('answers an amount that is %s with 400 invalid_amount on every write', async (_, amount, currency) => {
      const clientId = await newClient('10.00');
      await expectRefusedUnchanged(
        [
          () => owner.post(`/api/clients/${clientId}/balance/add`, { amount, currency }),
          () => owner.post(`/api/clients/${clientId}/balance/deduct`, { amount, currency }),
          () => owner.post('/api/checkout/payments', { clientId, currency, saleId: 'sale-1', amountOwed: amount }),
          () => owner.post('/api/checkout/payments', { clientId, currency, saleId: 'sale-1', amountOwed: validOwed[currency], amountRequested: amount }),
          () => owner.post('/api/refunds', { clientId, currency, refundId: 'refund-1', amount, saleId: 'sale-1', saleAmount: validOwed[currency] }),
          () => owner.post('/api/gift-cards', { amount, currency }),
        ],
        400,
        'invalid_amount',
      );
    });

    it('answers a body over 16 KiB with 413 payload_too_large', async () => {
      const clientId = await newClient('10.00');
      const [answer] = await expectRefusedUnchanged(
        [
          () => owner.post(`/api/clients/${clientId}/balance/add`, { amount: '1.00', currency: 'AED', note: 'x'.repeat(17 * 1024) }),
          () => owner.post('/api/gift-cards', { amount: '1.00', currency: 'AED', padding: 'y'.repeat(64 * 1024) }),
          () => http.post('/api/auth/sign-in', { email: 'a@example.com', password: 'p'.repeat(20 * 1024) }),
        ],
        413,
        'payload_too_large',
      );
      expect(answer.body.error.message).toBe('The request body is too large');
    });

    it('answers repeated failed redemptions with 429 and Retry-After, per key, while others may still redeem', async () => {
      const clientId = await newClient();
      const card = await issueCard('15.00');
      const created = await owner.post<{ key: string }>('/api/api-keys', { name: 'guesser', permissions: ['giftcard.redeem'] });
      const guesser = http.as(created.body.key);
      const redeem = (code: string) => () => guesser.post(`/api/clients/${clientId}/gift-card-redemptions`, { code });
      await expectRefusedUnchanged(Array.from({ length: failuresPerPrincipalMax }, () => redeem(giftCardCode())), 404, 'gift_card_not_found');
      const [throttled, evenValid] = await expectRefusedUnchanged([redeem(giftCardCode()), redeem(card.code)], 429, 'too_many_requests');
      for (const answer of [throttled, evenValid]) {
        const retryAfter = Number(answer.headers['retry-after']);
        expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= throttleWindowMs / 1000).toBe(true);
        expect(answer.body.error.details).toMatchObject({ retryAfterSeconds: retryAfter, scope: 'staff' });
      }
      const byOwner = await owner.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: card.code });
      expect(byOwner).toMatchObject({ status: 200, body: { status: 'applied', result: { amount: '15.00' } } });
    });

    it('lets no more than the allowed failures through when guesses arrive all at once', async () => {
      const clientId = await newClient();
      const created = await owner.post<{ key: string }>('/api/api-keys', { name: 'burst guesser', permissions: ['giftcard.redeem'] });
      const burst = http.as(created.body.key);
      const before = await snapshot(db);
      const answers = await Promise.all(
        Array.from({ length: failuresPerPrincipalMax * 2 }, () => burst.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: giftCardCode() })),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([...Array<number>(failuresPerPrincipalMax).fill(404), ...Array<number>(failuresPerPrincipalMax).fill(429)]);
      expect(await snapshot(db)).toEqual(before);
    });

    /** A business of its own with `count` redeem-only keys, so its throttle counts start at zero. */
    async function businessWithGuessers(count: number) {
      const other = await seedBusiness(app, permissions);
      const otherOwner = http.as(other.ownerToken);
      const guessers: string[] = [];
      for (let i = 0; i < count; i++) {
        const created = await otherOwner.post<{ key: string }>('/api/api-keys', { name: `guesser-${i}`, permissions: ['giftcard.redeem'] });
        guessers.push(created.body.key);
      }
      const redeemFrom = (token: string, address: string, code = giftCardCode()) =>
        app.inject({
          method: 'POST',
          url: `/api/clients/${other.clientId}/gift-card-redemptions`,
          remoteAddress: address,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ code }),
        });
      return { other, otherOwner, guessers, redeemFrom };
    }

    it('never locks the business: after six keys fail 30 times, the owner and a fresh key still redeem, slowed failures are logged and counted', async () => {
      const keysNeeded = Math.ceil(failuresPerBusinessAlertMin / failuresPerPrincipalMax);
      const { other, otherOwner, guessers, redeemFrom } = await businessWithGuessers(keysNeeded + 1);
      const issued = await otherOwner.post<Items<{ code: string }>>('/api/gift-cards', { amount: '12.00', currency: 'AED' });
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        const before = await snapshot(db);
        for (const key of guessers.slice(0, keysNeeded)) {
          const answers = await Promise.all(Array.from({ length: failuresPerPrincipalMax }, () => redeemFrom(key, '10.0.0.1')));
          expect(answers.map((answer) => answer.statusCode)).toEqual(Array<number>(failuresPerPrincipalMax).fill(404));
        }
        expect(await snapshot(db)).toEqual(before);
        const started = Date.now();
        const slowed = await redeemFrom(guessers[keysNeeded], '10.0.0.2');
        expect({ status: slowed.statusCode, slowed: Date.now() - started >= failedAttemptDelayUnderAttackMs }).toEqual({ status: 404, slowed: true });
        const alerts = warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes(other.businessId));
        expect(alerts).toEqual([expect.stringMatching(/gift card guessing.*30 failed redemptions/)]);
      } finally {
        warn.mockRestore();
      }
      const byOwner = await redeemFrom(other.ownerToken, '10.0.0.1', issued.body.items[0].code);
      expect({ status: byOwner.statusCode, body: byOwner.json() }).toMatchObject({ status: 200, body: { status: 'applied', result: { amount: '12.00' } } });
      const counter = await otherOwner.get('/api/gift-cards/failed-redemptions');
      expect(counter).toMatchObject({ status: 200, body: { failures: failuresPerBusinessAlertMin + 1, windowMs: throttleWindowMs, underAttack: true } });
      const forbidden = await http.as(other.keyFor('giftcard.redeem')).get('/api/gift-cards/failed-redemptions');
      expect(forbidden.status).toBe(403);
      // Another business is neither slowed nor counted.
      expect((await owner.get('/api/gift-cards/failed-redemptions')).body).toMatchObject({ underAttack: false });
    });

    it('answers 429 to one address after many failures across its keys, while the same key elsewhere may still try', async () => {
      const keysNeeded = Math.ceil(failuresPerAddressMax / failuresPerPrincipalMax);
      const { guessers, redeemFrom } = await businessWithGuessers(keysNeeded + 1);
      for (const key of guessers.slice(0, keysNeeded)) {
        const answers = await Promise.all(Array.from({ length: failuresPerPrincipalMax }, () => redeemFrom(key, '10.0.0.9')));
        expect(answers.map((answer) => answer.statusCode)).toEqual(Array<number>(failuresPerPrincipalMax).fill(404));
      }
      const fresh = guessers[keysNeeded];
      const fromThere = await redeemFrom(fresh, '10.0.0.9');
      expect({ status: fromThere.statusCode, body: fromThere.json() }).toMatchObject({ status: 429, body: { error: { code: 'too_many_requests', details: { scope: 'address' } } } });
      expect(Number(fromThere.headers['retry-after'])).toBeGreaterThan(0);
      // The refused attempt was not counted against the key: it still has all its own tries elsewhere.
      const elsewhere = await Promise.all(Array.from({ length: failuresPerPrincipalMax }, () => redeemFrom(fresh, '10.0.0.10')));
      expect(elsewhere.map((answer) => answer.statusCode)).toEqual(Array<number>(failuresPerPrincipalMax).fill(404));
    });
  });

  describe('idempotent retry', () => {
    it('answers the same Idempotency-Key and body with the first answer and applies it once', async () => {
      const clientId = await newClient('10.00');
      const headers = { 'idempotency-key': uniqueId('retry') };
      const body = { amount: '7.25', currency: 'AED', note: 'retried' };
      const first = await owner.post<Applied<WalletResult>>(`/api/clients/${clientId}/balance/add`, body, headers);
      const second = await owner.post<Applied<WalletResult>>(`/api/clients/${clientId}/balance/add`, body, headers);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'applied', replayed: false, result: { amount: '7.25', balanceAfter: '17.25' } });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ ...first.body, replayed: true });
      const history = await owner.get<Items<HistoryRow>>(`/api/clients/${clientId}/transactions`);
      expect(history.body.items.map((row) => row.amount)).toEqual(['7.25', '10.00']);
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '17.25' });
    });

    it('answers the same Idempotency-Key with another body with 409 idempotency_conflict', async () => {
      const clientId = await newClient('10.00');
      const headers = { 'idempotency-key': uniqueId('conflict') };
      const first = await owner.post<Applied<WalletResult>>(`/api/clients/${clientId}/balance/add`, { amount: '5.00', currency: 'AED' }, headers);
      expect(first.body.status).toBe('applied');
      const [conflict] = await expectRefusedUnchanged(
        [
          () => owner.post(`/api/clients/${clientId}/balance/add`, { amount: '6.00', currency: 'AED' }, headers),
          () => owner.post(`/api/clients/${clientId}/balance/add`, { amount: '5.00', currency: 'AED', note: 'changed' }, headers),
          () => owner.post(`/api/clients/${clientId}/balance/deduct`, { amount: '5.00', currency: 'AED' }, headers),
        ],
        409,
        'idempotency_conflict',
      );
      expect(conflict.body.error.details).toMatchObject({ commandId: first.body.commandId, firstCommandType: 'balance.add' });
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '15.00' });
    });

    it('answers a retried rejection with the first rejection, even when it would now succeed', async () => {
      const clientId = await newClient('10.00');
      const headers = { 'idempotency-key': uniqueId('rejected') };
      const body = { amount: '15.00', currency: 'AED' };
      const first = await owner.post<ErrorAnswer>(`/api/clients/${clientId}/balance/deduct`, body, headers);
      expect(first).toMatchObject({ status: 422, body: { error: { code: 'insufficient_balance' } } });
      await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '10.00', currency: 'AED' });
      const [retried] = await expectRefusedUnchanged([() => owner.post(`/api/clients/${clientId}/balance/deduct`, body, headers)], 422, 'insufficient_balance');
      expect(retried.body).toEqual(first.body);
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '20.00' });
    });
  });

  describe('races', () => {
    const clientEntries = async (clientId: string) =>
      (await db.query<{ n: number }>('select count(*)::int as n from ledger_entry where client_id = $1', [clientId]))[0].n;

    it('never overdraws under concurrent deductions', async () => {
      const clientId = await newClient('10.00');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => owner.post<ErrorAnswer>(`/api/clients/${clientId}/balance/deduct`, { amount: '3.00', currency: 'AED' })),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 422, 422]);
      for (const answer of answers.filter((a) => a.status === 422)) expect(answer.body.error.code).toBe('insufficient_balance');
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '1.00' });
      expect(await clientEntries(clientId)).toBe(4);
    });

    it('redeems a card once when two principals redeem it at the same moment', async () => {
      const [first, second] = [await newClient(), await newClient()];
      const card = await issueCard('25.00');
      const answers = await Promise.all([
        owner.post<ErrorAnswer>(`/api/clients/${first}/gift-card-redemptions`, { code: card.code }),
        http.as(biz.allKey).post<ErrorAnswer>(`/api/clients/${second}/gift-card-redemptions`, { code: card.code }),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expect(answers.find((answer) => answer.status === 409)?.body.error.code).toBe('gift_card_already_redeemed');
      expect((await clientEntries(first)) + (await clientEntries(second))).toBe(1);
    });

    it('applies one request sent twice at once with one Idempotency-Key once', async () => {
      const clientId = await newClient();
      const headers = { 'idempotency-key': uniqueId('twice') };
      const answers = await Promise.all(
        [0, 1].map(() => owner.post<Applied<WalletResult>>(`/api/clients/${clientId}/balance/add`, { amount: '4.00', currency: 'AED' }, headers)),
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect(answers.map((answer) => answer.body.replayed).sort()).toEqual([false, true]);
      expect(answers[0].body.commandId).toBe(answers[1].body.commandId);
      expect(answers[0].body.result).toEqual(answers[1].body.result);
      expect(await clientEntries(clientId)).toBe(1);
    });
  });

  describe('history pagination', () => {
    const entriesTotal = 60;
    let clientId: string;
    let midpoint: Date;
    let all: HistoryRow[];

    async function page(query: string): Promise<Items<HistoryRow>> {
      const answer = await owner.get<Items<HistoryRow>>(`/api/clients/${clientId}/transactions?${query}`);
      expect(answer.status).toBe(200);
      return answer.body;
    }

    async function pageThrough(query: string, between?: (pageIndex: number) => Promise<void>): Promise<HistoryRow[]> {
      const rows: HistoryRow[] = [];
      let cursor: string | null | undefined;
      for (let index = 0; index < 10; index++) {
        const body = await page(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        rows.push(...body.items);
        cursor = body.nextCursor;
        if (!cursor) return rows;
        await between?.(index);
      }
      throw new Error('pagination did not end');
    }

    beforeAll(async () => {
      clientId = await newClient();
      // Two additions then one deduction, twenty times: 40 balance_added, 20 balance_deducted, never below zero.
      for (let i = 0; i < entriesTotal; i++) {
        const deduct = i % 3 === 2;
        const answer = await owner.post(`/api/clients/${clientId}/balance/${deduct ? 'deduct' : 'add'}`, {
          amount: deduct ? '0.50' : '1.00',
          currency: 'AED',
          note: `entry ${i + 1}`,
          referenceType: 'adjustment',
          referenceId: `ref-${i + 1}`,
        });
        expect(answer.status).toBe(200);
        if (i === entriesTotal / 2 - 1) {
          await sleep(10);
          midpoint = new Date();
          await sleep(10);
        }
      }
    });

    it('pages 60 entries by 25 into 60 distinct rows, newest first', async () => {
      const first = await page('limit=25');
      expect(first.items).toHaveLength(25);
      expect(first.nextCursor).toEqual(expect.any(String));
      all = await pageThrough('limit=25');
      expect(all).toHaveLength(entriesTotal);
      expect(new Set(all.map((row) => row.id)).size).toBe(entriesTotal);
      expect(all.map((row) => row.sequence)).toEqual(Array.from({ length: entriesTotal }, (_, i) => entriesTotal - i));
      const times = all.map((row) => Date.parse(row.occurredAt));
      expect(times).toEqual([...times].sort((x, y) => y - x));
      // Each row carries date and time, type, amount, balance after, reference, note and actor.
      expect(all[0]).toMatchObject({
        id: expect.any(String),
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        type: 'balance_deducted',
        currency: 'AED',
        amount: '-0.50',
        balanceAfter: '30.00',
        reference: { type: 'adjustment', id: 'ref-60' },
        note: 'entry 60',
        actor: expect.stringContaining('staff'),
        commandId: expect.any(String),
        sequence: 60,
      });
      expect(all[1]).toMatchObject({ type: 'balance_added', amount: '1.00', balanceAfter: '30.50', note: 'entry 59' });
      expect(all[2]).toMatchObject({ type: 'balance_added', amount: '1.00', balanceAfter: '29.50', note: 'entry 58' });
      expect(all[3]).toMatchObject({ type: 'balance_deducted', amount: '-0.50', balanceAfter: '28.50', note: 'entry 57' });
      expect(all[entriesTotal - 1]).toMatchObject({ type: 'balance_added', balanceAfter: '1.00', note: 'entry 1' });
      const byHundred = await page('limit=100');
      expect(byHundred.items.map((row) => row.id)).toEqual(all.map((row) => row.id));
      expect(byHundred.nextCursor).toBeNull();
    });

    it('filters by entry type', async () => {
      const deducted = await pageThrough('limit=7&type=balance_deducted');
      expect(deducted).toHaveLength(20);
      expect(new Set(deducted.map((row) => row.type))).toEqual(new Set(['balance_deducted']));
      expect(deducted.map((row) => row.id)).toEqual(all.filter((row) => row.type === 'balance_deducted').map((row) => row.id));
      expect(await pageThrough('limit=25&type=balance_added')).toHaveLength(40);
      expect(await pageThrough('limit=25&type=balance_added&type=balance_deducted')).toHaveLength(60);
      expect((await page('type=gift_card_redeemed')).items).toEqual([]);
    });

    it('filters by date range, from inclusive and to exclusive', async () => {
      const iso = encodeURIComponent(midpoint.toISOString());
      const later = await pageThrough(`limit=25&from=${iso}`);
      expect(later.map((row) => row.id)).toEqual(all.slice(0, 30).map((row) => row.id));
      const earlier = await pageThrough(`limit=25&to=${iso}`);
      expect(earlier.map((row) => row.id)).toEqual(all.slice(30).map((row) => row.id));
      const firstRow = all[entriesTotal - 1];
      const exactly = await page(`from=${encodeURIComponent(firstRow.occurredAt)}&to=${encodeURIComponent(all[entriesTotal - 2].occurredAt)}`);
      expect(exactly.items.map((row) => row.id)).toEqual([firstRow.id]);
      const window = await page(`type=balance_deducted&from=${iso}&limit=100`);
      expect(window.items).toHaveLength(10);
      expect((await page(`currency=USD`)).items).toEqual([]);
      const future = encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString());
      expect((await page(`from=${future}`)).items).toEqual([]);
    });

    it('keeps a cursor stable while new entries are added', async () => {
      let added = 0;
      const paged = await pageThrough('limit=25', async () => {
        for (let i = 0; i < 3; i++) {
          const answer = await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '2.00', currency: 'AED', note: `meanwhile ${++added}` });
          expect(answer.status).toBe(200);
        }
      });
      expect(added).toBe(6);
      expect(paged.map((row) => row.id)).toEqual(all.map((row) => row.id));
      const newest = await page('limit=6');
      expect(newest.items.map((row) => row.note)).toEqual([6, 5, 4, 3, 2, 1].map((n) => `meanwhile ${n}`));
      expect(newest.items[0]).toMatchObject({ balanceAfter: '42.00', sequence: 66 });
    });
  });

  describe('checkout payments', () => {
    it('caps a payment at the balance when the sale is larger', async () => {
      const clientId = await newClient('30.00');
      const paid = await owner.post<Applied<WalletResult>>('/api/checkout/payments', { clientId, currency: 'AED', saleId: 'sale-big', amountOwed: '50.00' });
      expect(paid.status).toBe(200);
      expect(paid.body.result).toMatchObject({ entryType: 'used_for_payment', amount: '30.00', balanceAfter: '0.00', amountStillOwed: '20.00' });
      const history = await owner.get<Items<HistoryRow>>(`/api/clients/${clientId}/transactions?type=used_for_payment`);
      expect(history.body.items).toEqual([
        expect.objectContaining({ type: 'used_for_payment', amount: '-30.00', balanceAfter: '0.00', reference: { type: 'payment', id: 'sale-big' } }),
      ]);
    });

    it('caps a payment at the sale (and at the amount requested) when the balance is larger', async () => {
      const clientId = await newClient('80.00');
      const paid = await owner.post<Applied<WalletResult>>('/api/checkout/payments', { clientId, currency: 'AED', saleId: 'sale-small', amountOwed: '50.00' });
      expect(paid.body.result).toMatchObject({ amount: '50.00', balanceAfter: '30.00', amountStillOwed: '0.00' });
      const requested = await owner.post<Applied<WalletResult>>('/api/checkout/payments', {
        clientId,
        currency: 'AED',
        saleId: 'sale-part',
        amountOwed: '25.00',
        amountRequested: '10.00',
      });
      expect(requested.body.result).toMatchObject({ amount: '10.00', balanceAfter: '20.00', amountStillOwed: '15.00' });
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '20.00', hasBalance: true });
    });

    it('applies nothing from a zero balance', async () => {
      const clientId = await newClient();
      const before = await snapshot(db);
      const paid = await http
        .as(biz.keyFor('checkout.pay'))
        .post<Applied<WalletResult>>('/api/checkout/payments', { clientId, currency: 'AED', saleId: 'sale-zero', amountOwed: '50.00' });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ status: 'applied', result: { entryId: null, entryType: null, amount: '0.00', balanceAfter: '0.00', amountStillOwed: '50.00' } });
      expect(await snapshot(db)).toEqual(before);
      expect((await owner.get<Items>(`/api/clients/${clientId}/transactions`)).body.items).toEqual([]);
      expect((await owner.get(`/api/clients/${clientId}/balances/AED`)).body).toMatchObject({ balance: '0.00', hasBalance: false });
    });
  });

  describe('bounds per sale and per refund (the hostile test: one sale paid twice, unbounded and doubled refunds)', () => {
    const balance = async (clientId: string) => (await owner.get<{ balance: string }>(`/api/clients/${clientId}/balances/AED`)).body.balance;

    it('takes one sale that owes 20.00 once, though two requests with different Idempotency-Keys pay it', async () => {
      const clientId = await newClient('70.00');
      const saleId = uniqueId('sale');
      const pay = (key: string) =>
        owner.post<Applied<WalletResult>>('/api/checkout/payments', { clientId, currency: 'AED', saleId, amountOwed: '20.00' }, { 'idempotency-key': key });
      const [first, second] = await Promise.all([pay(uniqueId('till-1')), pay(uniqueId('till-2'))]);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([first.body.result.amount, second.body.result.amount].sort()).toEqual(['0.00', '20.00']);
      expect(await balance(clientId)).toBe('50.00');
    });

    it("refuses a refund by saleId beyond the sale's amount with 422 refund_exceeds_sale, and one without the amount with 400", async () => {
      const clientId = await newClient('70.00');
      const saleId = uniqueId('sale');
      await owner.post('/api/checkout/payments', { clientId, currency: 'AED', saleId, amountOwed: '20.00' });
      await expectRefusedUnchanged(
        [
          () => owner.post('/api/refunds', { clientId, currency: 'AED', refundId: uniqueId('r'), amount: '500.00', saleId, saleAmount: '20.00' }),
          () => owner.post('/api/refunds', { clientId, currency: 'AED', refundId: uniqueId('r'), amount: '20.01', saleId, saleAmount: '20.00' }),
        ],
        422,
        'refund_exceeds_sale',
      );
      await expectRefusedUnchanged(
        [() => owner.post('/api/refunds', { clientId, currency: 'AED', refundId: uniqueId('r'), amount: '500.00', saleId, saleAmount: '500.00' })],
        409,
        'sale_mismatch',
      );
      const contradicting = await owner.post<ErrorAnswer>('/api/checkout/payments', { clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '100.00', saleAmount: '10.00' });
      expect(contradicting.status).toBe(400);
      expect(contradicting.body.error.message).toMatch(/saleAmount/);
      const missing = await owner.post<ErrorAnswer>('/api/refunds', { clientId, currency: 'AED', refundId: uniqueId('r'), amount: '5.00', saleId });
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toMatch(/saleAmount/);
      expect(await balance(clientId)).toBe('50.00');
    });

    it('credits one refundId once whatever the Idempotency-Key, and refuses another refund under it with 409 refund_conflict', async () => {
      const clientId = await newClient();
      const refund = { clientId, currency: 'AED', refundId: uniqueId('refund'), amount: '12.00', saleId: uniqueId('sale'), saleAmount: '40.00' };
      const first = await owner.post<Applied<WalletResult>>('/api/refunds', refund, { 'idempotency-key': uniqueId('k') });
      const again = await owner.post<Applied<WalletResult>>('/api/refunds', refund, { 'idempotency-key': uniqueId('k') });
      expect(first.body).toMatchObject({ status: 'applied', replayed: false, result: { balanceAfter: '12.00' } });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'applied', replayed: true, result: first.body.result });
      // The same refund with its amounts written another way is the same refund, not another.
      const rewritten = await owner.post<Applied<WalletResult>>('/api/refunds', { ...refund, amount: '12', saleAmount: '40.0' });
      expect(rewritten.body).toMatchObject({ status: 'applied', replayed: true, result: first.body.result });
      await expectRefusedUnchanged([() => owner.post('/api/refunds', { ...refund, amount: '13.00' })], 409, 'refund_conflict');
      expect(await balance(clientId)).toBe('12.00');
    });
  });

  describe('secrets at rest', () => {
    it('stores passwords as scrypt hashes, and API keys, sessions and gift card codes only hashed', async () => {
      const staff = await db.query<{ password_hash: string }>('select password_hash from staff');
      expect(staff.length).toBeGreaterThan(0);
      for (const row of staff) {
        expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
        expect(row.password_hash).not.toContain(password);
      }
      const created = await owner.post<{ key: string; id: string }>('/api/api-keys', { name: 'checkout service', permissions: ['checkout.pay'] });
      expect(created.status).toBe(201);
      const secret = created.body.key.split('_').slice(2).join('_');
      expect(secret.length).toBeGreaterThanOrEqual(40);
      const keys = await db.query<Body>('select * from api_key');
      const stored = JSON.stringify(keys);
      for (const plain of [created.body.key, biz.allKey, biz.keyFor('balance.view')]) {
        expect(stored).not.toContain(plain);
        expect(stored).not.toContain(plain.split('_').slice(2).join('_'));
      }
      for (const row of keys) expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      const listed = await owner.get<Items>('/api/api-keys');
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      expect(listed.body.items[0]).not.toHaveProperty('key');

      const sessions = JSON.stringify(await db.query('select * from staff_session'));
      expect(sessions).not.toContain(biz.ownerToken);
      expect(sessions).not.toContain(biz.ownerToken.slice('sess_'.length));

      const card = await issueCard('5.00');
      // Codes read aloud: 16 characters of an alphabet without 0/O or 1/I (80 bits), in groups of four.
      expect(card.code).toMatch(/^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
      const normalised = card.code.replace(/-/g, '');
      const cards = JSON.stringify(await db.query('select * from gift_card'));
      expect(cards).not.toContain(normalised);
      expect(cards).not.toContain(card.code);
      expect(cards).toContain(normalised.slice(-4));
    });
  });
});
