import { currencyScale, Decimal, type BonusTier, type EntryRecorded } from '@storecredit/contracts';
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
  currency: string;
  sequence: number;
  type: string;
  amount: string;
  balanceAfter: string;
  commandId: string;
  referenceType: string;
  referenceId: string | null;
  actor: string;
  /** A bonus_credit entry: the tier its top-up reached. */
  bonusTier: BonusTier | null;
  /** Epoch milliseconds, on the ledger's clock. */
  createdAt: number;
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
  createdAt: number;
}

export interface SnapshotLot {
  id: string;
  walletId: string;
  clientId: string;
  source: string;
  amount: string;
  remaining: string;
  /** Epoch milliseconds, on the ledger's clock; null: never expires. */
  expiresAt: number | null;
  /** The credit entry that created it (null only for an `opening` lot, a balance from before lots). */
  entryId: string | null;
  restoredFrom: string | null;
  /** A bonus lot: the balance_added entry whose paid top-up earned it. */
  bonusForEntryId: string | null;
  createdAt: number;
}

/** What a debit entry drew from one lot (position: the order drawn). */
export interface SnapshotAllocation {
  entryId: string;
  position: number;
  lotId: string;
  walletId: string;
  amount: string;
}

/** The ledger of one business as one transaction saw it (repeatable read: wallets, entries and holds agree). */
export interface LedgerSnapshot {
  /** Date.now() just before the snapshot's transaction began: every reply received earlier is in it. */
  startedAt: number;
  wallets: SnapshotWallet[];
  entries: SnapshotEntry[];
  holds: SnapshotHold[];
  lots: SnapshotLot[];
  allocations: SnapshotAllocation[];
  outboxPending: number;
}

/** A timestamp as epoch milliseconds (fractional when the database wrote microseconds). */
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

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
      `select id, wallet_id as "walletId", client_id as "clientId", currency, sequence, type, amount::text as amount,
              balance_after::text as "balanceAfter", command_id as "commandId", reference_type as "referenceType",
              reference_id as "referenceId", actor, bonus_tier as "bonusTier", ${epochMs('created_at')} as "createdAt"
         from ledger_entry where business_id = $1 order by wallet_id, sequence`,
      [businessId],
    );
    const holds = await client.query<SnapshotHold>(
      `select hold_id as "holdId", wallet_id as "walletId", client_id as "clientId", sale_id as "saleId", amount::text as amount,
              captured::text as captured, status, command_id as "commandId", ended_by as "endedBy",
              ${epochMs('expires_at')} as "expiresAt", ${epochMs('ended_at')} as "endedAt", ${epochMs('created_at')} as "createdAt"
         from balance_hold where business_id = $1 order by created_at, hold_id`,
      [businessId],
    );
    const lots = await client.query<SnapshotLot>(
      `select id, wallet_id as "walletId", client_id as "clientId", source, amount::text as amount, remaining::text as remaining,
              ${epochMs('expires_at')} as "expiresAt", entry_id as "entryId", restored_from as "restoredFrom",
              bonus_for_entry_id as "bonusForEntryId", ${epochMs('created_at')} as "createdAt"
         from credit_lot where business_id = $1 order by created_at, id`,
      [businessId],
    );
    const allocations = await client.query<SnapshotAllocation>(
      `select entry_id as "entryId", position, lot_id as "lotId", wallet_id as "walletId", amount::text as amount
         from lot_allocation where business_id = $1 order by entry_id, position`,
      [businessId],
    );
    const [outbox] = (await client.query<{ n: string }>('select count(*) as n from outbox_message')).rows;
    await client.query('commit');
    return {
      startedAt,
      wallets: wallets.rows,
      entries: entries.rows,
      holds: holds.rows,
      lots: lots.rows,
      allocations: allocations.rows,
      outboxPending: Number(outbox.n),
    };
  } finally {
    await client.end();
  }
}

