import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import { Decimal, walletKey, type Command, type WalletResult } from '@storecredit/contracts';
import { command } from '@storecredit/testing';
import { Clock } from './clock';
import { payloadHashOf, type CommandOutcome } from './command-outcomes';
import { commandHandlers } from './commands';
import { GroupStore } from './group-store';
import { LedgerCommands } from './ledger-commands';
import { emptyGroupState, UnitOfWork, type GroupState, type GroupWrites, type WalletRow } from './unit-of-work';

const businessId = 'salon-1';
const at = new Date('2026-11-25T10:00:00.000Z');
const empty: GroupState = emptyGroupState();
type SetCommand = Command;

let ledger: LedgerCommands;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [
      LedgerCommands,
      ...commandHandlers,
      { provide: Clock, useValue: { now: () => at } },
      // Deciding reads and writes nothing: the store is never reached.
      { provide: GroupStore, useValue: {} },
    ],
  }).compile();
  ledger = (await moduleRef.init()).get(LedgerCommands);
});

/** A group decided in memory by the command handlers: every outcome, and the rows the group would write. */
async function planGroup(commands: readonly Command[], state: GroupState): Promise<{ outcomes: CommandOutcome[]; writes: GroupWrites }> {
  const work = new UnitOfWork(state);
  const outcomes = await ledger.decideGroup(commands, work);
  return { outcomes, writes: work.writes() };
}

function storedWallet(clientId: string, balance: string, version = 3, lastSequence = 2): WalletRow {
  return { businessId, id: `0193a000-0000-7000-8000-00000000000${version}`, clientId, currency: 'AED', balance, held: '0.00', lastSequence, version };
}

/** Stored wallets as the read gives them to a group that may debit them: each with its open lots (one opening lot). */
function storedWallets(...wallets: WalletRow[]): Pick<GroupState, 'wallets' | 'lots' | 'lotWallets'> {
  return {
    wallets,
    lots: wallets.map((wallet, index) => ({
      businessId,
      id: `0193a000-0000-7000-8000-0000000001${index.toString().padStart(2, '0')}`,
      walletId: wallet.id,
      clientId: wallet.clientId,
      currency: wallet.currency,
      source: 'opening' as const,
      amount: wallet.balance,
      remaining: wallet.balance,
      expiresAt: null,
      entryId: null,
      restoredFrom: null,
      bonusForEntryId: null,
      version: 1,
      createdAt: new Date(0),
    })),
    lotWallets: wallets.map((wallet) => walletKey(wallet.businessId, wallet.clientId, wallet.currency)),
  };
}

const add = (clientId: string, amount: string) => command('balance.add', { businessId, clientId, currency: 'AED', amount });
const deduct = (clientId: string, amount: string) => command('balance.deduct', { businessId, clientId, currency: 'AED', amount });
const pay = (clientId: string, amountOwed: string, saleId = 'sale-1') =>
  command('balance.pay', { businessId, clientId, currency: 'AED', saleId, amountOwed });
const refundOf = (clientId: string, paymentCommandId: string, amount: string) =>
  command('balance.refund', { businessId, clientId, currency: 'AED', refundId: `refund-${amount}`, amount, paymentCommandId });

const resultOf = (plan: Awaited<ReturnType<typeof planGroup>>, index: number) => plan.outcomes[index].reply.result as WalletResult;

