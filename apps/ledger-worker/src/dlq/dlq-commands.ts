import { randomBytes } from 'node:crypto';
import type { TopicNames } from '@storecredit/contracts';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { scanDeadLetters, topicEnds, type OffsetRange, type TopicEnd } from './dead-letter-scan';
import { deadLetterOf, listLine, matches, showText, type DeadLetter } from './dead-letter';
import { UsageError, type DeadLetterFilter } from './dlq-args';

/** Where a command writes: results to stdout, progress to stderr. */
export interface DlqOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface DlqContext {
  kafka: Kafka;
  admin: Admin;
  prefix: string;
  topics: TopicNames;
  output: DlqOutput;
}

/** A group of its own per read-only scan: it never commits, so the broker forgets it once the scan leaves. */
export function readerGroupId(prefix: string): string {
  return `${prefix}.dlq-reader.${randomBytes(4).toString('hex')}`;
}

/** Every partition from its first offset to its end now. */
export function wholeTopic(ends: ReadonlyMap<number, TopicEnd>): Map<number, OffsetRange> {
  return new Map([...ends].map(([partition, { low, high }]) => [partition, { from: low, to: high }]));
}

/** Reads the dead letters of the ranges that match the filter, without their values when `keepValues` is false. */
export async function readDeadLetters(
  context: DlqContext,
  ranges: ReadonlyMap<number, OffsetRange>,
  filter: DeadLetterFilter,
  keepValues: boolean,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await scanDeadLetters({
    kafka: context.kafka,
    topic: context.topics.deadLetter,
    groupId: readerGroupId(context.prefix),
    ranges,
    onBatch: async (partition, messages: KafkaMessage[]) => {
      for (const message of messages) {
        const letter = deadLetterOf(partition, message);
        if (matches(letter, filter)) letters.push(keepValues ? letter : { ...letter, value: null });
      }
    },
  });
  return letters;
}

/** Oldest failure first; the same time in partition and offset order. */
export function byFailureTime(a: DeadLetter, b: DeadLetter): number {
  const time = a.failedAt.getTime() - b.failedAt.getTime();
  if (time !== 0) return time;
  if (a.partition !== b.partition) return a.partition - b.partition;
  return BigInt(a.offset) < BigInt(b.offset) ? -1 : 1;
}

/** `list`: one line per dead letter, oldest first; with --limit, the most recent ones. */
export async function listCommand(context: DlqContext, filter: DeadLetterFilter, limit: number | undefined): Promise<number> {
  const ends = await topicEnds(context.admin, context.topics.deadLetter);
  const letters = (await readDeadLetters(context, wholeTopic(ends), filter, false)).sort(byFailureTime);
  const shown = limit === undefined ? letters : letters.slice(-limit);
  for (const letter of shown) context.output.out(listLine(letter));
  context.output.out(`${shown.length} of ${letters.length} dead letters${describeFilter(filter)} in ${context.topics.deadLetter}`);
  return 0;
}

/** `show`: a bare offset is taken when exactly one partition holds it. */
export async function showCommand(context: DlqContext, partition: number | undefined, offset: string): Promise<number> {
  const ends = await topicEnds(context.admin, context.topics.deadLetter);
  const wanted = BigInt(offset);
  const holding = [...ends]
    .filter(([number, { low, high }]) => (partition === undefined || number === partition) && wanted >= low && wanted < high)
    .map(([number]) => number);
  if (partition !== undefined && !ends.has(partition)) {
    throw new UsageError(`${context.topics.deadLetter} has partitions 0 to ${ends.size - 1}, not ${partition}`);
  }
  if (holding.length === 0) {
    context.output.err(`no dead letter at ${partition === undefined ? `offset ${offset}` : `${partition}:${offset}`} in ${context.topics.deadLetter}`);
    return 1;
  }
  if (holding.length > 1) {
    throw new UsageError(`offset ${offset} is in several partitions: pick one of ${holding.map((number) => `${number}:${offset}`).join(', ')}`);
  }
  const ranges = new Map([[holding[0], { from: wanted, to: wanted + 1n }]]);
  const [letter] = await readDeadLetters(context, ranges, {}, true);
  if (letter === undefined) {
    context.output.err(`no dead letter at ${holding[0]}:${offset} (gone from the log?)`);
    return 1;
  }
  context.output.out(showText(letter));
  return 0;
}

export function describeFilter(filter: DeadLetterFilter): string {
  const parts = [filter.code === undefined ? '' : ` of code ${filter.code}`, filter.since === undefined ? '' : ` since ${filter.since.toISOString()}`];
  return parts.join('');
}
