import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createKafka, KeyPartitioner } from '@storecredit/messaging';
import { Kafka, type Producer } from 'kafkajs';
import { workerConfigToken, type WorkerConfig } from './worker.config';

export type ProducerRole = 'replies' | 'events';

/**
 * The worker's two idempotent producers: one for replies and dead letters, one for events. One request in flight
 * per producer keeps a wallet's events in order even when a send is retried (kafkajs keeps order under retries
 * only so); with a producer each, a batch's replies do not wait behind the relay's events, nor the other way round.
 *
 * A send that fails is in doubt: the broker may have written it, and kafkajs winds its sequence numbers back all
 * the same. Sent again under the same producer id with other contents (the relay's next batch, a redelivered
 * group's replies), a batch would then be refused for good (out of order sequence, which kafkajs does not retry)
 * or taken for a duplicate and dropped. So a producer whose send failed is replaced by a new one, with a producer
 * id of its own, before the failure is passed on; what was in doubt is sent again whole (at least once).
 */
@Injectable()
export class WorkerProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkerProducer.name);
  private readonly producers: Record<ProducerRole, Producer>;
  private readonly renewals: Partial<Record<ProducerRole, Promise<void>>> = {};
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka) {
    this.producers = { replies: this.create(), events: this.create() };
  }

  connect(): Promise<void> {
    this.connected ??= Promise.all([this.producers.replies.connect(), this.producers.events.connect()]).then(() => undefined);
    return this.connected;
  }

  /** Runs a send on the role's producer; if it fails, the producer is replaced before the error is rethrown. */
  async send<T>(role: ProducerRole, send: (producer: Producer) => Promise<T>): Promise<T> {
    await this.renewals[role];
    const producer = this.producers[role];
    try {
      return await send(producer);
    } catch (error) {
      await this.renew(role, producer);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.renewals));
    if (this.connected) await Promise.all([this.producers.replies.disconnect(), this.producers.events.disconnect()]);
  }

  private create(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: KeyPartitioner,
    });
  }

  /**
   * Replaces a failed producer once, however many sends saw it fail. A new producer that cannot connect (the broker
   * away) is left in place: its first send fails and replaces it again, until the broker answers.
   */
  private renew(role: ProducerRole, failed: Producer): Promise<void> {
    if (this.producers[role] !== failed) return this.renewals[role] ?? Promise.resolve();
    const fresh = this.create();
    this.producers[role] = fresh;
    const renewal = (async () => {
      await failed.disconnect().catch(() => undefined);
      await fresh.connect();
    })()
      .catch((error: Error) => this.logger.warn(`the new ${role} producer could not connect yet: ${error.message}`))
      .finally(() => {
        if (this.renewals[role] === renewal) delete this.renewals[role];
      });
    this.renewals[role] = renewal;
    return renewal;
  }
}

export const kafkaProvider: Provider = {
  provide: Kafka,
  useFactory: (config: WorkerConfig) => createKafka(config.kafkaBrokers, config.clientId, config.kafkaSasl),
  inject: [workerConfigToken],
};

export const injectWorkerConfig = () => Inject(workerConfigToken);
