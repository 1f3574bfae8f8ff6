import { Injectable, Logger } from '@nestjs/common';
import {
  DeadlockException,
  LockWaitTimeoutException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { Command, GiftCardResult, WalletResult } from '@storecredit/contracts';
import { Clock } from './clock';
import { EarlierResult, payloadHashOf, recordOf, replayOf, replyOf, type CommandOutcome } from './command-outcomes';
import { IdempotencyRecord } from './entities';
import { LedgerRejection } from './errors';
import { LedgerBatches, LostRaceInBatch } from './ledger-batches';

export type { CommandOutcome } from './command-outcomes';

/** Attempts at one command when another writer changed the same rows first (optimistic lock, unique race). */
export const applyAttemptsMax = 8;
const retryJitterMs = 5;

export type CommandResult = WalletResult | GiftCardResult;
export type ApplyFn = (tx: EntityManager, now: Date) => Promise<CommandResult | EarlierResult>;

/**
 * Runs one command exactly once: in one transaction it checks the idempotency record, applies the change,
 * and stores the reply beside it. A rejection is stored as the outcome too; a lost race is retried.
 */
@Injectable()
export class CommandExecutor {
  private readonly logger = new Logger(CommandExecutor.name);

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly batches: LedgerBatches,
  ) {}

  async execute(command: Command, apply: ApplyFn): Promise<CommandOutcome> {
    const payloadHash = payloadHashOf(command);
    const batch = this.batches.current();
    if (batch) return this.executeInBatch(batch, command, payloadHash, apply);
    for (let attempt = 1; attempt <= applyAttemptsMax; attempt++) {
      try {
        return await this.attempt(this.orm.em.fork() as EntityManager, command, payloadHash, apply);
      } catch (error) {
        if (error instanceof LedgerRejection) return this.storeRejection(this.orm.em.fork() as EntityManager, command, payloadHash, error);
        if (!isLostRace(error) || attempt === applyAttemptsMax) throw error;
        this.logger.debug(`command ${command.commandId} lost a race (attempt ${attempt}); retrying`);
        await sleep(Math.random() * retryJitterMs * attempt);
      }
    }
    throw new Error('unreachable: the loop returns or throws');
  }

  /** Inside a group commit: a savepoint per command; a lost race hands the whole batch back to be retried singly. */
  private async executeInBatch(batch: EntityManager, command: Command, payloadHash: string, apply: ApplyFn): Promise<CommandOutcome> {
    try {
      return await this.attempt(batch, command, payloadHash, apply);
    } catch (error) {
      if (error instanceof LedgerRejection) return this.storeRejection(batch, command, payloadHash, error);
      if (isLostRace(error)) throw new LostRaceInBatch(command.commandId);
      throw error;
    } finally {
      // Each command reads what it needs inside the transaction; keeping the group's entities would make every
      // later command's fork copy, scan and merge them all (quadratic in the group's size).
      batch.clear();
    }
  }

  /**
   * One transaction, or a savepoint when em is already inside the batch's transaction. The fork starts empty
   * (clear), so it reads rows as the transaction sees them now rather than copies held by the batch.
   */
  private attempt(em: EntityManager, command: Command, payloadHash: string, apply: ApplyFn): Promise<CommandOutcome> {
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(IdempotencyRecord, { businessId: command.businessId, commandId: command.commandId });
      if (existing) return replayOf(command, payloadHash, existing);
      const now = this.clock.now();
      const result = await apply(tx, now);
      const earlier = result instanceof EarlierResult;
      const reply = replyOf(command, now, { status: 'applied', result: earlier ? result.result : result });
      tx.create(IdempotencyRecord, recordOf(command, payloadHash, reply, now));
      return { reply, replayed: earlier };
    }, { clear: true });
  }

  private async storeRejection(em: EntityManager, command: Command, payloadHash: string, rejection: LedgerRejection): Promise<CommandOutcome> {
    const now = this.clock.now();
    const reply = replyOf(command, now, { status: 'rejected', error: rejection.toBody() });
    try {
      // A transaction of its own, or a savepoint inside a batch: a duplicate key must not abort the batch.
      await em.transactional((tx) => tx.insert(IdempotencyRecord, recordOf(command, payloadHash, reply, now)));
      return { reply, replayed: false };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const existing = await em.findOneOrFail(IdempotencyRecord, { businessId: command.businessId, commandId: command.commandId });
      return replayOf(command, payloadHash, existing);
    }
  }
}

/** Another writer got there first: a version check failed, a key was taken, or two transactions deadlocked. */
function isLostRace(error: unknown): boolean {
  return (
    error instanceof OptimisticLockError ||
    error instanceof UniqueConstraintViolationException ||
    error instanceof DeadlockException ||
    error instanceof LockWaitTimeoutException
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
