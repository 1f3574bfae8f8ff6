import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import fc from 'fast-check';
import { buildCommand, ledgerCommandIdPrefix, ledgerCommandTypes, type Command, type CommandInput, type CommandType, type StoredReply, type WalletResult } from '@storecredit/contracts';
import { Clock } from '../clock';
import { commandHandlers } from '.';
import { GroupStore } from '../group-store';
import { LedgerCommands } from '../ledger-commands';
import { emptyGroupState, UnitOfWork, type GroupState } from '../unit-of-work';

const businessId = 'salon-1';
const empty: GroupState = emptyGroupState();
const startedAt = Date.parse('2026-12-02T10:00:00.000Z');

class SteppedClock extends Clock {
  at = startedAt;
  now(): Date {
    return new Date(this.at);
  }
}

const clock = new SteppedClock();
let ledger: LedgerCommands;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [LedgerCommands, ...commandHandlers, { provide: Clock, useValue: clock }, { provide: GroupStore, useValue: {} }],
  }).compile();
  ledger = (await moduleRef.init()).get(LedgerCommands);
});

beforeEach(() => {
  clock.at = startedAt;
});

let sequence = 0;
const cents = (value: number): string => (value / 100).toFixed(2);
const toCents = (amount: string | undefined): number => Math.round(Number(amount ?? '0') * 100);
function command(input: Record<string, unknown>): Command {
  sequence += 1;
  return buildCommand({ commandId: `${ledgerCommandTypes.includes(input.type as CommandType) ? ledgerCommandIdPrefix : ''}c-${sequence}`, businessId, currency: 'AED', actor: { kind: 'service', id: 'checkout' }, ...input } as CommandInput);
}

/** One wallet's figures, a sale's and a hold's, in integer cents, written as plainly as the rules read. */
interface ModelSale {
  client: string;
  amount: number;
  paid: number;
  held: number;
  refunded: number;
}
interface ModelHold {
  id: string;
  client: string;
  sale: string;
  amount: number;
  status: 'active' | 'captured' | 'released' | 'expired';
  expiresAt: number;
}
interface Model {
  balance: Map<string, number>;
  held: Map<string, number>;
  sales: Map<string, ModelSale>;
  holds: ModelHold[];
}

type Step =
  | { kind: 'add' | 'deduct'; client: number; cents: number }
  | { kind: 'pay' | 'hold'; client: number; sale: number; owed: number; saleAmount: number | null; expiresIn: number }
  | { kind: 'capture'; hold: number; cents: number | null; otherClient: boolean }
  | { kind: 'release' | 'expire'; hold: number }
  | { kind: 'refund'; client: number; sale: number; cents: number }
  | { kind: 'tick'; seconds: number };

const client = fc.integer({ min: 0, max: 2 });
const sale = fc.integer({ min: 0, max: 3 });
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom('add', 'deduct' as const), client, cents: fc.integer({ min: 1, max: 6_000 }) }),
  fc.record({
    kind: fc.constantFrom('pay', 'hold', 'hold' as const),
    client,
    sale,
    owed: fc.integer({ min: 1, max: 5_000 }),
    saleAmount: fc.option(fc.constantFrom(3_000, 5_000, 8_000)),
    expiresIn: fc.constantFrom(60, 600, 3_600),
  }),
  fc.record({ kind: fc.constant('capture' as const), hold: fc.nat(), cents: fc.option(fc.integer({ min: 1, max: 4_000 })), otherClient: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('release', 'expire' as const), hold: fc.nat() }),
  fc.record({ kind: fc.constant('refund' as const), client, sale, cents: fc.integer({ min: 1, max: 3_000 }) }),
  fc.record({ kind: fc.constant('tick' as const), seconds: fc.constantFrom(30, 300, 1_800) }),
);

/** What the model expects of a step: a rejection code, or the figures the reply must show. */
type Expected = { code: string } | { amount: number; held?: number; stillOwed?: number };

function take(model: Model, clientId: string, saleId: string, owed: number, saleAmount: number | null): { code: string } | { applied: number; stillOwed: number; sale: ModelSale } {
  const found = model.sales.get(saleId);
  if (found && found.client !== clientId) return { code: 'sale_mismatch' };
  const recorded = found ? { ...found } : { client: clientId, amount: saleAmount ?? owed, paid: 0, held: 0, refunded: 0 };
  if (found && saleAmount !== null && saleAmount !== found.amount) {
    if (saleAmount < found.paid + found.held || saleAmount < found.refunded) return { code: 'sale_amount_below_settled' };
    recorded.amount = saleAmount;
  }
  const available = (model.balance.get(clientId) ?? 0) - (model.held.get(clientId) ?? 0);
  const left = recorded.amount - recorded.paid - recorded.held;
  const applied = Math.max(0, Math.min(available, owed, left));
  return { applied, stillOwed: Math.min(owed - applied, left - applied), sale: recorded };
}

