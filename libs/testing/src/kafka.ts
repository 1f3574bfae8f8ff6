import { commandKey, headerNames, topicNames, type Command, type Producer as CommandProducer, type TopicNames } from '@storecredit/contracts';
import { createKafka, defaultKafkaBrokers, ensureTopics, KeyPartitioner } from '@storecredit/messaging';
import { randomBytes } from 'node:crypto';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';

export const testBrokers = process.env.KAFKA_BROKERS ?? defaultKafkaBrokers;
export const waitTimeoutMs = 60_000;
const pollMs = 25;

/** A topic prefix of its own per suite, so suites share the broker and nothing else. */
export function uniqueTopicPrefix(): string {
  return `test-${randomBytes(5).toString('hex')}`;
}

export interface Received {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  json<T = Record<string, unknown>>(): T;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

/**
 * Plays the other services: produces commands as checkout, refund or the gateway would, and records
 * every reply, event and dead letter the worker publishes.
 */
export class KafkaTestClient {
  readonly topics: TopicNames;
  readonly replies: Received[] = [];
  readonly events: Received[] = [];
  readonly deadLetters: Received[] = [];
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly consumer: Consumer;

  constructor(readonly prefix: string) {
    this.topics = topicNames(prefix);
    this.kafka = createKafka(testBrokers, `test-client-${prefix}`);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: KeyPartitioner });
    this.consumer = this.kafka.consumer({ groupId: `${prefix}.observer`, allowAutoTopicCreation: false });
  }

  async start(partitions = 4): Promise<void> {
    const { commands, events, replies, deadLetter } = this.topics;
    await ensureTopics(this.kafka, [...Object.values(commands), events, replies, deadLetter], partitions);
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [events, replies, deadLetter], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const received = toReceived(topic, partition, message);
        if (topic === events) this.events.push(received);
        else if (topic === replies) this.replies.push(received);
        else this.deadLetters.push(received);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /** Sends a command on a producer's topic with the contract's key, as that service would. */
  async send(producer: CommandProducer, command: Command, correlationId?: string): Promise<void> {
    await this.sendRaw(producer, Buffer.from(JSON.stringify(command)), commandKey(command), correlationId);
  }

  async sendRaw(producer: CommandProducer, value: Buffer, key: string | null, correlationId?: string): Promise<void> {
    const headers = correlationId === undefined ? undefined : { [headerNames.correlationId]: correlationId };
    await this.producer.send({ topic: this.topics.commands[producer], acks: -1, messages: [{ key, value, headers }] });
  }

  async sendMany(producer: CommandProducer, commands: Command[]): Promise<void> {
    await this.producer.send({
      topic: this.topics.commands[producer],
      acks: -1,
      messages: commands.map((command) => ({ key: commandKey(command), value: JSON.stringify(command) })),
    });
  }

  repliesFor(commandId: string): Record<string, unknown>[] {
    return this.replies.map((reply) => reply.json()).filter((reply) => reply.commandId === commandId);
  }

  async waitForReplies(commandId: string, count = 1): Promise<Record<string, unknown>[]> {
    await waitUntil(() => this.repliesFor(commandId).length >= count, `${count} replies to ${commandId}`);
    return this.repliesFor(commandId);
  }
}

function toReceived(topic: string, partition: number, message: KafkaMessage): Received {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: headersOf(message.headers),
    json<T>() {
      return JSON.parse(message.value?.toString('utf8') ?? 'null') as T;
    },
  };
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = waitTimeoutMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
