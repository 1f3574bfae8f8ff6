import { KeyPartitioner } from '@storecredit/messaging';
import { SingleBar } from 'cli-progress';
import type { Consumer, KafkaMessage, Message, Producer, TopicMessages } from 'kafkajs';
import { createInterface } from 'node:readline/promises';
import { deadLetterOf, listLine, matches, redrivenMessage, type DeadLetter } from './dead-letter';
import { redriveProgress, scanDeadLetters, topicEnds, type OffsetRange } from './dead-letter-scan';
import { describeFilter, readDeadLetters, wholeTopic, type DlqContext } from './dlq-commands';
import { DlqError, UsageError, type DeadLetterFilter } from './dlq-args';
import { PartitionProgress, progressMetadataBytesMax, type Observed } from './redrive-progress';

/** Above this many dead letters, a terminal gets a progress bar; fewer finish before one would help. */
export const progressBarMessagesMin = 100;

export interface RedriveOptions {
  filter: DeadLetterFilter;
  dryRun: boolean;
  yes: boolean;
  again: boolean;
}

/** The group whose committed offsets keep what the tool has re-driven (PartitionProgress says how). */
export function redriveGroupId(prefix: string): string {
  return `${prefix}.dlq-redrive`;
}

/** What a re-drive will do, or did: what it sends, by code and by original topic, and what it leaves. */
class Tally {
  sent = 0;
  alreadyRedriven = 0;
  /** Dead letters whose original topic is no command topic of this prefix: sending them anywhere would be a guess. */
  noCommandTopic = 0;
  readonly byCode = new Map<string, number>();
  readonly byTopic = new Map<string, number>();

  count(letter: DeadLetter): void {
    this.sent++;
    this.byCode.set(letter.code, (this.byCode.get(letter.code) ?? 0) + 1);
    this.byTopic.set(letter.originalTopic ?? '', (this.byTopic.get(letter.originalTopic ?? '') ?? 0) + 1);
  }

  lines(verb: string): string[] {
    const table = (counts: Map<string, number>) => [...counts].map(([name, count]) => `  ${name}: ${count}`);
    const lines = [`${this.sent} ${verb}, ${this.alreadyRedriven} already re-driven`];
    if (this.byCode.size > 0) lines.push('by code:', ...table(this.byCode), 'by original topic:', ...table(this.byTopic));
    if (this.noCommandTopic > 0) lines.push(`${this.noCommandTopic} left: their original topic is no command topic of this prefix`);
    return lines;
  }
}

/**
 * `redrive`: a counting pass (what --dry-run prints), a confirmation, then the sending pass as the re-drive group,
 * which produces each batch to the original topics and commits its progress once the broker has acknowledged it.
 * A crash between the two re-sends that batch next time: the ledger applies a command id once (a replay answers
 * `replayed: true`), so a message sent twice changes nothing twice.
 */
export async function redriveCommand(context: DlqContext, options: RedriveOptions): Promise<number> {
  const { output, topics } = context;
  const ends = await topicEnds(context.admin, topics.deadLetter);
  const progress = await redriveProgress(context.admin, redriveGroupId(context.prefix), topics.deadLetter);
  const progressOf = (partition: number) => progress.get(partition) ?? PartitionProgress.fromCommit('-1', null);
  // The count reads everything, so that it can say how many of the filter's dead letters were re-driven before; the
  // sending pass starts where the re-driven prefix ends (with --again, where the log begins).
  const ranges = new Map<number, OffsetRange>(
    [...ends].map(([partition, { low, high }]) => {
      const floor = progressOf(partition).floor;
      return [partition, { from: options.again || floor < low ? low : floor, to: high }];
    }),
  );
  const selects = selector(context, options, progressOf);
  const plan = new Tally();
  for (const letter of await readDeadLetters(context, wholeTopic(ends), options.filter, false)) selects(letter, plan);
  if (options.dryRun || plan.sent === 0) {
    if (options.dryRun) output.out('dry run: nothing is sent');
    for (const line of plan.lines(options.dryRun ? 'would be re-driven' : 'to re-drive')) output.out(line);
    return 0;
  }
  if (!(await confirmed(options, plan, describeFilter(options.filter)))) {
    output.err('nothing re-driven');
    return 1;
  }
  const done = await send(context, options, ranges, progressOf, plan.sent);
  // The sending pass starts past the re-driven prefix and does not see all of them; the count saw every one.
  done.alreadyRedriven = plan.alreadyRedriven;
  for (const line of done.lines('re-driven')) output.out(line);
  return 0;
}

