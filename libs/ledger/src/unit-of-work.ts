import {
  formatAmount,
  giftCardsKey,
  refundGraceDaysDefault,
  hashGiftCardCode,
  walletKey,
  Decimal,
  type Actor,
  type Allocation,
  type BonusTierRule,
  type CreatedLot,
  type EntryRecorded,
  type EntryReferenceType,
  type EntryType,
  type GiftCardEvent,
  type GiftCardResult,
  type HoldEvent,
  type LotSource,
  type StoredReply,
  type WalletCommand,
} from '@storecredit/contracts';
import { v7 as uuidv7 } from 'uuid';
import type { HoldState } from './hold-rules';
import { allocationView, createdLotView, drawInOrder, type DrawnState, type LotSpec, type LotState } from './lot-rules';
import { saleChanged, saleFigures, type RefundState, type SaleState } from './sale-rules';
import { availableOf, balanceAfterPosting } from './wallet-rules';

export interface WalletRow {
  businessId: string;
  id: string;
  clientId: string;
  currency: string;
  balance: string;
  /** The sum of its active holds: available = balance - held. */
  held: string;
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
  /** The used_for_payment entry (null for a payment made before lots): its allocations are what a refund gives back. */
  entryId: string | null;
  version: number;
}

/** A credit lot: where a unit of credit came from, what remains of it, when it expires. */
export interface LotRow extends LotState {
  businessId: string;
  walletId: string;
  clientId: string;
  currency: string;
  /** The credit entry that created it; null only for an `opening` lot (a balance from before lots). */
  entryId: string | null;
  restoredFrom: string | null;
  /** A bonus lot: the balance_added entry whose top-up earned it. */
  bonusForEntryId: string | null;
  version: number;
}

/** What a recorded debit drew from one lot (read with the lot's source and expiry). */
export interface DrawnRow extends DrawnState {
  businessId: string;
  entryId: string;
  position: number;
}

/** An entry a reversal names: enough of it to decide the reversal. */
export interface EntryRow {
  businessId: string;
  id: string;
  walletId: string;
  clientId: string;
  currency: string;
  type: EntryType;
  amount: string;
  reversed: boolean;
}

export interface BonusRuleRow {
  businessId: string;
  currency: string;
  tiers: BonusTierRule[];
  expiresInDays: number | null;
}

export interface CreditSettingsRow {
  businessId: string;
  refundGraceDays: number;
}

export interface SaleRow extends SaleState {
  version: number;
}

export type RefundRow = RefundState;

export interface HoldRow extends HoldState {
  version: number;
  createdAt: Date;
}

export interface GiftCardRow {
  businessId: string;
  id: string;
  codeHash: string;
  last4: string;
  amount: string;
  currency: string;
  status: GiftCardResult['status'];
  expiresAt: Date | null;
  redeemedClientId: string | null;
  redeemedAt: Date | null;
  voidedAt: Date | null;
  issuedBy: string;
  version: number;
  createdAt: Date;
}

export interface RecordRow {
  businessId: string;
  commandId: string;
  commandType: string;
  payloadHash: string;
  reply: StoredReply;
  createdAt: Date;
}

/** What a group's commands depend on, read in one statement before any of them is decided (group-store.ts). */
export interface GroupState {
  records: RecordRow[];
  wallets: WalletRow[];
  payments: PaymentRow[];
  sales: SaleRow[];
  refunds: RefundRow[];
  giftCards: GiftCardRow[];
  holds: HoldRow[];
  lots: LotRow[];
  drawn: DrawnRow[];
  entries: EntryRow[];
  bonusRules: BonusRuleRow[];
  creditSettings: CreditSettingsRow[];
  /** The wallets (walletKey) whose open lots are all in `lots`: those a command of the group may debit. */
  lotWallets?: string[];
}

export interface WalletWrite extends WalletRow {
  createdAt: Date;
  updatedAt: Date;
}

