import { Injectable } from '@nestjs/common';
import { buildCommand, Decimal, formatAmount, type EntryType } from '@storecredit/contracts';
import type { Principal } from '../auth/principal';
import { clientNotFound, ClientsService } from '../clients/clients.service';
import { CommandSubmitter, type Submitted } from '../commands/command-submitter';
import { decodeCursor, pageOf, type Page } from '../http/pagination';
import { actorLabel } from './actor-label';
import { BalancesRepository, type EntryRow, type WalletRow } from './balances.repository';
import type { BalanceChangeDto } from './balances.schemas';

export interface WalletView {
  walletId: string | null;
  currency: string;
  balance: string;
  /** What active holds reserve (checkout holds), and what is left to spend: available = balance - held. */
  held: string;
  available: string;
  hasBalance: boolean;
  updatedAt: string | null;
}

export type BalanceChange = Pick<BalanceChangeDto, 'amount' | 'currency' | 'note' | 'referenceType' | 'referenceId'>;
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
    return wallet ? walletView(wallet) : { walletId: null, currency, balance: zero, held: zero, available: zero, hasBalance: false, updatedAt: null };
  }

  /** The client's entries, newest first, keyset-paginated on (created_at, id). */
  async history(principal: Principal, clientId: string, query: HistoryQuery): Promise<Page<ReturnType<typeof entryView>>> {
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    const filter = {
      currency: query.currency,
      types: query.type,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const rows = await this.balances.entries(principal.businessId, clientId, filter, after, query.limit + 1);
    if (rows === null) throw clientNotFound();
    return pageOf(rows, query.limit, (row) => [new Date(row.created_at).toISOString(), row.id], entryView);
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
    });
    await this.clients.requireClient(principal, clientId);
    return this.submitter.submit(principal, command);
  }
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
  };
}

function entryView(row: EntryRow) {
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
  };
}
