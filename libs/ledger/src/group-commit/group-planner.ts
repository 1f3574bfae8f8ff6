import {
  Decimal,
  formatAmount,
  walletKey,
  type BalanceChangeCommand,
  type Command,
  type CommandOf,
  type EntryType,
  type StoredReply,
  type WalletCommand,
} from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import { EarlierResult, payloadHashOf, recordOf, replayOf, replyOf, type CommandOutcome } from '../command-outcomes';
import { postedResult, unchangedResult } from '../commands/wallet-result';
import type { CommandResult } from '../command-executor';
import { LedgerRejection } from '../errors';
import { earlierRefund, paymentOfSale, refundOfSale, refundStateOf, saleChanged, saleFigures, saleSummary, type RefundState, type SaleState } from '../sale-rules';
import { entryOf, outboxOf, type EntryFields, type Posting } from '../wallet-ledger';
import { balanceAfterPosting, refundedAfter } from '../wallet-rules';

/** The commands a group commit decides as sets: those that touch only wallets and balance payments. */
export type SetCommand = BalanceChangeCommand | CommandOf<'balance.pay'> | CommandOf<'balance.refund'>;

const setCommandTypes: ReadonlySet<Command['type']> = new Set<SetCommand['type']>([
  'balance.add',
  'balance.credit',
  'balance.deduct',
  'balance.debit',
  'balance.pay',
  'balance.refund',
]);

export function isSetCommand(command: Command): command is SetCommand {
  return setCommandTypes.has(command.type);
}

const balanceChangeEntries: Record<BalanceChangeCommand['type'], { type: EntryType; direction: 1 | -1 }> = {
  'balance.add': { type: 'balance_added', direction: 1 },
  'balance.credit': { type: 'balance_credit', direction: 1 },
  'balance.deduct': { type: 'balance_deducted', direction: -1 },
  'balance.debit': { type: 'balance_debit', direction: -1 },
};

export interface WalletRow {
  businessId: string;
  id: string;
  clientId: string;
  currency: string;
  balance: string;
  lastSequence: number;
  version: number;
}

export interface PaymentRow {
  businessId: string;
  commandId: string;
  walletId: string;
  clientId: string;
  currency: string;
  saleId: string;
  amountApplied: string;
  amountRefunded: string;
  version: number;
}

export interface SaleRow extends SaleState {
  version: number;
}

export type RefundRow = RefundState;

export interface RecordRow {
  businessId: string;
  commandId: string;
  commandType: string;
  payloadHash: string;
  reply: StoredReply;
  createdAt: Date;
}

/** What the group's commands read, loaded in one query per table before any of them is decided. */
export interface GroupState {
  records: RecordRow[];
  wallets: WalletRow[];
  payments: PaymentRow[];
  sales: SaleRow[];
  refunds: RefundRow[];
}

export interface WalletWrite extends WalletRow {
  createdAt: Date;
  updatedAt: Date;
}

export type EntryWrite = EntryFields;

export interface PaymentWrite extends PaymentRow {
  createdAt: Date;
}

export interface SaleWrite extends SaleRow {
  createdAt: Date;
  updatedAt: Date;
}

export interface RefundWrite extends RefundRow {
  saleId: string;
  amount: string;
  createdAt: Date;
}

export type OutboxWrite = ReturnType<typeof outboxOf>;

/**
 * Every row the group writes, one list per statement. Updates carry the version they read: a row another writer
 * changed in between is not updated, and the store refuses the whole group.
 */
export interface GroupWrites {
  newWallets: WalletWrite[];
  changedWallets: WalletWrite[];
  entries: EntryWrite[];
  newPayments: PaymentWrite[];
  changedPayments: PaymentWrite[];
  newSales: SaleWrite[];
  changedSales: SaleWrite[];
  newRefunds: RefundWrite[];
  records: RecordRow[];
  outbox: OutboxWrite[];
}

export interface GroupPlan {
  outcomes: CommandOutcome[];
  writes: GroupWrites;
}

interface PlannedWallet extends WalletWrite {
  stored: boolean;
  changed: boolean;
  /** Opened in memory; it exists only once an entry is posted to it. */
  posted: boolean;
}

interface PlannedPayment extends PaymentWrite {
  stored: boolean;
  changed: boolean;
}

interface PlannedSale extends SaleWrite {
  stored: boolean;
  changed: boolean;
}

/**
 * Decides a group of commands in memory, in order, as the one-by-one path would decide them one transaction after
 * another: each sees the balances, sequences, payments and idempotency records the commands before it left. The
 * result is every command's outcome and the rows to write. Pure: no I/O, the clock and ids are the only inputs
 * beyond the arguments.
 */
