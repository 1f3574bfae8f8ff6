import type { INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type KafkaOptions } from '@nestjs/microservices';
import { kafkaConnectionTimeoutMs, kafkaRequestTimeoutMs, kafkaSaslFromEnv, kafkaSaslOption, KeyPartitioner, parseBrokers } from '@storecredit/messaging';
import { appLogger } from '@storecredit/observability';
import { logLevel } from 'kafkajs';
import type { ReportingConfig } from './reporting.config';
import { ReportingModule } from './reporting.module';

/** How often kafkajs tries again (a handler that threw, a broker away) before it restarts the consumer and tries on. */
const kafkaRetries = 10;
const kafkaInitialRetryMs = 200;

/**
 * Nest's own Kafka transport (ServerKafka, kafkajs underneath): one `eachMessage` per event, its offset committed by
 * kafkajs's auto commit at the end of the fetched batch, after the handler returned. So events are at least once, which the read model's event ids
 * absorb; and the events of one wallet, which share a key and so a partition, are applied in order, one at a time.
 */
export function reportingTransport(config: ReportingConfig): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      client: {
        clientId: config.clientId,
        brokers: parseBrokers(config.kafkaBrokers),
        ...kafkaSaslOption(config.kafkaSasl === undefined ? kafkaSaslFromEnv() : config.kafkaSasl),
        connectionTimeout: kafkaConnectionTimeoutMs,
        requestTimeout: kafkaRequestTimeoutMs,
        logLevel: logLevel.WARN,
        retry: { initialRetryTime: kafkaInitialRetryMs, retries: kafkaRetries },
      },
      // ServerKafka appends `-server` to the group and client ids, to tell them from a ClientKafka in the same app;
      // this app has no client, and its group is named in the configuration as operators will look for it.
      postfixId: '',
      // The topic is the ledger worker's to create, with its partitions; a missing one stops the start with the reason.
      consumer: { groupId: config.groupId, allowAutoTopicCreation: false },
      // A new group reads the topic from its start: the read model is built from every event kept.
      subscribe: { fromBeginning: true },
      run: { partitionsConsumedConcurrently: config.partitionsConsumedConcurrently },
      // ServerKafka always connects a producer (for replies, which events never have); ours keeps it off kafkajs's
      // partitioner warning.
      producer: { createPartitioner: KeyPartitioner },
    },
  };
}

export interface ReportingAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Builds the reporting consumer as a Nest microservice, not yet listening: `listen()` starts consuming, `close()` stops. */
export function createReportingApp(config: ReportingConfig, options: ReportingAppOptions = {}): Promise<INestMicroservice> {
  return NestFactory.createMicroservice<KafkaOptions>(ReportingModule.forRoot(config), {
    logger: options.logger ?? appLogger(),
    ...reportingTransport(config),
  });
}

/** Builds the consumer and starts it, for a composition or a test; a start that fails closes what it opened and rethrows. */
export async function startReporting(config: ReportingConfig, options: ReportingAppOptions = {}): Promise<INestMicroservice> {
  const app = await createReportingApp(config, options);
  try {
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
