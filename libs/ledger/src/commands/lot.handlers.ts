import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Decimal, formatAmount, reversibleEntryTypes } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { LedgerRejection } from '../errors';
import { restoredLots } from '../lot-rules';
import { LedgerCommand } from './ledger-command';
import { postedResult } from './wallet-result';

export class ReverseEntryCommand extends LedgerCommand<'balance.reverse'> {}
export class ExpireCreditCommand extends LedgerCommand<'balance.expire-credit'> {}

/**
 * Undoes one staff add or deduct, at most once, as a balance_reversed entry naming it. A reversed deduction gives back
 * the lots it drew from with their source and expiry (one that has passed meanwhile stays passed: no grace period,
 * which is for refunds; the sweep then expires it). A reversed add
 * takes back its lot and the bonus lot it earned, whole: if any of that credit was spent or expired, lot_consumed
 * (reverse the spending first). Taking credit back never goes below what holds reserve (insufficient_balance).
 */
@CommandHandler(ReverseEntryCommand)
export class ReverseEntryHandler implements ICommandHandler<ReverseEntryCommand, Decision> {
  async execute({ payload, work, now }: ReverseEntryCommand): Promise<Decision> {
    const target = work.entry(payload.businessId, payload.entryId);
    if (!target || target.clientId !== payload.clientId || target.currency !== payload.currency) {
      throw new LedgerRejection('not_found', { entryId: payload.entryId }, 'Entry not found for this client and currency');
    }
    if (!(reversibleEntryTypes as readonly string[]).includes(target.type)) {
      throw new LedgerRejection('entry_not_reversible', { entryId: target.id, entryType: target.type });
    }
    if (target.reversed) throw new LedgerRejection('entry_already_reversed', { entryId: target.id });
    const base = { type: 'balance_reversed' as const, referenceType: 'entry' as const, referenceId: target.id, reversesEntryId: target.id };
    work.markReversed(target);
    if (target.type === 'balance_deducted') {
      const amount = new Decimal(target.amount).abs();
      // As it was: a lot whose expiry passed meanwhile comes back expired (the sweep takes it), with no grace period.
      const lots = restoredLots(work.drawnBy(payload.businessId, target.id), new Decimal(0), amount, 'adjustment', now, null);
      const posted = work.post(payload, { ...base, amount, lots }, now);
      return postedResult(posted, { lots: posted.lots, reversedEntryId: target.id });
    }
    const lots = work.lotsOfEntry(payload.businessId, target.id);
    const spent = lots.filter((lot) => !new Decimal(lot.remaining).eq(lot.amount));
    if (lots.length === 0 || spent.length > 0) {
      const details = spent.map((lot) => ({ lotId: lot.id, source: lot.source, amount: lot.amount, remaining: lot.remaining }));
      throw new LedgerRejection('lot_consumed', { entryId: target.id, lots: details });
    }
    const amount = lots.reduce((sum, lot) => sum.plus(lot.amount), new Decimal(0));
    const posted = work.post(payload, { ...base, amount: amount.negated(), from: lots.map((lot) => lot.id) }, now);
    return postedResult(posted, { allocations: posted.allocations, reversedEntryId: target.id });
  }
}

/**
 * The ledger's own expiry of a lot past its expiresAt (the sweep sends it): a balance_expired entry for what remains,
 * but never more than the wallet has available: what holds reserve stays until they end (a capture then spends it
 * first, as the soonest to expire; a release lets the next sweep expire it). Refused before the lot is due.
 */
@CommandHandler(ExpireCreditCommand)
export class ExpireCreditHandler implements ICommandHandler<ExpireCreditCommand, Decision> {
  async execute({ payload, work, now }: ExpireCreditCommand): Promise<Decision> {
    const lot = work.lot(payload.businessId, payload.lotId);
    if (!lot || lot.clientId !== payload.clientId || lot.currency !== payload.currency) throw new LedgerRejection('lot_not_found', { lotId: payload.lotId });
    if (lot.expiresAt === null || lot.expiresAt > now) {
      throw new LedgerRejection('lot_not_due', { lotId: lot.id, expiresAt: lot.expiresAt?.toISOString() ?? null });
    }
    const wallet = work.wallet(payload);
    const amount = Decimal.min(lot.remaining, work.available(wallet));
    if (amount.lte(0)) {
      throw new LedgerRejection('lot_nothing_to_expire', { lotId: lot.id, remaining: lot.remaining, held: formatAmount(wallet.held, wallet.currency) });
    }
    const posted = work.post(payload, { type: 'balance_expired', amount: amount.negated(), referenceType: 'lot', referenceId: lot.id, from: [lot.id] }, now);
    return postedResult(posted, { allocations: posted.allocations });
  }
}
