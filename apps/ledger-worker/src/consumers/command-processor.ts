import { Inject, Injectable } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import {
  commandBytesMax,
  commandKey,
  commandTypesByProducer,
  decodeCommand,
  headerNames,
  idPattern,
  producers,
  type Command,
  type Producer,
  type RejectionCode,
  type Reply,
} from '@storecredit/contracts';
import { LedgerCommands } from '@storecredit/ledger';
import { commandAgeSeconds, groupApplySeconds, groupCommands, traceIdOf, tracingEnabled } from '@storecredit/observability';
import type { KafkaMessage } from 'kafkajs';
import { workerConfigToken, type WorkerConfig } from '../worker.config';
import { applyTraced, startProcessSpan } from './command-tracing';

export type DeadLetterCode = RejectionCode | 'wrong_key';
export type DeadLetter = {
  kind: 'dead-letter';
  code: DeadLetterCode;
  reason: string;
  message: KafkaMessage;
  topic: string;
  partition: number;
  /** The command, when the message was one but not for this topic or key. */
  command?: Command;
};
/**
 * A reply, with the trace id of the message it answers (for its log line) and, when traced, the span of its command's
 * message: it is ended once the reply is published.
 */
export type Outgoing = { kind: 'reply'; reply: Reply; traceId?: string; span?: Span } | DeadLetter;
/** Messages of one partition, in offset order. */
export interface PartitionSlice {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
}
/** A message that carries a command this topic may carry, under the right key: it goes to the ledger. */
export type Accepted = { kind: 'command'; command: Command; correlationId: string; traceId?: string; span?: Span };

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
    const applyStarted = performance.now();
    const commands = accepted.map((item) => item.command);
    const outcomes = tracingEnabled()
      ? await applyTraced(accepted, (traces) => this.ledger.applyGroup(commands, traces))
      : await this.ledger.applyGroup(commands);
    if (outcomes.length !== accepted.length) throw new Error(`${accepted.length} commands applied, ${outcomes.length} outcomes returned`);
    if (accepted.length > 0) recordGroup(slices, checked, applyStarted);
    let next = 0;
    return checked.map((item) => {
      if (item.kind === 'dead-letter') return item;
      const outcome = outcomes[next++];
      return {
        kind: 'reply',
        reply: { ...outcome.reply, correlationId: item.correlationId, replayed: outcome.replayed },
        traceId: item.traceId,
        span: item.span,
      };
    });
  }

  /** Decodes one message and checks that its topic may carry it and that its key is the command's. */
  check(topic: string, partition: number, message: KafkaMessage): Accepted | DeadLetter {
    const deadLetter = (code: DeadLetterCode, reason: string, command?: Command): DeadLetter => ({
      kind: 'dead-letter',
      code,
      reason,
      message,
      topic,
      partition,
      command,
    });
    const producer = this.producerByTopic.get(topic);
    if (producer === undefined) throw new Error(`subscribed to ${topic}, which is no command topic`);
    const parsed = decodeCommand(message.value);
    if (!parsed.ok) return deadLetter(parsed.code, parsed.reason);
    const { command } = parsed;
    if (!commandTypesByProducer[producer].includes(command.type)) {
      return deadLetter('wrong_topic', `${command.type} may not be sent on the ${producer} command topic`, command);
    }
    const expectedKey = commandKey(command);
    const key = message.key?.toString('utf8');
    if (key !== expectedKey) {
      return deadLetter('wrong_key', `message key must be ${JSON.stringify(expectedKey)}, got ${JSON.stringify(key ?? null)}`, command);
    }
    const correlationId = headerText(message, headerNames.correlationId) ?? command.commandId;
    const traceId = traceIdOf(message.headers);
    if (!tracingEnabled()) return { kind: 'command', command, correlationId, traceId };
    return { kind: 'command', command, correlationId, traceId, span: startProcessSpan(command, topic, partition, message) };
  }
}

/** The group's size, its apply time and each command's age at commit: now less the producer's message timestamp. */
function recordGroup(slices: readonly PartitionSlice[], checked: ReadonlyArray<Accepted | DeadLetter>, applyStarted: number): void {
  groupApplySeconds.observe((performance.now() - applyStarted) / 1000);
  const committedAt = Date.now();
  let index = 0;
  let commands = 0;
  for (const { messages } of slices) {
    for (const message of messages) {
      if (checked[index++].kind !== 'command') continue;
      commands++;
      commandAgeSeconds.observe(Math.max(0, committedAt - Number(message.timestamp)) / 1000);
    }
  }
  groupCommands.observe(commands);
}

function headerText(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * A dead letter's reason as a log line may show it. These reasons quote the message itself (V8's JSON.parse error
 * quotes the text it failed on, the others the value or key sent), which may be a gift card code or a key sent by
 * mistake; the dead-letter topic keeps the full reason beside the original bytes, where those already are.
 */
export function deadLetterReasonForLog(code: DeadLetterCode, reason: string): string {
  switch (code) {
    case 'malformed_json':
      return 'not valid JSON';
    case 'unsupported_schema_version':
      return 'unsupported schemaVersion';
    case 'unknown_type':
      return 'unknown command type';
    case 'wrong_key':
      return "the message key is not the command's";
    default:
      return reason;
  }
}

/**
 * The ids of a message the contract refused but that is a JSON object naming them (a field too many, an amount too
 * precise): for the dead letter's log line, so an operator finds the command. Only short plain strings are taken.
 */
export function commandIdsOf(value: Buffer | null): { commandId: string; businessId: string; type?: string } | undefined {
  if (value === null || value.length === 0 || value.length > commandBytesMax) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { commandId, businessId } = parsed as Record<string, unknown>;
  if (!plainId(commandId) || !plainId(businessId)) return undefined;
  return { commandId, businessId };
}

function plainId(value: unknown): value is string {
  return typeof value === 'string' && idPattern.test(value);
}
