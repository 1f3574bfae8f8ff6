import { Decimal, type EntryRecorded } from '@storecredit/contracts';
import { observerConnection } from './faults';

export interface SnapshotWallet {
  id: string;
  clientId: string;
  currency: string;
  balance: string;
  /** What its active holds reserve: available = balance - held. */
  held: string;
  lastSequence: number;
}

export interface SnapshotEntry {
  id: string;
  walletId: string;
  clientId: string;
  sequence: number;
  type: string;
  amount: string;
  balanceAfter: string;
  commandId: string;
  referenceId: string | null;
}

export interface SnapshotHold {
  holdId: string;
  walletId: string;
  clientId: string;
  saleId: string;
  amount: string;
  captured: string;
  status: 'active' | 'captured' | 'released' | 'expired';
  commandId: string;
  endedBy: string | null;
  /** Epoch milliseconds, on the ledger's clock. */
  expiresAt: number;
  endedAt: number | null;
}

/** The ledger of one business as one transaction saw it (repeatable read: wallets, entries and holds agree). */
export interface LedgerSnapshot {
  /** Date.now() just before the snapshot's transaction began: every reply received earlier is in it. */
  startedAt: number;
  wallets: SnapshotWallet[];
  entries: SnapshotEntry[];
  holds: SnapshotHold[];
  outboxPending: number;
}

export async function readLedgerSnapshot(url: string, businessId: string): Promise<LedgerSnapshot> {
  const client = await observerConnection(url);
  try {
    const startedAt = Date.now();
    await client.query('begin transaction isolation level repeatable read read only');
    const wallets = await client.query<SnapshotWallet>(
      `select id, client_id as "clientId", currency, balance::text as balance, held::text as held, last_sequence as "lastSequence"
         from wallet where business_id = $1 order by client_id, currency`,
      [businessId],
    );
    const entries = await client.query<SnapshotEntry>(
      `select id, wallet_id as "walletId", client_id as "clientId", sequence, type, amount::text as amount,
              balance_after::text as "balanceAfter", command_id as "commandId", reference_id as "referenceId"
         from ledger_entry where business_id = $1 order by wallet_id, sequence`,
      [businessId],
    );
    const holds = await client.query<SnapshotHold>(
      `select hold_id as "holdId", wallet_id as "walletId", client_id as "clientId", sale_id as "saleId", amount::text as amount,
              captured::text as captured, status, command_id as "commandId", ended_by as "endedBy",
              (extract(epoch from expires_at) * 1000)::float8 as "expiresAt", (extract(epoch from ended_at) * 1000)::float8 as "endedAt"
         from balance_hold where business_id = $1 order by created_at, hold_id`,
      [businessId],
    );
    const [outbox] = (await client.query<{ n: string }>('select count(*) as n from outbox_message')).rows;
    await client.query('commit');
    return { startedAt, wallets: wallets.rows, entries: entries.rows, holds: holds.rows, outboxPending: Number(outbox.n) };
  } finally {
    await client.end();
  }
}

/**
 * The rules of money every snapshot must keep, whatever the faults: no negative balance, each balance the
 * sum of its entries, a consistent balance-after and sequence chain, no command with two entries, and the
 * holds' rules (holdRuleViolations).
 */
export function ledgerRuleViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const entriesByWallet = groupBy(snapshot.entries, (entry) => entry.walletId);
  for (const wallet of snapshot.wallets) {
    const balance = new Decimal(wallet.balance);
    if (balance.isNegative()) violations.push(`wallet ${wallet.clientId} has a negative balance ${wallet.balance}`);
    const entries = entriesByWallet.get(wallet.id) ?? [];
    let running = new Decimal(0);
    entries.forEach((entry, index) => {
      running = running.plus(entry.amount);
      if (entry.sequence !== index + 1) violations.push(`wallet ${wallet.clientId}: entry ${entry.id} has sequence ${entry.sequence}, expected ${index + 1}`);
      if (!running.eq(entry.balanceAfter)) {
        violations.push(`wallet ${wallet.clientId}: entry ${entry.sequence} says balance after ${entry.balanceAfter}, the entries sum to ${running}`);
      }
      if (new Decimal(entry.balanceAfter).isNegative()) violations.push(`wallet ${wallet.clientId}: entry ${entry.sequence} leaves ${entry.balanceAfter}`);
    });
    if (!running.eq(balance)) violations.push(`wallet ${wallet.clientId}: balance ${wallet.balance} but its entries sum to ${running}`);
    if (wallet.lastSequence !== entries.length) violations.push(`wallet ${wallet.clientId}: last sequence ${wallet.lastSequence} but ${entries.length} entries`);
  }
  for (const [commandId, entries] of groupBy(snapshot.entries, (entry) => entry.commandId)) {
    if (entries.length > 1) violations.push(`command ${commandId} has ${entries.length} ledger entries`);
  }
  violations.push(...holdRuleViolations(snapshot));
  return violations;
}

/**
 * The holds' rules in one snapshot: available (balance - held) never negative, each wallet's held the sum of its
 * active holds, a hold captures at most what it holds and only before its expiry, Σ captured ≤ Σ held, and every
 * captured hold has exactly one used_for_payment entry, by the command that captured it, of what it captured.
 */
