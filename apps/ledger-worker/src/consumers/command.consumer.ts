import { Inject, Injectable, Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { headerNames, producers, type Reply } from '@storecredit/contracts';
import { ensureTopics } from '@storecredit/messaging';
import { commandLogFields, consumerLagMessages, deadLettersTotal, OutcomeTally, traceHeaders, traceIdOf } from '@storecredit/observability';
import { Kafka, type Consumer, type EachBatchPayload, type IHeaders, type Message } from 'kafkajs';
import { WorkerProducer } from '../kafka.providers';
import { OutboxRelay } from '../outbox/outbox-relay';
import { workerConfigToken, type WorkerConfig } from '../worker.config';
import { CommandProcessor, commandIdsOf, deadLetterReasonForLog, type DeadLetter, type Outgoing, type PartitionSlice } from './command-processor';
import { endSpan } from './command-tracing';
import { GroupCommitter } from './group-committer';

export const consumerSessionTimeoutMs = 30_000;
export const consumerHeartbeatIntervalMs = 3_000;
export const fetchBytesPerPartitionMax = 1024 * 1024;
/** Messages of one partition handed over at a time; a transaction may join several partitions' slices. */
export const sliceMessagesMax = 200;

/** What the transport reports on `status` (Nest's microservice `status` observable), as Nest's own Kafka server does. */
export type CommandTransportStatus = 'connected' | 'rebalancing' | 'stopped' | 'crashed' | 'disconnected';

/**
 * Consumes the command topics. Each partition hands its messages over in slices of up to sliceMessagesMax; the
 * GroupCommitter applies the slices that wait as one group (LedgerCommands.applyGroup: one read, each command
 * decided by its handler, one write); their replies and dead letters are then published, and only after that are their offsets
 * committed. A crash at any point redelivers the slices, and idempotent apply makes the replay change nothing.
 *
 * It is the worker's Nest microservice transport (a custom transport strategy): Nest's `listen()` starts it after
 * the module's init hooks (the schema check) and bootstrap hooks (the outbox relay); Nest's `close()`, or a stop
 * signal, stops it before the onApplicationShutdown hooks, so the producers and the database connections are still
 * there while the groups in flight finish. It hands whole fetches to the command processor rather than one message
 * at a time to pattern handlers: docs/ARCHITECTURE.md, "How the worker applies a command" and "Starting and
 * stopping a worker".
 */
@Injectable()
export class CommandConsumer extends Server<Record<string, never>, CommandTransportStatus> implements CustomTransportStrategy {
  readonly transportId = Symbol('storecredit-command-consumer');
  protected readonly logger = new Logger(CommandConsumer.name);
  private readonly consumer: Consumer;
  /** Slices handed to the committer and not yet delivered: close() waits for them. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Set by close(): no further slice is handed over. */
  private stopping = false;
  private consuming = false;
  private readonly committer = new GroupCommitter<Outgoing[]>({
    apply: (slices) => this.processor.processGroup(slices),
    deliver: async (slices, outgoing) => {
      this.relay.wake();
      await this.publish(outgoing);
      await this.commit(slices);
    },
  });

  constructor(
    private readonly kafka: Kafka,
    private readonly processor: CommandProcessor,
    private readonly output: WorkerProducer,
    private readonly relay: OutboxRelay,
    @Inject(workerConfigToken) private readonly config: WorkerConfig,
  ) {
    super();
    this.consumer = kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: consumerSessionTimeoutMs,
      heartbeatInterval: consumerHeartbeatIntervalMs,
      maxBytesPerPartition: fetchBytesPerPartitionMax,
      allowAutoTopicCreation: false,
    });
    // A consumer that kafkajs will not restart leaves a live process that consumes nothing: crash loudly instead,
    // so the supervisor restarts the worker (a restart anywhere is safe: the batch is redelivered and replayed).
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this._status$.next('crashed');
      if (payload.restart) return;
      this.logger.error(`the Kafka consumer stopped for good: ${payload.error.message}; exiting so that the worker is restarted`);
      process.exit(1);
    });
    // The lag of partitions this worker no longer owns would stay frozen at its last value: the next slices set it again.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      consumerLagMessages.reset();
      this._status$.next('connected');
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => this._status$.next('rebalancing'));
    this.consumer.on(this.consumer.events.STOP, () => this._status$.next('stopped'));
    this.consumer.on(this.consumer.events.DISCONNECT, () => this._status$.next('disconnected'));
  }

  /** Called by Nest's `listen()`: creates the topics if asked, connects, and starts consuming; reports a failed start. */
  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  /**
   * Called by Nest's `close()` (and on a stop signal, before the shutdown hooks): stops fetching, lets the groups in
   * flight be applied, answered and committed, then leaves the group and disconnects. The groups are finished while
   * the kafkajs consumer still runs: once it is stopping, kafkajs drops an offset commit without a word, and the
   * next owner of the partitions would apply those groups again (replayed, answered twice). Slices not handed over
   * are not committed: whoever owns the partition next fetches them.
   */
  async close(): Promise<void> {
    this.stopping = true;
    if (this.consuming) {
      try {
        this.consumer.pause(this.commandTopics().map((topic) => ({ topic })));
      } catch (error) {
        // Only between a consumer crash and kafkajs's restart of it, when nothing is fetched anyway.
        this.logger.warn(`could not pause the consumer: ${(error as Error).message}`);
      }
    }
    await Promise.allSettled(this.inFlight);
    await this.consumer.disconnect();
    this.consuming = false;
  }

  /** As Nest's own Kafka server: no events of its own; `unwrap()` gives the kafkajs consumer and its events. */
  on(): never {
    throw new Error('the command consumer has no events of its own: listen on the kafkajs consumer from unwrap()');
  }

  /** The kafkajs consumer. */
  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const { topics } = this.config;
    const commandTopics = this.commandTopics();
    if (this.config.createTopics) {
      await ensureTopics(this.kafka, [...commandTopics, topics.events, topics.replies, topics.deadLetter], this.config.partitions);
    }
    await this.output.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: commandTopics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.consuming = true;
    this.logger.log(`consuming ${commandTopics.join(', ')} as group ${this.config.groupId}`);
  }

  private commandTopics(): string[] {
    return producers.map((producer) => this.config.topics.commands[producer]);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (let start = 0; start < batch.messages.length; start += sliceMessagesMax) {
      if (this.stopping || !isRunning() || isStale()) return;
      const messages = batch.messages.slice(start, start + sliceMessagesMax);
      const delivered = this.committer.submit({ topic: batch.topic, partition: batch.partition, messages });
      this.inFlight.add(delivered);
      try {
        await delivered;
      } finally {
        this.inFlight.delete(delivered);
      }
      const lastOffset = messages[messages.length - 1].offset;
      resolveOffset(lastOffset);
      consumerLagMessages.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(lastOffset) - 1));
      await heartbeat();
    }
  }

  /**
   * kafkajs wraps a commit refused because this member left the group (frozen past its session timeout, a broker
   * restart) in a non-retriable error, which stops the consumer for good. Rethrown unwrapped, it makes kafkajs join
   * the group again; the uncommitted group is redelivered to whoever owns the partition, and replayed.
   */
  private async commit(slices: readonly PartitionSlice[]): Promise<void> {
    const offsets = slices.map(({ topic, partition, messages }) => ({
      topic,
      partition,
      offset: (BigInt(messages[messages.length - 1].offset) + 1n).toString(),
    }));
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      throw groupMembershipError(error) ?? error;
    }
  }

  private async publish(outgoing: Outgoing[]): Promise<void> {
    const replies: Message[] = [];
    const deadLetters: Message[] = [];
    const outcomes = new OutcomeTally();
    const deadLetterCodes: string[] = [];
    const spans: Span[] = [];
    for (const item of outgoing) {
      if (item.kind === 'reply') {
        outcomes.add(item.reply.commandType, replyOutcome(item.reply), item.reply.error?.code ?? 'ok');
        this.logReply(item);
        const headers: IHeaders = { [headerNames.correlationId]: item.reply.correlationId };
        // The reply continues its command's trace, from the process span.
        if (item.span !== undefined) {
          Object.assign(headers, traceHeaders(trace.setSpan(ROOT_CONTEXT, item.span)));
          spans.push(item.span);
        }
        replies.push({ key: item.reply.commandId, value: JSON.stringify(item.reply), headers });
      } else {
        deadLetterCodes.push(item.code);
        this.logDeadLetter(item);
        deadLetters.push(deadLetterOf(item));
      }
    }
    const topicMessages = [
      { topic: this.config.topics.replies, messages: replies },
      { topic: this.config.topics.deadLetter, messages: deadLetters },
    ].filter((entry) => entry.messages.length > 0);
    try {
      if (topicMessages.length > 0) await this.output.send('replies', (producer) => producer.sendBatch({ topicMessages, acks: -1 }));
    } catch (error) {
      for (const span of spans) endSpan(span, error);
      throw error;
    }
    for (const span of spans) endSpan(span);
    // Counted once the broker has them: a group whose publish failed is redelivered, and answered (replayed) then.
    outcomes.flush();
    for (const code of deadLetterCodes) deadLettersTotal.inc({ code });
  }

  /**
   * A rejection is worth a line; an applied command only at debug level (the worker applies thousands a second).
   * The command's ids are fields of the line, never its payload, which may carry a gift card code.
   */
  private logReply({ reply, traceId }: Extract<Outgoing, { kind: 'reply' }>): void {
    const fields = { ...commandLogFields(reply, reply.correlationId), ...(traceId === undefined ? {} : { traceId }), commandType: reply.commandType };
    if (reply.status === 'rejected') this.logger.log({ ...fields, errorCode: reply.error?.code, replayed: reply.replayed }, 'command rejected');
    else this.logger.debug({ ...fields, replayed: reply.replayed }, 'command applied');
  }

  private logDeadLetter(item: DeadLetter): void {
    const { message } = item;
    const command = item.command ?? commandIdsOf(message.value);
    const correlationId = message.headers?.[headerNames.correlationId]?.toString();
    const traceId = traceIdOf(message.headers);
    this.logger.warn(
      {
        ...(command === undefined ? {} : { commandId: command.commandId, businessId: command.businessId, commandType: command.type }),
        ...(correlationId === undefined ? {} : { correlationId }),
        ...(traceId === undefined ? {} : { traceId }),
        topic: item.topic,
        partition: item.partition,
        offset: message.offset,
        deadLetterCode: item.code,
        reason: deadLetterReasonForLog(item.code, item.reason),
      },
      'dead letter',
    );
  }
}

const groupMembershipErrorTypes = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP']);

/** The Kafka protocol error, anywhere in the cause chain, that says this consumer must join its group again. */
function groupMembershipError(error: unknown): Error | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (groupMembershipErrorTypes.has((current as Error & { type?: string }).type ?? '')) return current;
  }
  return undefined;
}

function replyOutcome(reply: Reply): 'applied' | 'rejected' | 'replayed' {
  if (reply.replayed) return 'replayed';
  return reply.status;
}

function deadLetterOf(item: Extract<Outgoing, { kind: 'dead-letter' }>): Message {
  return {
    key: item.message.key,
    value: item.message.value,
    headers: {
      ...item.message.headers,
      [headerNames.dlqCode]: item.code,
      [headerNames.dlqReason]: item.reason,
      [headerNames.dlqOriginalTopic]: item.topic,
      [headerNames.dlqOriginalPartition]: String(item.partition),
      [headerNames.dlqOriginalOffset]: item.message.offset,
      [headerNames.dlqFailedAt]: new Date().toISOString(),
    },
  };
}