export interface EntryWrite {
  businessId: string;
  id: string;
  walletId: string;
  clientId: string;
  currency: string;
  sequence: number;
  type: EntryType;
  amount: string;
  balanceAfter: string;
  referenceType: EntryReferenceType;
  referenceId: string | null;
  note: string | null;
  actor: string;
  commandId: string;
  createdAt: Date;
  reversesEntryId: string | null;
  bonusTier: BonusTierRule | null;
}

export interface AllocationWrite {
  businessId: string;
  entryId: string;
  position: number;
  lotId: string;
  walletId: string;
  currency: string;
  source: LotSource;
  entryType: EntryType;
  amount: string;
  createdAt: Date;
}

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

export interface OutboxWrite {
  id: string;
  businessId: string;
  messageKey: string;
  sequence: number;
  payload: EntryRecorded | GiftCardEvent | HoldEvent;
  /** The W3C traceparent of the command that wrote it, when that command was traced: its event continues the trace. */
  traceParent?: string;
}

/**
 * Every row a group writes, one list per part of the write statement. Changed rows carry the version they were read
 * at: a row another writer changed in between is not updated, and the store refuses the whole group.
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
  newGiftCards: GiftCardRow[];
  changedGiftCards: GiftCardRow[];
  newHolds: HoldRow[];
  changedHolds: HoldRow[];
  newLots: LotRow[];
  changedLots: LotRow[];
  allocations: AllocationWrite[];
  records: RecordRow[];
  outbox: OutboxWrite[];
}

/** A balance change as a handler decides it. */
export interface Posting {
  type: EntryType;
  /** Signed: positive adds to the balance, negative takes from it. */
  amount: Decimal;
  referenceType: EntryReferenceType;
  referenceId: string | null;
  /** A credit: the lots it creates (their amounts sum to the amount). */
  lots?: LotSpec[];
  /** A debit from named lots (an expiry, the reversal of an add), drawn in this order; else the consumption order. */
  from?: string[];
  reversesEntryId?: string;
  bonusTier?: BonusTierRule;
}

/** Whether a row was read from the database, and whether the group changed it. */
interface Tracked {
  stored: boolean;
  changed: boolean;
}

/** A wallet as the commands before this one left it; `posted` once it holds an entry (only then is it written). */
export type WorkWallet = WalletWrite & Tracked & { posted: boolean };
export type WorkPayment = PaymentWrite & Tracked;
export type WorkSale = SaleWrite & Tracked;
export type WorkGiftCard = GiftCardRow & Tracked;
export type WorkHold = HoldRow & Tracked;
export type WorkLot = LotRow & Tracked;
/** An entry as a reversal sees it; `reversed` is what the group decided (the reversal entry itself is what is written). */
export type WorkEntry = EntryRow;

export interface Posted {
  wallet: WorkWallet;
  entry: EntryWrite;
  /** A credit's lots. */
  lots: CreatedLot[];
  /** A debit's draws, in the order drawn. */
  allocations: Allocation[];
}

/** A group that read nothing: every command of it starts from empty wallets (tests decide against it). */
export function emptyGroupState(): GroupState {
  return { records: [], wallets: [], payments: [], sales: [], refunds: [], giftCards: [], holds: [], lots: [], drawn: [], entries: [], bonusRules: [], creditSettings: [] };
}

/** A mark in the unit of work's history: rolling back to it undoes every change made after it. */
export type WorkMark = number;

/**
 * The in-memory state of one group of commands: the rows they read (loaded once, by the group's read statement) and
 * every change the handlers decide, in order, each seeing what the commands before it left. Handlers read and change
 * it only through these methods; each change is journaled, so a command that is refused after changing something is
 * undone to its mark (`rollbackTo`) and leaves the group as it found it. `writes()` is what the store writes in one
 * statement. No I/O: the clock reading and generated ids are the only inputs beyond the loaded rows.
 */
