import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createKafka } from '@storecredit/messaging';
import { Kafka, Partitioners, type Producer } from 'kafkajs';
import { workerConfigToken, type WorkerConfig } from './worker.config';

/**
 * One idempotent producer per worker for replies, dead letters and events. One request in flight keeps
 * a wallet's events in order even when a send is retried.
 */
@Injectable()
export class WorkerProducer implements OnApplicationShutdown {
  readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}

export const kafkaProvider: Provider = {
  provide: Kafka,
  useFactory: (config: WorkerConfig) => createKafka(config.kafkaBrokers, config.clientId),
  inject: [workerConfigToken],
};

export const injectWorkerConfig = () => Inject(workerConfigToken);
