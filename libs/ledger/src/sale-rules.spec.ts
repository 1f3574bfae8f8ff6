import fc from 'fast-check';
import { buildCommand, Decimal, type CommandOf } from '@storecredit/contracts';
import { LedgerRejection } from './errors';
import { earlierRefund, paymentOfSale, refundContentHash, refundOfSale, refundStateOf, type SaleState } from './sale-rules';

const wallet = { businessId: 'salon-1', clientId: 'client-1', currency: 'AED' };
const saleId = 'sale-1';
const cents = (value: number): string => (value / 100).toFixed(2);
const toCents = (amount: string): number => Math.round(Number(amount) * 100);

function pay(amountOwed: number, amountRequested?: number, saleAmount?: number): CommandOf<'balance.pay'> {
  return buildCommand({
    type: 'balance.pay',
    commandId: `pay-${Math.random()}`,
    actor: { kind: 'service', id: 'checkout' },
    ...wallet,
    saleId,
    amountOwed: cents(amountOwed),
    ...(amountRequested === undefined ? {} : { amountRequested: cents(amountRequested) }),
    ...(saleAmount === undefined ? {} : { saleAmount: cents(saleAmount) }),
  }) as CommandOf<'balance.pay'>;
}

function refund(amount: number, saleAmount: number, refundId = `r-${Math.random()}`): CommandOf<'balance.refund'> {
  return buildCommand({
    type: 'balance.refund',
    commandId: `refund-${Math.random()}`,
    actor: { kind: 'service', id: 'refund' },
    ...wallet,
    refundId,
    amount: cents(amount),
    saleId,
    saleAmount: cents(saleAmount),
  }) as CommandOf<'balance.refund'>;
}

/** The reference model: one sale in integer cents, written as plainly as the rules read. */
interface Model {
  balance: number;
  sale?: { amount: number; paid: number; refunded: number };
}

type Step =
  | { kind: 'pay'; owed: number; requested: number | null; saleAmount: number | null }
  | { kind: 'refund'; amount: number; saleAmount: number };

const amount = fc.integer({ min: 1, max: 10_000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('pay' as const), owed: amount, requested: fc.option(amount), saleAmount: fc.option(fc.constantFrom(2_000, 5_000, 9_000)) }),
  fc.record({ kind: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 4_000 }), saleAmount: fc.constantFrom(2_000, 5_000, 9_000) }),
);

/** What the model expects of a payment: a rejection code, or what it applies and still owes. */
function modelPay(model: Model, s: Extract<Step, { kind: 'pay' }>): string | { applied: number; stillOwed: number } {
  const sale = model.sale ?? { amount: s.saleAmount ?? s.owed, paid: 0, refunded: 0 };
  if (model.sale && s.saleAmount !== null && s.saleAmount !== sale.amount) {
    if (s.saleAmount < sale.paid || s.saleAmount < sale.refunded) return 'sale_amount_below_settled';
    sale.amount = s.saleAmount;
  }
  const left = sale.amount - sale.paid;
  const applied = Math.max(0, Math.min(model.balance, s.owed, s.requested ?? Infinity, left));
  model.balance -= applied;
  model.sale = { ...sale, paid: sale.paid + applied };
  return { applied, stillOwed: Math.min(s.owed - applied, left - applied) };
}

function modelRefund(model: Model, s: Extract<Step, { kind: 'refund' }>): string | { refunded: number } {
  const sale = model.sale ?? { amount: s.saleAmount, paid: 0, refunded: 0 };
  if (model.sale && s.saleAmount !== sale.amount) return 'sale_mismatch';
  if (sale.refunded + s.amount > sale.amount) return 'refund_exceeds_sale';
  model.balance += s.amount;
  model.sale = { ...sale, refunded: sale.refunded + s.amount };
  return { refunded: model.sale.refunded };
}

function rejectionCode(decide: () => unknown): string | undefined {
  try {
    decide();
    return undefined;
  } catch (error) {
    if (error instanceof LedgerRejection) return error.code;
    throw error;
  }
}

describe('sale rules', () => {
  it('decide every payment and refund of a sale as the reference model does, and never exceed the sale', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.array(step, { maxLength: 40 }), (opening, steps) => {
        const model: Model = { balance: opening };
        let balance = opening;
        let sale: SaleState | undefined;
        for (const step of steps) {
          // The contract refuses a payment owing more than its saleAmount; such a step owes the whole sale instead.
          const s = step.kind === 'pay' && step.saleAmount !== null ? { ...step, owed: Math.min(step.owed, step.saleAmount) } : step;
          if (s.kind === 'pay') {
            const expected = modelPay(model, s);
            const command = pay(s.owed, s.requested ?? undefined, s.saleAmount ?? undefined);
            const code = rejectionCode(() => paymentOfSale(sale, command, new Decimal(cents(balance))));
            if (typeof expected === 'string') {
              expect(code).toBe(expected);
              continue;
            }
            const decided = paymentOfSale(sale, command, new Decimal(cents(balance)));
            expect({ applied: toCents(decided.applied.toFixed(2)), stillOwed: toCents(decided.amountStillOwed) }).toEqual(expected);
            balance -= expected.applied;
            sale = decided.sale;
          } else {
            const expected = modelRefund(model, s);
            const command = refund(s.amount, s.saleAmount);
            const decide = () => refundOfSale(sale, command, { saleId }, new Decimal(command.amount));
            if (typeof expected === 'string') {
              expect(rejectionCode(decide)).toBe(expected);
              continue;
            }
            sale = decide();
            balance += s.amount;
            expect(toCents(sale.refunded)).toBe(expected.refunded);
          }
          // The bounds per sale, whatever the order of payments, edits and refunds.
          expect(new Decimal(sale.paidWithBalance).lte(sale.amount)).toBe(true);
          expect(new Decimal(sale.refunded).lte(sale.amount)).toBe(true);
          expect(balance).toBeGreaterThanOrEqual(0);
        }
        expect(balance).toBe(model.balance);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses another client's command naming a recorded sale", () => {
    const sale = paymentOfSale(undefined, pay(1_000), new Decimal('50.00')).sale;
    const other = { ...pay(1_000), clientId: 'client-2' };
    expect(rejectionCode(() => paymentOfSale(sale, other, new Decimal('50.00')))).toBe('sale_mismatch');
  });
});

describe(earlierRefund.name, () => {
  it('answers the same refund under another command id with the first result, and refuses another refund under its id', () => {
    const first = refund(1_000, 5_000, 'r-7');
    const stored = refundStateOf(first, { walletId: 'w', clientId: 'client-1', currency: 'AED', entryId: 'e', entryType: 'refund_credit', amount: '10.00', balanceAfter: '10.00' });
    expect(earlierRefund(undefined, first)).toBeUndefined();
    expect(earlierRefund(stored, { ...first, commandId: 'another', note: 'retried by the refund service' })).toBe(stored.result);
    expect(rejectionCode(() => earlierRefund(stored, refund(1_001, 5_000, 'r-7')))).toBe('refund_conflict');
  });

  it('tells refunds apart by content, not by command id, note or actor', () => {
    const first = refund(1_000, 5_000, 'r-8');
    expect(refundContentHash({ ...first, commandId: 'x', note: 'n', actor: { kind: 'staff', id: 's' } })).toBe(refundContentHash(first));
    expect(refundContentHash({ ...first, clientId: 'client-2' })).not.toBe(refundContentHash(first));
    // The same amounts written another way are the same refund (a retry that normalises its amounts).
    expect(refundContentHash({ ...first, amount: '10', saleAmount: '50.0' })).toBe(refundContentHash(first));
  });
});