function modelStep(model: Model, step: Step, clientId: (index: number) => string, saleId: (index: number) => string, now: number, hold?: ModelHold): Expected {
  const change = (map: Map<string, number>, id: string, by: number) => map.set(id, (map.get(id) ?? 0) + by);
  switch (step.kind) {
    case 'add':
      change(model.balance, clientId(step.client), step.cents);
      return { amount: step.cents };
    case 'deduct': {
      const id = clientId(step.client);
      if (step.cents > (model.balance.get(id) ?? 0) - (model.held.get(id) ?? 0)) return { code: 'insufficient_balance' };
      change(model.balance, id, -step.cents);
      return { amount: step.cents };
    }
    case 'pay':
    case 'hold': {
      const id = clientId(step.client);
      const owed = step.saleAmount === null ? step.owed : Math.min(step.owed, step.saleAmount);
      const taken = take(model, id, saleId(step.sale), owed, step.saleAmount);
      if ('code' in taken) return taken;
      if (taken.applied === 0) {
        // Nothing taken records no new sale, but a recorded sale's edit is kept.
        if (model.sales.has(saleId(step.sale))) model.sales.set(saleId(step.sale), taken.sale);
        return { amount: 0, stillOwed: taken.stillOwed };
      }
      if (step.kind === 'pay') {
        change(model.balance, id, -taken.applied);
        model.sales.set(saleId(step.sale), { ...taken.sale, paid: taken.sale.paid + taken.applied });
      } else {
        change(model.held, id, taken.applied);
        model.sales.set(saleId(step.sale), { ...taken.sale, held: taken.sale.held + taken.applied });
      }
      return { amount: taken.applied, stillOwed: taken.stillOwed };
    }
    case 'capture':
    case 'release':
    case 'expire': {
      if (!hold || (step.kind === 'capture' && step.otherClient)) return { code: 'hold_not_found' };
      if (hold.status === 'captured') return { code: 'hold_already_captured' };
      if (hold.status === 'released') return { code: 'hold_already_released' };
      if (hold.status === 'expired') return { code: 'hold_expired' };
      const due = now >= hold.expiresAt;
      if (step.kind === 'expire' && !due) return { code: 'hold_not_expired' };
      if (step.kind === 'capture' && due) return { code: 'hold_expired' };
      const captured = step.kind === 'capture' ? (step.cents ?? hold.amount) : 0;
      if (captured > hold.amount) return { code: 'capture_exceeds_hold' };
      const saleOf = model.sales.get(hold.sale) as ModelSale;
      change(model.held, hold.client, -hold.amount);
      change(model.balance, hold.client, -captured);
      model.sales.set(hold.sale, { ...saleOf, held: saleOf.held - hold.amount, paid: saleOf.paid + captured });
      hold.status = step.kind === 'capture' ? 'captured' : step.kind === 'release' ? 'released' : 'expired';
      return { amount: step.kind === 'capture' ? captured : hold.amount };
    }
    case 'refund': {
      const found = model.sales.get(saleId(step.sale));
      const id = clientId(step.client);
      if (!found) return { code: 'skip' };
      if (found.client !== id) return { code: 'sale_mismatch' };
      if (found.refunded + step.cents > found.amount) return { code: 'refund_exceeds_sale' };
      change(model.balance, id, step.cents);
      model.sales.set(saleId(step.sale), { ...found, refunded: found.refunded + step.cents });
      return { amount: step.cents };
    }
    case 'tick':
      return { amount: 0 };
  }
}