describe('deciding a group against a unit of work', () => {
  it('decides each command on the balance the commands before it left, and writes one entry per change', async () => {
    const plan = await planGroup([add('ana', '10'), deduct('ana', '4'), add('ana', '0.50')], empty);
    expect(plan.outcomes.map((outcome) => outcome.reply.status)).toEqual(['applied', 'applied', 'applied']);
    expect(plan.outcomes.map((_, index) => resultOf(plan, index).balanceAfter)).toEqual(['10.00', '6.00', '6.50']);
    expect(plan.writes.entries.map((entry) => [entry.sequence, entry.amount, entry.balanceAfter])).toEqual([
      [1, '10.00', '10.00'],
      [2, '-4.00', '6.00'],
      [3, '0.50', '6.50'],
    ]);
    expect(plan.writes.newWallets).toEqual([expect.objectContaining({ clientId: 'ana', balance: '6.50', lastSequence: 3, version: 1 })]);
    expect(plan.writes.changedWallets).toEqual([]);
    expect(plan.writes.outbox.map((row) => row.sequence)).toEqual([1, 2, 3]);
    expect(plan.writes.records).toHaveLength(3);
  });

  it('refuses an overdraft, stores the refusal and leaves the wallet as it was', async () => {
    const plan = await planGroup([deduct('ben', '5.01'), deduct('ben', '5')], { ...empty, ...storedWallets(storedWallet('ben', '5.00')) });
    expect(plan.outcomes[0].reply).toMatchObject({
      status: 'rejected',
      error: { code: 'insufficient_balance', details: { balance: '5.00', currency: 'AED' } },
    });
    expect(resultOf(plan, 1)).toMatchObject({ balanceAfter: '0.00', amount: '5.00' });
    expect(plan.writes.changedWallets).toEqual([expect.objectContaining({ balance: '0.00', lastSequence: 3, version: 3 })]);
    expect(plan.writes.entries).toHaveLength(1);
    expect(plan.writes.records.map((record) => record.reply.status)).toEqual(['rejected', 'applied']);
  });

  it('opens no wallet for a command that was refused or changed nothing', async () => {
    const plan = await planGroup([deduct('cy', '1'), pay('cy', '20')], empty);
    expect(plan.outcomes[0].reply.error?.code).toBe('insufficient_balance');
    expect(resultOf(plan, 1)).toMatchObject({ walletId: '', entryId: null, amount: '0.00', amountStillOwed: '20.00' });
    expect(plan.writes.newWallets).toEqual([]);
    expect(plan.writes.entries).toEqual([]);
    expect(plan.writes.newPayments).toEqual([]);
  });

  it('caps a payment at the balance and lets a later refund in the same group return at most what it applied', async () => {
    const payment = pay('dee', '30');
    const plan = await planGroup(
      [payment, refundOf('dee', payment.commandId, '8'), refundOf('dee', payment.commandId, '5'), refundOf('dee', payment.commandId, '4')],
      { ...empty, ...storedWallets(storedWallet('dee', '12.00')) },
    );
    expect(resultOf(plan, 0)).toMatchObject({ amount: '12.00', balanceAfter: '0.00', amountStillOwed: '18.00' });
    expect(resultOf(plan, 1).balanceAfter).toBe('8.00');
    expect(plan.outcomes[2].reply.error).toMatchObject({ code: 'refund_exceeds_payment', details: { refundable: '4.00' } });
    expect(resultOf(plan, 3).balanceAfter).toBe('12.00');
    expect(plan.writes.newPayments).toEqual([expect.objectContaining({ amountApplied: '12.00', amountRefunded: '12.00' })]);
    expect(plan.writes.changedPayments).toEqual([]);
  });

  it('updates a stored payment with the version it read, and refuses a refund of another client or currency', async () => {
    const payments = [
      { businessId, commandId: 'pay-1', walletId: 'w', clientId: 'eve', currency: 'AED', saleId: 's', amountApplied: '10.00', amountRefunded: '2.00', entryId: null, version: 4 },
    ];
    const usd = command('balance.refund', { businessId, clientId: 'eve', currency: 'USD', refundId: 'r-usd', amount: '1', paymentCommandId: 'pay-1' });
    const plan = await planGroup([refundOf('mallory', 'pay-1', '1'), usd, refundOf('eve', 'pay-1', '3')], { ...empty, payments });
    expect(plan.outcomes.map((outcome) => outcome.reply.error?.code ?? 'applied')).toEqual(['not_found', 'currency_mismatch', 'applied']);
    expect(plan.writes.changedPayments).toEqual([expect.objectContaining({ commandId: 'pay-1', amountRefunded: '5.00', version: 4 })]);
  });

  it('replays a stored command, and a repeat inside the group, without applying it again', async () => {
    const first = add('fay', '5');
    const stored = { businessId, commandId: first.commandId, commandType: first.type, payloadHash: payloadHashOf(first), reply: { stored: true } as never, createdAt: at };
    const again = add('fay', '7');
    const plan = await planGroup([first, again, again, { ...again, amount: '8.00' } as SetCommand], { ...empty, records: [stored] });
    expect(plan.outcomes[0]).toEqual({ reply: { stored: true }, replayed: true });
    expect(plan.outcomes[1].replayed).toBe(false);
    expect(plan.outcomes[2]).toEqual({ reply: plan.outcomes[1].reply, replayed: true });
    expect(plan.outcomes[3].reply.error?.code).toBe('idempotency_conflict');
    expect(plan.writes.entries).toHaveLength(1);
    expect(plan.writes.records.map((record) => record.commandId)).toEqual([again.commandId]);
  });

  it('keeps wallets of different clients and currencies apart', async () => {
    const usd = command('balance.add', { businessId, clientId: 'gus', currency: 'USD', amount: '1' });
    const jpy = command('balance.add', { businessId, clientId: 'gus', currency: 'JPY', amount: '100' });
    const plan = await planGroup([add('gus', '1'), usd, jpy, add('hal', '2')], empty);
    expect(plan.writes.newWallets.map((wallet) => `${wallet.clientId}/${wallet.currency}/${wallet.balance}`)).toEqual([
      'gus/AED/1.00',
      'gus/USD/1.00',
      'gus/JPY/100',
      'hal/AED/2.00',
    ]);
    expect(plan.writes.entries.every((entry) => entry.sequence === 1)).toBe(true);
  });

  it('issues, redeems and refuses to void a gift card in one group, each seeing the card as the one before left it', async () => {
    const code = 'K7QM-4RTX-9WPH-C3DV';
    const issue = command('giftcard.issue', { businessId, code, amount: '20', currency: 'AED' });
    const redeem = command('giftcard.redeem', { businessId, clientId: 'ivy', currency: 'AED', code });
    const plan = await planGroup([issue, command('giftcard.issue', { businessId, code, amount: '5', currency: 'AED' }), redeem, { ...redeem, commandId: 'again' }], empty);
    expect(plan.outcomes.map(({ reply }) => reply.error?.code ?? reply.status)).toEqual(['applied', 'gift_card_exists', 'applied', 'gift_card_already_redeemed']);
    expect(resultOf(plan, 2)).toMatchObject({ amount: '20.00', balanceAfter: '20.00', entryType: 'gift_card_redeemed' });
    const cardId = (plan.outcomes[0].reply.result as { giftCardId: string }).giftCardId;
    const voided = await planGroup([command('giftcard.void', { businessId, giftCardId: cardId })], { ...empty, giftCards: plan.writes.newGiftCards });
    expect(voided.outcomes[0].reply.error?.code).toBe('gift_card_already_redeemed');
    expect(plan.writes.newGiftCards).toEqual([expect.objectContaining({ id: cardId, status: 'redeemed', redeemedClientId: 'ivy', version: 1 })]);
    expect(plan.writes.changedGiftCards).toEqual([]);
    expect(plan.writes.outbox.map((row) => (row.payload as { type: string }).type)).toEqual(['giftcard.issued', 'wallet.entry_recorded', 'giftcard.redeemed']);
  });
});