export class UnitOfWork {
  private readonly wallets = new Map<string, WorkWallet>();
  private readonly payments = new Map<string, WorkPayment>();
  private readonly sales = new Map<string, WorkSale>();
  private readonly refunds = new Map<string, RefundRow>();
  private readonly giftCardsById = new Map<string, WorkGiftCard>();
  private readonly giftCardsByCode = new Map<string, WorkGiftCard>();
  private readonly holds = new Map<string, WorkHold>();
  private readonly records = new Map<string, RecordRow>();
  private readonly lots = new Map<string, WorkLot>();
  private readonly lotsByWallet = new Map<string, WorkLot[]>();
  /** Wallets whose open lots the read loaded (every wallet a command of the group may debit). */
  private readonly lotsLoaded = new Set<string>();
  private readonly drawn = new Map<string, DrawnState[]>();
  private readonly targetEntries = new Map<string, WorkEntry>();
  private readonly bonusRules = new Map<string, BonusRuleRow>();
  private readonly creditSettings = new Map<string, CreditSettingsRow>();
  private readonly allocations: AllocationWrite[] = [];
  private readonly newRefunds: RefundWrite[] = [];
  private readonly newRecords: RecordRow[] = [];
  private readonly entries: EntryWrite[] = [];
  private readonly outbox: OutboxWrite[] = [];
  private readonly journal: (() => void)[] = [];

  constructor(state: GroupState) {
    const loadedAt = new Date(0);
    for (const row of state.wallets) {
      this.wallets.set(walletKey(row.businessId, row.clientId, row.currency), { ...row, createdAt: loadedAt, updatedAt: loadedAt, ...loaded, posted: true });
    }
    for (const row of state.payments) this.payments.set(key(row.businessId, row.commandId), { ...row, createdAt: loadedAt, ...loaded });
    for (const row of state.sales) this.sales.set(key(row.businessId, row.saleId), { ...row, createdAt: loadedAt, updatedAt: loadedAt, ...loaded });
    for (const row of state.refunds) this.refunds.set(key(row.businessId, row.refundId), row);
    for (const row of state.giftCards) this.indexGiftCard({ ...row, ...loaded });
    for (const row of state.holds) this.holds.set(key(row.businessId, row.holdId), { ...row, ...loaded });
    for (const row of state.records) this.records.set(key(row.businessId, row.commandId), row);
    for (const key of state.lotWallets ?? []) this.lotsLoaded.add(key);
    for (const row of state.lots) this.indexLot({ ...row, ...loaded });
    for (const row of state.drawn) {
      const at = key(row.businessId, row.entryId);
      const list = this.drawn.get(at) ?? [];
      list[row.position] = { lotId: row.lotId, source: row.source, amount: row.amount, expiresAt: row.expiresAt };
      this.drawn.set(at, list);
    }
    for (const row of state.entries) this.targetEntries.set(key(row.businessId, row.id), { ...row });
    for (const row of state.bonusRules) this.bonusRules.set(key(row.businessId, row.currency), row);
    for (const row of state.creditSettings) this.creditSettings.set(row.businessId, row);
  }

  // ---- reading

  record(businessId: string, commandId: string): RecordRow | undefined {
    return this.records.get(key(businessId, commandId));
  }

  /** The wallet of a client and currency; one that does not exist yet holds zero and is not written unless posted to. */
  wallet(command: Pick<WalletCommand, 'businessId' | 'clientId' | 'currency'>): WorkWallet {
    const walletId = walletKey(command.businessId, command.clientId, command.currency);
    let wallet = this.wallets.get(walletId);
    if (!wallet) {
      const never = new Date(0);
      wallet = {
        businessId: command.businessId,
        id: '',
        clientId: command.clientId,
        currency: command.currency,
        balance: formatAmount(0, command.currency),
        held: formatAmount(0, command.currency),
        lastSequence: 0,
        version: 1,
        createdAt: never,
        updatedAt: never,
        stored: false,
        changed: false,
        posted: false,
      };
      this.wallets.set(walletId, wallet);
    }
    return wallet;
  }

  payment(businessId: string, commandId: string): WorkPayment | undefined {
    return this.payments.get(key(businessId, commandId));
  }

