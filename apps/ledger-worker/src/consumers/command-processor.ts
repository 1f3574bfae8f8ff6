import { Inject, Injectable } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import {
  commandKey,
  commandTypesByProducer,
  decodeCommand,
  headerNames,
  producers,
  type Command,
  type Producer,
  type RejectionCode,
  type Reply,
} from '@storecredit/contracts';
import { LedgerCommands } from '@storecredit/ledger';
import { tracingEnabled } from '@storecredit/observability';
import type { KafkaMessage } from 'kafkajs';
import { workerConfigToken, type WorkerConfig } from '../worker.config';
import { applyTraced, startProcessSpan } from './command-tracing';

export type DeadLetter = { kind: 'dead-letter'; code: RejectionCode | 'wrong_key'; reason: string; message: KafkaMessage; topic: string; partition: number };
/** A reply, with the span of its command's message when traced: it is ended once the reply is published. */
export type Outgoing = { kind: 'reply'; reply: Reply; span?: Span } | DeadLetter;
/** Messages of one partition, in offset order. */
export interface PartitionSlice {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
}
/** A message that carries a command this topic may carry, under the right key: it goes to the ledger. */
export type Accepted = { kind: 'command'; command: Command; correlationId: string; span?: Span };

/**
 * Turns Kafka messages into their outcomes: a reply for each command this topic may carry, or a dead letter with
 * the reason for a message that can never be applied. No rule of money lives here.
 */
@Injectable()
export class CommandProcessor {
  private readonly producerByTopic: Map<string, Producer>;

  constructor(
    private readonly ledger: LedgerCommands,
    @Inject(workerConfigToken) config: WorkerConfig,
  ) {
    this.producerByTopic = new Map(producers.map((producer) => [config.topics.commands[producer], producer]));
  }

  /** Applies the commands of the slices together (group commit) and answers every message, in order. */
  async processGroup(slices: readonly PartitionSlice[]): Promise<Outgoing[]> {
    const checked = slices.flatMap(({ topic, partition, messages }) => messages.map((message) => this.check(topic, partition, message)));
    const accepted = checked.filter((item): item is Accepted => item.kind === 'command');
    const commands = accepted.map((item) => item.command);
    const outcomes = tracingEnabled()
      ? await applyTraced(accepted, (traces) => this.ledger.applyGroup(commands, traces))
      : await this.ledger.applyGroup(commands);
    if (outcomes.length !== accepted.length) throw new Error(`${accepted.length} commands applied, ${outcomes.length} outcomes returned`);
    let next = 0;
    return checked.map((item) => {
      if (item.kind === 'dead-letter') return item;
      const outcome = outcomes[next++];
      return { kind: 'reply', reply: { ...outcome.reply, correlationId: item.correlationId, replayed: outcome.replayed }, span: item.span };
    });
  }

  /** Decodes one message and checks that its topic may carry it and that its key is the command's. */
  check(topic: string, partition: number, message: KafkaMessage): Accepted | DeadLetter {
    const deadLetter = (code: RejectionCode | 'wrong_key', reason: string): DeadLetter => ({
      kind: 'dead-letter',
      code,
      reason,
      message,
      topic,
      partition,
    });
    const producer = this.producerByTopic.get(topic);
    if (producer === undefined) throw new Error(`subscribed to ${topic}, which is no command topic`);
    const parsed = decodeCommand(message.value);
    if (!parsed.ok) return deadLetter(parsed.code, parsed.reason);
    const { command } = parsed;
    if (!commandTypesByProducer[producer].includes(command.type)) {
      return deadLetter('wrong_topic', `${command.type} may not be sent on the ${producer} command topic`);
    }
    const expectedKey = commandKey(command);
    const key = message.key?.toString('utf8');
    if (key !== expectedKey) {
      return deadLetter('wrong_key', `message key must be ${JSON.stringify(expectedKey)}, got ${JSON.stringify(key ?? null)}`);
    }
    const correlationId = headerText(message, headerNames.correlationId) ?? command.commandId;
    if (!tracingEnabled()) return { kind: 'command', command, correlationId };
    return { kind: 'command', command, correlationId, span: startProcessSpan(command, topic, partition, message) };
  }
}

function headerText(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
