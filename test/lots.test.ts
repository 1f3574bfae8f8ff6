import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { holdIdOf, type Command, type WalletResult } from '@storecredit/contracts';
import { LedgerCommands, LedgerExpiry, LedgerModule, LedgerVerifier } from '@storecredit/ledger';
import { command, createTestDatabase, TestClock, uniqueId, type TestDatabase } from '@storecredit/testing';

const businessId = 'salon-lots';
const day = 24 * 60 * 60 * 1000;

/** Credit lots on PostgreSQL: sources, the consumption order, bonuses, refunds and reversals, expiry by the sweep. */
describe('credit lots on PostgreSQL', () => {
  let db: TestDatabase;
  const clocks = [new TestClock(), new TestClock()];
  let apps: INestApplicationContext[];

  beforeAll(async () => {
    db = await createTestDatabase();
    apps = await Promise.all(
      clocks.map(async (clock) => (await Test.createTestingModule({ imports: [LedgerModule.forRoot({ databaseUrl: db.url, clock })] }).compile()).init()),
    );
    await db.query(
      `insert into bonus_rule (business_id, currency, tiers, expires_in_days, updated_by, updated_at)
       values ($1, 'AED', $2::jsonb, 90, 'staff:owner', now())`,
      [businessId, JSON.stringify([{ minAmount: '500.00', percent: '5' }, { minAmount: '1000.00', percent: '10' }])],
    );
  });

  afterAll(async () => {
    await Promise.all((apps ?? []).map((app) => app.close()));
    await db?.drop();
  });

  afterEach(async () => {
    expect((await apps[0].get(LedgerVerifier).verify()).problems).toEqual([]);
  });

  const ledger = (index = 0) => apps[index].get(LedgerCommands);
  const wallet = (clientId: string) => ({ businessId, clientId, currency: 'AED' });
  const now = () => clocks[0].now();
  const inDays = (days: number) => new Date(now().getTime() + days * day).toISOString();
  async function applied(next: Command): Promise<WalletResult> {
    const { reply } = await ledger().apply(next);
    expect(reply.error).toBeUndefined();
    return reply.result as WalletResult;
  }
  const codeOf = async (next: Command) => {
    const { reply } = await ledger().apply(next);
    return reply.error?.code ?? reply.status;
  };
  const lotsOf = (clientId: string) =>
    db.query<{ source: string; amount: string; remaining: string; expires_at: Date | null }>(
      `select source, amount::text, remaining::text, expires_at from credit_lot where business_id = $1 and client_id = $2 order by created_at, id`,
      [businessId, clientId],
    );

  it('draws soonest expiry first, lots without expiry last, and records what each payment drew', async () => {
    const clientId = uniqueId('client');
    await applied(command('balance.add', { ...wallet(clientId), amount: '30.00' }));
    await applied(command('balance.add', { ...wallet(clientId), amount: '20.00', expiresAt: inDays(60) }));
    await applied(command('balance.credit', { ...wallet(clientId), amount: '10.00', expiresAt: inDays(10) }));
    const paid = await applied(command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '25.00' }));
    expect(paid.allocations?.map((draw) => [draw.source, draw.amount])).toEqual([
      ['system', '10.00'],
      ['adjustment', '15.00'],
    ]);
    expect((await lotsOf(clientId)).map((lot) => [lot.source, lot.remaining])).toEqual([
      ['adjustment', '30.00'],
      ['adjustment', '5.00'],
      ['system', '0.00'],
    ]);
  });

  it('grants a bonus on a paid top-up that reaches a tier, as its own entry and expiring lot; never for other adds', async () => {
    const clientId = uniqueId('client');
    const topUp = await applied(command('balance.add', { ...wallet(clientId), amount: '1000.00', reference: { type: 'payment', id: 'inv-1' } }));
    expect(topUp).toMatchObject({ amount: '1000.00', balanceAfter: '1100.00', lots: [{ source: 'paid', amount: '1000.00', expiresAt: null }] });
    expect(topUp.bonus).toMatchObject({ amount: '100.00', tier: { minAmount: '1000.00', percent: '10' }, lot: { source: 'bonus', amount: '100.00' } });
    expect(Math.abs(Date.parse(topUp.bonus?.lot.expiresAt as string) - (now().getTime() + 90 * day))).toBeLessThan(5_000);
    const small = await applied(command('balance.add', { ...wallet(clientId), amount: '499.99', reference: { type: 'payment' } }));
    expect(small.bonus).toBeUndefined();
    const goodwill = await applied(command('balance.add', { ...wallet(clientId), amount: '800.00' }));
    expect(goodwill.bonus).toBeUndefined();
    const [entry] = await db.query<{ type: string; bonus_tier: unknown }>(`select type, bonus_tier from ledger_entry where client_id = $1 and type = 'bonus_credit'`, [clientId]);
    expect(entry.bonus_tier).toEqual({ minAmount: '1000.00', percent: '10' });
    // The bonus is spent first (it expires, the paid credit does not).
    const paid = await applied(command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '150.00' }));
    expect(paid.allocations?.map((draw) => [draw.source, draw.amount])).toEqual([
      ['bonus', '100.00'],
      ['paid', '50.00'],
    ]);
  });

  it('refunds a payment by giving back the lots it drew, last drawn first; an expired one with the grace period', async () => {
    const clientId = uniqueId('client');
    await applied(command('balance.add', { ...wallet(clientId), amount: '40.00', expiresAt: inDays(5) }));
    await applied(command('balance.add', { ...wallet(clientId), amount: '60.00' }));
    const payment = command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '70.00' });
    await applied(payment);
    clocks.forEach((clock) => clock.advance(6 * day));
    try {
      const first = await applied(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '20.00', paymentCommandId: payment.commandId }));
      expect(first.lots).toEqual([expect.objectContaining({ source: 'adjustment', amount: '20.00', expiresAt: null })]);
      const second = await applied(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '50.00', paymentCommandId: payment.commandId }));
      // 10.00 more of the no-expiry lot, then the 40.00 of the lot that expired meanwhile: 30 days' grace from now.
      expect(second.lots?.map((lot) => [lot.amount, lot.expiresAt === null ? null : 'set'])).toEqual([
        ['10.00', null],
        ['40.00', 'set'],
      ]);
      expect(Math.abs(Date.parse(second.lots?.[1].expiresAt as string) - (now().getTime() + 30 * day))).toBeLessThan(5_000);
    } finally {
      clocks.forEach((clock) => clock.advance(-6 * day));
    }
  });

  it('refunds a sale by sale id as its card part first, then by giving back the lots its balance payments drew', async () => {
    const clientId = uniqueId('client');
    const topUp = await applied(command('balance.add', { ...wallet(clientId), amount: '1000.00', reference: { type: 'payment' } }));
    expect(topUp.bonus?.amount).toBe('100.00');
    const saleId = uniqueId('sale');
    const payment = command('balance.pay', { ...wallet(clientId), saleId, amountOwed: '1100.00', saleAmount: '1100.00' });
    await applied(payment);
    // Paid wholly by balance (the bonus first): a refund by sale gives back those lots, the bonus with its expiry.
    const bySale = await applied(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '100.00', saleId, saleAmount: '1100.00' }));
    expect(bySale.lots?.map((lot) => [lot.source, lot.amount, lot.expiresAt === null])).toEqual([['paid', '100.00', true]]);
    const rest = await applied(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '1000.00', paymentCommandId: payment.commandId }));
    expect(rest.lots?.map((lot) => [lot.source, lot.amount, lot.expiresAt === null])).toEqual([
      ['paid', '900.00', true],
      ['bonus', '100.00', false],
    ]);
    expect(await codeOf(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '0.01', paymentCommandId: payment.commandId }))).toBe('refund_exceeds_payment');

    // Split tender: 40.00 from balance, 60.00 by card. The card part comes back first, as refund credit; the balance
    // payment can still be refunded by its own id.
    const split = uniqueId('sale');
    const balancePart = command('balance.pay', { ...wallet(clientId), saleId: split, amountOwed: '40.00', saleAmount: '100.00' });
    await applied(balancePart);
    const cardPart = await applied(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '60.00', saleId: split, saleAmount: '100.00' }));
    expect(cardPart.lots?.map((lot) => [lot.source, lot.amount])).toEqual([['refund', '60.00']]);
    const balanceBack = await applied(command('balance.refund', { ...wallet(clientId), refundId: uniqueId('refund'), amount: '40.00', paymentCommandId: balancePart.commandId }));
    expect(balanceBack.lots?.map((lot) => [lot.source, lot.amount])).toEqual([['bonus', '40.00']]);
  });

  it('reverses a deduct by giving back its lots, an add by taking back its lots, each at most once', async () => {
    const clientId = uniqueId('client');
    const added = await applied(command('balance.add', { ...wallet(clientId), amount: '50.00', expiresAt: inDays(30) }));
    const deducted = await applied(command('balance.deduct', { ...wallet(clientId), amount: '20.00' }));
    const reverse = (entryId: string) => command('balance.reverse', { ...wallet(clientId), entryId, note: 'mistake' });
    const back = await applied(reverse(deducted.entryId as string));
    expect(back).toMatchObject({ entryType: 'balance_reversed', amount: '20.00', balanceAfter: '50.00', reversedEntryId: deducted.entryId });
    // Given back with the lot's own expiry, not a new one.
    expect(back.lots).toEqual([expect.objectContaining({ source: 'adjustment', amount: '20.00', expiresAt: added.lots?.[0].expiresAt, restoredFrom: added.lots?.[0].lotId })]);
    expect(await codeOf(reverse(deducted.entryId as string))).toBe('entry_already_reversed');
    // The add's lot was partly spent by the deduct (the give-back is another lot): its credit cannot be taken back.
    expect(await codeOf(reverse(added.entryId as string))).toBe('lot_consumed');
    const second = await applied(command('balance.add', { ...wallet(clientId), amount: '15.00' }));
    const undone = await applied(reverse(second.entryId as string));
    expect(undone).toMatchObject({ amount: '15.00', balanceAfter: '50.00', allocations: [expect.objectContaining({ amount: '15.00' })] });
    expect(await codeOf(reverse(undone.entryId as string))).toBe('entry_not_reversible');
    expect(await codeOf(command('balance.reverse', { ...wallet('someone-else'), entryId: second.entryId as string }))).toBe('not_found');
  });

  it('reverses a deduct of credit that expired meanwhile as it was: no grace period, and the sweep expires it', async () => {
    const clientId = uniqueId('client');
    const added = await applied(command('balance.add', { ...wallet(clientId), amount: '40.00', expiresAt: inDays(1) }));
    const deducted = await applied(command('balance.deduct', { ...wallet(clientId), amount: '40.00' }));
    clocks.forEach((clock) => clock.advance(2 * day));
    try {
      const back = await applied(command('balance.reverse', { ...wallet(clientId), entryId: deducted.entryId as string }));
      expect(back.lots).toEqual([expect.objectContaining({ amount: '40.00', expiresAt: added.lots?.[0].expiresAt })]);
      const due = (await apps[0].get(LedgerExpiry).dueCredits()).filter((next) => next.type === 'balance.expire-credit' && next.clientId === clientId);
      expect(due).toHaveLength(1);
      await ledger().applyGroup(due);
      expect((await lotsOf(clientId)).map((lot) => lot.remaining)).toEqual(['0.00', '0.00']);
    } finally {
      clocks.forEach((clock) => clock.advance(-2 * day));
    }
  });

  it('gives a bonus no longer life than the paid credit that earned it', async () => {
    const clientId = uniqueId('client');
    const topUp = await applied(command('balance.add', { ...wallet(clientId), amount: '500.00', reference: { type: 'payment' }, expiresAt: inDays(10) }));
    expect(topUp.bonus?.lot.expiresAt).toBe(topUp.lots?.[0].expiresAt);
  });

  it('reverses a paid top-up with the bonus it earned, and refuses once the bonus is spent', async () => {
    const clientId = uniqueId('client');
    const topUp = await applied(command('balance.add', { ...wallet(clientId), amount: '500.00', reference: { type: 'payment' } }));
    expect(topUp.balanceAfter).toBe('525.00');
    const undone = await applied(command('balance.reverse', { ...wallet(clientId), entryId: topUp.entryId as string }));
    expect(undone).toMatchObject({ amount: '525.00', balanceAfter: '0.00' });
    const again = await applied(command('balance.add', { ...wallet(clientId), amount: '500.00', reference: { type: 'payment' } }));
    await applied(command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '1.00' }));
    expect(await codeOf(command('balance.reverse', { ...wallet(clientId), entryId: again.entryId as string }))).toBe('lot_consumed');
  });

  it('expires what remains of a lot through the sweep, once however many run; what a hold reserves waits for it', async () => {
    const clientId = uniqueId('client');
    await applied(command('balance.add', { ...wallet(clientId), amount: '30.00', expiresAt: inDays(1) }));
    await applied(command('balance.add', { ...wallet(clientId), amount: '10.00' }));
    const held = command('balance.hold', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '25.00', expiresInSeconds: 7 * 24 * 3600 });
    await applied(held);
    const expiry = apps[0].get(LedgerExpiry);
    const mine = (commands: Command[]) => commands.filter((next) => next.type === 'balance.expire-credit' && next.clientId === clientId);
    expect(mine(await expiry.dueCredits())).toEqual([]);
    expect(await codeOf(command('balance.expire-credit', { ...wallet(clientId), lotId: (await db.query<{ id: string }>('select id from credit_lot where client_id = $1 and expires_at is not null', [clientId]))[0].id }))).toBe('lot_not_due');
    clocks.forEach((clock) => clock.advance(day + 1000));
    try {
      const due = mine(await expiry.dueCredits());
      expect(due).toHaveLength(1);
      const outcomes = await Promise.all([ledger(0).applyGroup(due), ledger(1).applyGroup(due)]);
      expect(outcomes.flat().filter((outcome) => !outcome.replayed)).toHaveLength(1);
      // 40.00 balance, 25.00 held: 15.00 of the lot expires now; the rest waits for the hold.
      expect((outcomes.flat()[0].reply.result as WalletResult)).toMatchObject({ entryType: 'balance_expired', amount: '15.00', balanceAfter: '25.00' });
      expect(mine(await expiry.dueCredits())).toEqual([]);
      await applied(command('balance.release', { ...wallet(clientId), holdId: holdIdOf(businessId, held.commandId) }));
      const next = mine(await expiry.dueCredits());
      expect(next).toHaveLength(1);
      await ledger().applyGroup(next);
      expect((await lotsOf(clientId)).map((lot) => [lot.amount, lot.remaining])).toEqual([
        ['30.00', '0.00'],
        ['10.00', '10.00'],
      ]);
      const entries = await db.query<{ amount: string }>(`select amount::text from ledger_entry where client_id = $1 and type = 'balance_expired' order by sequence`, [clientId]);
      expect(entries.map((entry) => entry.amount)).toEqual(['-15.00', '-15.00']);
    } finally {
      clocks.forEach((clock) => clock.advance(-(day + 1000)));
    }
  });

  it('refuses a credit whose expiry is not in the future, and changes nothing', async () => {
    const clientId = uniqueId('client');
    expect(await codeOf(command('balance.add', { ...wallet(clientId), amount: '5.00', expiresAt: new Date(now().getTime() - 1000).toISOString() }))).toBe('expiry_not_in_future');
    expect(await lotsOf(clientId)).toEqual([]);
  });
});

