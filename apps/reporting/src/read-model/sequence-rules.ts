import type { EntryRecorded, HoldEvent, LedgerEvent } from '@storecredit/contracts';

/** The events that move a wallet of the read model: its entries and its holds. */
export type WalletEvent = EntryRecorded | HoldEvent;

export function isWalletEvent(event: LedgerEvent): event is WalletEvent {
  return event.type === 'wallet.entry_recorded' || event.type.startsWith('hold.');
}

export type Placement = 'next' | 'ahead' | 'behind';

/**
 * The wallet's last applied sequence an event needs before it can be applied. An entry follows the entry before
 * it (sequence - 1); a hold event names the wallet's last entry when it happened (afterSequence), and applies on
 * top of exactly that entry.
 */
export function sequenceNeeded(event: WalletEvent): number {
  return event.type === 'wallet.entry_recorded' ? event.sequence - 1 : event.afterSequence;
}

/**
 * Where an event stands against the wallet as the read model has it: `next` applies now, `ahead` waits behind a
 * gap (an event before it is missing), `behind` is for a sequence already applied (a second event for it, under
 * another event id).
 */
export function placementOf(event: WalletEvent, lastSequence: number): Placement {
  const needed = sequenceNeeded(event);
  if (needed === lastSequence) return 'next';
  return needed > lastSequence ? 'ahead' : 'behind';
}
