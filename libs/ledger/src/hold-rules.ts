import { Decimal, formatAmount, type HoldEndCommand, type WalletResult } from '@storecredit/contracts';
import { LedgerRejection } from './errors';

export type HoldStatus = NonNullable<WalletResult['hold']>['status'];

/** A hold as the ledger keeps it (balance_hold). */
export interface HoldState {
  businessId: string;
  holdId: string;
  walletId: string;
  clientId: string;
  currency: string;
  saleId: string;
  /** What it holds (or held, once ended). */
  amount: string;
  /** What its capture took; zero unless captured. */
  captured: string;
  status: HoldStatus;
  expiresAt: Date;
  commandId: string;
  endedBy: string | null;
  endedAt: Date | null;
}

/** How a hold ends, by the command that ends it. */
const endingStatus: Record<HoldEndCommand['type'], Exclude<HoldStatus, 'active'>> = {
  'balance.capture': 'captured',
  'balance.release': 'released',
  'balance.expire-hold': 'expired',
};

/** What ending a hold comes to: its new status and what is captured (zero unless a capture). */
export interface HoldEnd {
  status: Exclude<HoldStatus, 'active'>;
  captured: Decimal;
}

/**
 * The end of a hold, or the reason it cannot end so: a hold ends exactly once. Only the hold's own wallet (client and
 * currency) may end it; another's is not found. A capture after the hold expired is refused even if the ledger has
 * not released it yet; a release may still end it (it gives back what the expiry would); an expiry before it is due
 * is refused. A capture takes at most what the hold holds (default all) and releases the rest.
 */
export function endOfHold(hold: HoldState | undefined, command: HoldEndCommand, now: Date): HoldEnd {
  if (!hold || hold.clientId !== command.clientId || hold.currency !== command.currency) {
    throw new LedgerRejection('hold_not_found', { holdId: command.holdId });
  }
  if (hold.status === 'captured') throw new LedgerRejection('hold_already_captured', holdDetails(hold));
  if (hold.status === 'released') throw new LedgerRejection('hold_already_released', holdDetails(hold));
  if (hold.status === 'expired') throw new LedgerRejection('hold_expired', holdDetails(hold));
  const due = now.getTime() >= hold.expiresAt.getTime();
  if (command.type === 'balance.expire-hold') {
    if (!due) throw new LedgerRejection('hold_not_expired', holdDetails(hold));
    return { status: 'expired', captured: new Decimal(0) };
  }
  if (command.type === 'balance.release') return { status: endingStatus[command.type], captured: new Decimal(0) };
  if (due) throw new LedgerRejection('hold_expired', holdDetails(hold));
  const captured = command.amount === undefined ? new Decimal(hold.amount) : new Decimal(command.amount);
  if (captured.gt(hold.amount)) {
    throw new LedgerRejection('capture_exceeds_hold', { ...holdDetails(hold), amount: formatAmount(captured, hold.currency) });
  }
  return { status: 'captured', captured };
}

/** The hold as a reply shows it. */
export function holdSummary(hold: HoldState): NonNullable<WalletResult['hold']> {
  return { holdId: hold.holdId, saleId: hold.saleId, amount: hold.amount, captured: hold.captured, status: hold.status, expiresAt: hold.expiresAt.toISOString() };
}

function holdDetails(hold: HoldState): Record<string, string> {
  return { holdId: hold.holdId, held: hold.amount, status: hold.status, expiresAt: hold.expiresAt.toISOString() };
}
