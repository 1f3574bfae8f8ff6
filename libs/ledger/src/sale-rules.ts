import { Decimal, formatAmount, paymentToApply, type CommandOf, type WalletResult } from '@storecredit/contracts';
import { canonicalJson, sha256Hex } from './canonical-json';
import { LedgerRejection } from './errors';
import { paymentRefundable, type RefundablePayment } from './wallet-rules';

/**
 * The rules of money that hold per sale and per refund, not only per command, as pure functions the payment and
 * refund handlers decide through. The database backs each with a CHECK or a key (Migration20261202000000_sales).
 */

/** A sale as the ledger knows it: its amount, what balance paid for it, and what refunds of it returned. */
export interface SaleState {
  businessId: string;
  saleId: string;
  clientId: string;
  currency: string;
  amount: string;
  paidWithBalance: string;
  refunded: string;
  /** What active holds reserve for it; with what balance paid, never more than its amount. */
  held: string;
}

/** A refund id already applied: the refund's content (to tell a repeat from another refund) and its result. */
export interface RefundState {
  businessId: string;
  refundId: string;
  commandId: string;
  contentHash: string;
  result: WalletResult;
}

type PayCommand = CommandOf<'balance.pay'>;
type TakeCommand = CommandOf<'balance.pay' | 'balance.hold'>;
type RefundCommand = CommandOf<'balance.refund'>;

/** What a payment decides: what it takes from balance, what the till still has to collect, and the sale after it. */
export interface SalePayment {
  applied: Decimal;
  amountStillOwed: string;
  sale: SaleState;
}

/**
 * A payment of a sale with balance: min(available, owed, requested, what the sale's amount leaves after earlier
 * balance payments and active holds). The till still has to collect what it owed less what this took, and never more
 * than the sale leaves unpaid by balance (a retried payment under a new command id owes nothing more). A payment that
 * takes nothing records no new sale, but an edit of a recorded sale (another saleAmount) is stored whatever it takes:
 * the reply shows the sale as the ledger now has it.
 */
export function paymentOfSale(found: SaleState | undefined, command: PayCommand, available: Decimal): SalePayment {
  const { applied, amountStillOwed, sale } = takeForSale(found, command, available);
  const paidWithBalance = formatAmount(new Decimal(sale.paidWithBalance).plus(applied), command.currency);
  return { applied, amountStillOwed, sale: { ...sale, paidWithBalance } };
}

/** A hold for a sale: decided exactly as a payment would be, but reserved (the sale's held) instead of paid. */
export function holdOfSale(found: SaleState | undefined, command: CommandOf<'balance.hold'>, available: Decimal): SalePayment {
  const { applied, amountStillOwed, sale } = takeForSale(found, command, available);
  return { applied, amountStillOwed, sale: { ...sale, held: formatAmount(new Decimal(sale.held).plus(applied), command.currency) } };
}

function takeForSale(found: SaleState | undefined, command: TakeCommand, available: Decimal): SalePayment {
  const sale = saleForPayment(found, command);
  const owed = new Decimal(command.amountOwed);
  const requested = command.amountRequested === undefined ? undefined : new Decimal(command.amountRequested);
  const leftForBalance = new Decimal(sale.amount).minus(sale.paidWithBalance).minus(sale.held);
  const applied = paymentToApply(available, owed, requested, leftForBalance);
  const stillOwed = Decimal.min(owed.minus(applied), leftForBalance.minus(applied));
  return { applied, amountStillOwed: formatAmount(stillOwed, command.currency), sale };
}

/** The sale after a hold of it ends: what it held is no longer reserved, and what its capture took is paid. */
export function saleAfterHold(sale: SaleState, held: string, captured: Decimal): SaleState {
  return {
    ...sale,
    held: formatAmount(new Decimal(sale.held).minus(held), sale.currency),
    paidWithBalance: formatAmount(new Decimal(sale.paidWithBalance).plus(captured), sale.currency),
  };
}

/** The sale a payment pays: a new one, the recorded one, or the recorded one edited at the till (a new saleAmount). */
function saleForPayment(found: SaleState | undefined, command: TakeCommand): SaleState {
  if (!found) return newSale(command, command.saleAmount ?? command.amountOwed);
  assertSameSale(found, command);
  if (command.saleAmount === undefined || new Decimal(command.saleAmount).eq(found.amount)) return found;
  const amount = new Decimal(command.saleAmount);
  if (amount.lt(new Decimal(found.paidWithBalance).plus(found.held)) || amount.lt(found.refunded)) {
    throw new LedgerRejection('sale_amount_below_settled', { saleId: found.saleId, ...saleDetails(found), saleAmount: command.saleAmount });
  }
  return { ...found, amount: formatAmount(amount, found.currency) };
}

/**
 * The sale after a refund of it: refunds of one sale never return more in total than its amount, whatever paid it.
 * A refund by saleId names the sale and its amount (which must match the recorded one: only the till edits a sale);
 * a refund of a balance payment refunds that payment's sale.
 */
export function refundOfSale(
  found: SaleState | undefined,
  command: RefundCommand,
  of: { saleId: string; payment?: { amountApplied: string } },
  amount: Decimal,
): SaleState {
  const saleId = of.saleId;
  const sale = found ?? saleFirstSeenByRefund(command, of);
  assertSameSale(sale, command);
  if (found && command.saleAmount !== undefined && !new Decimal(command.saleAmount).eq(found.amount)) {
    throw new LedgerRejection('sale_mismatch', { saleId, ...saleDetails(found), saleAmount: command.saleAmount });
  }
  const refundable = saleRefundable(sale);
  if (amount.gt(refundable)) {
    throw new LedgerRejection('refund_exceeds_sale', { saleId, ...saleDetails(sale), refundable });
  }
  return { ...sale, refunded: formatAmount(new Decimal(sale.refunded).plus(amount), sale.currency) };
}

