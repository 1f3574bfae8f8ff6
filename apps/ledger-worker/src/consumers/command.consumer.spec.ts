import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { WorkerProducer } from '../kafka.providers';
import type { OutboxRelay } from '../outbox/outbox-relay';
import { workerConfigFromEnv } from '../worker.config';
import { CommandConsumer, sliceMessagesMax } from './command.consumer';
import type { CommandProcessor, PartitionSlice } from './command-processor';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((ok) => {
    resolve = ok;
  });
  return { promise, resolve };
}

/**
 * A stand-in for the kafkajs consumer that records, in order, what the transport asks of it. As kafkajs does, it
 * ignores an offset commit once it is stopping.
 */
class FakeConsumer {
  readonly calls: string[] = [];
  readonly events = { CRASH: 'crash', GROUP_JOIN: 'join', REBALANCING: 'rebalancing', STOP: 'stop', DISCONNECT: 'disconnect' };
  eachBatch?: ConsumerRunConfig['eachBatch'];
  private stopping = false;

  on(): void {}
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(config: ConsumerRunConfig): Promise<void> {
    this.eachBatch = config.eachBatch;
  }
  pause(topics: { topic: string }[]): void {
    this.calls.push(`pause ${topics.length} topics`);
  }
  async commitOffsets(offsets: { partition: number; offset: string }[]): Promise<void> {
    if (this.stopping) return;
    this.calls.push(`commit ${offsets.map(({ partition, offset }) => `${partition}@${offset}`).join(' ')}`);
  }
  async disconnect(): Promise<void> {
    this.stopping = true;
    this.calls.push('disconnect');
  }
}

function messages(count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, offset) => ({ offset: String(offset), key: Buffer.from('wallet'), value: null }) as KafkaMessage);
}

async function startedTransport() {
  const consumer = new FakeConsumer();
  const applied: PartitionSlice[][] = [];
  const applying = deferred();
  const processor = {
    processGroup: async (slices: PartitionSlice[]) => {
      applied.push(slices);
      await applying.promise;
      return [];
    },
  } as unknown as CommandProcessor;
  const output = { connect: async () => undefined } as unknown as WorkerProducer;
  const relay = { wake: () => undefined } as unknown as OutboxRelay;
  const kafka = { consumer: () => consumer as unknown as Consumer } as unknown as Kafka;
  const config = { ...workerConfigFromEnv({ KAFKA_TOPIC_PREFIX: 'spec' }), createTopics: false };
  const transport = new CommandConsumer(kafka, processor, output, relay, config);
  await new Promise<void>((resolve, reject) => transport.listen((error) => (error ? reject(error) : resolve())));
  const resolved: string[] = [];
  const batch = (count: number) =>
    consumer.eachBatch!({
      batch: { topic: config.topics.commands.gateway, partition: 0, messages: messages(count) },
      resolveOffset: (offset: string) => resolved.push(offset),
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  return { transport, consumer, applied, applying, resolved, batch };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(CommandConsumer.name, () => {
  it('on close, stops fetching and commits the group in flight before it stops the kafkajs consumer', async () => {
    const { transport, consumer, applied, applying, batch } = await startedTransport();
    const handled = batch(3);
    await tick();
    expect(applied).toHaveLength(1);

    const closed = transport.close();
    await tick();
    expect(consumer.calls).toEqual(['pause 3 topics']);
    applying.resolve();
    await Promise.all([closed, handled]);
    expect(consumer.calls).toEqual(['pause 3 topics', 'commit 0@3', 'disconnect']);
  });

  it('hands over no further slice of a fetch once closing; those messages stay uncommitted for the next owner', async () => {
    const { transport, consumer, applied, applying, resolved, batch } = await startedTransport();
    const handled = batch(sliceMessagesMax + 50);
    await tick();
    const closed = transport.close();
    applying.resolve();
    await Promise.all([closed, handled]);

    expect(applied).toHaveLength(1);
    expect(applied[0][0].messages).toHaveLength(sliceMessagesMax);
    expect(resolved).toEqual([String(sliceMessagesMax - 1)]);
    expect(consumer.calls).toEqual(['pause 3 topics', `commit 0@${sliceMessagesMax}`, 'disconnect']);
  });

  it('closes a transport that never started consuming without pausing', async () => {
    const consumer = new FakeConsumer();
    const kafka = { consumer: () => consumer as unknown as Consumer } as unknown as Kafka;
    const transport = new CommandConsumer(
      kafka,
      {} as CommandProcessor,
      {} as WorkerProducer,
      {} as OutboxRelay,
      workerConfigFromEnv({ KAFKA_TOPIC_PREFIX: 'spec' }),
    );
    await transport.close();
    expect(consumer.calls).toEqual(['disconnect']);
  });
});
