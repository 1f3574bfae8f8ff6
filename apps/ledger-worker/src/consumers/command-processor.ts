import { Inject, Injectable } from '@nestjs/common';
import {
  commandKey,
  commandTypesByProducer,
  decodeCommand,
  headerNames,
  producers,
  type Producer,
  type RejectionCode,
  type Reply,
} from '@storecredit/contracts';
import { LedgerCommands } from '@storecredit/ledger';
import type { KafkaMessage } from 'kafkajs';
import { workerConfigToken, type WorkerConfig } from '../worker.config';

export type Outgoing =
  | { kind: 'reply'; reply: Reply }
  | { kind: 'dead-letter'; code: RejectionCode | 'wrong_key'; reason: string; message: KafkaMessage; topic: string; partition: number };

/**
 * Turns one Kafka message into its outcome: a reply when it is a command this topic may carry, or a
 * dead letter with the reason when it can never be applied. No rule of money lives here.
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

  async process(topic: string, partition: number, message: KafkaMessage): Promise<Outgoing> {
    const deadLetter = (code: RejectionCode | 'wrong_key', reason: string): Outgoing => ({
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
    const outcome = await this.ledger.apply(command);
    const correlationId = headerText(message, headerNames.correlationId) ?? command.commandId;
    return { kind: 'reply', reply: { ...outcome.reply, correlationId, replayed: outcome.replayed } };
  }
}

function headerText(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