/** Existing data: each wallet's balance becomes one opening lot without expiry, and the ledger verifies clean. */
describe('the credit lots migration on a ledger with data', () => {
  let db: TestDatabase;
  let app: INestApplicationContext | undefined;

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('turns every balance into one opening lot; nothing is lost, verify is clean, and the old credit is spendable and refundable', async () => {
    db = await createTestDatabase({ migrateTo: 'Migration20261203000000_holds' });
    // Two wallets as the previous version wrote them: entries, a payment of a sale, a wallet emptied.
    const wallets = [
      { id: '0193b000-0000-7000-8000-000000000001', clientId: 'old-1', entries: ['100.00', '-25.00', '-15.00'] },
      { id: '0193b000-0000-7000-8000-000000000002', clientId: 'old-2', entries: ['10.00', '-10.00'] },
    ];
    for (const wallet of wallets) {
      let balance = 0;
      const rows = wallet.entries.map((amount, index) => {
        balance += Number(amount);
        return { amount, sequence: index + 1, balanceAfter: balance.toFixed(2) };
      });
      await db.query(
        `insert into wallet (business_id, id, client_id, currency, balance, last_sequence, version, created_at, updated_at)
         values ($1, $2, $3, 'AED', $4, $5, 1, now(), now())`,
        [businessId, wallet.id, wallet.clientId, balance.toFixed(2), rows.length],
      );
      for (const row of rows) {
        await db.query(
          `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
             reference_type, reference_id, note, actor, command_id, created_at)
           values ($1, gen_random_uuid(), $2, $3, 'AED', $4, $5, $6, $7, 'manual', $8, null, 'staff:old', $9, now())`,
          [businessId, wallet.id, wallet.clientId, row.sequence, Number(row.amount) > 0 ? 'balance_added' : 'used_for_payment', row.amount, row.balanceAfter, Number(row.amount) > 0 ? null : 'sale-old', `old-${wallet.clientId}-${row.sequence}`],
        );
      }
    }
    await db.query(
      `insert into sale (business_id, sale_id, client_id, currency, amount, paid_with_balance, refunded, version, created_at, updated_at)
       values ($1, 'sale-old', 'old-1', 'AED', 40, 40, 0, 1, now(), now())`,
      [businessId],
    );
    await db.query(
      `insert into balance_payment (business_id, command_id, wallet_id, client_id, currency, sale_id, amount_applied, amount_refunded, version, created_at)
       values ($1, 'old-pay', $2, 'old-1', 'AED', 'sale-old', 40, 0, 1, now())`,
      [businessId, wallets[0].id],
    );
    await db.migrate();
    const lots = await db.query<{ client_id: string; source: string; amount: string; remaining: string; expires_at: Date | null }>(
      `select client_id, source, amount::text, remaining::text, expires_at from credit_lot order by client_id`,
    );
    expect(lots).toEqual([{ client_id: 'old-1', source: 'opening', amount: '60.00', remaining: '60.00', expires_at: null }]);
    app = await (await Test.createTestingModule({ imports: [LedgerModule.forRoot({ databaseUrl: db.url, clock: new TestClock() })] }).compile()).init();
    const report = await app.get(LedgerVerifier).verify();
    expect(report).toMatchObject({ ok: true, lots: 1, problems: [] });
    const ledger = app.get(LedgerCommands);
    const old = { businessId, clientId: 'old-1', currency: 'AED' };
    const paid = await ledger.apply(command('balance.pay', { ...old, saleId: 'sale-new', amountOwed: '20.00' }));
    expect((paid.reply.result as WalletResult).allocations).toEqual([expect.objectContaining({ source: 'opening', amount: '20.00' })]);
    // A payment made before lots drew from none: its refund is credit of its own (source refund).
    const refund = await ledger.apply(command('balance.refund', { ...old, refundId: 'rf-old', amount: '15.00', paymentCommandId: 'old-pay' }));
    expect((refund.reply.result as WalletResult).lots).toEqual([expect.objectContaining({ source: 'refund', amount: '15.00', expiresAt: null })]);
    expect(await app.get(LedgerVerifier).verify()).toMatchObject({ ok: true, problems: [] });
  });
});
