import { Decimal } from '@storecredit/contracts';
import { Logger } from '@nestjs/common';
import type { EventOutcome, ReportingMetrics } from '../reporting.metrics';
import type { ReadModelStore, ReadModelTransaction, WalletRow } from './read-model.store';
import { placementOf, type WalletEvent } from './sequence-rules';

/** Events one gap releases are applied in the same transaction; past this, something is wrong with the parked rows. */
const caughtUpPerEventMax = 100_000;

/** What one event's transaction noticed, logged and counted only once it committed (a rollback is delivered again). */
interface Findings {
  outcome: EventOutcome;
  gap?: string;
  behind: string[];
  mismatches: string[];
  caughtUp: number;
}

/**
 * Applies the ledger's wallet events to the read model, each in one transaction: an event id seen before is dropped;
 * an event in sequence is applied, then whatever was parked behind it; an event past a gap is parked until the
 * missing one comes; an event for a sequence already applied is counted and left out. A database error rolls the
 * event back and is thrown, so that the transport delivers it again.
 */
export class EventProjector {
  private readonly logger = new Logger(EventProjector.name);

  constructor(
    private readonly store: ReadModelStore,
    private readonly metrics: ReportingMetrics,
  ) {}

  async project(event: WalletEvent): Promise<EventOutcome> {
    const findings = await this.store.transaction(async (tx) => {
      const found: Findings = { outcome: 'applied', behind: [], mismatches: [], caughtUp: 0 };
      if (!(await tx.markProcessed(event.eventId))) return { ...found, outcome: 'duplicate' as const };
      const wallet = await tx.lockWallet(event);
      const placement = placementOf(event, wallet.lastSequence);
      if (placement === 'ahead') {
        if (!(await tx.hasParked(wallet))) found.gap = `expected an event after sequence ${wallet.lastSequence}, got ${describe(event)}`;
        await tx.park(event);
        return { ...found, outcome: 'parked' as const };
      }
      if (placement === 'behind') {
        found.behind.push(describe(event));
        return { ...found, outcome: 'behind' as const };
      }
      const applied = await this.applyInOrder(tx, wallet, event, found);
      await this.applyParked(tx, applied, found);
      return found;
    });
    this.report(event, findings);
    return findings.outcome;
  }

  private async applyInOrder(tx: ReadModelTransaction, wallet: WalletRow, event: WalletEvent, found: Findings): Promise<WalletRow> {
    if (event.type === 'wallet.entry_recorded') {
      const after = await tx.addEntry(wallet, event.sequence, event.amount, event.currency);
      checkBalance(after, event.balanceAfter, event.eventId, found);
      return after;
    }
    checkBalance(wallet, event.balanceAfter, event.eventId, found);
    return tx.setHeld(wallet, event.heldAfter);
  }

  /** Applies the parked events the wallet has become ready for, in order. */
  private async applyParked(tx: ReadModelTransaction, wallet: WalletRow, found: Findings): Promise<void> {
    let current = wallet;
    for (let taken = 0; taken < caughtUpPerEventMax; taken++) {
      const parked = await tx.takeNextParked(current);
      if (!parked) return;
      // A parked event can have fallen behind: another event for its sequence, under another id, was applied first.
      if (placementOf(parked.event, current.lastSequence) === 'behind') {
        found.behind.push(describe(parked.event));
      } else {
        current = await this.applyInOrder(tx, current, parked.event, found);
        found.caughtUp += 1;
      }
    }
    throw new Error(`wallet ${wallet.businessId}/${wallet.walletId}: more than ${caughtUpPerEventMax} parked events ready at once`);
  }

  private report(event: WalletEvent, found: Findings): void {
    const wallet = `wallet ${event.businessId}/${event.walletId}`;
    this.metrics.countEvent(found.outcome);
    if (found.gap) {
      this.metrics.sequenceGaps.inc();
      this.logger.warn(`sequence gap in ${wallet}: ${found.gap}; parked until the missing events arrive`);
    }
    for (const behind of found.behind) {
      this.metrics.countAnomaly('sequence_behind');
      this.logger.warn(`${wallet}: ${behind} is for a sequence already applied; left out`);
    }
    for (const mismatch of found.mismatches) {
      this.metrics.countAnomaly('balance_mismatch');
      this.logger.error(`${wallet}: ${mismatch}`);
    }
    if (found.caughtUp > 0) this.logger.log(`${wallet}: gap filled by ${event.eventId}; ${found.caughtUp} parked events applied`);
  }
}

/** The read model adds amounts up itself; the ledger's balanceAfter is the check that nothing was missed. */
function checkBalance(wallet: WalletRow, balanceAfter: string, eventId: string, found: Findings): void {
  if (!new Decimal(wallet.balance).eq(balanceAfter)) found.mismatches.push(`balance ${wallet.balance} at ${eventId}, which says ${balanceAfter}`);
}

function describe(event: WalletEvent): string {
  return event.type === 'wallet.entry_recorded' ? `entry ${event.sequence} (${event.eventId})` : `${event.type} after sequence ${event.afterSequence} (${event.eventId})`;
}