/** What refunds of a sale may still return into balance, whatever paid it: its amount less what refunds returned. */
export function saleRefundable(sale: Pick<SaleState, 'currency' | 'amount' | 'refunded'>): string {
  return formatAmount(new Decimal(sale.amount).minus(sale.refunded), sale.currency);
}

/**
 * What a refund of one balance payment may still credit: bounded by the payment (paymentRefundable) and by its sale
 * (saleRefundable), as RefundToBalanceHandler checks both. A payment whose sale was never recorded (made before
 * sales were) is bounded by itself alone: the refund records the sale at no less than the payment applied.
 */
export function paymentRefundableInSale(
  payment: Pick<RefundablePayment, 'currency' | 'amountApplied' | 'amountRefunded'>,
  sale: Pick<SaleState, 'currency' | 'amount' | 'refunded'> | undefined,
): string {
  const ofPayment = paymentRefundable(payment);
  return sale === undefined ? ofPayment : formatAmount(Decimal.min(ofPayment, saleRefundable(sale)), payment.currency);
}

/**
 * A refund by saleId of a sale no payment recorded (paid by card): its amount is the command's saleAmount, which the
 * contract requires with saleId. A payment always records its sale; one that has none (made before sales were
 * recorded and missed by the migration) stands for a sale of at least what it applied.
 */
function saleFirstSeenByRefund(command: RefundCommand, of: { saleId: string; payment?: { amountApplied: string } }): SaleState {
  const paid = of.payment?.amountApplied ?? '0';
  const amount = command.saleAmount ?? of.payment?.amountApplied;
  if (amount === undefined) throw new Error(`refund ${command.refundId}: sale ${of.saleId} is new and the command has no saleAmount`);
  const sale = newSale({ ...command, saleId: of.saleId }, Decimal.max(amount, paid).toFixed());
  return { ...sale, paidWithBalance: formatAmount(paid, command.currency) };
}

/** The same refund again under another command id is a repeat of it; another refund under a used refundId is refused. */
export function earlierRefund(found: RefundState | undefined, command: RefundCommand): WalletResult | undefined {
  if (!found) return undefined;
  if (found.contentHash !== refundContentHash(command)) {
    throw new LedgerRejection('refund_conflict', { refundId: command.refundId, firstCommandId: found.commandId });
  }
  return found.result;
}

/**
 * What makes two refunds the same refund: who, what, how much and of what; not the command id, note or actor, nor
 * how an amount is written ("5" and "5.00" are the same amount).
 */
export function refundContentHash(command: RefundCommand): string {
  const { clientId, currency, refundId, paymentCommandId, saleId } = command;
  const amount = formatAmount(command.amount, currency);
  const saleAmount = command.saleAmount === undefined ? undefined : formatAmount(command.saleAmount, currency);
  return sha256Hex(canonicalJson({ clientId, currency, refundId, amount, paymentCommandId, saleId, saleAmount }));
}

export function refundStateOf(command: RefundCommand, result: WalletResult): RefundState {
  return { businessId: command.businessId, refundId: command.refundId, commandId: command.commandId, contentHash: refundContentHash(command), result };
}

/** What of a sale a decision changes: its amount, what balance paid, what refunds returned and what holds reserve. */
export function saleFigures(sale: SaleState): Pick<SaleState, 'amount' | 'paidWithBalance' | 'refunded' | 'held'> {
  return { amount: sale.amount, paidWithBalance: sale.paidWithBalance, refunded: sale.refunded, held: sale.held };
}

/** A sale is written only when a decision changed one of its figures. */
export function saleChanged(read: SaleState, decided: SaleState): boolean {
  const before = saleFigures(read);
  const after = saleFigures(decided);
  return (Object.keys(before) as (keyof typeof before)[]).some((figure) => before[figure] !== after[figure]);
}

/** The sale as a reply shows it; `held` only while holds reserve part of it. */
export function saleSummary(sale: SaleState): NonNullable<WalletResult['sale']> {
  const summary = { saleId: sale.saleId, amount: sale.amount, paidWithBalance: sale.paidWithBalance, refunded: sale.refunded };
  return new Decimal(sale.held).isZero() ? summary : { ...summary, held: sale.held };
}

function newSale(command: Pick<TakeCommand, 'businessId' | 'saleId' | 'clientId' | 'currency'>, amount: string): SaleState {
  const zero = formatAmount(0, command.currency);
  return {
    businessId: command.businessId,
    saleId: command.saleId,
    clientId: command.clientId,
    currency: command.currency,
    amount: formatAmount(amount, command.currency),
    paidWithBalance: zero,
    refunded: zero,
    held: zero,
  };
}

/** A sale belongs to one client and one currency: another client's or currency's command naming it is refused. */
function assertSameSale(sale: SaleState, command: { clientId: string; currency: string }): void {
  if (sale.clientId !== command.clientId || sale.currency !== command.currency) {
    throw new LedgerRejection('sale_mismatch', { saleId: sale.saleId, clientId: command.clientId, currency: command.currency });
  }
}

function saleDetails(sale: SaleState): Record<string, string> {
  const details = { recordedAmount: sale.amount, paidWithBalance: sale.paidWithBalance, refunded: sale.refunded, currency: sale.currency };
  return new Decimal(sale.held).isZero() ? details : { ...details, held: sale.held };
}
