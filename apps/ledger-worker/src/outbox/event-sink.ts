import { Inject, Injectable, Logger } from '@nestjs/common';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { LedgerEvent } from '@storecredit/contracts';
import { contextFromTraceParent, traceHeaders, tracer, tracerNames, tracingEnabled } from '@storecredit/observability';
import type { IHeaders, Message } from 'kafkajs';
import { WorkerProducer } from '../kafka.providers';
import { workerConfigToken, type WorkerConfig } from '../worker.config';

/** An event as the outbox holds it: its JSON is published as stored, without parsing and printing it again. */
export interface OutgoingEvent {
  key: string;
  type: LedgerEvent['type'];
  json: string;
  /** The traceparent of the command that wrote it, when that command was traced. */
  traceParent?: string | null;
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
    const topic = this.config.topics.events;
    const tracing = tracingEnabled();
    for (const chunk of requestChunks(events, eventsRequestBytesMax)) {
      const spans: Span[] = [];
      const messages = chunk.map((event): Message => {
        const headers: IHeaders = { 'event-type': event.type };
        if (tracing && event.traceParent) {
          const span = startPublishSpan(topic, event.type, event.traceParent);
          spans.push(span);
          Object.assign(headers, traceHeaders(trace.setSpan(ROOT_CONTEXT, span)));
        }
        return { key: event.key, value: event.json, headers };
      });
      try {
        await this.output.send('events', (producer) => producer.send({ topic, acks: -1, messages }));
      } catch (error) {
        for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message }).end();
        throw error;
      }
      for (const span of spans) span.end();
    }
  }
}

/**
 * The producer span of an event, in the trace of the command that wrote it (its stored traceparent); the event's own
 * `traceparent` header names this span, so that a consumer of the event continues the trace.
 */
function startPublishSpan(topic: string, type: LedgerEvent['type'], traceParent: string): Span {
  return tracer(tracerNames.worker).startSpan(
    'publish event',
    {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic, 'storecredit.event.type': type },
    },
    contextFromTraceParent(traceParent),
  );
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