/**
 * The rules of money every snapshot must keep, whatever the faults: no negative balance, each balance the
 * sum of its entries, a consistent balance-after and sequence chain, no command with two entries (but a paid
 * top-up with its bonus: topUpWithBonusViolations), the holds' rules (holdRuleViolations) and the lots' rules
 * (lotRuleViolations).
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
    if (entries.length === 1) continue;
    const bonusProblem = entries.length === 2 ? topUpWithBonusViolation(entries[0], entries[1]) : 'not a paid top-up with its bonus';
    if (bonusProblem) violations.push(`command ${commandId} has ${entries.length} ledger entries (${entries.map((e) => `${e.type} ${e.amount}`).join(', ')}): ${bonusProblem}`);
  }
  violations.push(...holdRuleViolations(snapshot));
  violations.push(...lotRuleViolations(snapshot));
  return violations;
}

/**
 * The one command that writes two entries: a paid top-up (balance_added, reference type payment) that reached a bonus
 * tier, and right after it in its wallet the bonus_credit entry of what that tier gives (a percentage rounded down to
 * the currency's decimals, or a fixed amount). Undefined when the pair is that; else what is wrong with it.
 */
export function topUpWithBonusViolation(topUp: SnapshotEntry, bonus: SnapshotEntry): string | undefined {
  if (topUp.type !== 'balance_added' || topUp.referenceType !== 'payment') return 'the first is not a paid top-up';
  if (bonus.type !== 'bonus_credit' || bonus.walletId !== topUp.walletId || bonus.sequence !== topUp.sequence + 1) {
    return 'the second is not a bonus_credit right after it in its wallet';
  }
  const tier = bonus.bonusTier;
  if (!tier || new Decimal(topUp.amount).lt(tier.minAmount)) return `the top-up does not reach the bonus tier ${JSON.stringify(tier)}`;
  const due = tier.percent !== undefined ? new Decimal(topUp.amount).times(tier.percent).div(100).toDecimalPlaces(currencyScale(topUp.currency), Decimal.ROUND_DOWN) : new Decimal(tier.fixed ?? 0);
  return due.eq(bonus.amount) ? undefined : `the tier ${JSON.stringify(tier)} gives ${due.toFixed()}, not ${bonus.amount}`;
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

/**
 * The lots' rules in one snapshot (rule 9; every entry made since lots): each wallet's balance is Σ remaining of its
 * lots; a lot keeps 0 ≤ remaining ≤ amount and its remaining is its amount less what was drawn from it; each credit
 * entry created lots of exactly its amount and drew nothing, each debit entry drew exactly its amount from lots of its
 * wallet and created none; a bonus lot belongs to a bonus_credit entry and names its top-up's balance_added entry;
 * expiryViolations and consumptionOrderViolations. No lot without its entry but an opening one.
 */
export function lotRuleViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const entries = new Map(snapshot.entries.map((entry) => [entry.id, entry]));
  const lotsByWallet = groupBy(snapshot.lots, (lot) => lot.walletId);
  for (const wallet of snapshot.wallets) {
    const remaining = sumOf(lotsByWallet.get(wallet.id) ?? [], (lot) => lot.remaining);
    if (!remaining.eq(wallet.balance)) violations.push(`wallet ${wallet.clientId}: balance ${wallet.balance} but its lots hold ${remaining}`);
  }
  const drawsByLot = groupBy(snapshot.allocations, (draw) => draw.lotId);
  for (const lot of snapshot.lots) {
    const amount = new Decimal(lot.amount);
    const remaining = new Decimal(lot.remaining);
    const drawn = sumOf(drawsByLot.get(lot.id) ?? [], (draw) => draw.amount);
    if (!amount.isPositive() || remaining.isNegative() || remaining.gt(amount)) violations.push(`lot ${lot.id} (${lot.source}) has ${lot.remaining} left of ${lot.amount}`);
    if (!amount.minus(drawn).eq(remaining)) violations.push(`lot ${lot.id} (${lot.source}) has ${lot.remaining} left of ${lot.amount}, but ${drawn} was drawn from it`);
    const entry = lot.entryId === null ? undefined : entries.get(lot.entryId);
    if (lot.entryId === null ? lot.source !== 'opening' : entry?.walletId !== lot.walletId) {
      violations.push(`lot ${lot.id} (${lot.source}) was created by entry ${lot.entryId}, which is not an entry of its wallet`);
    }
    if ((lot.bonusForEntryId !== null) !== (entry?.type === 'bonus_credit')) violations.push(`lot ${lot.id} (${lot.source}) of a ${entry?.type} entry names bonus for ${lot.bonusForEntryId}`);
    if (lot.bonusForEntryId === null) continue;
    const topUp = entries.get(lot.bonusForEntryId);
    if (lot.source !== 'bonus' || topUp?.type !== 'balance_added' || topUp.commandId !== entry?.commandId) {
      violations.push(`bonus lot ${lot.id} (${lot.source}) is for entry ${lot.bonusForEntryId} (${topUp?.type}), not the top-up of its own command`);
    }
  }
  const lotsByEntry = groupBy(snapshot.lots, (lot) => lot.entryId);
  const drawsByEntry = groupBy(snapshot.allocations, (draw) => draw.entryId);
  const lots = new Map(snapshot.lots.map((lot) => [lot.id, lot]));
  for (const entry of snapshot.entries) {
    const amount = new Decimal(entry.amount);
    const created = sumOf(lotsByEntry.get(entry.id) ?? [], (lot) => lot.amount);
    const draws = drawsByEntry.get(entry.id) ?? [];
    const drawn = sumOf(draws, (draw) => draw.amount);
    if (amount.isPositive() ? !created.eq(amount) || draws.length > 0 : !drawn.eq(amount.negated()) || !created.isZero()) {
      violations.push(`entry ${entry.id} (${entry.type} ${entry.amount}) created lots of ${created} and drew ${drawn} from lots`);
    }
    draws.forEach((draw, index) => {
      if (draw.position !== index || !new Decimal(draw.amount).isPositive() || lots.get(draw.lotId)?.walletId !== entry.walletId) {
        violations.push(`entry ${entry.id} (${entry.type}) drew ${draw.amount} from lot ${draw.lotId} at position ${draw.position}: not a lot of its wallet, or out of order`);
      }
    });
  }
  for (const draw of snapshot.allocations) {
    if (!entries.has(draw.entryId)) violations.push(`lot ${draw.lotId} was drawn ${draw.amount} by entry ${draw.entryId}, which does not exist`);
  }
  violations.push(...expiryViolations(snapshot));
  violations.push(...consumptionOrderViolations(snapshot));
  return violations;
}

