import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Decimal,
  formatAmount,
  walletKey,
  type Actor,
  type EntryRecorded,
  type EntryType,
  type ReferenceType,
  type WalletCommand,
} from '@storecredit/contracts';
import type { PrimaryKeyProp } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { LedgerEntry, OutboxMessage, Wallet } from './entities';
import { balanceAfterPosting } from './wallet-rules';

export interface Posting {
  type: EntryType;
  /** Signed: positive adds to the balance, negative takes from it. */
  amount: Decimal;
  referenceType: ReferenceType;
  referenceId: string | null;
}

export interface Posted {
  wallet: Wallet;
  entry: LedgerEntry;
}

export function actorLabel(actor: Actor): string {
  return `${actor.kind}:${actor.id}`;
}

/**
 * The one place a balance changes: it appends the entry, moves the balance, bumps the sequence and writes
 * the event to the outbox, all in the caller's transaction. The wallet row's version check makes a
 * concurrent writer fail at flush instead of overwriting.
 */
@Injectable()
export class WalletLedger {
  findWallet(tx: EntityManager, command: Pick<WalletCommand, 'businessId' | 'clientId' | 'currency'>): Promise<Wallet | null> {
    return tx.findOne(Wallet, { businessId: command.businessId, clientId: command.clientId, currency: command.currency });
  }

  /** The balance a command sees; a wallet that does not exist yet holds zero. */
  balanceOf(wallet: Wallet | null): Decimal {
    return new Decimal(wallet?.balance ?? 0);
  }

  post(tx: EntityManager, wallet: Wallet | null, command: WalletCommand, posting: Posting, now: Date): Posted {
    const target = wallet ?? this.openWallet(tx, command, now);
    target.balance = balanceAfterPosting(target.balance, posting.amount, target.currency);
    target.lastSequence += 1;
    target.updatedAt = now;
    const entry = tx.create(LedgerEntry, entryOf(target, command, posting, now));
    tx.create(OutboxMessage, outboxOf(entry));
    return { wallet: target, entry };
  }

  private openWallet(tx: EntityManager, command: WalletCommand, now: Date): Wallet {
    return tx.create(Wallet, {
      businessId: command.businessId,
      id: uuidv7(),
      clientId: command.clientId,
      currency: command.currency,
      balance: formatAmount(0, command.currency),
      lastSequence: 0,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }
}

/** The fields of a posted wallet: its balance and last sequence already include the posting. */
export type PostedWallet = Pick<Wallet, 'businessId' | 'id' | 'clientId' | 'currency' | 'balance' | 'lastSequence'>;
export type EntryFields = Omit<LedgerEntry, typeof PrimaryKeyProp>;

/** The ledger entry of a posting: both the one-command path and the set-based group commit write exactly this. */
export function entryOf(wallet: PostedWallet, command: WalletCommand, posting: Posting, now: Date): EntryFields {
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
  };
}

/** The outbox row that publishes an entry, keyed by its wallet so its events stay in sequence order. */
export function outboxOf(entry: EntryFields): { id: string; businessId: string; messageKey: string; sequence: number; payload: EntryRecorded } {
  return {
    id: uuidv7(),
    businessId: entry.businessId,
    messageKey: walletKey(entry.businessId, entry.clientId, entry.currency),
    sequence: entry.sequence,
    payload: entryRecordedEvent(entry),
  };
}

export function entryRecordedEvent(entry: EntryFields): EntryRecorded {
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
  };
}
