import { commandKey, headerNames, topicNames, type Command, type Producer as CommandProducer, type TopicNames } from '@storecredit/contracts';
import {
  adminPrincipal,
  allTopics,
  createKafka,
  defaultKafkaBrokers,
  ensureTopics,
  kafkaSaslFromEnv,
  KeyPartitioner,
  provisionKafka,
  type KafkaSasl,
  type ServicePrincipal,
} from '@storecredit/messaging';
import { randomBytes } from 'node:crypto';
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';

export const testBrokers = process.env.KAFKA_BROKERS ?? defaultKafkaBrokers;
export const waitTimeoutMs = 60_000;
const pollMs = 25;

/** Whether the run's broker asks for authentication (test/global-setup.ts sets KAFKA_SASL_* from its credentials.env). */
export function testKafkaAuth(): boolean {
  return kafkaSaslFromEnv() !== null;
}

/** A principal's credentials on the run's broker (KAFKA_PASSWORD_<PRINCIPAL>), or null when it has no authentication. */
export function principalSasl(principal: ServicePrincipal | typeof adminPrincipal, password?: string): KafkaSasl {
  const run = kafkaSaslFromEnv();
  if (run === null) return null;
  const key = `KAFKA_PASSWORD_${principal.toUpperCase().replaceAll('-', '_')}`;
  const known = process.env[key];
  if (known === undefined && password === undefined) throw new Error(`${key} is not set: the credentials.env of the broker names no ${principal}`);
  return { mechanism: run.mechanism, username: principal, password: password ?? known ?? '' };
}

/** The KAFKA_SASL_* environment of a service that runs as the principal (empty without authentication). */
export function principalEnv(principal: ServicePrincipal): Record<string, string> {
  const sasl = principalSasl(principal);
  if (sasl === null) return {};
  return { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password };
}

/**
 * A suite's topics, created as the admin, and with authentication the services' ACLs on them
 * (libs/messaging/src/acls.ts), so that its apps can run as their own principals.
 */
export async function provisionTestTopics(prefix: string, partitions = 4): Promise<void> {
  const kafka = createKafka(testBrokers, `test-provision-${prefix}`);
  if (testKafkaAuth()) await provisionKafka(kafka, prefix, partitions);
  else await ensureTopics(kafka, allTopics(prefix), partitions);
}

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
    const { events, replies, deadLetter } = this.topics;
    await provisionTestTopics(this.prefix, partitions);
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