  /**
   * The balance payments of a sale, oldest first: all of them when the group read them (a refund by sale), and those
   * the group made.
   */
  paymentsOfSale(businessId: string, saleId: string): WorkPayment[] {
    return [...this.payments.values()].filter((payment) => payment.businessId === businessId && payment.saleId === saleId);
  }

  sale(businessId: string, saleId: string): WorkSale | undefined {
    return this.sales.get(key(businessId, saleId));
  }

  refund(businessId: string, refundId: string): RefundRow | undefined {
    return this.refunds.get(key(businessId, refundId));
  }

  giftCardByCode(businessId: string, code: string): WorkGiftCard | undefined {
    return this.giftCardsByCode.get(key(businessId, hashGiftCardCode(code)));
  }

  giftCardById(businessId: string, id: string): WorkGiftCard | undefined {
    return this.giftCardsById.get(key(businessId, id));
  }

  hold(businessId: string, holdId: string): WorkHold | undefined {
    return this.holds.get(key(businessId, holdId));
  }

  lot(businessId: string, lotId: string): WorkLot | undefined {
    return this.lots.get(key(businessId, lotId));
  }

  /** The lots a credit entry created (a top-up's paid lot and the bonus lot it earned, for a balance_added). */
  lotsOfEntry(businessId: string, entryId: string): WorkLot[] {
    return [...this.lots.values()].filter((lot) => lot.businessId === businessId && (lot.entryId === entryId || lot.bonusForEntryId === entryId));
  }

  /** What a debit entry drew from each lot, in the order drawn ([] when it drew from none: made before lots). */
  drawnBy(businessId: string, entryId: string | null): DrawnState[] {
    return entryId === null ? [] : (this.drawn.get(key(businessId, entryId)) ?? []);
  }

  /** An entry a reversal names, as read (and whether it is reversed, counting reversals earlier in the group). */
  entry(businessId: string, entryId: string): WorkEntry | undefined {
    return this.targetEntries.get(key(businessId, entryId));
  }

  bonusRule(businessId: string, currency: string): BonusRuleRow | undefined {
    return this.bonusRules.get(key(businessId, currency));
  }

  /** Days a given-back lot whose expiry has passed still lasts. */
  refundGraceDays(businessId: string): number {
    return this.creditSettings.get(businessId)?.refundGraceDays ?? refundGraceDaysDefault;
  }

  // ---- changing

  /**
   * The one place a balance changes: the entry, the balance, the sequence, the lots and the event, or a rejection and
   * no change. A credit creates the lots the posting names; a debit draws from the wallet's lots in the consumption
   * order (or from the lots it names), so Σ remaining = balance after every posting.
   */
  post(command: WalletCommand, posting: Posting, now: Date): Posted {
    const wallet = this.wallet(command);
    const balance = balanceAfterPosting(wallet.balance, posting.amount, wallet.currency, wallet.held);
    const opened = wallet.posted ? {} : { posted: true, id: uuidv7(), createdAt: now };
    this.change(wallet, { ...opened, balance, lastSequence: wallet.lastSequence + 1, updatedAt: now, changed: true });
    const entry = entryOf(wallet, command, posting, now);
    const lots = posting.amount.isPositive() ? this.createLots(wallet, entry, posting) : [];
    const allocations = posting.amount.isNegative() ? this.drawLots(wallet, entry, posting) : [];
    this.append(this.entries, entry);
    this.append(this.outbox, entryOutboxOf(entry, lots, allocations));
    // A later command of the group may name this entry (a reversal): it sees it as a read would.
    const { businessId, id, walletId, clientId, currency, type, amount } = entry;
    this.put(this.targetEntries, key(businessId, id), { businessId, id, walletId, clientId, currency, type, amount, reversed: false });
    return { wallet, entry, lots, allocations };
  }