/** Debits that draw from the lots they name (an expiry: its lot; a reversed add: the lots the add created); the rest draw in the consumption order. */
const namedDrawEntryTypes = ['balance_expired', 'balance_reversed'];

/**
 * Replays each wallet's entries in sequence (each credit's lots appear, each debit's draws lower them) and checks that
 * every debit but those that name their lots drew what the documented consumption order gives from the lots open just
 * before it: soonest expiry first, lots without expiry last, oldest first among equals, then by id.
 */
export function consumptionOrderViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const lotsByEntry = groupBy(snapshot.lots, (lot) => lot.entryId);
  const drawsByEntry = groupBy(snapshot.allocations, (draw) => draw.entryId);
  const lotsByWallet = groupBy(snapshot.lots, (lot) => lot.walletId);
  for (const [walletId, entries] of groupBy(snapshot.entries, (entry) => entry.walletId)) {
    const opening = (lotsByWallet.get(walletId) ?? []).filter((lot) => lot.entryId === null);
    const open = new Map(opening.map((lot) => [lot.id, { lot, remaining: new Decimal(lot.amount) }]));
    for (const entry of entries) {
      for (const lot of lotsByEntry.get(entry.id) ?? []) open.set(lot.id, { lot, remaining: new Decimal(lot.amount) });
      const draws = drawsByEntry.get(entry.id) ?? [];
      if (draws.length > 0 && !namedDrawEntryTypes.includes(entry.type)) {
        const expected = inConsumptionOrder([...open.values()].filter((item) => item.remaining.gt(0)), new Decimal(entry.amount).negated());
        const drawn = draws.map((draw) => `${draw.lotId} ${new Decimal(draw.amount).toFixed()}`).join(', ');
        if (drawn !== expected.join(', ')) violations.push(`entry ${entry.id} (${entry.type} ${entry.amount}) drew ${drawn}; the consumption order draws ${expected.join(', ')}`);
      }
      for (const draw of draws) {
        const item = open.get(draw.lotId);
        if (item) item.remaining = item.remaining.minus(draw.amount);
      }
    }
  }
  return violations;
}

