import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Command, Reply } from '@storecredit/contracts';
import { LedgerExpiry, LedgerCommands } from '@storecredit/ledger';
import { commandLogFields } from '@storecredit/observability';
import { CommandTransport } from './command-transport';

/**
 * The embedded mode: the same handlers and transactions as the worker, without a broker in between; the expiry
 * sweep (holds and credit lots) applies its expiries here too.
 */
@Injectable()
export class InProcessCommandTransport extends CommandTransport implements OnApplicationBootstrap {
  private readonly logger = new Logger(InProcessCommandTransport.name);

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
    // Sent to the ledger in this process: no correlation id on a wire, the command id stands for it, as in the reply.
    this.logger.debug({ ...commandLogFields(command, command.commandId), commandType: command.type }, 'command sent');
    const { reply, replayed } = await this.ledger.apply(command);
    return { ...reply, correlationId: command.commandId, replayed };
  }
}
