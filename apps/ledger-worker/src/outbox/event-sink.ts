import { Inject, Injectable, Logger } from '@nestjs/common';
import type { LedgerEvent } from '@storecredit/contracts';
import { WorkerProducer } from '../kafka.providers';
import { workerConfigToken, type WorkerConfig } from '../worker.config';

/** An event as the outbox holds it: its JSON is published as stored, without parsing and printing it again. */
export interface OutgoingEvent {
  key: string;
  type: LedgerEvent['type'];
  json: string;
}

/** Where the outbox relay delivers events: the Kafka event topic, or nowhere in the embedded mode. */
export abstract class EventSink {
  abstract connect(): Promise<void>;
  /** Delivers the events in the given order, or throws; the relay deletes the rows only after it returns. */
  abstract publish(events: OutgoingEvent[]): Promise<void>;
}

@Injectable()
export class KafkaEventSink extends EventSink {
  constructor(
    private readonly output: WorkerProducer,
    @Inject(workerConfigToken) private readonly config: WorkerConfig,
  ) {
    super();
  }

  connect(): Promise<void> {
    return this.output.connect();
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    await this.output.events.send({
      topic: this.config.topics.events,
      acks: -1,
      messages: events.map(({ key, type, json }) => ({ key, value: json, headers: { 'event-type': type } })),
    });
  }
}

/** The embedded mode has no broker and no reporting consumers: events are logged at debug level and dropped. */
@Injectable()
export class DiscardingEventSink extends EventSink {
  private readonly logger = new Logger(DiscardingEventSink.name);

  async connect(): Promise<void> {}

  async publish(events: OutgoingEvent[]): Promise<void> {
    this.logger.debug(`${events.length} events (no event topic in the embedded mode)`);
  }
}