  /** The lots a credit creates; their amounts must make up the credit exactly. */
  private createLots(wallet: WorkWallet, entry: EntryWrite, posting: Posting): CreatedLot[] {
    const specs = posting.lots ?? [];
    const total = specs.reduce((sum, spec) => sum.plus(spec.amount), new Decimal(0));
    if (!total.eq(posting.amount)) throw new Error(`a credit of ${entry.amount} names lots of ${total.toFixed()}`);
    return specs.map((spec) => {
      const amount = formatAmount(spec.amount, wallet.currency);
      const lot: WorkLot = {
        businessId: wallet.businessId,
        id: uuidv7(),
        walletId: wallet.id,
        clientId: wallet.clientId,
        currency: wallet.currency,
        source: spec.source,
        amount,
        remaining: amount,
        expiresAt: spec.expiresAt,
        entryId: entry.id,
        restoredFrom: spec.restoredFrom ?? null,
        bonusForEntryId: spec.bonusForEntryId ?? null,
        version: 1,
        createdAt: entry.createdAt,
        stored: false,
        changed: true,
      };
      this.indexLot(lot);
      this.journal.push(() => this.unindexLot(lot));
      return createdLotView(lot);
    });
  }

  /** What a debit draws from the wallet's lots: the lots it names, or the consumption order. */
  private drawLots(wallet: WorkWallet, entry: EntryWrite, posting: Posting): Allocation[] {
    const walletId = walletKey(wallet.businessId, wallet.clientId, wallet.currency);
    if (wallet.stored && !this.lotsLoaded.has(walletId)) throw new Error(`a debit of wallet ${walletId}, whose lots the group did not read`);
    const amount = posting.amount.negated();
    const open = this.lotsByWallet.get(walletId) ?? [];
    const draws = posting.from ? drawNamed(posting.from.map((id) => this.lot(wallet.businessId, id) as WorkLot), amount) : drawInOrder(open, amount, wallet.currency);
    const drawn = draws.map((draw, position) => {
      const lot = this.lot(wallet.businessId, draw.lotId) as WorkLot;
      const remaining = new Decimal(lot.remaining).minus(draw.amount);
      if (remaining.isNegative()) throw new Error(`lot ${lot.id} would go below zero`);
      this.change(lot, { remaining: formatAmount(remaining, lot.currency), changed: true });
      const view: DrawnState = { lotId: lot.id, source: lot.source, amount: formatAmount(draw.amount, lot.currency), expiresAt: lot.expiresAt };
      this.append(this.allocations, {
        businessId: wallet.businessId,
        entryId: entry.id,
        position,
        lotId: lot.id,
        walletId: wallet.id,
        currency: wallet.currency,
        source: lot.source,
        entryType: entry.type,
        amount: view.amount,
        createdAt: entry.createdAt,
      });
      return view;
    });
    this.put(this.drawn, key(wallet.businessId, entry.id), drawn);
    return drawn.map(allocationView);
  }

  /** Marks an entry reversed (the write's unique index backs it: a second reversal fails the group). */
  markReversed(entry: WorkEntry): void {
    this.change(entry, { reversed: true });
  }

  /** A balance payment (a pay, or a hold's capture): refundable by the command's id up to what it applied. */
  addPayment(command: WalletCommand, posted: Posted, saleId: string, applied: Decimal, now: Date): void {
    const payment: WorkPayment = {
      entryId: posted.entry.id,
      businessId: command.businessId,
      commandId: command.commandId,
      walletId: posted.wallet.id,
      clientId: command.clientId,
      currency: command.currency,
      saleId,
      amountApplied: formatAmount(applied, command.currency),
      amountRefunded: formatAmount(0, command.currency),
      version: 1,
      createdAt: now,
      stored: false,
      changed: true,
    };
    this.put(this.payments, key(payment.businessId, payment.commandId), payment);
  }

  /** What a wallet can spend now: its balance less its active holds. */
  available(wallet: WalletRow): Decimal {
    return availableOf(wallet.balance, wallet.held);
  }

  changePayment(payment: WorkPayment, changes: Pick<PaymentRow, 'amountRefunded'>): void {
    this.change(payment, { ...changes, changed: true });
  }

