import { Injectable } from '@nestjs/common';
import { buildCommand, Decimal, formatAmount, type EntryType } from '@storecredit/contracts';
import type { Principal } from '../auth/principal';
import { clientNotFound, ClientsService } from '../clients/clients.service';
import { CommandSubmitter, type Submitted } from '../commands/command-submitter';
import { decodeCursor, pageOf, type Page } from '../http/pagination';
import { actorLabel } from './actor-label';
import { ApiError } from '../http/api-error';
import { BusinessCurrenciesService } from '../settings/business-currencies.service';
import { BalancesRepository, type EntryLotsRow, type EntryRow, type WalletRow } from './balances.repository';
import type { BalanceAddDto, ReverseEntryDto } from './balances.schemas';

export interface WalletView {
  walletId: string | null;
  currency: string;
  balance: string;
  /** What active holds reserve (checkout holds), and what is left to spend: available = balance - held. */
  held: string;
  available: string;
  hasBalance: boolean;
  updatedAt: string | null;
  /** Credit of lots expiring within expiringSoonDays (balances.repository.ts), and the first of those expiries. */
  expiringSoon: { amount: string; firstExpiresAt: string | null };
}

/** A change by hand; only an add may carry `expiresAt` (the DTOs decide: BalanceAddDto, BalanceChangeDto). */
export type BalanceChange = Pick<BalanceAddDto, 'amount' | 'currency' | 'note' | 'referenceType' | 'referenceId' | 'expiresAt'>;
export type Reversal = Pick<ReverseEntryDto, 'currency' | 'note'>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export interface HistoryQuery {
  currency?: string;
  type?: EntryType[];
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** A client's balances and history, and the staff's manual changes to them (added or deducted by hand). */
@Injectable()
export class BalancesService {
  constructor(
    private readonly balances: BalancesRepository,
    private readonly clients: ClientsService,
    private readonly submitter: CommandSubmitter,
    private readonly currencies: BusinessCurrenciesService,
  ) {}

  async all(principal: Principal, clientId: string): Promise<{ clientId: string; items: WalletView[] }> {
    const wallets = await this.balances.wallets(principal.businessId, clientId);
    if (wallets === null) throw clientNotFound();
    return { clientId, items: wallets.map(walletView) };
  }

  /** A currency the client has never held reads as a zero balance, not as missing. */
  async one(principal: Principal, clientId: string, currency: string): Promise<WalletView> {
    const wallets = await this.balances.wallets(principal.businessId, clientId, currency);
    if (wallets === null) throw clientNotFound();
    const [wallet] = wallets;
    const zero = formatAmount(0, currency);
    return wallet
      ? walletView(wallet)
      : { walletId: null, currency, balance: zero, held: zero, available: zero, hasBalance: false, updatedAt: null, expiringSoon: { amount: zero, firstExpiresAt: null } };
  }

  /** The client's entries, newest first, keyset-paginated on (created_at, id), each with its lots (one more query a page). */
  async history(principal: Principal, clientId: string, query: HistoryQuery): Promise<Page<EntryView>> {
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    const filter = {
      currency: query.currency,
      types: query.type,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const rows = await this.balances.entries(principal.businessId, clientId, filter, after, query.limit + 1);
    if (rows === null) throw clientNotFound();
    const page = pageOf(rows, query.limit, (row) => [new Date(row.created_at).toISOString(), row.id], (row) => row);
    const lots = new Map((await this.balances.entryLots(principal.businessId, page.items.map((row) => row.id))).map((row) => [row.entry_id, row]));
    return { items: page.items.map((row) => entryView(row, lots.get(row.id))), nextCursor: page.nextCursor };
  }

  /**
   * Adds or deducts by hand. The command is built (and so the amount checked against the currency) before the client
   * is looked up, so a malformed change is a 400 whoever it is for.
   */
  async change(
    type: 'balance.add' | 'balance.deduct',
    principal: Principal,
    clientId: string,
    change: BalanceChange,
    idempotencyKey: string | undefined,
  ): Promise<Submitted> {
    const command = buildCommand({
      type,
      ...this.submitter.headerFor(principal, idempotencyKey),
      clientId,
      currency: change.currency,
      amount: change.amount,
      ...(change.note === undefined ? {} : { note: change.note }),
      reference: change.referenceId === undefined ? { type: change.referenceType } : { type: change.referenceType, id: change.referenceId },
      ...(type === 'balance.add' && change.expiresAt !== undefined ? { expiresAt: change.expiresAt } : {}),
    });
    // New credit only in an accepted currency; a deduction takes from what the client holds, whatever its currency.
    if (type === 'balance.add') await this.currencies.requireAccepted(principal, change.currency);
    await this.clients.requireClient(principal, clientId);
    return this.submitter.submit(principal, command);
  }

  /**
   * Undoes a staff add or deduct. Whether it can be undone (its type, its credit unspent, not undone before) is the
   * ledger's to decide; here the entry must only be the client's, in the caller's business, else it is not found.
   */
  async reverse(principal: Principal, clientId: string, entryId: string, reversal: Reversal, idempotencyKey: string | undefined): Promise<Submitted> {
    if (!uuidPattern.test(entryId)) throw entryNotFound();
    const command = buildCommand({
      type: 'balance.reverse',
      ...this.submitter.headerFor(principal, idempotencyKey),
      clientId,
      currency: reversal.currency,
      entryId,
      note: reversal.note,
    });
    await this.clients.requireClient(principal, clientId);
    if (!(await this.balances.hasEntry(principal.businessId, clientId, entryId))) throw entryNotFound();
    return this.submitter.submit(principal, command);
  }
}

function entryNotFound(): ApiError {
  return new ApiError('not_found', undefined, 'Entry not found');
}

function walletView(row: WalletRow): WalletView {
  return {
    walletId: row.wallet_id,
    currency: row.currency,
    balance: row.balance,
    held: formatAmount(row.held, row.currency),
    available: formatAmount(new Decimal(row.balance).minus(row.held), row.currency),
    hasBalance: new Decimal(row.balance).gt(0),
    updatedAt: new Date(row.updated_at).toISOString(),
    expiringSoon: {
      amount: formatAmount(row.expiring_soon ?? 0, row.currency),
      firstExpiresAt: row.next_expiry_at === null || row.next_expiry_at === undefined ? null : new Date(row.next_expiry_at).toISOString(),
    },
  };
}

/** A time from the lots query's json (PostgreSQL's own spelling) in the API's. */
const isoOrNull = (time: string | null): string | null => (time === null ? null : new Date(time).toISOString());

export type EntryView = ReturnType<typeof entryView>;

function entryView(row: EntryRow, lots: EntryLotsRow | undefined) {
  return {
    id: row.id,
    occurredAt: new Date(row.created_at).toISOString(),
    type: row.type,
    currency: row.currency,
    amount: row.amount,
    balanceAfter: row.balance_after,
    reference: { type: row.reference_type, id: row.reference_id },
    note: row.note,
    actor: row.actor,
    /** The staff member's or API key's name, or what the actor is (actor-label.ts); never a piece of an id. */
    actorName: actorLabel(row.actor, row.actor_name),
    /** The redeemed card's last four characters, on a gift card redemption. */
    giftCardLast4: row.gift_card_last4,
    commandId: row.command_id,
    sequence: row.sequence,
    /** A credit: the lots it created (a refund of a payment gives back one per lot the payment drew from). */
    lots: (lots?.lots ?? []).map((lot) => ({
      lotId: lot.lotId,
      source: lot.source,
      amount: formatAmount(lot.amount, row.currency),
      remaining: formatAmount(lot.remaining, row.currency),
      expiresAt: isoOrNull(lot.expiresAt),
      restoredFrom: lot.restoredFrom,
    })),
    /** A debit: what it drew from each lot, in the order drawn. */
    allocations: (lots?.allocations ?? []).map((drawn) => ({
      lotId: drawn.lotId,
      source: drawn.source,
      amount: formatAmount(drawn.amount, row.currency),
      expiresAt: isoOrNull(drawn.expiresAt),
    })),
    /** A reversal: the entry it undid; an entry undone: the reversal that did it. */
    reversesEntryId: row.reverses_entry_id,
    reversedByEntryId: lots?.reversed_by_entry_id ?? null,
    /** A bonus: the tier of the business's bonus rules it was granted under. */
    bonusTier: row.bonus_tier,
  };
}
