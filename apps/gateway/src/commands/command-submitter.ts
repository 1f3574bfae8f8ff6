import { Inject, Injectable } from '@nestjs/common';
import type { Command } from '@storecredit/contracts';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { actorOf, type Principal } from '../auth/principal';
import { gatewayConfigToken, type GatewayConfig } from '../gateway.config';
import { ApiError } from '../http/api-error';
import { CommandTransport } from './command-transport';
import { CommandsRepository } from './commands.repository';

export const idempotencyKeyLengthMax = 200;

export interface Submitted {
  /** 200 when the ledger answered, 202 when the reply is late and the status URL will tell. */
  httpStatus: 200 | 202;
  body: Record<string, unknown>;
}

/**
 * Turns an HTTP write into a command and its answer: records the submission (so its status URL works and
 * stays within the business), sends it, and maps the reply. A rejection becomes the API error of its code.
 */
@Injectable()
export class CommandSubmitter {
  constructor(
    private readonly transport: CommandTransport,
    private readonly commands: CommandsRepository,
    @Inject(gatewayConfigToken) private readonly config: GatewayConfig,
  ) {}

  /** The command id for a request: derived from the Idempotency-Key, so a retried request is the same command. */
  commandIdFor(principal: Principal, idempotencyKey: string | undefined, part = ''): string {
    if (idempotencyKey === undefined) return uuidv7();
    if (idempotencyKey.length === 0 || idempotencyKey.length > idempotencyKeyLengthMax || !/^[\x21-\x7e]+$/.test(idempotencyKey)) {
      throw new ApiError('invalid_request', { header: 'Idempotency-Key' }, `Idempotency-Key must be 1 to ${idempotencyKeyLengthMax} visible ASCII characters`);
    }
    const digest = createHash('sha256').update(`${principal.businessId}\n${idempotencyKey}\n${part}`).digest('hex');
    return `http-${digest.slice(0, 40)}`;
  }

  /** What every command the gateway sends starts with: its id (commandIdFor), the caller's business and the caller. */
  headerFor(principal: Principal, idempotencyKey: string | undefined, part = ''): Pick<Command, 'commandId' | 'businessId' | 'actor'> {
    return { commandId: this.commandIdFor(principal, idempotencyKey, part), businessId: principal.businessId, actor: actorOf(principal) };
  }

  async submit(principal: Principal, command: Command): Promise<Submitted> {
    await this.commands.recordSubmission(command, `${principal.kind}:${principal.id}`);
    const reply = await this.transport.send(command, this.config.replyTimeoutMs);
    if (reply === null) {
      return {
        httpStatus: 202,
        body: { commandId: command.commandId, status: 'pending', statusUrl: `/api/commands/${encodeURIComponent(command.commandId)}` },
      };
    }
    if (reply.status === 'rejected' && reply.error) {
      const error = ApiError.fromLedger(reply.error);
      throw new ApiError(error.code, { ...error.details, commandId: command.commandId }, error.message);
    }
    return { httpStatus: 200, body: { commandId: command.commandId, status: 'applied', replayed: reply.replayed, result: reply.result } };
  }
}
