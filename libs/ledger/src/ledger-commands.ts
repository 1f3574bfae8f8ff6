import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Command, StoredReply } from '@storecredit/contracts';
import { Clock } from './clock';
import { EarlierResult, payloadHashOf, recordOf, replayOf, replyOf, type CommandOutcome, type Decision } from './command-outcomes';
import { toCqrsCommand } from './commands';
import { LedgerRejection } from './errors';
import { GroupStore, GroupWriteConflict, loadGroupState, writeGroup } from './group-store';
import { UnitOfWork } from './unit-of-work';

/** Attempts at one command alone when another writer keeps changing its rows first. */
export const applyAttemptsMax = 8;
const retryJitterMs = 5;
/** The tracer of the group's database statements; a no-op unless the process installed tracing. */
const ledgerTracerName = 'storecredit-ledger';

/** Commands of a group that carry a trace, with the W3C traceparent their events are to continue. */
export type CommandTraces = ReadonlyMap<Command, string>;

/**
 * Applies validated contract commands; the adapters (Kafka, HTTP) call only this. A group of commands is committed
 * in three steps: one statement reads every row the group depends on into a unit of work; each command is decided
 * in order by its @nestjs/cqrs handler, through the command bus, against that unit of work (so each sees what the
 * commands before it did); one statement writes everything decided, all or nothing. A group that cannot be written
 * (another writer changed its rows after the read, a key was taken meanwhile, the connection was lost) is applied
 * again one command at a time, by the same code: groups of one, read afresh, each retried while it loses races.
 */
@Injectable()
export class LedgerCommands {
  private readonly logger = new Logger(LedgerCommands.name);

  constructor(
    private readonly commandBus: CommandBus,
    private readonly store: GroupStore,
    private readonly clock: Clock,
  ) {}

  async apply(command: Command): Promise<CommandOutcome> {
    const [outcome] = await this.applyGroup([command]);
    return outcome;
  }

  /**
   * Applies commands in order, exactly as applying them one by one would, and commits them together. The outbox rows
   * of a command in `traces` keep its traceparent, so that its events join its trace.
   */
  async applyGroup(commands: readonly Command[], traces?: CommandTraces): Promise<CommandOutcome[]> {
    if (commands.length === 0) return [];
    try {
      return await this.commit(commands, traces);
    } catch (error) {
      const message = `a group of ${commands.length} commands could not be written (${(error as Error).message}); applying them one at a time`;
      if (isLostRaceOrDatabaseFailure(error)) this.logger.warn(message);
      else this.logger.error(message, (error as Error).stack);
    }
    const outcomes: CommandOutcome[] = [];
    for (const command of commands) outcomes.push(await this.applyAlone(command, traces));
    return outcomes;
  }

  /** A group of one, read afresh and tried again while another writer keeps getting there first. */
  private async applyAlone(command: Command, traces: CommandTraces | undefined): Promise<CommandOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const [outcome] = await this.commit([command], traces);
        return outcome;
      } catch (error) {
        if (!isLostRaceOrDatabaseFailure(error) || attempt >= applyAttemptsMax) throw error;
        this.logger.debug({ commandId: command.commandId, businessId: command.businessId, attempt }, 'command lost a race; trying again');
        await sleep(Math.random() * retryJitterMs * attempt);
      }
    }
  }

  /**
   * Read, decide, write. No begin and commit: the read is one statement (one snapshot) and the write is one statement
   * that is all or nothing by itself and checks again everything the decisions took from the read (versions, keys),
   * refusing itself if any of it changed meanwhile; in READ COMMITTED a transaction around them would add no
   * isolation, only two round trips.
   */
  private commit(commands: readonly Command[], traces: CommandTraces | undefined): Promise<CommandOutcome[]> {
    return this.store.withConnection(async (client) => {
      const state = await inDatabaseSpan('read group', commands.length, () => loadGroupState(client, commands));
      const work = new UnitOfWork(state);
      const outcomes = await this.decideGroup(commands, work, traces);
      await inDatabaseSpan('write group', commands.length, () => writeGroup(client, work.writes()));
      return outcomes;
    });
  }

  /** Decides the commands in order against the unit of work; it writes nothing. */
  async decideGroup(commands: readonly Command[], work: UnitOfWork, traces?: CommandTraces): Promise<CommandOutcome[]> {
    const outcomes: CommandOutcome[] = [];
    for (const command of commands) {
      const traceParent = traces?.get(command);
      const firstOutbox = traceParent === undefined ? 0 : work.outboxCount();
      outcomes.push(await this.decide(command, work));
      if (traceParent !== undefined) work.traceOutboxFrom(firstOutbox, traceParent);
    }
    return outcomes;
  }

  /**
   * Exactly once: a command id already recorded is answered with its first outcome (or refused when its payload
   * differs); otherwise its handler decides it and the outcome is recorded beside its effect. A refusal undoes
   * whatever the handler changed and is recorded as the outcome.
   */
  private async decide(command: Command, work: UnitOfWork): Promise<CommandOutcome> {
    const payloadHash = payloadHashOf(command);
    const existing = work.record(command.businessId, command.commandId);
    if (existing) return replayOf(command, payloadHash, existing);
    const now = this.clock.now();
    const mark = work.mark();
    let reply: StoredReply;
    let earlier = false;
    try {
      const decision: Decision = await this.commandBus.execute(toCqrsCommand(command, work, now));
      earlier = decision instanceof EarlierResult;
      reply = replyOf(command, now, { status: 'applied', result: decision instanceof EarlierResult ? decision.result : decision });
    } catch (error) {
      if (!(error instanceof LedgerRejection)) throw error;
      work.rollbackTo(mark);
      reply = replyOf(command, now, { status: 'rejected', error: error.toBody() });
    }
    work.addRecord(recordOf(command, payloadHash, reply, now));
    return { reply, replayed: earlier };
  }
}

/**
 * A client span around one of the group's two statements, child of the active span (the worker's `apply group`).
 * Without an installed tracer it is the API's no-op: once per group, not per command.
 */
function inDatabaseSpan<T>(name: string, commands: number, statement: () => Promise<T>): Promise<T> {
  return trace.getTracer(ledgerTracerName).startActiveSpan(
    name,
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.operation.name': name, 'storecredit.group.commands': commands } },
    async (span) => {
      try {
        return await statement();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** A lost race (a row count short, a key taken, a deadlock) or a database error (a PostgreSQL SQLSTATE, a cut connection). */
function isLostRaceOrDatabaseFailure(error: unknown): boolean {
  if (error instanceof GroupWriteConflict) return true;
  if (!(error instanceof Error)) return false;
  return typeof (error as Error & { code?: unknown }).code === 'string' || /connection|terminated|ECONN/i.test(error.message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
