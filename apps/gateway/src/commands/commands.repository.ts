import { Injectable } from '@nestjs/common';
import type { Command, StoredReply } from '@storecredit/contracts';
import { Database } from '../database';

/** The gateway's record of the commands it submitted, and the ledger's stored replies to them. */
@Injectable()
export class CommandsRepository {
  constructor(private readonly db: Database) {}

  /** Notes who submitted a command, once, so its status URL works and stays within the business. */
  async recordSubmission(command: Pick<Command, 'businessId' | 'commandId' | 'type'>, principal: string): Promise<void> {
    await this.db.query(
      `insert into gateway_request (business_id, command_id, command_type, principal) values (?, ?, ?, ?)
       on conflict (business_id, command_id) do nothing`,
      [command.businessId, command.commandId, command.type, principal],
    );
  }

  /** The ledger's reply to a command of the business, once it has applied or rejected it. */
  async storedReply(businessId: string, commandId: string): Promise<StoredReply | null> {
    const record = await this.db.one<{ reply: StoredReply }>('select reply from idempotency_record where business_id = ? and command_id = ?', [
      businessId,
      commandId,
    ]);
    return record?.reply ?? null;
  }

  /** The type of a command the gateway submitted for the business, or null when it submitted none with this id. */
  async submittedType(businessId: string, commandId: string): Promise<string | null> {
    const submitted = await this.db.one<{ command_type: string }>('select command_type from gateway_request where business_id = ? and command_id = ?', [
      businessId,
      commandId,
    ]);
    return submitted?.command_type ?? null;
  }
}
