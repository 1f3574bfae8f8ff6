import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { OptimisticLockError } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command, StoredReply, WalletResult } from '@storecredit/contracts';
import { Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { GroupStore, LedgerCommands, LedgerModule, LedgerVerifier, Wallet, type CommandOutcome } from '@storecredit/ledger';
import { command, createTestDatabase, giftCardCode, TestClock, uniqueId, type TestDatabase } from '@storecredit/testing';

/** Every command and every error code, applied through the command bus against real PostgreSQL. */
describe('ledger on PostgreSQL', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let ledger: LedgerCommands;
  const clock = new TestClock();
  const businessId = 'salon-1';

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [LedgerModule.forRoot({ databaseUrl: db.url, clock })],
    }).compile();
    app = await moduleRef.init();
    ledger = app.get(LedgerCommands);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  afterEach(async () => {
    const report = await app.get(LedgerVerifier).verify();
    expect(report.problems).toEqual([]);
  });

  const newClient = () => uniqueId('client');
  const apply = (cmd: Command): Promise<CommandOutcome> => ledger.apply(cmd);
  const result = (reply: StoredReply) => reply.result as WalletResult;
  const add = (clientId: string, amount: string, currency = 'AED') =>
    apply(command('balance.add', { businessId, clientId, currency, amount }));
  const entriesOf = (clientId: string) =>
    db.query<{ type: string; amount: string; balance_after: string; sequence: number }>(
      'select type, amount::text, balance_after::text, sequence from ledger_entry where business_id = $1 and client_id = $2 order by sequence',
      [businessId, clientId],
    );

  const balanceOf = async (clientId: string, currency = 'AED') =>
    (await db.query<{ balance: string }>('select balance::text from wallet where client_id = $1 and currency = $2', [clientId, currency]))[0]?.balance;

  describe('balance changes', () => {
    it('adds balance and records a balance_added entry with the balance after it', async () => {
      const clientId = newClient();
      const { reply } = await apply(
        command('balance.add', {
          businessId,
          clientId,
          currency: 'AED',
          amount: '25.5',
          note: 'welcome credit',
          reference: { type: 'adjustment', id: 'adj-1' },
        }),
      );
      expect(reply.status).toBe('applied');
      expect(result(reply)).toMatchObject({ entryType: 'balance_added', amount: '25.50', balanceAfter: '25.50', currency: 'AED' });
      const [entry] = await db.query<Record<string, string>>(
        'select type, amount::text, balance_after::text, reference_type, reference_id, note, actor from ledger_entry where client_id = $1',
        [clientId],
      );
      expect(entry).toEqual({
        type: 'balance_added',
        amount: '25.50',
        balance_after: '25.50',
        reference_type: 'adjustment',
        reference_id: 'adj-1',
        note: 'welcome credit',
        actor: 'staff:staff-1',
      });
    });

    it('credits, deducts and debits with signed entries and a consistent chain', async () => {
      const clientId = newClient();
      await apply(command('balance.credit', { businessId, clientId, currency: 'KWD', amount: '10.125', actor: { kind: 'service', id: 'loyalty' } }));
      await apply(command('balance.deduct', { businessId, clientId, currency: 'KWD', amount: '0.125' }));
      const { reply } = await apply(command('balance.debit', { businessId, clientId, currency: 'KWD', amount: '4' }));
      expect(result(reply).balanceAfter).toBe('6.000');
      expect(await entriesOf(clientId)).toEqual([
        { type: 'balance_credit', amount: '10.125', balance_after: '10.125', sequence: 1 },
        { type: 'balance_deducted', amount: '-0.125', balance_after: '10.000', sequence: 2 },
        { type: 'balance_debit', amount: '-4.000', balance_after: '6.000', sequence: 3 },
      ]);
    });

    it('keeps one wallet per currency', async () => {
      const clientId = newClient();
      await add(clientId, '10.00', 'AED');
      const { reply } = await add(clientId, '500', 'JPY');
      expect(result(reply).balanceAfter).toBe('500');
      const wallets = await db.query('select currency, balance::text from wallet where client_id = $1 order by currency', [clientId]);
      expect(wallets).toEqual([
        { currency: 'AED', balance: '10.00' },
        { currency: 'JPY', balance: '500' },
      ]);
    });

    it.each(['balance.deduct', 'balance.debit'] as const)('refuses a %s larger than the balance and changes nothing', async (type) => {
      const clientId = newClient();
      await add(clientId, '10.00');
      const { reply } = await apply(command(type, { businessId, clientId, currency: 'AED', amount: '10.01' }));
      expect(reply.status).toBe('rejected');
      expect(reply.error).toEqual({ code: 'insufficient_balance', message: 'Insufficient balance', details: { balance: '10.00', currency: 'AED' } });
      expect(await entriesOf(clientId)).toHaveLength(1);
    });

    it('refuses a deduction from a wallet that does not exist', async () => {
      const { reply } = await apply(command('balance.deduct', { businessId, clientId: newClient(), currency: 'AED', amount: '1.00' }));
      expect(reply.error?.code).toBe('insufficient_balance');
    });

    it('takes the balance to exactly zero', async () => {
      const clientId = newClient();
      await add(clientId, '10.00');
      const { reply } = await apply(command('balance.deduct', { businessId, clientId, currency: 'AED', amount: '10.00' }));
      expect(result(reply).balanceAfter).toBe('0.00');
    });
  });

  describe('idempotency', () => {
    it('replays the first reply for the same command and applies it once', async () => {
      const clientId = newClient();
      const cmd = command('balance.add', { businessId, clientId, currency: 'AED', amount: '5.00' });
      const first = await apply(cmd);
      const second = await apply({ ...cmd });
      expect(first.replayed).toBe(false);
      expect(second).toEqual({ reply: first.reply, replayed: true });
      expect(await entriesOf(clientId)).toHaveLength(1);
    });

    it('replays a rejection too', async () => {
      const clientId = newClient();
      const cmd = command('balance.deduct', { businessId, clientId, currency: 'AED', amount: '5.00' });
      const first = await apply(cmd);
      await add(clientId, '50.00');
      const second = await apply(cmd);
      expect(second).toEqual({ reply: first.reply, replayed: true });
      expect(second.reply.error?.code).toBe('insufficient_balance');
    });

    it('refuses the same command id with another payload as idempotency_conflict and changes nothing', async () => {
      const clientId = newClient();
      const cmd = command('balance.add', { businessId, clientId, currency: 'AED', amount: '5.00' });
      await apply(cmd);
      const { reply } = await apply({ ...cmd, amount: '500.00' });
      expect(reply.status).toBe('rejected');
      expect(reply.error?.code).toBe('idempotency_conflict');
      expect(await entriesOf(clientId)).toHaveLength(1);
    });

    it('applies one of many concurrent deliveries of one command', async () => {
      const clientId = newClient();
      const cmd = command('balance.add', { businessId, clientId, currency: 'AED', amount: '5.00' });
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => apply(cmd)));
      expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
      for (const outcome of outcomes) expect(outcome.reply).toEqual(outcomes[0].reply);
      expect(await entriesOf(clientId)).toHaveLength(1);
    });
  });

  describe('concurrency', () => {
    it('lets only the first of two writers holding the same wallet version commit', async () => {
      const clientId = newClient();
      await add(clientId, '10.00');
      const orm = app.get(MikroORM);
      const first = orm.em.fork() as EntityManager;
      const second = orm.em.fork() as EntityManager;
      const a = await first.findOneOrFail(Wallet, { businessId, clientId, currency: 'AED' });
      const b = await second.findOneOrFail(Wallet, { businessId, clientId, currency: 'AED' });
      a.updatedAt = new Date(a.updatedAt.getTime() + 1);
      b.updatedAt = new Date(b.updatedAt.getTime() + 2);
      await first.flush();
      await expect(second.flush()).rejects.toBeInstanceOf(OptimisticLockError);
    });

    it('serialises concurrent debits on one wallet: never below zero, exact total', async () => {
      const clientId = newClient();
      await add(clientId, '5.00');
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => apply(command('balance.debit', { businessId, clientId, currency: 'AED', amount: '1.00' }))),
      );
      expect(outcomes.filter((o) => o.reply.status === 'applied')).toHaveLength(5);
      expect(outcomes.filter((o) => o.reply.error?.code === 'insufficient_balance')).toHaveLength(3);
      const [wallet] = await db.query<{ balance: string }>('select balance::text from wallet where client_id = $1', [clientId]);
      expect(wallet.balance).toBe('0.00');
    });
  });

  describe('payments and refunds', () => {
    const pay = (clientId: string, saleId: string, amountOwed: string, amountRequested?: string) =>
      apply(
        command('balance.pay', {
          businessId,
          clientId,
          currency: 'AED',
          // Sale ids are unique per business: each client's sales get their own.
          saleId: `${clientId}-${saleId}`,
          amountOwed,
          ...(amountRequested === undefined ? {} : { amountRequested }),
          actor: { kind: 'service', id: 'checkout' },
        }),
      );

    it('caps a payment at the balance when the sale is larger', async () => {
      const clientId = newClient();
      await add(clientId, '30.00');
      const { reply } = await pay(clientId, 'sale-1', '100.00');
      expect(result(reply)).toMatchObject({ entryType: 'used_for_payment', amount: '30.00', balanceAfter: '0.00', amountStillOwed: '70.00' });
    });

    it('caps a payment at the amount owed when the balance is larger, and at the amount requested', async () => {
      const clientId = newClient();
      await add(clientId, '100.00');
      expect(result((await pay(clientId, 'sale-1', '40.00')).reply)).toMatchObject({ amount: '40.00', balanceAfter: '60.00' });
      expect(result((await pay(clientId, 'sale-2', '40.00', '15.50')).reply)).toMatchObject({
        amount: '15.50',
        balanceAfter: '44.50',
        amountStillOwed: '24.50',
      });
      const entries = await entriesOf(clientId);
      expect(entries.map((e) => e.amount)).toEqual(['100.00', '-40.00', '-15.50']);
    });

    it('applies nothing from a zero balance and says so', async () => {
      const clientId = newClient();
      const { reply } = await pay(clientId, 'sale-1', '40.00');
      expect(reply.status).toBe('applied');
      expect(result(reply)).toMatchObject({ entryId: null, amount: '0.00', balanceAfter: '0.00', amountStillOwed: '40.00' });
      expect(await entriesOf(clientId)).toHaveLength(0);
    });

    it('refunds a balance payment up to what it applied, and no further', async () => {
      const clientId = newClient();
      await add(clientId, '50.00');
      const payment = command('balance.pay', { businessId, clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '30.00' });
      await apply(payment);
      const refund = (amount: string) =>
        apply(command('balance.refund', { businessId, clientId, currency: 'AED', refundId: uniqueId('refund'), amount, paymentCommandId: payment.commandId }));
      expect(result((await refund('20.00')).reply)).toMatchObject({ entryType: 'refund_credit', balanceAfter: '40.00' });
      const tooMuch = await refund('10.01');
      expect(tooMuch.reply.error).toMatchObject({ code: 'refund_exceeds_payment', details: { refundable: '10.00' } });
      expect(result((await refund('10.00')).reply).balanceAfter).toBe('50.00');
      expect((await refund('0.01')).reply.error?.code).toBe('refund_exceeds_payment');
    });

    it('refuses a refund of an unknown payment or in another currency', async () => {
      const clientId = newClient();
      await add(clientId, '50.00');
      const payment = command('balance.pay', { businessId, clientId, currency: 'AED', saleId: uniqueId('sale'), amountOwed: '30.00' });
      await apply(payment);
      const unknown = await apply(
        command('balance.refund', { businessId, clientId, currency: 'AED', refundId: 'r-1', amount: '1.00', paymentCommandId: 'nope' }),
      );
      expect(unknown.reply.error?.code).toBe('not_found');
      const otherCurrency = await apply(
        command('balance.refund', { businessId, clientId, currency: 'USD', refundId: 'r-2', amount: '1.00', paymentCommandId: payment.commandId }),
      );
      expect(otherCurrency.reply.error?.code).toBe('currency_mismatch');
    });

    it('credits a refund of a sale paid by other means', async () => {
      const clientId = newClient();
      const { reply } = await apply(
        command('balance.refund', { businessId, clientId, currency: 'AED', refundId: 'r-9', amount: '12.00', saleId: 'sale-card-1', saleAmount: '40.00' }),
      );
      expect(result(reply)).toMatchObject({ entryType: 'refund_credit', balanceAfter: '12.00' });
      const [entry] = await db.query('select reference_type, reference_id from ledger_entry where client_id = $1', [clientId]);
      expect(entry).toEqual({ reference_type: 'refund', reference_id: 'r-9' });
    });
  });

  describe('bounds per sale and per refund', () => {
    const checkout = { kind: 'service' as const, id: 'checkout' };
    const payment = (clientId: string, saleId: string, amountOwed: string, extra: { saleAmount?: string; amountRequested?: string } = {}) =>
      command('balance.pay', { businessId, clientId, currency: 'AED', saleId, amountOwed, actor: checkout, ...extra });
    const saleRefund = (clientId: string, saleId: string, amount: string, saleAmount: string, refundId = uniqueId('refund')) =>
      command('balance.refund', { businessId, clientId, currency: 'AED', refundId, amount, saleId, saleAmount });
    const saleRow = async (saleId: string) =>
      (await db.query('select amount::text, paid_with_balance::text, refunded::text from sale where sale_id = $1', [saleId]))[0];

    it('never takes more for one sale than it owes, however many payment commands name it', async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      await add(clientId, '100.00');
      const first = await apply(payment(clientId, saleId, '20.00'));
      // A till that retries with a fresh command id, or a second till on the same sale.
      const second = await apply(payment(clientId, saleId, '20.00'));
      expect(result(first.reply)).toMatchObject({ amount: '20.00', balanceAfter: '80.00', amountStillOwed: '0.00' });
      expect(result(second.reply)).toMatchObject({ entryId: null, amount: '0.00', balanceAfter: '80.00', amountStillOwed: '0.00' });
      expect(result(second.reply).sale).toEqual({ saleId, amount: '20.00', paidWithBalance: '20.00', refunded: '0.00' });
      expect(await saleRow(saleId)).toEqual({ amount: '20.00', paid_with_balance: '20.00', refunded: '0.00' });
    });

    it('pays a split sale in parts up to its amount, and then nothing', async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      await add(clientId, '500.00');
      const parts = [
        await apply(payment(clientId, saleId, '120.00', { saleAmount: '120.00', amountRequested: '50.00' })),
        await apply(payment(clientId, saleId, '70.00', { saleAmount: '120.00' })),
        await apply(payment(clientId, saleId, '70.00', { saleAmount: '120.00' })),
      ];
      expect(parts.map(({ reply }) => [result(reply).amount, result(reply).amountStillOwed])).toEqual([
        ['50.00', '70.00'],
        ['70.00', '0.00'],
        ['0.00', '0.00'],
      ]);
    });

    it('takes a sale edited at the till as its new amount, but never below what balance already paid', async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      await add(clientId, '500.00');
      await apply(payment(clientId, saleId, '20.00'));
      const raised = await apply(payment(clientId, saleId, '15.00', { saleAmount: '35.00' }));
      expect(result(raised.reply)).toMatchObject({ amount: '15.00', amountStillOwed: '0.00' });
      const lowered = await apply(payment(clientId, saleId, '5.00', { saleAmount: '30.00' }));
      expect(lowered.reply.error).toMatchObject({ code: 'sale_amount_below_settled', details: { paidWithBalance: '35.00' } });
      expect(await saleRow(saleId)).toEqual({ amount: '35.00', paid_with_balance: '35.00', refunded: '0.00' });
    });

    it("refuses another client's or currency's payment of a recorded sale", async () => {
      const [owner, other] = [newClient(), newClient()];
      const saleId = uniqueId('sale');
      await add(owner, '50.00');
      await add(other, '50.00');
      await add(owner, '50.00', 'USD');
      await apply(payment(owner, saleId, '10.00'));
      expect((await apply(payment(other, saleId, '10.00'))).reply.error?.code).toBe('sale_mismatch');
      const inUsd = command('balance.pay', { businessId, clientId: owner, currency: 'USD', saleId, amountOwed: '10.00' });
      expect((await apply(inUsd)).reply.error?.code).toBe('sale_mismatch');
      expect(await balanceOf(other)).toBe('50.00');
    });

    it("never refunds more for one sale than the sale's amount, whatever paid it", async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      await add(clientId, '70.00');
      await apply(payment(clientId, saleId, '20.00'));
      expect((await apply(saleRefund(clientId, saleId, '500.00', '20.00'))).reply.error?.code).toBe('refund_exceeds_sale');
      expect((await apply(saleRefund(clientId, saleId, '500.00', '500.00'))).reply.error?.code).toBe('sale_mismatch');
      expect(result((await apply(saleRefund(clientId, saleId, '15.00', '20.00'))).reply).balanceAfter).toBe('65.00');
      const over = await apply(saleRefund(clientId, saleId, '5.01', '20.00'));
      expect(over.reply.error).toMatchObject({ code: 'refund_exceeds_sale', details: { refundable: '5.00' } });
      expect(await balanceOf(clientId)).toBe('65.00');
    });

    it("bounds a card-paid sale's refunds by the amount the first refund names", async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      expect(result((await apply(saleRefund(clientId, saleId, '30.00', '50.00'))).reply).balanceAfter).toBe('30.00');
      expect(result((await apply(saleRefund(clientId, saleId, '20.00', '50.00'))).reply).balanceAfter).toBe('50.00');
      expect((await apply(saleRefund(clientId, saleId, '0.01', '50.00'))).reply.error?.code).toBe('refund_exceeds_sale');
      expect(await saleRow(saleId)).toEqual({ amount: '50.00', paid_with_balance: '0.00', refunded: '50.00' });
    });

    it('counts refunds of a balance payment against its sale too', async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      await add(clientId, '100.00');
      const paid = payment(clientId, saleId, '40.00', { saleAmount: '60.00' });
      await apply(paid);
      const byPayment = command('balance.refund', {
        businessId, clientId, currency: 'AED', refundId: uniqueId('refund'), amount: '40.00', paymentCommandId: paid.commandId,
      });
      expect(result((await apply(byPayment)).reply).sale).toEqual({ saleId, amount: '60.00', paidWithBalance: '40.00', refunded: '40.00' });
      expect((await apply(saleRefund(clientId, saleId, '20.01', '60.00'))).reply.error?.code).toBe('refund_exceeds_sale');
      expect((await apply(saleRefund(clientId, saleId, '20.00', '60.00'))).reply.status).toBe('applied');
    });

    it('applies a refund id once: the same refund again is a replay, another refund under it is refused', async () => {
      const clientId = newClient();
      await add(clientId, '50.00');
      const paid = payment(clientId, uniqueId('sale'), '40.00');
      await apply(paid);
      const refundId = uniqueId('refund');
      const refund = (amount: string) =>
        command('balance.refund', { businessId, clientId, currency: 'AED', refundId, amount, paymentCommandId: paid.commandId });
      // The refund service retries under a new command id: the refund is credited once.
      const first = await apply(refund('10.00'));
      const again = await apply(refund('10.00'));
      expect(again.replayed).toBe(true);
      expect(again.reply.result).toEqual(first.reply.result);
      const other = await apply(refund('25.00'));
      expect(other.reply.error).toMatchObject({ code: 'refund_conflict', details: { refundId, firstCommandId: first.reply.commandId } });
      expect(await entriesOf(clientId)).toHaveLength(3);
      expect(await balanceOf(clientId)).toBe('20.00');
    });

    it('applies a refund id once for refunds by sale too', async () => {
      const clientId = newClient();
      const saleId = uniqueId('sale');
      const refundId = uniqueId('refund');
      const first = await apply(saleRefund(clientId, saleId, '10.00', '100.00', refundId));
      const again = await apply(saleRefund(clientId, saleId, '10.00', '100.00', refundId));
      expect(again).toMatchObject({ replayed: true, reply: { result: first.reply.result } });
      expect((await apply(saleRefund(clientId, saleId, '25.00', '100.00', refundId))).reply.error?.code).toBe('refund_conflict');
      expect(await balanceOf(clientId)).toBe('10.00');
    });
  });

  describe('gift cards', () => {
    const issue = (code: string, amount = '100.00', extra: { expiresAt?: string; currency?: string } = {}) =>
      apply(command('giftcard.issue', { businessId, code, amount, currency: extra.currency ?? 'AED', ...extra }));
    const redeem = (code: string, clientId: string, currency = 'AED') =>
      apply(command('giftcard.redeem', { businessId, clientId, currency, code }));

    it('issues a card storing only its hash and last four, and redeems it into the balance', async () => {
      const code = giftCardCode();
      const issued = await issue(code);
      expect(issued.reply.result).toMatchObject({ status: 'active', amount: '100.00', last4: code.replace(/-/g, '').slice(-4) });
      const stored = await db.query<Record<string, string>>('select * from gift_card where business_id = $1', [businessId]);
      expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, ''));
      const clientId = newClient();
      const { reply } = await redeem(code.toLowerCase().replace(/-/g, ' '), clientId);
      expect(result(reply)).toMatchObject({ entryType: 'gift_card_redeemed', amount: '100.00', balanceAfter: '100.00' });
    });

    it('redeems a card once and refuses it after that', async () => {
      const code = giftCardCode();
      await issue(code);
      await redeem(code, newClient());
      const again = await redeem(code, newClient());
      expect(again.reply.error).toEqual({ code: 'gift_card_already_redeemed', message: 'Gift card already redeemed' });
    });

    it('credits a card once when two redemptions race', async () => {
      const code = giftCardCode();
      await issue(code, '75.00');
      const outcomes = await Promise.all([redeem(code, newClient()), redeem(code, newClient()), redeem(code, newClient())]);
      expect(outcomes.filter((o) => o.reply.status === 'applied')).toHaveLength(1);
      expect(outcomes.filter((o) => o.reply.error?.code === 'gift_card_already_redeemed')).toHaveLength(2);
      const entries = await db.query("select 1 from ledger_entry where type = 'gift_card_redeemed' and amount = 75");
      expect(entries).toHaveLength(1);
    });

    it('refuses an unknown, expired, void or other-currency card', async () => {
      expect((await redeem(giftCardCode(), newClient())).reply.error?.code).toBe('gift_card_not_found');

      const expiring = giftCardCode();
      await issue(expiring, '10.00', { expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() });
      clock.advance(120_000);
      expect((await redeem(expiring, newClient())).reply.error?.code).toBe('gift_card_expired');

      const voided = giftCardCode();
      const card = await issue(voided);
      const giftCardId = (card.reply.result as { giftCardId: string }).giftCardId;
      const voidOutcome = await apply(command('giftcard.void', { businessId, giftCardId }));
      expect(voidOutcome.reply.result).toMatchObject({ status: 'void' });
      expect((await redeem(voided, newClient())).reply.error?.code).toBe('gift_card_voided');

      const dollars = giftCardCode();
      await issue(dollars, '10.00', { currency: 'USD' });
      expect((await redeem(dollars, newClient(), 'AED')).reply.error?.code).toBe('currency_mismatch');
    });

    it('refuses a second card with the same code and a void of a redeemed or unknown card', async () => {
      const code = giftCardCode();
      const card = await issue(code);
      expect((await issue(code.toLowerCase())).reply.error?.code).toBe('gift_card_exists');
      await redeem(code, newClient());
      const giftCardId = (card.reply.result as { giftCardId: string }).giftCardId;
      expect((await apply(command('giftcard.void', { businessId, giftCardId }))).reply.error?.code).toBe('gift_card_already_redeemed');
      const unknown = await apply(command('giftcard.void', { businessId, giftCardId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c6d' }));
      expect(unknown.reply.error?.code).toBe('gift_card_not_found');
    });
  });

  describe('tenant isolation', () => {
    it('keeps one business from seeing or spending another business’s wallet or card', async () => {
      const clientId = newClient();
      await add(clientId, '50.00');
      const { reply } = await apply(command('balance.deduct', { businessId: 'other-salon', clientId, currency: 'AED', amount: '1.00' }));
      expect(reply.error?.code).toBe('insufficient_balance');
      const code = giftCardCode();
      await issue(code);
      const stolen = await apply(command('giftcard.redeem', { businessId: 'other-salon', clientId, currency: 'AED', code }));
      expect(stolen.reply.error?.code).toBe('gift_card_not_found');
    });

    async function issue(code: string) {
      return apply(command('giftcard.issue', { businessId, code, amount: '10.00', currency: 'AED' }));
    }
  });

  describe('a group that lost a race', () => {
    it('is applied again one command at a time: each decided afresh, nothing of the refused write kept', async () => {
      const clientId = newClient();
      await add(clientId, '10.00');
      const otherClientId = newClient();
      const group = [
        command('balance.add', { businessId, clientId: otherClientId, currency: 'AED', amount: '2.00' }),
        command('balance.debit', { businessId, clientId, currency: 'AED', amount: '1.00' }),
        command('balance.debit', { businessId, clientId, currency: 'AED', amount: '7.00' }),
      ];
      const outside = command('balance.debit', { businessId, clientId, currency: 'AED', amount: '3.00' });
      const store = app.get(GroupStore);
      const withConnection = store.withConnection.bind(store);
      // Another worker commits a debit of the same wallet after this group read it and before it writes.
      jest.spyOn(store, 'withConnection').mockImplementationOnce(((use: (client: PoolClient) => Promise<unknown>) =>
        withConnection(async (client) => {
          const query = client.query;
          client.query = (async (...args: unknown[]) => {
            const answer = await (query as (...a: unknown[]) => Promise<unknown>).apply(client, args);
            if ((args[0] as { name?: string }).name === 'group_read') await ledger.apply(outside);
            return answer;
          }) as typeof client.query;
          try {
            return await use(client);
          } finally {
            client.query = query;
          }
        })) as never);
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const outcomes = await ledger.applyGroup(group);
      expect(warn.mock.calls.map(([message]) => String(message))).toEqual([expect.stringMatching(/group of 3 commands could not be written.*changedWallets/)]);
      warn.mockRestore();
      // Decided again after the other worker's debit: 10 - 3 - 1 leaves 6, too little for 7.
      expect(outcomes.map(({ reply }) => reply.error?.code ?? reply.status)).toEqual(['applied', 'applied', 'insufficient_balance']);
      expect((await entriesOf(clientId)).map((entry) => entry.amount)).toEqual(['10.00', '-3.00', '-1.00']);
      expect((await entriesOf(otherClientId)).map((entry) => entry.amount)).toEqual(['2.00']);
      expect((await ledger.applyGroup(group)).map(({ replayed }) => replayed)).toEqual([true, true, true]);
    });
  });

  describe('the database itself', () => {
    it('refuses a negative balance whatever the code does', async () => {
      const clientId = newClient();
      await add(clientId, '1.00');
      await expect(db.query('update wallet set balance = -1 where client_id = $1', [clientId])).rejects.toThrow(/wallet_balance_not_negative/);
    });

    it('refuses an update, delete or truncate of a ledger entry', async () => {
      const clientId = newClient();
      await add(clientId, '1.00');
      await expect(db.query('update ledger_entry set amount = 2 where client_id = $1', [clientId])).rejects.toThrow(/append-only/);
      await expect(db.query('delete from ledger_entry where client_id = $1', [clientId])).rejects.toThrow(/append-only/);
      await expect(db.query('truncate ledger_entry cascade')).rejects.toThrow(/append-only/);
    });
  });
});
