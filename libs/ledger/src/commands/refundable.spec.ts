import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import fc from 'fast-check';
import { buildCommand, ledgerCommandIdPrefix, ledgerCommandTypes, type Command, type CommandInput, type CommandType, type StoredReply } from '@storecredit/contracts';
import { Clock, SystemClock } from '../clock';
import { commandHandlers } from '.';
import { GroupStore } from '../group-store';
import { LedgerCommands } from '../ledger-commands';
import { paymentRefundableInSale, saleRefundable } from '../sale-rules';
import { emptyGroupState, UnitOfWork } from '../unit-of-work';

const businessId = 'salon-refundable';
const clientId = 'client-1';
let ledger: LedgerCommands;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [LedgerCommands, ...commandHandlers, { provide: Clock, useValue: new SystemClock() }, { provide: GroupStore, useValue: {} }],
  }).compile();
  ledger = (await moduleRef.init()).get(LedgerCommands);
});

let sequence = 0;
const cents = (value: number): string => (value / 100).toFixed(2);
const toCents = (amount: string): number => Math.round(Number(amount) * 100);
function command(input: Record<string, unknown>): Command {
  sequence += 1;
  const prefix = ledgerCommandTypes.includes(input.type as CommandType) ? ledgerCommandIdPrefix : '';
  return buildCommand({ commandId: `${prefix}rf-${sequence}`, businessId, clientId, currency: 'AED', actor: { kind: 'service', id: 'refund' }, ...input } as CommandInput);
}

/** Three sales of fixed amounts; balance pays part of some, a card the rest. */
const saleAmounts = [3_000, 5_000, 8_000];

type Step =
  | { kind: 'top-up'; cents: number }
  | { kind: 'pay'; sale: number; owed: number }
  | { kind: 'refund-payment'; payment: number; cents: number }
  | { kind: 'refund-sale'; sale: number; cents: number }
  | { kind: 'probe-payment'; payment: number }
  | { kind: 'probe-sale'; sale: number };

const sale = fc.integer({ min: 0, max: saleAmounts.length - 1 });
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('top-up' as const), cents: fc.integer({ min: 1, max: 6_000 }) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), sale, owed: fc.integer({ min: 1, max: 8_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund-payment' as const), payment: fc.nat(), cents: fc.integer({ min: 1, max: 4_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund-sale' as const), sale, cents: fc.integer({ min: 1, max: 6_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('probe-payment' as const), payment: fc.nat() }) },
  fc.record({ kind: fc.constant('probe-sale' as const), sale }),
);

/**
 * The reference model, in integer cents: a sale's refunds never return more than its amount. What balance payments
 * bound (each payment's own refundable) is read from the unit of work and checked by what the ledger then accepts.
 */
interface Model {
  saleRefunded: number[];
  saleRecorded: boolean[];
  payments: { commandId: string; sale: number }[];
}

