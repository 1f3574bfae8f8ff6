/**
 * Preloaded (node -r) into a ledger worker process that a fault suite starts; never imported by the apps.
 * It changes nothing unless the suite asks, over the IPC channel, to crash the worker at a precise point:
 *
 * - `before-offset-commit`: kill -9 after the batch's transactions committed and its replies were
 *   published, before the offset commit, so the batch is redelivered to a worker that already applied it;
 * - `after-event-publish`: kill -9 after the outbox relay published events, before it deleted their rows,
 *   so the events are published again.
 *
 * It also reports group joins and consumer crashes to the suite, lowers the consumer session timeout when
 * FAULTS_SESSION_TIMEOUT_MS is set (a killed member otherwise holds its partitions for 30 s), and kills the
 * worker when the suite's process goes away, so no orphan keeps consuming on a shared machine.
 */
import kafkajs = require('kafkajs');

export type CrashPoint = 'before-offset-commit' | 'after-event-publish';

export type HookMessage =
  | { type: 'group-join'; memberId: string; assignment: Record<string, number[]> }
  | { type: 'consumer-crash'; error: string; restart: boolean }
  | { type: 'armed'; point: CrashPoint };

export type ControlMessage = { type: 'arm'; point: CrashPoint } | { type: 'disarm' };

let armed: CrashPoint | null = null;

function report(message: HookMessage): void {
  if (process.send && process.connected) process.send(message);
}

function crash(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL does not return');
}

process.on('message', (message: ControlMessage) => {
  if (message.type === 'arm') {
    armed = message.point;
    report({ type: 'armed', point: message.point });
  } else if (message.type === 'disarm') {
    armed = null;
  }
});
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.channel?.unref();

const sessionTimeoutMs = Number.parseInt(process.env.FAULTS_SESSION_TIMEOUT_MS ?? '', 10);
const kafkaPrototype = kafkajs.Kafka.prototype;
const createConsumer = kafkaPrototype.consumer;
const createProducer = kafkaPrototype.producer;

kafkaPrototype.consumer = function consumerWithHooks(this: kafkajs.Kafka, config: kafkajs.ConsumerConfig) {
  const tuned = Number.isInteger(sessionTimeoutMs)
    ? { ...config, sessionTimeout: sessionTimeoutMs, heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 6)) }
    : config;
  const consumer = createConsumer.call(this, tuned);
  const commitOffsets = consumer.commitOffsets.bind(consumer);
  consumer.commitOffsets = async (offsets) => {
    if (armed === 'before-offset-commit') crash();
    return commitOffsets(offsets);
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    report({ type: 'group-join', memberId: payload.memberId, assignment: payload.memberAssignment as Record<string, number[]> }),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => report({ type: 'consumer-crash', error: describe(payload.error), restart: payload.restart }));
  return consumer;
};

/** The error and its causes, with the protocol error type kafkajs decides restarts by. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let current = error as { name?: string; message?: string; type?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    parts.push(`${current.name ?? 'Error'}${current.type ? `[${current.type}]` : ''}: ${current.message ?? String(current)}`);
    if (parts.length > 5) break;
  }
  const stack = (error as { stack?: string } | undefined)?.stack?.split('\n').slice(1, 6).join(' | ') ?? '';
  return `${parts.join(' <- ')}${stack ? ` @ ${stack}` : ''}`;
}

kafkaPrototype.producer = function producerWithHooks(this: kafkajs.Kafka, config?: kafkajs.ProducerConfig) {
  const producer = createProducer.call(this, config);
  const send = producer.send.bind(producer);
  producer.send = async (record) => {
    const result = await send(record);
    if (armed === 'after-event-publish' && record.topic.endsWith('.events.v1')) crash();
    return result;
  };
  return producer;
};