describe('holds, decided by their handlers against a unit of work', () => {
  it('decide random holds, captures, releases, expiries, deducts, payments and refunds as the reference model does', async () => {
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 10, maxLength: 80 }), async (steps) => {
        clock.at = startedAt;
        const run = `r${sequence}`;
        const clientId = (index: number) => `${run}-client-${index}`;
        const saleId = (index: number) => `${run}-sale-${index}`;
        const model: Model = { balance: new Map(), held: new Map(), sales: new Map(), holds: [] };
        const work = new UnitOfWork(empty);
        const sent: Command[] = [];
        const replies: StoredReply[] = [];
        for (const step of steps) {
          if (step.kind === 'tick') {
            clock.at += step.seconds * 1000;
            continue;
          }
          const hold = 'hold' in step && typeof step.hold === 'number' && model.holds.length > 0 ? model.holds[step.hold % model.holds.length] : undefined;
          if ('hold' in step && typeof step.hold === 'number' && !hold) continue;
          if (step.kind === 'refund' && !model.sales.has(saleId(step.sale))) continue;
          const expected = modelStep(model, step, clientId, saleId, clock.at, hold);
          const next = commandOf(step, clientId, saleId, hold, model);
          const [outcome] = await ledger.decideGroup([next], work);
          sent.push(next);
          replies.push(outcome.reply);
          if ('code' in expected) {
            expect(outcome.reply.error?.code).toBe(expected.code);
            codes.add(expected.code);
            continue;
          }
          expect(outcome.reply.status).toBe('applied');
          const result = outcome.reply.result as WalletResult;
          expect(toCents(result.amount)).toBe(expected.amount);
          if (expected.stillOwed !== undefined) expect(toCents(result.amountStillOwed)).toBe(expected.stillOwed);
          if (step.kind === 'hold' && expected.amount > 0) {
            const holdId = result.hold?.holdId as string;
            model.holds.push({ id: holdId, client: clientId(step.client), sale: saleId(step.sale), amount: expected.amount, status: 'active', expiresAt: clock.at + step.expiresIn * 1000 });
          }
          if (step.kind === 'hold' && expected.amount === 0) expect(result.hold).toBeUndefined();
          // Every wallet: balance and held as the model has them; available never negative; held = Σ active holds.
          for (let index = 0; index < 3; index++) {
            const wallet = work.wallet({ businessId, clientId: clientId(index), currency: 'AED' });
            expect(toCents(wallet.balance)).toBe(model.balance.get(clientId(index)) ?? 0);
            expect(toCents(wallet.held)).toBe(model.held.get(clientId(index)) ?? 0);
            const active = model.holds.filter((item) => item.client === clientId(index) && item.status === 'active');
            expect(toCents(wallet.held)).toBe(active.reduce((sum, item) => sum + item.amount, 0));
            expect(toCents(wallet.balance)).toBeGreaterThanOrEqual(toCents(wallet.held));
          }
          for (const [id, figures] of model.sales) {
            const recorded = work.sale(businessId, id);
            expect(recorded && [toCents(recorded.paidWithBalance), toCents(recorded.held), toCents(recorded.refunded)]).toEqual([figures.paid, figures.held, figures.refunded]);
            expect(figures.paid + figures.held).toBeLessThanOrEqual(figures.amount);
          }
        }
        // Every hold ended at most once, and captured no more than it held: the rows say so.
        const written = work.writes();
        for (const row of written.newHolds) {
          expect(toCents(row.captured)).toBeLessThanOrEqual(toCents(row.amount));
          expect(row.status === 'active').toBe(row.endedAt === null);
        }
        expect(written.outbox.filter((row) => (row.payload as { type: string }).type.startsWith('hold.') && (row.payload as { type: string }).type !== 'hold.placed')).toHaveLength(
          model.holds.filter((item) => item.status !== 'active').length,
        );
        // Delivered again: the first replies, word for word, and nothing changes.
        const before = JSON.stringify(work.writes());
        const again = await ledger.decideGroup(sent, work);
        expect(again.map((outcome) => outcome.reply)).toEqual(replies);
        expect(again.every((outcome) => outcome.replayed)).toBe(true);
        expect(JSON.stringify(work.writes())).toBe(before);
      }),
      { numRuns: 150 },
    );
    expect([...codes]).toEqual(
      expect.arrayContaining(['insufficient_balance', 'hold_not_found', 'hold_already_captured', 'hold_already_released', 'hold_expired', 'hold_not_expired', 'capture_exceeds_hold']),
    );
  });

  it('checks a deduct against available, not balance: money on hold cannot be spent twice', async () => {
    const work = new UnitOfWork(empty);
    const [, held, deduct, pay] = await ledger.decideGroup(
      [
        command({ type: 'balance.add', clientId: 'ana', amount: '100' }),
        command({ type: 'balance.hold', clientId: 'ana', saleId: 's-1', amountOwed: '80' }),
        command({ type: 'balance.deduct', clientId: 'ana', amount: '20.01' }),
        command({ type: 'balance.pay', clientId: 'ana', saleId: 's-2', amountOwed: '50' }),
      ],
      work,
    );
    expect(held.reply.result).toMatchObject({ amountHeld: '80.00', available: '20.00', balanceAfter: '100.00', entryId: null, hold: { status: 'active', amount: '80.00' } });
    expect(deduct.reply.error).toMatchObject({ code: 'insufficient_balance', details: { balance: '100.00', available: '20.00', held: '80.00' } });
    expect(pay.reply.error).toBeUndefined();
    expect(pay.reply.result).toMatchObject({ amount: '20.00', amountStillOwed: '30.00', balanceAfter: '80.00' });
  });

  it('keeps a sale edited down by a hold or payment that takes nothing: balance never pays more than the sale it confirmed', async () => {
    const work = new UnitOfWork(empty);
    const [, , edit, paid] = await ledger.decideGroup(
      [
        command({ type: 'balance.add', clientId: 'cy', amount: '60' }),
        command({ type: 'balance.hold', clientId: 'cy', saleId: 's-4', amountOwed: '100', saleAmount: '100' }),
        command({ type: 'balance.hold', clientId: 'cy', saleId: 's-4', amountOwed: '1', saleAmount: '60' }),
        command({ type: 'balance.pay', clientId: 'cy', saleId: 's-4', amountOwed: '40' }),
      ],
      work,
    );
    expect(edit.reply.result).toMatchObject({ amountHeld: '0.00', sale: { amount: '60.00', held: '60.00' } });
    expect(work.sale(businessId, 's-4')).toMatchObject({ amount: '60.00', held: '60.00', paidWithBalance: '0.00' });
    expect(paid.reply.result).toMatchObject({ amount: '0.00', sale: { amount: '60.00' } });
  });

  it('captures part of a hold as one used_for_payment entry, a refundable payment, and releases the rest', async () => {
    const work = new UnitOfWork(empty);
    const [, held] = await ledger.decideGroup(
      [command({ type: 'balance.add', clientId: 'ben', amount: '50' }), command({ type: 'balance.hold', clientId: 'ben', saleId: 's-3', amountOwed: '120', saleAmount: '120' })],
      work,
    );
    const holdId = (held.reply.result as WalletResult).hold?.holdId as string;
    const capture = command({ type: 'balance.capture', clientId: 'ben', holdId, amount: '30' });
    const [captured, refund] = await ledger.decideGroup([capture, command({ type: 'balance.refund', clientId: 'ben', refundId: 'rf-1', amount: '30', paymentCommandId: capture.commandId })], work);
    expect(captured.reply.result).toMatchObject({ amount: '30.00', entryType: 'used_for_payment', balanceAfter: '20.00', available: '20.00', hold: { status: 'captured', captured: '30.00', amount: '50.00' } });
    expect(captured.reply.result).toMatchObject({ sale: { paidWithBalance: '30.00', amount: '120.00' } });
    expect(refund.reply.result).toMatchObject({ balanceAfter: '50.00' });
    const types = work.writes().outbox.map((row) => (row.payload as { type: string }).type);
    expect(types).toEqual(['wallet.entry_recorded', 'hold.placed', 'wallet.entry_recorded', 'hold.captured', 'wallet.entry_recorded']);
    expect(work.writes().outbox.map((row) => row.sequence)).toEqual([1, 1, 2, 2, 3]);
  });
});

