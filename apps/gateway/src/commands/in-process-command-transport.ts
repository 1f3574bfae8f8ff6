import { Injectable } from '@nestjs/common';
import type { Command, Reply } from '@storecredit/contracts';
import { LedgerCommands } from '@storecredit/ledger';
import { CommandTransport } from './command-transport';

/** The embedded mode: the same handlers and transactions as the worker, without a broker in between. */
@Injectable()
export class InProcessCommandTransport extends CommandTransport {
  constructor(private readonly ledger: LedgerCommands) {
    super();
  }

  async send(command: Command): Promise<Reply> {
    const { reply, replayed } = await this.ledger.apply(command);
    return { ...reply, correlationId: command.commandId, replayed };
  }
}
