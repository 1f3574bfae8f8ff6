import { Decimal, formatAmount, type Allocation, type CreatedLot, type LotSource, type ReferenceType } from '@storecredit/contracts';

/**
 * The rules of credit lots, as pure functions UnitOfWork.post decides through: the one order in which debits consume
 * lots, what a debit draws from each, and what a refund or reversal gives back. Balance = Σ remaining, always.
 */

/** A lot as the rules need it. */
export interface LotState {
  id: string;
  source: LotSource;
  amount: string;
  remaining: string;
  expiresAt: Date | null;
  createdAt: Date;
}

/** A lot drawn from, as the debit recorded it (in the order drawn). */
export interface DrawnState {
  lotId: string;
  source: LotSource;
  amount: string;
  expiresAt: Date | null;
}

/**
 * The consumption order: soonest expiry first, lots without expiry last, oldest first among equals (then by id, which
 * is time-ordered, so the order is total).
 */
export function lotOrder(a: LotState, b: LotState): number {
  if (a.expiresAt !== null || b.expiresAt !== null) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    const byExpiry = a.expiresAt.getTime() - b.expiresAt.getTime();
    if (byExpiry !== 0) return byExpiry;
  }
  const byAge = a.createdAt.getTime() - b.createdAt.getTime();
  if (byAge !== 0) return byAge;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * What a debit of `amount` draws from the lots, in the consumption order. The caller has checked the balance, so the
 * lots always hold enough; a shortfall means Σ remaining differs from the balance, which is a defect, not a refusal.
 */
export function drawInOrder(lots: readonly LotState[], amount: Decimal, currency: string): { lotId: string; amount: Decimal }[] {
  const drawn: { lotId: string; amount: Decimal }[] = [];
  let left = amount;
  for (const lot of [...lots].filter((item) => new Decimal(item.remaining).gt(0)).sort(lotOrder)) {
    if (left.isZero()) break;
    const take = Decimal.min(left, lot.remaining);
    drawn.push({ lotId: lot.id, amount: take });
    left = left.minus(take);
  }
  if (!left.isZero()) throw new Error(`the lots hold ${formatAmount(amount.minus(left), currency)} of a debit of ${formatAmount(amount, currency)}: lots and balance disagree`);
  return drawn;
}

/**
 * What a refund of a payment gives back: the lots the payment drew from, last drawn first (so refunding all of it
 * restores exactly what it took, and a partial refund undoes the end of it), after what earlier refunds of it gave
 * back (`alreadyRefunded`). Whatever the payment's recorded draws do not cover (a payment made before lots) comes back
 * as one `fallback` lot without expiry. A lot whose expiry has passed comes back expiring `graceDays` from now.
 */
export function restoredLots(
  drawn: readonly DrawnState[],
  alreadyRefunded: Decimal,
  amount: Decimal,
  fallback: LotSource,
  now: Date,
  graceDays: number | null,
): LotSpec[] {
  const specs: LotSpec[] = [];
  let skip = alreadyRefunded;
  let left = amount;
  for (const draw of [...drawn].reverse()) {
    if (left.isZero()) break;
    let available = new Decimal(draw.amount);
    const skipped = Decimal.min(skip, available);
    skip = skip.minus(skipped);
    available = available.minus(skipped);
    if (available.isZero()) continue;
    const take = Decimal.min(left, available);
    specs.push({ source: draw.source, amount: take, expiresAt: restoredExpiry(draw.expiresAt, now, graceDays), restoredFrom: draw.lotId });
    left = left.minus(take);
  }
  if (!left.isZero()) specs.push({ source: fallback, amount: left, expiresAt: null });
  return specs;
}

/**
 * A given-back lot keeps its expiry unless that has passed; then it lasts the business's grace period from now (a
 * refund). With no grace (`null`: a reversal, which puts the credit back as it was) it keeps its expiry even when
 * that has passed, and the sweep expires it: undoing a deduct never renews credit.
 */
export function restoredExpiry(expiresAt: Date | null, now: Date, graceDays: number | null): Date | null {
  if (expiresAt === null || expiresAt > now || graceDays === null) return expiresAt;
  return new Date(now.getTime() + graceDays * 24 * 60 * 60 * 1000);
}

/** A lot a credit will create. */
export interface LotSpec {
  source: LotSource;
  amount: Decimal;
  expiresAt: Date | null;
  restoredFrom?: string;
  bonusForEntryId?: string;
}


/** The lot a plain credit creates: its source follows from the command and its reference. */
export function creditSource(command: 'balance.add' | 'balance.credit', referenceType: ReferenceType): LotSource {
  if (referenceType === 'payment') return 'paid';
  if (referenceType === 'refund') return 'refund';
  return command === 'balance.add' ? 'adjustment' : 'system';
}

export function createdLotView(lot: { id: string; source: LotSource; amount: string; expiresAt: Date | null; restoredFrom: string | null }): CreatedLot {
  return { lotId: lot.id, source: lot.source, amount: lot.amount, expiresAt: lot.expiresAt?.toISOString() ?? null, ...(lot.restoredFrom ? { restoredFrom: lot.restoredFrom } : {}) };
}

export function allocationView(draw: DrawnState): Allocation {
  return { lotId: draw.lotId, source: draw.source, amount: draw.amount, expiresAt: draw.expiresAt?.toISOString() ?? null };
}