  /** A sale as decided: new (written once, as the group ends) or changed (written with the version it was read at). */
  storeSale(found: WorkSale | undefined, decided: SaleState, now: Date): void {
    if (!found) {
      this.put(this.sales, key(decided.businessId, decided.saleId), { ...decided, version: 1, createdAt: now, updatedAt: now, stored: false, changed: true });
      return;
    }
    if (!saleChanged(found, decided)) return;
    this.change(found, { ...saleFigures(decided), updatedAt: now, changed: true });
  }

  addRefund(refund: RefundWrite): void {
    this.put(this.refunds, key(refund.businessId, refund.refundId), refund);
    this.append(this.newRefunds, refund);
  }

  addGiftCard(card: GiftCardRow): WorkGiftCard {
    const added: WorkGiftCard = { ...card, stored: false, changed: true };
    this.indexGiftCard(added);
    this.journal.push(() => {
      this.giftCardsById.delete(key(card.businessId, card.id));
      this.giftCardsByCode.delete(key(card.businessId, card.codeHash));
    });
    return added;
  }

  changeGiftCard(card: WorkGiftCard, changes: Partial<Pick<GiftCardRow, 'status' | 'redeemedClientId' | 'redeemedAt' | 'voidedAt'>>): void {
    this.change(card, { ...changes, changed: true });
  }

  /** A gift card's lifecycle event, published in order with the business's other card events. */
  giftCardEvent(card: GiftCardRow, type: GiftCardEvent['type'], commandId: string, now: Date): void {
    const event: GiftCardEvent = {
      schemaVersion: 1,
      type,
      eventId: uuidv7(),
      businessId: card.businessId,
      giftCardId: card.id,
      last4: card.last4,
      amount: card.amount,
      currency: card.currency,
      expiresAt: card.expiresAt?.toISOString() ?? null,
      commandId,
      occurredAt: now.toISOString(),
    };
    this.append(this.outbox, { id: event.eventId, businessId: card.businessId, messageKey: giftCardsKey(card.businessId), sequence: 0, payload: event });
  }

  /** A hold placed on a wallet that has entries: what it holds is no longer available. */
  placeHold(wallet: WorkWallet, hold: HoldRow): WorkHold {
    if (!wallet.posted) throw new Error('a hold needs a wallet with a balance');
    const held = new Decimal(wallet.held).plus(hold.amount);
    if (held.gt(wallet.balance)) throw new Error(`hold ${hold.holdId} would hold more than the balance`);
    this.change(wallet, { held: formatAmount(held, wallet.currency), updatedAt: hold.createdAt, changed: true });
    const placed: WorkHold = { ...hold, stored: false, changed: true };
    this.put(this.holds, key(hold.businessId, hold.holdId), placed);
    return placed;
  }

  /** A hold ended: what it held leaves the wallet's held (before a capture posts what it took). */
  endHold(wallet: WorkWallet, hold: WorkHold, end: Pick<HoldRow, 'status' | 'captured' | 'endedBy' | 'endedAt'>): void {
    const held = new Decimal(wallet.held).minus(hold.amount);
    if (held.isNegative()) throw new Error(`hold ${hold.holdId} ends with more than its wallet holds`);
    this.change(wallet, { held: formatAmount(held, wallet.currency), updatedAt: end.endedAt ?? wallet.updatedAt, changed: true });
    this.change(hold, { ...end, changed: true });
  }

  /** A hold's event, in its wallet's order: after the wallet's last entry, before its next. */
  holdEvent(wallet: WalletRow, hold: HoldRow, type: HoldEvent['type'], command: WalletCommand, now: Date): void {
    const event: HoldEvent = {
      schemaVersion: 1,
      type,
      eventId: uuidv7(),
      businessId: hold.businessId,
      clientId: hold.clientId,
      currency: hold.currency,
      walletId: wallet.id,
      holdId: hold.holdId,
      saleId: hold.saleId,
      amount: hold.amount,
      captured: hold.captured,
      afterSequence: wallet.lastSequence,
      balanceAfter: wallet.balance,
      heldAfter: wallet.held,
      expiresAt: hold.expiresAt.toISOString(),
      actor: actorLabel(command.actor),
      commandId: command.commandId,
      occurredAt: now.toISOString(),
    };
    const messageKey = walletKey(hold.businessId, hold.clientId, hold.currency);
    this.append(this.outbox, { id: event.eventId, businessId: hold.businessId, messageKey, sequence: wallet.lastSequence, payload: event });
  }

