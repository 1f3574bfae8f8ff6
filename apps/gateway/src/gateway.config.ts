import { defaultTopicPrefix, topicNames, type TopicNames } from '@storecredit/contracts';
import { embeddedDataDirDefault } from '@storecredit/embedded-postgres';
import { kafkaSaslFromEnv, type KafkaSasl } from '@storecredit/messaging';
import { metricsTokenFromEnv } from '@storecredit/observability';
import { sessionIdleMsDefault, sessionIdleMsMin, sessionLifetimeMsDefault, sessionTouchIntervalMs } from './auth/sessions';

export const defaultPort = 3000;
export const defaultReplyTimeoutMs = 5_000;
export const defaultDataDir = embeddedDataDirDefault;

export interface GatewayConfig {
  host: string;
  port: number;
  /** Null in embedded mode: PGlite under dataDir. */
  databaseUrl: string | null;
  /** Null in embedded mode: commands go to the handlers in this process. */
  kafkaBrokers: string | null;
  /** KAFKA_SASL_*: the gateway's principal (`gateway`); null without authentication. */
  kafkaSasl?: KafkaSasl;
  dataDir: string;
  topics: TopicNames;
  /** How long a write waits for the worker's reply before it answers 202 with a status URL. */
  replyTimeoutMs: number;
  /** Run the ledger worker in this process too (always in embedded mode). */
  runWorker: boolean;
  webDir: string;
  secureCookies: boolean;
  /** A session ends after this long unused (SESSION_IDLE_MS) or this long after sign-in (SESSION_LIFETIME_MS). */
  sessionIdleMs: number;
  sessionLifetimeMs: number;
  /** Origins besides the gateway's own from which a signed-in browser may write (ALLOWED_ORIGINS, comma-separated). */
  allowedOrigins: readonly string[];
  /** Host names the gateway answers to (ALLOWED_HOSTS, comma-separated); null answers to any. */
  allowedHosts: readonly string[] | null;
  /** METRICS_TOKEN: the bearer token /metrics asks for; null leaves it open (to be kept from outside by the proxy). */
  metricsToken: string | null;
}

export const gatewayConfigToken = Symbol('GatewayConfig');

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** Sessions' last use is written once per touch interval: a shorter idle time would end sessions while they are used. */
function sessionIdleMs(env: NodeJS.ProcessEnv): number {
  const value = positiveInt(env, 'SESSION_IDLE_MS', sessionIdleMsDefault);
  if (value < sessionIdleMsMin) {
    throw new Error(
      `SESSION_IDLE_MS must be at least ${sessionIdleMsMin} (twice the ${sessionTouchIntervalMs} ms between writes of a session's last use), got ${value}`,
    );
  }
  return value;
}

function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const listed = (env[name] ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  return listed.map((entry) => {
    const origin = URL.canParse(entry) ? new URL(entry).origin : 'null';
    if (origin === 'null') throw new Error(`${name} must list origins like https://shop.example.com, got ${JSON.stringify(entry)}`);
    return origin;
  });
}

/**
 * The embedded server runs on a person's own machine: it answers only to the loopback names, so a web page whose name
 * an attacker points at 127.0.0.1 (DNS rebinding) cannot reach it. In production a proxy usually decides, so any.
 */
export const embeddedHostsDefault: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];
const anyAddress: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

function hostNames(env: NodeJS.ProcessEnv, embedded: boolean, host: string): string[] | null {
  const listed = (env.ALLOWED_HOSTS ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
  if (!embedded && listed.length === 0) return null;
  const own = anyAddress.has(host) ? [] : [host.toLowerCase()];
  return [...new Set([...(embedded ? embeddedHostsDefault : []), ...own, ...listed])];
}

export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const databaseUrl = env.DATABASE_URL || null;
  const kafkaBrokers = env.KAFKA_BROKERS || null;
  if ((databaseUrl === null) !== (kafkaBrokers === null)) {
    throw new Error('set both DATABASE_URL and KAFKA_BROKERS (production) or neither (embedded)');
  }
  const host = env.HOST ?? '127.0.0.1';
  return {
    host,
    port: positiveInt(env, 'PORT', defaultPort),
    databaseUrl,
    kafkaBrokers,
    kafkaSasl: kafkaSaslFromEnv(env),
    dataDir: env.DATA_DIR ?? defaultDataDir,
    topics: topicNames(env.KAFKA_TOPIC_PREFIX ?? defaultTopicPrefix),
    replyTimeoutMs: positiveInt(env, 'GATEWAY_REPLY_TIMEOUT_MS', defaultReplyTimeoutMs),
    runWorker: kafkaBrokers === null || env.RUN_WORKER !== 'false',
    webDir: env.WEB_DIR ?? 'apps/web/dist',
    secureCookies: env.SECURE_COOKIES === 'true',
    sessionIdleMs: sessionIdleMs(env),
    sessionLifetimeMs: positiveInt(env, 'SESSION_LIFETIME_MS', sessionLifetimeMsDefault),
    allowedOrigins: origins(env, 'ALLOWED_ORIGINS'),
    allowedHosts: hostNames(env, databaseUrl === null, host),
    metricsToken: metricsTokenFromEnv(env),
  };
}
