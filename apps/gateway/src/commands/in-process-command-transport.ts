import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Command, Reply } from '@storecredit/contracts';
import { LedgerExpiry, LedgerCommands } from '@storecredit/ledger';
import { CommandTransport } from './command-transport';

/**
 * The embedded mode: the same handlers and transactions as the worker, without a broker in between; the expiry
 * sweep (holds and credit lots) applies its expiries here too.
 */
@Injectable()
export class InProcessCommandTransport extends CommandTransport implements OnApplicationBootstrap {
  constructor(
    private readonly ledger: LedgerCommands,
    private readonly expiry: LedgerExpiry,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.expiry.start(async (commands) => {
      await this.ledger.applyGroup(commands);
    });
  }

  async send(command: Command): Promise<Reply> {
    const { reply, replayed } = await this.ledger.apply(command);
    return { ...reply, correlationId: command.commandId, replayed };
  }
}