  /** How many outbox rows the group has so far: a command's rows are those appended while it is decided. */
  outboxCount(): number {
    return this.outbox.length;
  }

  /** Stamps the outbox rows from `first` on (one command's events) with its trace context. */
  traceOutboxFrom(first: number, traceParent: string): void {
    for (let index = first; index < this.outbox.length; index++) this.outbox[index].traceParent = traceParent;
  }

  addRecord(record: RecordRow): void {
    this.put(this.records, key(record.businessId, record.commandId), record);
    this.append(this.newRecords, record);
  }

  // ---- undoing and writing

  mark(): WorkMark {
    return this.journal.length;
  }

  /** Undoes, newest first, every change made since the mark. */
  rollbackTo(mark: WorkMark): void {
    while (this.journal.length > mark) (this.journal.pop() as () => void)();
  }

  writes(): GroupWrites {
    const lots = [...this.lots.values()];
    const wallets = [...this.wallets.values()];
    const payments = [...this.payments.values()];
    const sales = [...this.sales.values()];
    const giftCards = [...this.giftCardsById.values()];
    const holds = [...this.holds.values()];
    return {
      newWallets: wallets.filter((wallet) => !wallet.stored && wallet.posted).map(untracked),
      changedWallets: wallets.filter((wallet) => wallet.stored && wallet.changed).map(untracked),
      entries: this.entries,
      newPayments: payments.filter((payment) => !payment.stored).map(untracked),
      changedPayments: payments.filter((payment) => payment.stored && payment.changed).map(untracked),
      newSales: sales.filter((sale) => !sale.stored).map(untracked),
      changedSales: sales.filter((sale) => sale.stored && sale.changed).map(untracked),
      newRefunds: this.newRefunds,
      newGiftCards: giftCards.filter((card) => !card.stored).map(untracked),
      changedGiftCards: giftCards.filter((card) => card.stored && card.changed).map(untracked),
      newHolds: holds.filter((hold) => !hold.stored).map(untracked),
      changedHolds: holds.filter((hold) => hold.stored && hold.changed).map(untracked),
      newLots: lots.filter((lot) => !lot.stored).map(untracked),
      changedLots: lots.filter((lot) => lot.stored && lot.changed).map(untracked),
      allocations: this.allocations,
      records: this.newRecords,
      outbox: this.outbox,
    };
  }

  private indexLot(lot: WorkLot): void {
    this.lots.set(key(lot.businessId, lot.id), lot);
    const walletId = walletKey(lot.businessId, lot.clientId, lot.currency);
    const list = this.lotsByWallet.get(walletId) ?? [];
    list.push(lot);
    this.lotsByWallet.set(walletId, list);
  }

  private unindexLot(lot: WorkLot): void {
    this.lots.delete(key(lot.businessId, lot.id));
    const list = this.lotsByWallet.get(walletKey(lot.businessId, lot.clientId, lot.currency)) ?? [];
    list.splice(list.indexOf(lot), 1);
  }

  private indexGiftCard(card: WorkGiftCard): void {
    this.giftCardsById.set(key(card.businessId, card.id), card);
    this.giftCardsByCode.set(key(card.businessId, card.codeHash), card);
  }

  private change<T extends object>(row: T, changes: Partial<T>): void {
    const before = Object.fromEntries(Object.keys(changes).map((field) => [field, row[field as keyof T]])) as Partial<T>;
    this.journal.push(() => Object.assign(row, before));
    Object.assign(row, changes);
  }