export function planGroup(commands: readonly SetCommand[], state: GroupState, now: () => Date): GroupPlan {
  return new GroupPlanner(state, now).plan(commands);
}

class GroupPlanner {
  private readonly wallets = new Map<string, PlannedWallet>();
  private readonly payments = new Map<string, PlannedPayment>();
  private readonly sales = new Map<string, PlannedSale>();
  private readonly refunds = new Map<string, RefundRow>();
  private readonly newRefunds: RefundWrite[] = [];
  private readonly records = new Map<string, RecordRow>();
  private readonly newRecords: RecordRow[] = [];
  private readonly entries: EntryWrite[] = [];
  private readonly outbox: OutboxWrite[] = [];

  constructor(
    state: GroupState,
    private readonly now: () => Date,
  ) {
    for (const row of state.wallets) {
      const at = new Date(0);
      this.wallets.set(walletKey(row.businessId, row.clientId, row.currency), { ...row, createdAt: at, updatedAt: at, stored: true, changed: false, posted: true });
    }
    for (const row of state.payments) {
      this.payments.set(recordKey(row.businessId, row.commandId), { ...row, createdAt: new Date(0), stored: true, changed: false });
    }
    for (const row of state.sales) {
      this.sales.set(recordKey(row.businessId, row.saleId), { ...row, createdAt: new Date(0), updatedAt: new Date(0), stored: true, changed: false });
    }
    for (const row of state.refunds) this.refunds.set(recordKey(row.businessId, row.refundId), row);
    for (const row of state.records) this.records.set(recordKey(row.businessId, row.commandId), row);
  }

  plan(commands: readonly SetCommand[]): GroupPlan {
    const outcomes = commands.map((command) => this.decide(command));
    const wallets = [...this.wallets.values()];
    const payments = [...this.payments.values()];
    const sales = [...this.sales.values()];
    return {
      outcomes,
      writes: {
        newWallets: wallets.filter((wallet) => !wallet.stored && wallet.posted).map(walletWrite),
        changedWallets: wallets.filter((wallet) => wallet.stored && wallet.changed).map(walletWrite),
        entries: this.entries,
        newPayments: payments.filter((payment) => !payment.stored).map(paymentWrite),
        changedPayments: payments.filter((payment) => payment.stored && payment.changed).map(paymentWrite),
        newSales: sales.filter((sale) => !sale.stored).map(saleWrite),
        changedSales: sales.filter((sale) => sale.stored && sale.changed).map(saleWrite),
        newRefunds: this.newRefunds,
        records: this.newRecords,
        outbox: this.outbox,
      },
    };
  }

  /** The one-by-one path's CommandExecutor, decided in memory: replay, or apply and store the outcome. */
  private decide(command: SetCommand): CommandOutcome {
    const key = recordKey(command.businessId, command.commandId);
    const payloadHash = payloadHashOf(command);
    const existing = this.records.get(key);
    if (existing) return replayOf(command, payloadHash, existing);
    const now = this.now();
    let reply: StoredReply;
    let earlier = false;
    try {
      const result = this.apply(command, now);
      earlier = result instanceof EarlierResult;
      reply = replyOf(command, now, { status: 'applied', result: result instanceof EarlierResult ? result.result : result });
    } catch (error) {
      if (!(error instanceof LedgerRejection)) throw error;
      reply = replyOf(command, now, { status: 'rejected', error: error.toBody() });
    }
    const record = recordOf(command, payloadHash, reply, now);
    this.records.set(key, record);
    this.newRecords.push(record);
    return { reply, replayed: earlier };
  }

  /** Every check comes before the first change, so a rejection leaves the group's state as it found it. */
  private apply(command: SetCommand, now: Date): CommandResult | EarlierResult {
    switch (command.type) {
      case 'balance.pay':
        return this.pay(command, now);
      case 'balance.refund':
        return this.refund(command, now);
      default: {
        const { type, direction } = balanceChangeEntries[command.type];
        const reference = { referenceType: command.reference?.type ?? 'manual', referenceId: command.reference?.id ?? null };
        return postedResult(this.post(command, { type, amount: new Decimal(command.amount).times(direction), ...reference }, now));
      }
    }
  }

