import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { formatAmount, holdExpiresInSecondsDefault, holdIdOf, type HoldEndCommand } from '@storecredit/contracts';
import type { Decision } from '../command-outcomes';
import { endOfHold, holdSummary } from '../hold-rules';
import { holdOfSale, saleAfterHold, saleSummary } from '../sale-rules';
import type { UnitOfWork, WorkWallet } from '../unit-of-work';
import { availableOf } from '../wallet-rules';
import { LedgerCommand } from './ledger-command';
import { postedResult, unchangedResult } from './wallet-result';

export class PlaceHoldCommand extends LedgerCommand<'balance.hold'> {}
export class CaptureHoldCommand extends LedgerCommand<'balance.capture'> {}
export class ReleaseHoldCommand extends LedgerCommand<'balance.release'> {}
export class ExpireHoldCommand extends LedgerCommand<'balance.expire-hold'> {}

/**
 * Reserves balance for a sale: min(available, owed, requested, what the sale leaves after balance payments and other
 * holds), decided as a payment is (sale-rules.ts: holdOfSale). Nothing available holds nothing: amountHeld "0.00",
 * no hold, no change. The hold ends by capture, release or expiry (expiresInSeconds, default 15 minutes). Its id
 * follows from the command (holdIdOf), so a till whose reply was lost can still release it.
 */
@CommandHandler(PlaceHoldCommand)
export class PlaceHoldHandler implements ICommandHandler<PlaceHoldCommand, Decision> {
  async execute({ payload, work, now }: PlaceHoldCommand): Promise<Decision> {
    const wallet = work.wallet(payload);
    const sale = work.sale(payload.businessId, payload.saleId);
    const hold = holdOfSale(sale, payload, work.available(wallet));
    const zero = formatAmount(0, payload.currency);
    if (hold.applied.isZero()) {
      // Nothing held: no hold; a recorded sale it edits (a new saleAmount) is edited all the same, as by a payment.
      if (sale) work.storeSale(sale, hold.sale, now);
      const extra = { amountHeld: zero, amountStillOwed: hold.amountStillOwed, available: available(wallet), sale: saleSummary(hold.sale) };
      return unchangedResult(wallet.posted ? wallet : null, payload, zero, extra);
    }
    const expiresInSeconds = payload.expiresInSeconds ?? holdExpiresInSecondsDefault;
    const placed = work.placeHold(wallet, {
      businessId: payload.businessId,
      holdId: holdIdOf(payload.businessId, payload.commandId),
      walletId: wallet.id,
      clientId: payload.clientId,
      currency: payload.currency,
      saleId: payload.saleId,
      amount: formatAmount(hold.applied, payload.currency),
      captured: zero,
      status: 'active',
      expiresAt: new Date(now.getTime() + expiresInSeconds * 1000),
      commandId: payload.commandId,
      endedBy: null,
      endedAt: null,
      version: 1,
      createdAt: now,
    });
    work.storeSale(sale, hold.sale, now);
    work.holdEvent(wallet, placed, 'hold.placed', payload, now);
    return {
      ...unchangedResult(wallet, payload, placed.amount),
      amountHeld: placed.amount,
      amountStillOwed: hold.amountStillOwed,
      available: available(wallet),
      hold: holdSummary(placed),
      sale: saleSummary(hold.sale),
    };
  }
}

/**
 * Captures an active, unexpired hold: what it takes (default all; never more than it holds) becomes a
 * used_for_payment entry and a balance payment refundable by this command's id, the sale's paid; the rest is released.
 */
@CommandHandler(CaptureHoldCommand)
export class CaptureHoldHandler implements ICommandHandler<CaptureHoldCommand, Decision> {
  async execute({ payload, work, now }: CaptureHoldCommand): Promise<Decision> {
    const { wallet, hold, sale } = endHold(work, payload, now);
    const posting = { type: 'used_for_payment' as const, amount: hold.captured.negated(), referenceType: 'payment' as const, referenceId: hold.row.saleId };
    const posted = hold.captured.isZero() ? undefined : work.post(payload, posting, now);
    if (posted) work.addPayment(payload, posted, hold.row.saleId, hold.captured, now);
    work.holdEvent(wallet, hold.row, 'hold.captured', payload, now);
    const extra = { available: available(wallet), hold: holdSummary(hold.row), sale: saleSummary(sale) };
    return posted ? postedResult(posted, { ...extra, allocations: posted.allocations }) : unchangedResult(wallet, payload, hold.row.captured, extra);
  }
}

/** Releases an active hold: what it held is available again. */
@CommandHandler(ReleaseHoldCommand)
export class ReleaseHoldHandler implements ICommandHandler<ReleaseHoldCommand, Decision> {
  async execute({ payload, work, now }: ReleaseHoldCommand): Promise<Decision> {
    return releasedResult(work, payload, now, 'hold.released');
  }
}

/** The ledger's own release of a hold past its expiry (the sweep sends it); refused before the hold is due. */
@CommandHandler(ExpireHoldCommand)
export class ExpireHoldHandler implements ICommandHandler<ExpireHoldCommand, Decision> {
  async execute({ payload, work, now }: ExpireHoldCommand): Promise<Decision> {
    return releasedResult(work, payload, now, 'hold.expired');
  }
}

function releasedResult(work: UnitOfWork, payload: HoldEndCommand, now: Date, type: 'hold.released' | 'hold.expired'): Decision {
  const { wallet, hold, sale } = endHold(work, payload, now);
  work.holdEvent(wallet, hold.row, type, payload, now);
  return unchangedResult(wallet, payload, hold.row.amount, {
    available: available(wallet),
    hold: holdSummary(hold.row),
    sale: saleSummary(sale),
  });
}

/** Ends a hold (endOfHold decides whether and how): the wallet's held, the hold's status, the sale's held and paid. */
function endHold(work: UnitOfWork, payload: HoldEndCommand, now: Date) {
  const found = work.hold(payload.businessId, payload.holdId);
  const end = endOfHold(found, payload, now);
  const hold = found as NonNullable<typeof found>;
  const wallet = work.wallet(payload);
  const captured = formatAmount(end.captured, payload.currency);
  work.endHold(wallet, hold, { status: end.status, captured, endedBy: payload.commandId, endedAt: now });
  const sale = work.sale(payload.businessId, hold.saleId);
  if (!sale) throw new Error(`hold ${hold.holdId} has no sale ${hold.saleId}`);
  const after = saleAfterHold(sale, hold.amount, end.captured);
  work.storeSale(sale, after, now);
  return { wallet, hold: { row: hold, captured: end.captured }, sale: after };
}

function available(wallet: WorkWallet): string {
  return formatAmount(availableOf(wallet.balance, wallet.held), wallet.currency);
}