/** What a debit of `amount` takes from the open lots in the consumption order, as "lotId amount". */
function inConsumptionOrder(open: { lot: SnapshotLot; remaining: Decimal }[], amount: Decimal): string[] {
  const order = (a: SnapshotLot, b: SnapshotLot) =>
    (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const taken: string[] = [];
  let left = amount;
  for (const item of [...open].sort((a, b) => order(a.lot, b.lot))) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, item.remaining);
    taken.push(`${item.lot.id} ${take.toFixed()}`);
    left = left.minus(take);
  }
  return taken;
}

/**
 * The ledger's own expiries in one snapshot: a balance_expired entry draws only from the lot it names, which was due
 * by then (expires_at ≤ the entry's time), and no more than that lot still held just before it; and, like every debit,
 * it leaves the balance no lower than what the holds certainly active at that moment reserved (placed before it, not
 * ended until after it: a tie on the clock proves nothing, so it is not counted).
 */
export function expiryViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const lots = new Map(snapshot.lots.map((lot) => [lot.id, lot]));
  const entries = new Map(snapshot.entries.map((entry) => [entry.id, entry]));
  const drawsByEntry = groupBy(snapshot.allocations, (draw) => draw.entryId);
  const drawsByLot = groupBy(snapshot.allocations, (draw) => draw.lotId);
  const holdsByWallet = groupBy(snapshot.holds, (hold) => hold.walletId);
  for (const entry of snapshot.entries) {
    if (new Decimal(entry.amount).isNegative()) {
      const held = sumOf(
        (holdsByWallet.get(entry.walletId) ?? []).filter((hold) => hold.createdAt < entry.createdAt && (hold.endedAt === null || hold.endedAt > entry.createdAt)),
        (hold) => hold.amount,
      );
      if (held.gt(entry.balanceAfter)) violations.push(`entry ${entry.id} (${entry.type} ${entry.amount}) left ${entry.balanceAfter} while holds reserved ${held}`);
    }
    if (entry.type !== 'balance_expired') continue;
    const lot = lots.get(entry.referenceId ?? '');
    const draws = drawsByEntry.get(entry.id) ?? [];
    if (!lot || draws.length !== 1 || draws[0].lotId !== lot.id) {
      violations.push(`expiry ${entry.id} names lot ${entry.referenceId} but drew from ${draws.map((draw) => draw.lotId).join(', ') || 'none'}`);
      continue;
    }
    if (lot.expiresAt === null || lot.expiresAt > entry.createdAt) {
      violations.push(`expiry ${entry.id} of lot ${lot.id} at ${isoOf(entry.createdAt)}, before it was due (${lot.expiresAt === null ? 'never' : isoOf(lot.expiresAt)})`);
    }
    const drawnBefore = sumOf(
      (drawsByLot.get(lot.id) ?? []).filter((draw) => (entries.get(draw.entryId)?.sequence ?? Infinity) < entry.sequence),
      (draw) => draw.amount,
    );
    const heldByLot = new Decimal(lot.amount).minus(drawnBefore);
    if (new Decimal(entry.amount).negated().gt(heldByLot)) violations.push(`expiry ${entry.id} took ${entry.amount} from lot ${lot.id}, which held ${heldByLot}`);
  }
  return violations;
}

const isoOf = (epochMs: number) => new Date(epochMs).toISOString();

/** Σ of a decimal field. */
function sumOf<T>(items: readonly T[], amountOf: (item: T) => string): Decimal {
  return items.reduce((sum, item) => sum.plus(amountOf(item)), new Decimal(0));
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
