import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';

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

export function createKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: parseBrokers(brokers),
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