  private pay(command: CommandOf<'balance.pay'>, now: Date): CommandResult {
    const wallet = this.wallet(command);
    const found = this.sales.get(recordKey(command.businessId, command.saleId));
    const payment = paymentOfSale(found, command, new Decimal(wallet.balance));
    const extra = { amountStillOwed: payment.amountStillOwed, sale: saleSummary(payment.sale) };
    if (payment.applied.isZero()) {
      // A payment that takes nothing changes nothing, the sale's record included (sale-rules.ts: paymentOfSale).
      const seen = wallet.posted ? wallet : null;
      return unchangedResult(seen, command, formatAmount(0, command.currency), extra);
    }
    const posting: Posting = { type: 'used_for_payment', amount: payment.applied.negated(), referenceType: 'payment', referenceId: command.saleId };
    const posted = this.post(command, posting, now);
    this.storeSale(found, payment.sale, now);
    this.payments.set(recordKey(command.businessId, command.commandId), {
      businessId: command.businessId,
      commandId: command.commandId,
      walletId: posted.wallet.id,
      clientId: command.clientId,
      currency: command.currency,
      saleId: command.saleId,
      amountApplied: formatAmount(payment.applied, command.currency),
      amountRefunded: formatAmount(0, command.currency),
      version: 1,
      createdAt: now,
      stored: false,
      changed: false,
    });
    return postedResult(posted, extra);
  }

  /** Every check (refund id, payment, sale, balance) comes before the first change, as in RefundToBalanceHandler. */
  private refund(command: CommandOf<'balance.refund'>, now: Date): CommandResult | EarlierResult {
    const earlier = earlierRefund(this.refunds.get(recordKey(command.businessId, command.refundId)), command);
    if (earlier) return new EarlierResult(earlier);
    const amount = new Decimal(command.amount);
    const paid =
      command.paymentCommandId === undefined
        ? undefined
        : refundedAfter(this.payments.get(recordKey(command.businessId, command.paymentCommandId)), command, command.paymentCommandId, amount);
    const saleId = paid?.payment.saleId ?? command.saleId;
    if (saleId === undefined) throw new Error(`refund ${command.refundId} names neither a payment nor a sale`);
    const found = this.sales.get(recordKey(command.businessId, saleId));
    const sale = refundOfSale(found, command, { saleId, payment: paid?.payment }, amount);
    const posting: Posting = { type: 'refund_credit', amount, referenceType: 'refund', referenceId: command.refundId };
    const posted = this.post(command, posting, now);
    if (paid) {
      paid.payment.amountRefunded = paid.refunded;
      paid.payment.changed = true;
    }
    this.storeSale(found, sale, now);
    const result = postedResult(posted, { sale: saleSummary(sale) });
    const refund = refundStateOf(command, result);
    this.refunds.set(recordKey(command.businessId, command.refundId), refund);
    this.newRefunds.push({ ...refund, saleId, amount: command.amount, createdAt: now });
    return result;
  }

  /** The sale as decided: new (written once, as it ends the group) or changed (written with the version it was read at). */
  private storeSale(found: PlannedSale | undefined, decided: SaleState, now: Date): void {
    if (!found) {
      this.sales.set(recordKey(decided.businessId, decided.saleId), { ...decided, version: 1, createdAt: now, updatedAt: now, stored: false, changed: true });
      return;
    }
    if (!saleChanged(found, decided)) return;
    Object.assign(found, saleFigures(decided), { updatedAt: now, changed: true });
  }

  /** WalletLedger.post in memory: the entry, the balance, the sequence and the event, or a rejection and no change. */
  private post(command: WalletCommand, posting: Posting, now: Date) {
    const wallet = this.wallet(command);
    const balance = balanceAfterPosting(wallet.balance, posting.amount, wallet.currency);
    if (!wallet.posted) {
      wallet.posted = true;
      wallet.id = uuidv7();
      wallet.createdAt = now;
    }
    wallet.balance = balance;
    wallet.changed = true;
    wallet.lastSequence += 1;
    wallet.updatedAt = now;
    const entry = entryOf(wallet, command, posting, now);
    this.entries.push(entry);
    this.outbox.push(outboxOf(entry));
    return { wallet, entry };
  }

  /** The wallet as the commands before this one left it; one that does not exist yet holds zero. */
  private wallet(command: WalletCommand): PlannedWallet {
    const key = walletKey(command.businessId, command.clientId, command.currency);
    let wallet = this.wallets.get(key);
    if (!wallet) {
      wallet = {
        businessId: command.businessId,
        id: '',
        clientId: command.clientId,
        currency: command.currency,
        balance: formatAmount(0, command.currency),
        lastSequence: 0,
        version: 1,
        createdAt: new Date(0),
        updatedAt: new Date(0),
        stored: false,
        changed: false,
        posted: false,
      };
      this.wallets.set(key, wallet);
    }
    return wallet;
  }
}

function recordKey(businessId: string, commandId: string): string {
  return `${businessId}\u0000${commandId}`;
}

function walletWrite({ stored: _stored, changed: _changed, posted: _posted, ...row }: PlannedWallet): WalletWrite {
  return row;
}

function paymentWrite({ stored: _stored, changed: _changed, ...row }: PlannedPayment): PaymentWrite {
  return row;
}

function saleWrite({ stored: _stored, changed: _changed, ...row }: PlannedSale): SaleWrite {
  return row;
}
