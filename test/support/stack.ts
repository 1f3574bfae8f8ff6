import type { INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { gatewayConfigFromEnv } from '../../apps/gateway/src/gateway.config';
import { commandTransport, startLedgerWorker } from '../../apps/ledger-worker/src/ledger-worker.app';
import { LedgerWorkerModule } from '../../apps/ledger-worker/src/ledger-worker.module';
import { workerConfigFromEnv, type WorkerConfig } from '../../apps/ledger-worker/src/worker.config';
import {
  createTestDatabase,
  KafkaTestClient,
  principalEnv,
  provisionTestTopics,
  testBrokers,
  uniqueTopicPrefix,
  type TestDatabase,
} from '@storecredit/testing';
import { GatewayClient } from './gateway';

/** Generous, so a loaded machine answers late rather than 202. */
export const stackReplyTimeoutMs = 15_000;

export interface LedgerStack {
  db: TestDatabase;
  /** The topic prefix of this stack's own topics. */
  prefix: string;
  worker: INestMicroservice;
  app: NestFastifyApplication;
  http: GatewayClient;
  stop(): Promise<void>;
}

/**
 * The production shape in one test process: a fresh PostgreSQL database, topics of its own on the real broker,
 * the ledger worker, and the gateway sending it commands over Kafka.
 */
export async function startLedgerStack(
  env: Record<string, string> = {},
  options: { workerLogger?: LoggerService | LogLevel[] | false } = {},
): Promise<LedgerStack> {
  const db = await createTestDatabase();
  const prefix = uniqueTopicPrefix();
  const fullEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testBrokers,
    KAFKA_TOPIC_PREFIX: prefix,
    GATEWAY_REPLY_TIMEOUT_MS: String(stackReplyTimeoutMs),
    ...env,
  };
  // The topics and ACLs as the admin provisions them; then the worker and the gateway run as their own principals.
  // A suite that names its own broker (KAFKA_BROKERS in env) makes its own topics, as the worker does by default.
  if (env.KAFKA_BROKERS === undefined) await provisionTestTopics(prefix);
  const as = (principal: 'ledger-worker' | 'gateway') => (env.KAFKA_BROKERS === undefined ? principalEnv(principal) : {});
  const worker = await startLedgerWorker(workerConfigFromEnv({ ...fullEnv, ...as('ledger-worker') }), { logger: options.workerLogger ?? ['error'] });
  const app = await createGatewayApp(gatewayConfigFromEnv({ ...fullEnv, ...as('gateway') }), { url: db.url });
  return {
    db,
    prefix,
    worker,
    app,
    http: new GatewayClient(app),
    stop: async () => {
      await app.close();
      await worker.close();
      await db.drop();
    },
  };
}

export interface WorkerStack {
  db: TestDatabase;
  /** Sends commands on this stack's topics and records its replies, events and dead letters. */
  kafka: KafkaTestClient;
  worker: INestMicroservice;
  config: WorkerConfig;
  /** Ledger entries of a client, counted in the database. */
  entryCount(clientId: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The ledger worker in this test process, as checkout, refund and reporting see it: a fresh PostgreSQL database,
 * topics of its own on the real broker, and a Kafka client observing them.
 */
export async function startWorkerStack(): Promise<WorkerStack> {
  const db = await createTestDatabase();
  const prefix = uniqueTopicPrefix();
  const kafka = new KafkaTestClient(prefix);
  await kafka.start();
  // The hold expiry sweep runs often here, so a test sees a hold expire within a second.
  const config = workerConfigFromEnv({ HOLD_SWEEP_MS: '200', ...process.env, DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, ...principalEnv('ledger-worker') });
  const moduleRef = await Test.createTestingModule({ imports: [LedgerWorkerModule.forRoot(config)] }).compile();
  const worker = moduleRef.createNestMicroservice(commandTransport);
  await worker.listen();
  return {
    db,
    kafka,
    worker,
    config,
    entryCount: async (clientId) =>
      Number((await db.query<{ n: string }>('select count(*) as n from ledger_entry where client_id = $1', [clientId]))[0].n),
    stop: async () => {
      await worker.close();
      await kafka.stop();
      await db.drop();
    },
  };
}
