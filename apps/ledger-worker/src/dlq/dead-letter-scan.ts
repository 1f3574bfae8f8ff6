import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { DlqError } from './dlq-args';
import { PartitionProgress } from './redrive-progress';

/** A scan fails when no dead letter arrives for this long while some are still due (another re-drive holds them?). */
export const scanIdleTimeoutMs = 30_000;
const idleCheckMs = 1_000;

/** Offsets [from, to) of one partition. */
export interface OffsetRange {
  from: bigint;
  to: bigint;
}

export interface TopicEnd {
  low: bigint;
  high: bigint;
}

/** The topic's first and next offsets per partition, now: a scan stops there and never waits for new messages. */
export async function topicEnds(admin: Admin, topic: string): Promise<Map<number, TopicEnd>> {
  if (!(await admin.listTopics()).includes(topic)) throw new DlqError(`the broker has no topic ${topic}: is KAFKA_TOPIC_PREFIX right?`);
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, low, high }) => [partition, { low: BigInt(low), high: BigInt(high) }]));
}

/** The re-drive group's progress per partition (see PartitionProgress). */
export async function redriveProgress(admin: Admin, groupId: string, topic: string): Promise<Map<number, PartitionProgress>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((committed?.partitions ?? []).map(({ partition, offset, metadata }) => [partition, PartitionProgress.fromCommit(offset, metadata)]));
}

export interface ScanOptions {
  kafka: Kafka;
  topic: string;
  /** The group the scan reads as: only the re-drive commits offsets, the others read as a group that never commits. */
  groupId: string;
  ranges: ReadonlyMap<number, OffsetRange>;
  /** Called in offset order per partition, one batch at a time; a throw ends the scan with that error. */
  onBatch(partition: number, messages: KafkaMessage[], consumer: Consumer): Promise<void>;
}

/**
 * Reads each partition's range once, from its start to its end, then leaves the group. kafkajs has no consumer
 * without a group, so the scan joins one and seeks each partition to its range's start.
 */
export async function scanDeadLetters({ kafka, topic, groupId, ranges, onBatch }: ScanOptions): Promise<void> {
  const due = new Map([...ranges].filter(([, range]) => range.from < range.to));
  if (due.size === 0) return;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  let failure: unknown;
  let lastActivity = Date.now();
  let settle: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (settle = resolve));
  const stop = (error?: unknown) => {
    failure ??= error;
    settle();
  };
  await consumer.connect();
  const idle = setInterval(() => {
    if (Date.now() - lastActivity < scanIdleTimeoutMs) return;
    stop(new DlqError(`no dead letter arrived for ${scanIdleTimeoutMs / 1000} s from partitions ${[...due.keys()].join(', ')} of ${topic}: is another dlq command running?`));
  }, idleCheckMs);
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = due.get(batch.partition);
        if (range === undefined || failure !== undefined) return;
        lastActivity = Date.now();
        const messages = batch.messages.filter((message) => BigInt(message.offset) >= range.from && BigInt(message.offset) < range.to);
        try {
          if (messages.length > 0) await onBatch(batch.partition, messages, consumer);
        } catch (error) {
          // Thrown back to kafkajs, the batch would be fetched and sent again: the run stops instead, and says why.
          stop(error);
          return;
        }
        if (BigInt(batch.lastOffset()) >= range.to - 1n) due.delete(batch.partition);
        if (due.size === 0) stop();
      },
    });
    // A hint only: a fetch already under way may start elsewhere, and the range filter above keeps to the range.
    for (const [partition, range] of due) consumer.seek({ topic, partition, offset: range.from.toString() });
    await finished;
  } finally {
    clearInterval(idle);
    await consumer.disconnect();
  }
  if (failure !== undefined) throw failure;
}
