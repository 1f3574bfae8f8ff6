import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createKafka, KeyPartitioner } from '@storecredit/messaging';
import { Kafka, type Producer } from 'kafkajs';
import { workerConfigToken, type WorkerConfig } from './worker.config';

/**
 * The worker's two idempotent producers: one for replies and dead letters, one for events. One request in flight
 * per producer keeps a wallet's events in order even when a send is retried (kafkajs keeps order under retries
 * only so); with a producer each, a batch's replies do not wait behind the relay's events, nor the other way round.
 */
@Injectable()
export class WorkerProducer implements OnApplicationShutdown {
  readonly replies: Producer;
  readonly events: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    const create = () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: KeyPartitioner,
      });
    this.replies = create();
    this.events = create();
  }

  connect(): Promise<void> {
    this.connected ??= Promise.all([this.replies.connect(), this.events.connect()]).then(() => undefined);
    return this.connected;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected) await Promise.all([this.replies.disconnect(), this.events.disconnect()]);
  }
}

export const kafkaProvider: Provider = {
  provide: Kafka,
  useFactory: (config: WorkerConfig) => createKafka(config.kafkaBrokers, config.clientId),
  inject: [workerConfigToken],
};

export const injectWorkerConfig = () => Inject(workerConfigToken);
