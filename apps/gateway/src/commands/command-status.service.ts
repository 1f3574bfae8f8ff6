import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { CommandsRepository } from './commands.repository';

export type CommandStatus =
  | { commandId: string; status: 'applied'; commandType: string; result: unknown }
  | { commandId: string; status: 'rejected'; commandType: string; error: unknown }
  | { commandId: string; status: 'pending'; commandType: string };

/** What became of a command the business sent: the ledger's stored reply, else pending if the gateway took it. */
@Injectable()
export class CommandStatusService {
  constructor(private readonly commands: CommandsRepository) {}

  async status(principal: Principal, commandId: string): Promise<CommandStatus> {
    const reply = await this.commands.storedReply(principal.businessId, commandId);
    if (reply) {
      return reply.status === 'applied'
        ? { commandId, status: 'applied', commandType: reply.commandType, result: reply.result }
        : { commandId, status: 'rejected', commandType: reply.commandType, error: reply.error };
    }
    const commandType = await this.commands.submittedType(principal.businessId, commandId);
    if (commandType === null) throw new ApiError('not_found', undefined, 'Command not found');
    return { commandId, status: 'pending', commandType };
  }
}
