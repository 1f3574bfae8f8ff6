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
import { payloadHashOf, recordOf, replayOf, replyOf, type CommandOutcome } from '../command-outcomes';
import { paymentToApply } from '../commands/payment-cap';
import { postedResult, unchangedResult } from '../commands/wallet-result';
import type { CommandResult } from '../command-executor';
import { LedgerRejection } from '../errors';
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
}

export interface WalletWrite extends WalletRow {
  createdAt: Date;
  updatedAt: Date;
}

export type EntryWrite = EntryFields;

export interface PaymentWrite extends PaymentRow {
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
    for (const row of state.records) this.records.set(recordKey(row.businessId, row.commandId), row);
  }

  plan(commands: readonly SetCommand[]): GroupPlan {
    const outcomes = commands.map((command) => this.decide(command));
    const wallets = [...this.wallets.values()];
    const payments = [...this.payments.values()];
    return {
      outcomes,
      writes: {
        newWallets: wallets.filter((wallet) => !wallet.stored && wallet.posted).map(walletWrite),
        changedWallets: wallets.filter((wallet) => wallet.stored && wallet.changed).map(walletWrite),
        entries: this.entries,
        newPayments: payments.filter((payment) => !payment.stored).map(paymentWrite),
        changedPayments: payments.filter((payment) => payment.stored && payment.changed).map(paymentWrite),
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
    try {
      reply = replyOf(command, now, { status: 'applied', result: this.apply(command, now) });
    } catch (error) {
      if (!(error instanceof LedgerRejection)) throw error;
      reply = replyOf(command, now, { status: 'rejected', error: error.toBody() });
    }
    const record = recordOf(command, payloadHash, reply, now);
    this.records.set(key, record);
    this.newRecords.push(record);
    return { reply, replayed: false };
  }

  /** Every check comes before the first change, so a rejection leaves the group's state as it found it. */
  private apply(command: SetCommand, now: Date): CommandResult {
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
    const owed = new Decimal(command.amountOwed);
    const requested = command.amountRequested === undefined ? undefined : new Decimal(command.amountRequested);
    const applied = paymentToApply(new Decimal(wallet.balance), owed, requested);
    const stillOwed = formatAmount(owed.minus(applied), command.currency);
    if (applied.isZero()) {
      const seen = wallet.posted ? wallet : null;
      return unchangedResult(seen, command, formatAmount(0, command.currency), { amountStillOwed: stillOwed });
    }
    const posting: Posting = { type: 'used_for_payment', amount: applied.negated(), referenceType: 'payment', referenceId: command.saleId };
    const posted = this.post(command, posting, now);
    this.payments.set(recordKey(command.businessId, command.commandId), {
      businessId: command.businessId,
      commandId: command.commandId,
      walletId: posted.wallet.id,
      clientId: command.clientId,
      currency: command.currency,
      saleId: command.saleId,
      amountApplied: formatAmount(applied, command.currency),
      amountRefunded: formatAmount(0, command.currency),
      version: 1,
      createdAt: now,
      stored: false,
      changed: false,
    });
    return postedResult(posted, { amountStillOwed: stillOwed });
  }

  private refund(command: CommandOf<'balance.refund'>, now: Date): CommandResult {
    const amount = new Decimal(command.amount);
    const posting: Posting = { type: 'refund_credit', amount, referenceType: 'refund', referenceId: command.refundId };
    if (command.paymentCommandId === undefined) return postedResult(this.post(command, posting, now));
    const found = this.payments.get(recordKey(command.businessId, command.paymentCommandId));
    const { payment, refunded } = refundedAfter(found, command, command.paymentCommandId, amount);
    const posted = this.post(command, posting, now);
    payment.amountRefunded = refunded;
    payment.changed = true;
    return postedResult(posted);
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
