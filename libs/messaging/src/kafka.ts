import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry, type SASLOptions } from 'kafkajs';

export const defaultKafkaBrokers = '127.0.0.1:9092';
export const kafkaConnectionTimeoutMs = 3_000;
export const kafkaRequestTimeoutMs = 30_000;

/** kafkajs logs through the Nest logger, so the apps never write to the console directly. */
function nestLogCreator() {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const logger = new Logger(`kafkajs:${namespace}`);
      const { message, ...extra } = log;
      const text = `${message} ${Object.keys(extra).length > 2 ? JSON.stringify(extra) : ''}`.trim();
      if (level === logLevel.ERROR) logger.error(text);
      else if (level === logLevel.WARN) logger.warn(text);
      else logger.debug(text);
    };
}

export function parseBrokers(brokers: string): string[] {
  return brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/** The SASL mechanisms a service may name in KAFKA_SASL_MECHANISM (the brokers we run offer SCRAM-SHA-512). */
export const kafkaSaslMechanisms = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type KafkaSaslMechanism = (typeof kafkaSaslMechanisms)[number];

/** A service's broker credentials; null connects without SASL (a broker without authentication). */
export type KafkaSasl = { mechanism: KafkaSaslMechanism; username: string; password: string } | null;

/**
 * KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: all three, or none (no SASL, as before). Half a
 * configuration stops the start with the name of what is missing, rather than a refusal from the broker later.
 */
export function kafkaSaslFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSasl {
  const mechanism = (env.KAFKA_SASL_MECHANISM ?? '').trim().toLowerCase();
  const username = env.KAFKA_SASL_USERNAME ?? '';
  const password = env.KAFKA_SASL_PASSWORD ?? '';
  if (mechanism === '' && username === '' && password === '') return null;
  if (!(kafkaSaslMechanisms as readonly string[]).includes(mechanism)) {
    throw new Error(`KAFKA_SASL_MECHANISM must be one of ${kafkaSaslMechanisms.join(', ')}, got ${JSON.stringify(env.KAFKA_SASL_MECHANISM ?? '')}`);
  }
  if (username === '') throw new Error('KAFKA_SASL_USERNAME is empty while KAFKA_SASL_MECHANISM is set');
  if (password === '') throw new Error('KAFKA_SASL_PASSWORD is empty while KAFKA_SASL_MECHANISM is set');
  return { mechanism: mechanism as KafkaSaslMechanism, username, password };
}

/** kafkajs's `sasl` option for a client (spread into its config; nothing without credentials). */
export function kafkaSaslOption(sasl: KafkaSasl): { sasl?: SASLOptions } {
  return sasl === null ? {} : { sasl: { ...sasl } as SASLOptions };
}

/** A Kafka client; its credentials are the service's (from its configuration), or else the process's KAFKA_SASL_*. */
export function createKafka(brokers: string, clientId: string, sasl: KafkaSasl = kafkaSaslFromEnv()): Kafka {
  return new Kafka({
    clientId,
    brokers: parseBrokers(brokers),
    ...kafkaSaslOption(sasl),
    connectionTimeout: kafkaConnectionTimeoutMs,
    requestTimeout: kafkaRequestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: nestLogCreator(),
    retry: { initialRetryTime: 200, retries: 10 },
  });
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = topics
      .filter((topic) => !existing.has(topic))
      .map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 }));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}
