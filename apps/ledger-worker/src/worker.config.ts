import { defaultTopicPrefix, topicNames, type TopicNames } from '@storecredit/contracts';
import { defaultDatabaseUrl, holdSweepIntervalMsDefault } from '@storecredit/ledger';
import { metricsTokenFromEnv } from '@storecredit/observability';
import { defaultKafkaBrokers, kafkaSaslFromEnv, type KafkaSasl } from '@storecredit/messaging';

export const defaultPartitions = 4;
/** The worker's port for /metrics, /health/live and /health/ready (WORKER_HTTP_PORT: a number, 0 for any free port, off for none). */
export const defaultWorkerHttpPort = 9464;
/** Partitions whose fetched messages one worker hands to the group committer at once (they share its transactions). */
export const defaultPartitionsConsumedConcurrently = 16;

export interface WorkerConfig {
  databaseUrl: string;
  kafkaBrokers: string;
  clientId: string;
  /** KAFKA_SASL_*: the worker's principal (`ledger-worker`); null without authentication. */
  kafkaSasl?: KafkaSasl;
  groupId: string;
  topics: TopicNames;
  /** Partitions of the topics the worker creates when they do not exist. */
  partitions: number;
  partitionsConsumedConcurrently: number;
  createTopics: boolean;
  /** The outbox relay runs in every worker; a database lock lets one publish at a time. */
  relayEnabled: boolean;
  /** How often the hold expiry sweep runs (HOLD_SWEEP_MS; 0 turns it off in this worker). */
  holdSweepMs: number;
  /** Port of the worker's metrics and health listener; null: none (WORKER_HTTP_PORT=off); 0: any free port. */
  httpPort: number | null;
  /** Address it listens on (WORKER_HTTP_HOST); 0.0.0.0 in a container, so that Prometheus reaches it. */
  httpHost: string;
  /** METRICS_TOKEN: the bearer token the port's /metrics asks for; null leaves it open (it listens on loopback by default). */
  metricsToken: string | null;
}

export const workerConfigToken = Symbol('WorkerConfig');

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function httpPortFromEnv(env: NodeJS.ProcessEnv): number | null {
  const raw = env.WORKER_HTTP_PORT;
  if (raw === undefined || raw === '') return defaultWorkerHttpPort;
  if (raw === 'off') return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`WORKER_HTTP_PORT must be a port (0 for any free one) or off, got ${JSON.stringify(raw)}`);
  return value;
}

export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const prefix = env.KAFKA_TOPIC_PREFIX ?? defaultTopicPrefix;
  return {
    databaseUrl: env.DATABASE_URL ?? defaultDatabaseUrl,
    kafkaBrokers: env.KAFKA_BROKERS ?? defaultKafkaBrokers,
    clientId: env.KAFKA_CLIENT_ID ?? 'storecredit-ledger-worker',
    kafkaSasl: kafkaSaslFromEnv(env),
    groupId: env.WORKER_GROUP_ID ?? `${prefix}.ledger-worker`,
    topics: topicNames(prefix),
    partitions: intFromEnv(env, 'KAFKA_PARTITIONS', defaultPartitions),
    partitionsConsumedConcurrently: intFromEnv(env, 'WORKER_PARTITIONS_CONCURRENTLY', defaultPartitionsConsumedConcurrently),
    createTopics: env.KAFKA_CREATE_TOPICS !== 'false',
    relayEnabled: env.OUTBOX_RELAY !== 'false',
    holdSweepMs: env.HOLD_SWEEP_MS === '0' ? 0 : intFromEnv(env, 'HOLD_SWEEP_MS', holdSweepIntervalMsDefault),
    httpPort: httpPortFromEnv(env),
    httpHost: env.WORKER_HTTP_HOST ?? '127.0.0.1',
    metricsToken: metricsTokenFromEnv(env),
  };
}
