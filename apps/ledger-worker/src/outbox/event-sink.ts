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

  /** One request after another, in order: the producer keeps one in flight, so a retry cannot reorder a wallet's events. */
  async publish(events: OutgoingEvent[]): Promise<void> {
    for (const chunk of requestChunks(events, eventsRequestBytesMax)) {
      await this.output.send('events', (producer) =>
        producer.send({
          topic: this.config.topics.events,
          acks: -1,
          messages: chunk.map(({ key, type, json }) => ({ key, value: json, headers: { 'event-type': type } })),
        }),
      );
    }
  }
}

/**
 * Event bytes one produce request carries at most. The broker refuses a record batch over its message.max.bytes
 * (1 MiB by default), and every event of a request may go to one partition (one hot wallet): a relay batch sent
 * whole could be refused for good and block the outbox.
 */
export const eventsRequestBytesMax = 512 * 1024;

/** Splits events, in order, into runs of at most bytesMax of JSON each (an event larger than that goes alone). */
export function requestChunks(events: readonly OutgoingEvent[], bytesMax: number): OutgoingEvent[][] {
  const chunks: OutgoingEvent[][] = [];
  let current: OutgoingEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.json) + Buffer.byteLength(event.key);
    if (current.length > 0 && bytes + size > bytesMax) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
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