export function holdRuleViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const holdsByWallet = groupBy(snapshot.holds, (hold) => hold.walletId);
  for (const wallet of snapshot.wallets) {
    const held = new Decimal(wallet.held);
    if (held.isNegative()) violations.push(`wallet ${wallet.clientId} holds ${wallet.held}`);
    if (new Decimal(wallet.balance).minus(held).isNegative()) violations.push(`wallet ${wallet.clientId}: available is negative (balance ${wallet.balance}, held ${wallet.held})`);
    const active = (holdsByWallet.get(wallet.id) ?? []).filter((hold) => hold.status === 'active').reduce((sum, hold) => sum.plus(hold.amount), new Decimal(0));
    if (!active.eq(held)) violations.push(`wallet ${wallet.clientId}: held ${wallet.held} but its active holds sum to ${active}`);
  }
  const entriesByCommand = groupBy(snapshot.entries, (entry) => entry.commandId);
  let heldTotal = new Decimal(0);
  let capturedTotal = new Decimal(0);
  for (const hold of snapshot.holds) {
    heldTotal = heldTotal.plus(hold.amount);
    capturedTotal = capturedTotal.plus(hold.captured);
    const captured = new Decimal(hold.captured);
    if (captured.gt(hold.amount)) violations.push(`hold ${hold.holdId} captured ${hold.captured} of ${hold.amount}`);
    if ((hold.status === 'active') !== (hold.endedBy === null)) violations.push(`hold ${hold.holdId} is ${hold.status}, ended by ${hold.endedBy}`);
    if (hold.status !== 'captured') {
      if (!captured.isZero()) violations.push(`hold ${hold.holdId} is ${hold.status} yet captured ${hold.captured}`);
      continue;
    }
    if (hold.endedAt === null || hold.endedAt >= hold.expiresAt) {
      violations.push(`hold ${hold.holdId} was captured at ${hold.endedAt} on or after its expiry ${hold.expiresAt}`);
    }
    const entries = (entriesByCommand.get(hold.endedBy ?? '') ?? []).filter((entry) => entry.type === 'used_for_payment');
    if (entries.length !== 1 || !new Decimal(entries[0].amount).negated().eq(captured) || entries[0].walletId !== hold.walletId) {
      violations.push(`hold ${hold.holdId} captured ${hold.captured} by ${hold.endedBy}, which has ${entries.length} used_for_payment entries (${entries.map((entry) => entry.amount).join(', ')})`);
    }
  }
  if (capturedTotal.gt(heldTotal)) violations.push(`holds captured ${capturedTotal} in total, more than the ${heldTotal} they held`);
  return violations;
}

export interface EventStreamCheck {
  violations: string[];
  /** Repeats dropped by eventId (a relay that crashed after publishing publishes again). */
  duplicates: number;
  /** Distinct events received. */
  distinct: number;
}

/**
 * Checks the event topic against the ledger: per wallet, the distinct events (repeats dropped by eventId)
 * arrive in sequence order without gaps, a repeat is identical to the first copy, and the events are the
 * ledger's entries (same ids, amounts, balances after, command ids). With `complete`, every entry must
 * have its event. Without a snapshot, only the order and the repeats are checked.
 */
export function eventStreamViolations(events: EntryRecorded[], snapshot: LedgerSnapshot | undefined, complete = false): EventStreamCheck {
  const violations: string[] = [];
  const firstCopy = new Map<string, string>();
  const distinctByWallet = new Map<string, EntryRecorded[]>();
  let duplicates = 0;
  for (const event of events) {
    const serialized = JSON.stringify(event);
    const seen = firstCopy.get(event.eventId);
    if (seen !== undefined) {
      duplicates += 1;
      if (seen !== serialized) violations.push(`event ${event.eventId} was published twice with different contents`);
      continue;
    }
    firstCopy.set(event.eventId, serialized);
    const list = distinctByWallet.get(event.walletId) ?? [];
    list.push(event);
    distinctByWallet.set(event.walletId, list);
  }
  const entries = new Map((snapshot?.entries ?? []).map((entry) => [entry.id, entry]));
  const entriesByWallet = groupBy(snapshot?.entries ?? [], (entry) => entry.walletId);
  for (const [walletId, walletEvents] of distinctByWallet) {
    walletEvents.forEach((event, index) => {
      if (event.sequence !== index + 1) {
        violations.push(`wallet ${event.clientId}: event #${index + 1} received has sequence ${event.sequence} (gap or out of order)`);
      }
      // Without a snapshot only the order is checked: events may already show entries a snapshot predates.
      if (!snapshot) return;
      const entry = entries.get(event.eventId);
      if (!entry) {
        violations.push(`event ${event.eventId} (wallet ${event.clientId}, sequence ${event.sequence}) has no ledger entry`);
        return;
      }
      if (entry.sequence !== event.sequence || !new Decimal(entry.amount).eq(event.amount) || !new Decimal(entry.balanceAfter).eq(event.balanceAfter) || entry.commandId !== event.commandId) {
        violations.push(`event ${event.eventId} differs from its ledger entry`);
      }
    });
    if (snapshot && complete && walletEvents.length !== (entriesByWallet.get(walletId)?.length ?? 0)) {
      violations.push(`wallet ${walletId}: ${walletEvents.length} distinct events for ${entriesByWallet.get(walletId)?.length ?? 0} entries`);
    }
  }
  if (snapshot && complete) {
    for (const walletId of entriesByWallet.keys()) {
      if (!distinctByWallet.has(walletId)) violations.push(`wallet ${walletId} has entries but no events`);
    }
  }
  return { violations, duplicates, distinct: firstCopy.size };
}

export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
