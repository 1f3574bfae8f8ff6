import {
  errorMessages,
  replySchemaVersion,
  type Command,
  type GiftCardResult,
  type StoredReply,
  type WalletResult,
} from '@storecredit/contracts';
import { canonicalJson, sha256Hex } from './canonical-json';
import type { RecordRow } from './unit-of-work';

/** What applying one command came to: the reply, and whether it was an earlier delivery's stored outcome. */
export interface CommandOutcome {
  reply: StoredReply;
  /** The stored outcome of an earlier delivery was returned; nothing was applied now. */
  replayed: boolean;
}

/**
 * What a command came to when an earlier command with another command id already had its effect (the same refund id
 * and refund): that command's result, answered as a replay and applied no second time.
 */
export class EarlierResult {
  constructor(readonly result: CommandResult) {}
}

/** The reply body of an applied command. */
export type CommandResult = WalletResult | GiftCardResult;

/** What a handler decides: its result, or an earlier command's (EarlierResult); a refusal is thrown (LedgerRejection). */
export type Decision = CommandResult | EarlierResult;

/** The same command id with another payload is a conflict; this hash is how the ledger tells. */
export function payloadHashOf(command: Command): string {
  return sha256Hex(canonicalJson(command));
}

/** A later delivery of a stored command: its first outcome again, or a conflict when the payload differs. */
export function replayOf(command: Command, payloadHash: string, record: Pick<RecordRow, 'payloadHash' | 'reply' | 'commandType'>): CommandOutcome {
  if (record.payloadHash === payloadHash) return { reply: record.reply, replayed: true };
  const conflict = replyOf(command, new Date(), {
    status: 'rejected',
    error: {
      code: 'idempotency_conflict',
      message: errorMessages.idempotency_conflict,
      details: { commandId: command.commandId, firstCommandType: record.commandType },
    },
  });
  return { reply: conflict, replayed: false };
}

export function replyOf(
  command: Command,
  now: Date,
  outcome: Pick<StoredReply, 'status' | 'result' | 'error'>,
): StoredReply {
  return {
    schemaVersion: replySchemaVersion,
    commandId: command.commandId,
    commandType: command.type,
    businessId: command.businessId,
    ...outcome,
    processedAt: now.toISOString(),
  };
}

export function recordOf(command: Command, payloadHash: string, reply: StoredReply, now: Date): RecordRow {
  return {
    businessId: command.businessId,
    commandId: command.commandId,
    commandType: command.type,
    payloadHash,
    reply,
    createdAt: now,
  };
}