describe(UnitOfWork.name, () => {
  it('undoes every change made after a mark, newest first, and keeps those before it', () => {
    const work = new UnitOfWork({ ...empty, ...storedWallets(storedWallet('jo', '10.00')) });
    const topUp = add('jo', '5');
    const posting = { type: 'balance_added' as const, referenceType: 'manual' as const, referenceId: null };
    const credit = (amount: number) => ({ ...posting, amount: new Decimal(amount), lots: [{ source: 'adjustment' as const, amount: new Decimal(amount), expiresAt: null }] });
    work.post(topUp, credit(5), at);
    const before = JSON.stringify(work.writes());
    const mark = work.mark();
    const paying = { ...add('ko', '3'), commandId: 'p' };
    const posted = work.post(paying, credit(3), at);
    work.post(topUp, credit(1), at);
    work.post(topUp, { ...posting, type: 'balance_deducted', amount: new Decimal(-12) }, at);
    work.addPayment(paying, posted, 's', new Decimal(1), at);
    work.storeSale(undefined, { businessId, saleId: 's', clientId: 'ko', currency: 'AED', amount: '1.00', paidWithBalance: '1.00', refunded: '0.00', held: '0.00' }, at);
    expect(JSON.stringify(work.writes())).not.toBe(before);
    work.rollbackTo(mark);
    expect(JSON.stringify(work.writes())).toBe(before);
    expect(work.wallet({ businessId, clientId: 'jo', currency: 'AED' })).toMatchObject({ balance: '15.00', lastSequence: 3 });
    // The lots as they were: the opening lot untouched, the first top-up's lot, nothing the undone commands made.
    expect(work.writes().newLots.map((lot) => [lot.source, lot.amount, lot.remaining])).toEqual([['adjustment', '5.00', '5.00']]);
    expect(work.writes().changedLots).toEqual([]);
    expect(work.writes().allocations).toEqual([]);
    expect(work.sale(businessId, 's')).toBeUndefined();
    expect(work.payment(businessId, 'p')).toBeUndefined();
  });
});
