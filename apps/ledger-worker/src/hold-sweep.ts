import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { commandKey, type Command } from '@storecredit/contracts';
import { HoldExpiry } from '@storecredit/ledger';
import { WorkerProducer } from './kafka.providers';
import { injectWorkerConfig } from './kafka.providers';
import type { WorkerConfig } from './worker.config';

/**
 * Runs the hold expiry sweep in every worker: the expiries go onto the checkout topic, keyed by wallet, so each is
 * applied in its wallet's order by whichever worker owns the partition; their command ids are deterministic, so
 * workers sweeping at once expire a hold once. Stopped before the producers close.
 */
@Injectable()
export class HoldSweep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly expiry: HoldExpiry,
    private readonly output: WorkerProducer,
    @injectWorkerConfig() private readonly config: WorkerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.holdSweepMs === 0) return;
    this.expiry.start((commands) => this.send(commands), this.config.holdSweepMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.expiry.stop();
  }

  private async send(commands: Command[]): Promise<void> {
    await this.output.connect();
    const messages = commands.map((command) => ({ key: commandKey(command), value: JSON.stringify(command) }));
    await this.output.send('replies', (producer) => producer.send({ topic: this.config.topics.commands.checkout, messages, acks: -1 }));
  }
}