function commandOf(step: Step, clientId: (index: number) => string, saleId: (index: number) => string, hold: ModelHold | undefined, model: Model): Command {
  switch (step.kind) {
    case 'add':
    case 'deduct':
      return command({ type: `balance.${step.kind}`, clientId: clientId(step.client), amount: cents(step.cents) });
    case 'pay':
    case 'hold': {
      const owed = step.saleAmount === null ? step.owed : Math.min(step.owed, step.saleAmount);
      const saleAmount = step.saleAmount === null ? {} : { saleAmount: cents(step.saleAmount) };
      const expires = step.kind === 'hold' ? { expiresInSeconds: step.expiresIn } : {};
      return command({ type: `balance.${step.kind}`, clientId: clientId(step.client), saleId: saleId(step.sale), amountOwed: cents(owed), ...saleAmount, ...expires });
    }
    case 'capture': {
      const target = hold as ModelHold;
      const who = step.otherClient ? `${target.client}-other` : target.client;
      return command({ type: 'balance.capture', clientId: who, holdId: target.id, ...(step.cents === null ? {} : { amount: cents(step.cents) }) });
    }
    case 'release':
    case 'expire': {
      const target = hold as ModelHold;
      return command({ type: step.kind === 'release' ? 'balance.release' : 'balance.expire-hold', clientId: target.client, holdId: target.id });
    }
    case 'refund': {
      const recorded = model.sales.get(saleId(step.sale)) as ModelSale;
      return command({ type: 'balance.refund', clientId: clientId(step.client), refundId: `rf-${sequence}`, amount: cents(step.cents), saleId: saleId(step.sale), saleAmount: cents(recorded.amount) });
    }
    case 'tick':
      throw new Error('a tick sends nothing');
  }
}
