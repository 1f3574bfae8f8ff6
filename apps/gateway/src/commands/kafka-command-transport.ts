import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { commandKey, headerNames, replySchema, type Command, type Reply } from '@storecredit/contracts';
import { createKafka, ensureTopics, gatewayReplyGroupPrefix, KeyPartitioner } from '@storecredit/messaging';
import { commandLogFields, traceHeaders, tracer, tracerNames, tracingEnabled } from '@storecredit/observability';
import type { Consumer, IHeaders, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { gatewayConfigToken, type GatewayConfig } from '../gateway.config';
import { ApiError } from '../http/api-error';
import { CommandTransport } from './command-transport';

export const pendingRequestsMax = 10_000;

/**
 * Request-reply over Kafka: the command goes to the gateway command topic with a correlation id; every
 * gateway instance reads the reply topic in a consumer group of its own and resolves its own requests.
 */
@Injectable()
export class KafkaCommandTransport extends CommandTransport implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaCommandTransport.name);
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private readonly kafka;

  constructor(@Inject(gatewayConfigToken) private readonly config: GatewayConfig) {
    super();
    if (config.kafkaBrokers === null) throw new Error('KafkaCommandTransport needs KAFKA_BROKERS');
    this.kafka = createKafka(config.kafkaBrokers, 'storecredit-gateway', config.kafkaSasl);
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: KeyPartitioner });
    this.consumer = this.kafka.consumer({ groupId: `${gatewayReplyGroupPrefix(config.topics.replies)}${randomUUID()}` });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { topics } = this.config;
    await ensureTopics(this.kafka, [topics.commands.gateway, topics.replies], 4);
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topics.replies, fromBeginning: false });
    const joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const correlationId = message.headers?.[headerNames.correlationId]?.toString();
        const resolve = correlationId === undefined ? undefined : this.pending.get(correlationId);
        if (!resolve || !message.value) return;
        const parsed = replySchema.safeParse(JSON.parse(message.value.toString('utf8')));
        if (parsed.success) resolve(parsed.data);
        else this.logger.error({ correlationId }, 'a reply does not match the reply schema');
      },
    });
    await joined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  async send(command: Command, timeoutMs: number): Promise<Reply | null> {
    if (this.pending.size >= pendingRequestsMax) return null;
    const correlationId = randomUUID();
    const reply = new Promise<Reply | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        resolve(null);
      }, timeoutMs);
      this.pending.set(correlationId, (value) => {
        clearTimeout(timer);
        this.pending.delete(correlationId);
        resolve(value);
      });
    });
    const topic = this.config.topics.commands.gateway;
    const span = tracingEnabled() ? startSendSpan(topic, command) : undefined;
    const headers: IHeaders = { [headerNames.correlationId]: correlationId };
    if (span !== undefined) Object.assign(headers, traceHeaders(trace.setSpan(context.active(), span)));
    try {
      await this.producer.send({ topic, acks: -1, messages: [{ key: commandKey(command), value: JSON.stringify(command), headers }] });
      span?.end();
    } catch (error) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span?.end();
      this.pending.delete(correlationId);
      // Whether the broker kept the command is unknown: the caller retries with the same key, which is safe.
      this.logger.error({ ...commandLogFields(command, correlationId), commandType: command.type, err: error }, 'could not send a command');
      throw new ApiError('ledger_unavailable', { commandId: command.commandId }, undefined, { 'retry-after': '5' });
    }
    this.logger.debug({ ...commandLogFields(command, correlationId), commandType: command.type }, 'command sent');
    return reply;
  }
}

/** The producer span of a command: the worker's `process` span continues from it, through the message's headers. */
function startSendSpan(topic: string, command: Command): Span {
  return tracer(tracerNames.gateway).startSpan(`send ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'storecredit.command.type': command.type,
      'storecredit.command.id': command.commandId,
    },
  });
}