/** Decides for one dead letter: sent (counted in the tally), already re-driven, or left. */
function selector(context: DlqContext, options: RedriveOptions, progressOf: (partition: number) => PartitionProgress) {
  const commandTopics = new Set(Object.values(context.topics.commands));
  return (letter: DeadLetter, tally: Tally): boolean => {
    if (!options.again && progressOf(letter.partition).isRedriven(letter.offset)) {
      tally.alreadyRedriven++;
      return false;
    }
    if (letter.originalTopic === undefined || !commandTopics.has(letter.originalTopic)) {
      tally.noCommandTopic++;
      return false;
    }
    tally.count(letter);
    return true;
  };
}

async function confirmed(options: RedriveOptions, plan: Tally, filter: string): Promise<boolean> {
  if (options.yes) return true;
  if (!process.stdin.isTTY) throw new UsageError(`redrive would send ${plan.sent} messages${filter}: add --yes to send them without a terminal`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${plan.lines('to re-drive').join('\n')}\nre-drive ${plan.sent} messages${filter}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

async function send(
  context: DlqContext,
  options: RedriveOptions,
  ranges: ReadonlyMap<number, OffsetRange>,
  progressOf: (partition: number) => PartitionProgress,
  expected: number,
): Promise<Tally> {
  const tally = new Tally();
  const selects = selector(context, options, progressOf);
  const current = new Map<number, PartitionProgress>();
  const producer = context.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: KeyPartitioner });
  const meter = progressMeter(context, expected);
  await producer.connect();
  try {
    await scanDeadLetters({
      kafka: context.kafka,
      topic: context.topics.deadLetter,
      groupId: redriveGroupId(context.prefix),
      ranges,
      onBatch: async (partition, messages, consumer) => {
        const before = current.get(partition) ?? progressOf(partition);
        const sent = await sendBatch(context, { partition, messages, before, consumer, producer }, (letter) => matches(letter, options.filter) && selects(letter, tally));
        current.set(partition, sent.next);
        meter.add(sent.count);
      },
    });
  } finally {
    meter.stop();
    await producer.disconnect();
  }
  return tally;
}

interface Batch {
  partition: number;
  messages: readonly KafkaMessage[];
  before: PartitionProgress;
  consumer: Consumer;
  producer: Producer;
}

/** Sends a batch's selected dead letters, then commits the partition's progress: never the other way round. */
async function sendBatch(context: DlqContext, batch: Batch, selected: (letter: DeadLetter) => boolean): Promise<{ next: PartitionProgress; count: number }> {
  const byTopic = new Map<string, Message[]>();
  const observed: Observed[] = batch.messages.map((message) => {
    const letter = deadLetterOf(batch.partition, message);
    const chosen = selected(letter);
    if (chosen) {
      const topic = letter.originalTopic as string;
      byTopic.set(topic, byTopic.get(topic) ?? []);
      byTopic.get(topic)?.push(redrivenMessage(letter));
    }
    return { offset: message.offset, redriven: chosen || batch.before.isRedriven(message.offset) };
  });
  const commit = batch.before.after(observed);
  if (Buffer.byteLength(commit.metadata) > progressMetadataBytesMax) {
    throw new DlqError(
      `partition ${batch.partition}: the offsets re-driven past ${commit.offset} no longer fit in the group's offset metadata ` +
        `(${Buffer.byteLength(commit.metadata)} bytes, at most ${progressMetadataBytesMax}); nothing of this batch was sent. ` +
        'Re-drive with a wider filter to close the gaps.',
    );
  }
  const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  if (topicMessages.length > 0) await batch.producer.sendBatch({ topicMessages, acks: -1 });
  await batch.consumer.commitOffsets([{ topic: context.topics.deadLetter, partition: batch.partition, offset: commit.offset, metadata: commit.metadata }]);
  return { next: commit.next, count: topicMessages.reduce((sum, { messages }) => sum + messages.length, 0) };
}

/** A bar on a terminal for a long run; plain lines otherwise (a log file gets no control characters). */
function progressMeter(context: DlqContext, total: number): { add(count: number): void; stop(): void } {
  if (process.stderr.isTTY && total > progressBarMessagesMin) {
    const bar = new SingleBar({ stream: process.stderr, format: 're-driving [{bar}] {value}/{total} ({eta}s left)' });
    bar.start(total, 0);
    return { add: (count) => bar.increment(count), stop: () => bar.stop() };
  }
  let sent = 0;
  return {
    add: (count) => {
      sent += count;
      if (count > 0) context.output.err(`re-driven ${sent} of ${total}`);
    },
    stop: () => undefined,
  };
}
