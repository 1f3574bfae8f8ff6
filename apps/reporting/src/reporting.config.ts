import { defaultTopicPrefix, topicNames } from '@storecredit/contracts';
import { defaultDatabaseUrl } from '@storecredit/ledger';
import { defaultKafkaBrokers, kafkaSaslFromEnv, type KafkaSasl } from '@storecredit/messaging';

/** Partitions whose events are applied at the same time: a wallet lives in one partition, so they never share a wallet. */
export const defaultPartitionsConsumedConcurrently = 4;
export const defaultHttpPort = 9465;

export interface ReportingConfig {
  databaseUrl: string;
  kafkaBrokers: string;
  clientId: string;
  /** KAFKA_SASL_*: the reporting principal (`reporting`); null without authentication, absent: the process's KAFKA_SASL_*. */
  kafkaSasl?: KafkaSasl;
  /** The consumer group, used as it is (no `-server` postfix: see reportingTransport). */
  groupId: string;
  /** The ledger's event topic, `<KAFKA_TOPIC_PREFIX>.events.v1`. */
  eventsTopic: string;
  partitionsConsumedConcurrently: number;
  /** The port of GET /metrics; 0 takes any free port, undefined serves none. */
  httpPort: number | undefined;
  /** Where that port listens (REPORTING_HTTP_HOST): loopback unless told otherwise, like the worker's. */
  httpHost?: string;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

export function reportingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ReportingConfig {
  const prefix = env.KAFKA_TOPIC_PREFIX ?? defaultTopicPrefix;
  return {
    databaseUrl: env.DATABASE_URL ?? defaultDatabaseUrl,
    kafkaBrokers: env.KAFKA_BROKERS ?? defaultKafkaBrokers,
    clientId: env.KAFKA_CLIENT_ID ?? 'storecredit-reporting',
    kafkaSasl: kafkaSaslFromEnv(env),
    groupId: env.REPORTING_GROUP_ID ?? `${prefix}.reporting`,
    eventsTopic: topicNames(prefix).events,
    partitionsConsumedConcurrently: intFromEnv(env, 'REPORTING_PARTITIONS_CONCURRENTLY', defaultPartitionsConsumedConcurrently, 1),
    httpPort: env.REPORTING_HTTP_PORT === 'off' ? undefined : intFromEnv(env, 'REPORTING_HTTP_PORT', defaultHttpPort, 0),
    httpHost: env.REPORTING_HTTP_HOST || '127.0.0.1',
  };
}