describe('what is still refundable, as the gateway shows it', () => {
  it('is exactly what the ledger accepts: a refund of it applies, one minor unit more is refused', async () => {
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 5, maxLength: 40 }), async (steps) => {
        const run = `r${sequence}`;
        const saleId = (index: number) => `${run}-sale-${index}`;
        const work = new UnitOfWork(emptyGroupState());
        const apply = async (next: Command): Promise<StoredReply> => (await ledger.decideGroup([next], work))[0].reply;
        const model: Model = { saleRefunded: saleAmounts.map(() => 0), saleRecorded: saleAmounts.map(() => false), payments: [] };
        const refundOfPayment = (paymentCommandId: string, amount: number) =>
          command({ type: 'balance.refund', refundId: `${run}-refund-${sequence}`, amount: cents(amount), paymentCommandId });
        const refundOfSale = (index: number, amount: number) =>
          command({ type: 'balance.refund', refundId: `${run}-refund-${sequence}`, amount: cents(amount), saleId: saleId(index), saleAmount: cents(saleAmounts[index]) });
        /** What the read endpoints show: the same functions over the same rows the ledger decides against. */
        const shownForPayment = (commandId: string): number => {
          const payment = work.payment(businessId, commandId);
          if (!payment) throw new Error(`payment ${commandId} not in the unit of work`);
          return toCents(paymentRefundableInSale(payment, work.sale(businessId, payment.saleId)));
        };
        const shownForSale = (index: number): number => {
          const found = work.sale(businessId, saleId(index));
          return found ? toCents(saleRefundable(found)) : saleAmounts[index];
        };
        const refundSale = (index: number, amount: number) => {
          model.saleRefunded[index] += amount;
          model.saleRecorded[index] = true;
        };

        for (const step of steps) {
          if (step.kind === 'top-up') {
            expect((await apply(command({ type: 'balance.add', actor: { kind: 'staff', id: 'desk' }, amount: cents(step.cents) }))).status).toBe('applied');
          } else if (step.kind === 'pay') {
            const next = command({ type: 'balance.pay', saleId: saleId(step.sale), amountOwed: cents(Math.min(step.owed, saleAmounts[step.sale])), saleAmount: cents(saleAmounts[step.sale]) });
            const reply = await apply(next);
            if (reply.status !== 'applied') throw new Error(`payment refused: ${reply.error?.code}`);
            if (work.payment(businessId, next.commandId)) model.payments.push({ commandId: next.commandId, sale: step.sale });
            model.saleRecorded[step.sale] = true;
          } else if (step.kind === 'refund-payment' || step.kind === 'probe-payment') {
            if (model.payments.length === 0) continue;
            const payment = model.payments[step.payment % model.payments.length];
            const shown = shownForPayment(payment.commandId);
            // Never more than the sale's model allows, whatever the payment's own figures say.
            expect(shown).toBeLessThanOrEqual(saleAmounts[payment.sale] - model.saleRefunded[payment.sale]);
            const amount = step.kind === 'probe-payment' ? shown + 1 : step.cents;
            const reply = await apply(refundOfPayment(payment.commandId, amount));
            if (amount > shown) {
              const payFigures = work.payment(businessId, payment.commandId);
              const ofPayment = payFigures ? toCents(payFigures.amountApplied) - toCents(payFigures.amountRefunded) : 0;
              expect(reply.error?.code).toBe(amount > ofPayment ? 'refund_exceeds_payment' : 'refund_exceeds_sale');
              reached.add(reply.error?.code ?? 'applied');
              if (shown > 0) {
                expect((await apply(refundOfPayment(payment.commandId, shown))).status).toBe('applied');
                refundSale(payment.sale, shown);
                expect(shownForPayment(payment.commandId)).toBe(0);
                reached.add('exact payment refund');
              }
            } else {
              expect(reply.status).toBe('applied');
              refundSale(payment.sale, amount);
              expect(shownForPayment(payment.commandId)).toBe(shown - amount);
            }
          } else {
            const shown = shownForSale(step.sale);
            expect(shown).toBe(saleAmounts[step.sale] - model.saleRefunded[step.sale]);
            const amount = step.kind === 'probe-sale' ? shown + 1 : step.cents;
            const reply = await apply(refundOfSale(step.sale, amount));
            if (amount > shown) {
              expect(reply.error?.code).toBe('refund_exceeds_sale');
              reached.add('refund_exceeds_sale by sale');
              if (shown > 0) {
                expect((await apply(refundOfSale(step.sale, shown))).status).toBe('applied');
                refundSale(step.sale, shown);
                expect(shownForSale(step.sale)).toBe(0);
                reached.add('exact sale refund');
              }
            } else {
              expect(reply.status).toBe('applied');
              refundSale(step.sale, amount);
              expect(shownForSale(step.sale)).toBe(shown - amount);
            }
          }
          // Each payment's refundable never passes its sale's, after refunds by payment or by sale.
          for (const payment of model.payments) expect(shownForPayment(payment.commandId)).toBeLessThanOrEqual(shownForSale(payment.sale));
        }
      }),
      { numRuns: 150 },
    );
    expect([...reached].sort()).toEqual(['exact payment refund', 'exact sale refund', 'refund_exceeds_payment', 'refund_exceeds_sale', 'refund_exceeds_sale by sale']);
  });
});