  private put<T>(map: Map<string, T>, at: string, row: T): void {
    const before = map.get(at);
    this.journal.push(() => (before === undefined ? map.delete(at) : map.set(at, before)));
    map.set(at, row);
  }

  private append<T>(list: T[], row: T): void {
    list.push(row);
    this.journal.push(() => list.pop());
  }
}

const loaded: Tracked = { stored: true, changed: false };

function key(businessId: string, id: string): string {
  return `${businessId}\u0000${id}`;
}

function untracked<T extends Tracked>(row: T): Omit<T, 'stored' | 'changed' | 'posted'> {
  const { stored: _stored, changed: _changed, posted: _posted, ...written } = row as T & { posted?: boolean };
  return written;
}

export function actorLabel(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

/** A debit from named lots, in the order named: all it needs must be in them. */
function drawNamed(lots: LotRow[], amount: Decimal): { lotId: string; amount: Decimal }[] {
  const draws: { lotId: string; amount: Decimal }[] = [];
  let left = amount;
  for (const lot of lots) {
    if (left.isZero()) break;
    const take = Decimal.min(left, lot.remaining);
    if (take.gt(0)) draws.push({ lotId: lot.id, amount: take });
    left = left.minus(take);
  }
  if (!left.isZero()) throw new Error(`the named lots hold less than a debit of ${amount.toFixed()}`);
  return draws;
}

/** The ledger entry of a posting; the wallet's balance and last sequence already include it. */
export function entryOf(wallet: WalletRow, command: WalletCommand, posting: Posting, now: Date): EntryWrite {
  return {
    businessId: wallet.businessId,
    id: uuidv7(),
    walletId: wallet.id,
    clientId: wallet.clientId,
    currency: wallet.currency,
    sequence: wallet.lastSequence,
    type: posting.type,
    amount: formatAmount(posting.amount, wallet.currency),
    balanceAfter: wallet.balance,
    referenceType: posting.referenceType,
    referenceId: posting.referenceId,
    note: command.note ?? null,
    actor: actorLabel(command.actor),
    commandId: command.commandId,
    createdAt: now,
    reversesEntryId: posting.reversesEntryId ?? null,
    bonusTier: posting.bonusTier ?? null,
  };
}

/** The outbox row that publishes an entry, keyed by its wallet so its events stay in sequence order. */
export function entryOutboxOf(entry: EntryWrite, lots: CreatedLot[] = [], allocations: Allocation[] = []): OutboxWrite {
  return {
    id: uuidv7(),
    businessId: entry.businessId,
    messageKey: walletKey(entry.businessId, entry.clientId, entry.currency),
    sequence: entry.sequence,
    payload: entryRecordedEvent(entry, lots, allocations),
  };
}

export function entryRecordedEvent(entry: EntryWrite, lots: CreatedLot[] = [], allocations: Allocation[] = []): EntryRecorded {
  return {
    schemaVersion: 1,
    type: 'wallet.entry_recorded',
    eventId: entry.id,
    businessId: entry.businessId,
    clientId: entry.clientId,
    currency: entry.currency,
    walletId: entry.walletId,
    sequence: entry.sequence,
    entryType: entry.type,
    amount: entry.amount,
    balanceAfter: entry.balanceAfter,
    reference: { type: entry.referenceType, id: entry.referenceId },
    note: entry.note,
    actor: entry.actor,
    commandId: entry.commandId,
    occurredAt: entry.createdAt.toISOString(),
    ...(lots.length > 0 ? { lots } : {}),
    ...(allocations.length > 0 ? { allocations } : {}),
    ...(entry.bonusTier ? { bonusTier: entry.bonusTier } : {}),
    ...(entry.reversesEntryId ? { reversesEntryId: entry.reversesEntryId } : {}),
  };
}

export function giftCardResult(card: GiftCardRow): GiftCardResult {
  return {
    giftCardId: card.id,
    last4: card.last4,
    amount: card.amount,
    currency: card.currency,
    status: card.status,
    expiresAt: card.expiresAt?.toISOString() ?? null,
  };
}
