import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { LedgerExpiry, LedgerCommands } from '@storecredit/ledger';
import { injectWorkerConfig } from './kafka.providers';
import { OutboxRelay } from './outbox/outbox-relay';
import type { WorkerConfig } from './worker.config';

/**
 * Runs the expiry sweep (holds, then credit lots) in every worker. Its expiries are applied in-process, decided by the clock that found
 * them due (so they are never refused as early, whatever other workers' clocks say), and no producer can send one: no
 * topic carries `balance.expire-hold` or `balance.expire-credit`. A wallet's other commands may be in flight on the consumer's lanes at the same
 * time: the write's version checks refuse the one that lost, which is then decided again alone. The command ids are
 * deterministic, so workers sweeping at once expire a hold once. Stopped before the application closes.
 */
@Injectable()
export class HoldSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly expiry: LedgerExpiry,
    private readonly ledger: LedgerCommands,
    private readonly relay: OutboxRelay,
    @injectWorkerConfig() private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.holdSweepMs === 0) return;
    this.expiry.start(async (commands) => {
      await this.ledger.applyGroup(commands);
      // Their events go out now, not at the relay's next poll (which an empty outbox spaces out).
      this.relay.wake();
    }, this.config.holdSweepMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.expiry.stop();
  }
}
