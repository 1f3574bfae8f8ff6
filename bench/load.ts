import { buildCommand, commandKey, holdIdOf, topicNames, type Command, type TopicNames } from '@storecredit/contracts';
import { ensureTopics, KeyPartitioner } from '@storecredit/messaging';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { LoadKind } from './config';
import { benchKafka, sleep, waitFor } from './infra';
import { benchCurrency } from './seed';
import { bySecond, latencySummary, round, sustainedRate, type LatencySummary } from './stats';

/** How often the paced producer looks at the clock. */
export const pacedTickMs = 2;
/** How often the saturating producer looks at the backlog, and over how long it estimates the completion rate. */
const saturateTickMs = 10;
const rateWindowMs = 2_000;
const backlogMax = 100_000;

export interface SaturationOptions {
  seconds: number;
  backlogSeconds: number;
  backlogMin: number;
  chunkSize: number;
}

export interface OutgoingCommand {
  commandId: string;
  key: string;
  value: Buffer;
  /** A capture: the command id of the hold it captures (the pair's first half). */
  holdCommandId?: string;
}

/** Hold → capture pairs of a run: a pair is done when its capture's reply (or event) is back. */
export interface PairRun {
  pairs: number;
  /** Pairs completed per second over the middle 80% of completions, by the capture's reply and by its event. */
  repliesPerSec: number;
  eventsPerSec: number;
  /** The same over the whole run: pairs over the time from the first hold's send to the last capture's reply / event. */
  overallRepliesPerSec: number;
  overallEventsPerSec: number;
  /** From the hold's send (its scheduled time when paced) to the capture's reply, and to the capture's event. */
  replyLatency: LatencySummary;
  eventLatency: LatencySummary;
  /** Captures answered applied, of all pairs. */
  captured: number;
}

interface Tracked {
  /** When the command was produced (the paced producer uses its scheduled time, so a late send counts against us). */
  sentAt: number;
  replyAt?: number;
  eventAt?: number;
  status?: string;
}

export interface RunResult {
  label: string;
  commands: number;
  /** Target produce rate of a paced run; null when produced as fast as possible. */
  pacedRate: number | null;
  produceSeconds: number;
  /** First produce to last event, all commands. */
  wallSeconds: number;
  replies: { overallPerSec: number; sustainedPerSec: number; latency: LatencySummary };
  events: { overallPerSec: number; sustainedPerSec: number; latency: LatencySummary };
  statuses: Record<string, number>;
  /** produce→event p99 of each second of the run (by scheduled send time): a stall shows as a few bad seconds. */
  secondsP99Ms: number[];
  /** When the first command was due, on the wall clock (Date.now()), to line the seconds up with the commit probe. */
  startedAtEpochMs: number;
  duplicateReplies: number;
  duplicateEvents: number;
  deadLetters: number;
}

/**
 * Produces messages at a fixed rate, each sent as soon as it is due (all that are due go in one request, acks=all).
 * `onDue` gets each message's scheduled time before it is sent: latency measured from it counts a late send.
 * Returns the number of produce requests.
 */
export async function producePaced(
  producer: Producer,
  topic: string,
  messages: readonly { key: string; value: Buffer; headers?: Record<string, string> }[],
  perSecond: number,
  onDue: (index: number, dueAt: number) => void,
): Promise<number> {
  const start = performance.now();
  const intervalMs = 1000 / perSecond;
  let sent = 0;
  let requests = 0;
  while (sent < messages.length) {
    const due = Math.min(messages.length, Math.floor((performance.now() - start) / intervalMs) + 1);
    if (due <= sent) {
      await sleep(pacedTickMs);
      continue;
    }
    for (let index = sent; index < due; index++) onDue(index, start + index * intervalMs);
    await producer.send({ topic, acks: -1, messages: messages.slice(sent, due) });
    requests++;
    sent = due;
  }
  return requests;
}

/** A small seeded PRNG so the wallet choice is the same run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Commands as the checkout service (balance.pay of 1.00 on the checkout topic) or a staff member through
 * the gateway (balance.add of 1.00) would send them, built and keyed with the contract's own helpers; for
 * `hold-capture`, pairs (rounded up to whole pairs).
 */
export function buildCommands(kind: LoadKind, tag: string, businessId: string, clientIds: readonly string[], count: number, seed = 7): OutgoingCommand[] {
  const next = commandSource(kind, tag, businessId, clientIds, seed);
  return Array.from({ length: wholeUnits(kind, count) }, () => next());
}

/** A count of commands rounded up to whole pairs for `hold-capture`, so no hold is left without its capture. */
export function wholeUnits(kind: LoadKind, count: number): number {
  return kind === 'hold-capture' ? count + (count % 2) : count;
}

/** An endless source of such commands, for the timed runs that do not know their count in advance. */
export function commandSource(kind: LoadKind, tag: string, businessId: string, clientIds: readonly string[], seed = 7): () => OutgoingCommand {
  if (kind === 'hold-capture') return holdCaptureSource(tag, businessId, clientIds, seed);
  const random = seededRandom(seed);
  let i = 0;
  return () => {
    const clientId = clientIds[Math.floor(random() * clientIds.length)];
    const commandId = `${tag}-${i++}`;
    const command: Command =
      kind === 'pay'
        ? buildCommand({
            type: 'balance.pay',
            commandId,
            businessId,
            clientId,
            currency: benchCurrency,
            actor: { kind: 'service', id: 'checkout' },
            saleId: `sale-${commandId}`,
            amountOwed: '1.00',
            amountRequested: '1.00',
          })
        : buildCommand({
            type: 'balance.add',
            commandId,
            businessId,
            clientId,
            currency: benchCurrency,
            actor: { kind: 'staff', id: 'bench-desk' },
            amount: '1.00',
            reference: { type: 'manual' },
          });
    return { commandId, key: commandKey(command), value: Buffer.from(JSON.stringify(command)) };
  };
}

/**
 * Split-tender checkout as the till sends it: balance.hold of 1.00 for a sale, then at once (without waiting for the
 * reply: holdIdOf gives the hold's id) balance.capture of the whole hold, both keyed by the wallet on the checkout
 * topic, so the capture is applied after its hold. Calls alternate: a hold, then its capture.
 */
function holdCaptureSource(tag: string, businessId: string, clientIds: readonly string[], seed: number): () => OutgoingCommand {
  const random = seededRandom(seed);
  let i = 0;
  let pending: OutgoingCommand | undefined;
  const actor = { kind: 'service', id: 'checkout' } as const;
  const outgoing = (command: Command, holdCommandId?: string): OutgoingCommand => ({
    commandId: command.commandId,
    key: commandKey(command),
    value: Buffer.from(JSON.stringify(command)),
    ...(holdCommandId === undefined ? {} : { holdCommandId }),
  });
  return () => {
    if (pending) {
      const capture = pending;
      pending = undefined;
      return capture;
    }
    const clientId = clientIds[Math.floor(random() * clientIds.length)];
    const pair = `${tag}-${i++}`;
    const wallet = { businessId, clientId, currency: benchCurrency, actor };
    const hold = buildCommand({ ...wallet, type: 'balance.hold', commandId: `${pair}-hold`, saleId: `sale-${pair}`, amountOwed: '1.00', amountRequested: '1.00' });
    const capture = buildCommand({ ...wallet, type: 'balance.capture', commandId: `${pair}-capture`, holdId: holdIdOf(businessId, hold.commandId) });
    pending = outgoing(capture, hold.commandId);
    return outgoing(hold);
  };
}

/**
 * Plays checkout and reporting at once: produces commands to a command topic and records, per command id,
 * when its reply and its event came back. Both clocks are this process's performance.now().
 */
export class CommandLoad {
  readonly topics: TopicNames;
  deadLetters = 0;
  duplicateReplies = 0;
  duplicateEvents = 0;
  /** Commands whose first event has arrived, of all tracked so far. */
  eventsSeen = 0;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly observer: Consumer;
  private readonly tracked = new Map<string, Tracked>();
  /** Events of tracked commands seen so far: a capture has two (its entry and hold.captured), a repeat is a duplicate. */
  private readonly eventIds = new Set<string>();

  constructor(
    brokers: string,
    readonly prefix: string,
    private readonly partitions: number,
    private readonly commandKind: LoadKind,
  ) {
    this.topics = topicNames(prefix);
    this.kafka = benchKafka(brokers, `bench-load-${prefix}`);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: KeyPartitioner });
    this.observer = this.kafka.consumer({ groupId: `${prefix}.bench-observer`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  }

  get commandTopic(): string {
    return this.commandKind === 'add' ? this.topics.commands.gateway : this.topics.commands.checkout;
  }

  async start(): Promise<void> {
    const { commands, events, replies, deadLetter } = this.topics;
    await ensureTopics(this.kafka, [...Object.values(commands), events, replies, deadLetter], this.partitions);
    await this.producer.connect();
    await this.observer.connect();
    await this.observer.subscribe({ topics: [events, replies, deadLetter], fromBeginning: true });
    const joined = new Promise<void>((resolve) => this.observer.on(this.observer.events.GROUP_JOIN, () => resolve()));
    await this.observer.run({
      partitionsConsumedConcurrently: this.partitions,
      eachBatch: async ({ batch }) => {
        const at = performance.now();
        if (batch.topic === deadLetter) {
          this.deadLetters += batch.messages.length;
          return;
        }
        const isReply = batch.topic === replies;
        for (const message of batch.messages) {
          if (!message.value) continue;
          const body = JSON.parse(message.value.toString('utf8')) as { commandId?: string; status?: string; eventId?: string };
          const entry = body.commandId === undefined ? undefined : this.tracked.get(body.commandId);
          if (!entry) continue;
          if (isReply) {
            if (entry.replyAt !== undefined) this.duplicateReplies++;
            else {
              entry.replyAt = at;
              entry.status = body.status;
            }
          } else if (this.eventIds.has(body.eventId ?? '')) this.duplicateEvents++;
          else {
            this.eventIds.add(body.eventId ?? '');
            if (entry.eventAt !== undefined) continue;
            entry.eventAt = at;
            this.eventsSeen++;
          }
        }
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.observer.disconnect();
    await this.producer.disconnect();
  }

  /** Produces as fast as the broker takes it, in chunks, one request at a time. */
  async produceAll(commands: readonly OutgoingCommand[], chunkSize: number): Promise<void> {
    for (let from = 0; from < commands.length; from += chunkSize) {
      const chunk = commands.slice(from, from + chunkSize);
      const at = performance.now();
      for (const command of chunk) this.tracked.set(command.commandId, { sentAt: at });
      await this.producer.send({ topic: this.commandTopic, acks: -1, messages: chunk.map(({ key, value }) => ({ key, value })) });
    }
  }

  /**
   * Saturates the workers for a fixed time without burying them: it keeps about backlogSeconds of work (at
   * the completion rate seen over the last two seconds, and at least backlogMin commands) produced but not
   * yet answered by an event, then stops. Every partition always has a full fetch waiting, and the run ends
   * a few seconds after `seconds` whether the worker does 100 or 10,000 commands a second.
   */
  async produceSaturated(next: () => OutgoingCommand, options: SaturationOptions): Promise<OutgoingCommand[]> {
    const produced: OutgoingCommand[] = [];
    const start = performance.now();
    const seenAtStart = this.eventsSeen;
    const samples: { at: number; completed: number }[] = [];
    while (performance.now() - start < options.seconds * 1000) {
      const now = performance.now();
      const completed = this.eventsSeen - seenAtStart;
      samples.push({ at: now, completed });
      while (samples.length > 1 && now - samples[0].at > rateWindowMs) samples.shift();
      const elapsedMs = now - samples[0].at;
      const perSecond = elapsedMs > 0 ? ((completed - samples[0].completed) * 1000) / elapsedMs : 0;
      const backlog = Math.min(backlogMax, Math.max(options.backlogMin, perSecond * options.backlogSeconds));
      const room = Math.floor(backlog - (produced.length - completed));
      if (room <= 0) {
        await sleep(saturateTickMs);
        continue;
      }
      const chunk = Array.from({ length: wholeUnits(this.commandKind, Math.min(options.chunkSize, room)) }, () => next());
      const at = performance.now();
      for (const command of chunk) this.tracked.set(command.commandId, { sentAt: at });
      produced.push(...chunk);
      await this.producer.send({ topic: this.commandTopic, acks: -1, messages: chunk.map(({ key, value }) => ({ key, value })) });
    }
    return produced;
  }

  /**
   * Produces at a fixed rate. Each command's latency starts at its scheduled time, not at the moment this
   * process got round to sending it, so a stall anywhere shows in the figures (no coordinated omission).
   */
  async producePaced(commands: readonly OutgoingCommand[], perSecond: number): Promise<void> {
    await producePaced(this.producer, this.commandTopic, commands, perSecond, (index, dueAt) => {
      this.tracked.set(commands[index].commandId, { sentAt: dueAt });
    });
  }

  /** When a command was sent and its reply and first event came back, if it is tracked. */
  trackedOf(commandId: string): Readonly<Tracked> | undefined {
    return this.tracked.get(commandId);
  }

  async waitForAll(commands: readonly OutgoingCommand[], timeoutMs: number): Promise<void> {
    const done = () => commands.every(({ commandId }) => {
      const entry = this.tracked.get(commandId);
      return entry?.replyAt !== undefined && entry.eventAt !== undefined;
    });
    const pending = () => commands.filter(({ commandId }) => this.tracked.get(commandId)?.eventAt === undefined).length;
    await waitFor(done, `replies and events of ${commands.length} commands`, timeoutMs, 50).catch((error: Error) => {
      throw new Error(`${error.message} (${pending()} events still missing)`);
    });
  }

  summarize(label: string, commands: readonly OutgoingCommand[], pacedRate: number | null): RunResult {
    const entries = commands.map(({ commandId }) => this.tracked.get(commandId)).filter((entry): entry is Tracked => entry !== undefined);
    const firstSent = minOf(entries.map((entry) => entry.sentAt));
    const lastSent = maxOf(entries.map((entry) => entry.sentAt));
    const replyTimes = entries.flatMap((entry) => (entry.replyAt === undefined ? [] : [entry.replyAt]));
    const eventTimes = entries.flatMap((entry) => (entry.eventAt === undefined ? [] : [entry.eventAt]));
    const lastEvent = maxOf(eventTimes);
    const lastReply = maxOf(replyTimes);
    const statuses: Record<string, number> = {};
    for (const entry of entries) statuses[entry.status ?? 'missing'] = (statuses[entry.status ?? 'missing'] ?? 0) + 1;
    return {
      label,
      commands: commands.length,
      pacedRate: pacedRate === null ? null : round(pacedRate),
      produceSeconds: round((lastSent - firstSent) / 1000, 2),
      wallSeconds: round((lastEvent - firstSent) / 1000, 2),
      replies: {
        overallPerSec: round((replyTimes.length * 1000) / (lastReply - firstSent)),
        sustainedPerSec: round(sustainedRate(replyTimes)),
        latency: latencySummary(entries.flatMap((entry) => (entry.replyAt === undefined ? [] : [entry.replyAt - entry.sentAt]))),
      },
      events: {
        overallPerSec: round((eventTimes.length * 1000) / (lastEvent - firstSent)),
        sustainedPerSec: round(sustainedRate(eventTimes)),
        latency: latencySummary(entries.flatMap((entry) => (entry.eventAt === undefined ? [] : [entry.eventAt - entry.sentAt]))),
      },
      statuses,
      secondsP99Ms: secondsP99(entries, firstSent),
      startedAtEpochMs: Math.round(firstSent + performance.timeOrigin),
      duplicateReplies: this.duplicateReplies,
      duplicateEvents: this.duplicateEvents,
      deadLetters: this.deadLetters,
    };
  }
}

/** Hold → capture pairs among `commands`: each capture's reply and event against its hold's send time. */
export function summarizePairs(load: CommandLoad, commands: readonly OutgoingCommand[]): PairRun {
  const done = commands.flatMap((command) => {
    const hold = command.holdCommandId === undefined ? undefined : load.trackedOf(command.holdCommandId);
    const capture = load.trackedOf(command.commandId);
    return hold && capture ? [{ sentAt: hold.sentAt, replyAt: capture.replyAt, eventAt: capture.eventAt, status: capture.status }] : [];
  });
  const replyTimes = done.flatMap((pair) => (pair.replyAt === undefined ? [] : [pair.replyAt]));
  const eventTimes = done.flatMap((pair) => (pair.eventAt === undefined ? [] : [pair.eventAt]));
  const firstSent = minOf(done.map((pair) => pair.sentAt));
  return {
    pairs: done.length,
    repliesPerSec: round(sustainedRate(replyTimes)),
    eventsPerSec: round(sustainedRate(eventTimes)),
    overallRepliesPerSec: round((replyTimes.length * 1000) / (maxOf(replyTimes) - firstSent)),
    overallEventsPerSec: round((eventTimes.length * 1000) / (maxOf(eventTimes) - firstSent)),
    replyLatency: latencySummary(done.flatMap((pair) => (pair.replyAt === undefined ? [] : [pair.replyAt - pair.sentAt]))),
    eventLatency: latencySummary(done.flatMap((pair) => (pair.eventAt === undefined ? [] : [pair.eventAt - pair.sentAt]))),
    captured: done.filter((pair) => pair.status === 'applied').length,
  };
}

/** The produce→event p99 of the commands due in each second from `origin` on (NaN for a second with none). */
function secondsP99(entries: readonly Tracked[], origin: number): number[] {
  const answered = entries.filter((entry): entry is Tracked & { eventAt: number } => entry.eventAt !== undefined);
  return bySecond(answered, origin, (entry) => entry.sentAt, (entry) => entry.eventAt - entry.sentAt).map((values) =>
    values.length === 0 ? Number.NaN : latencySummary(values).p99Ms,
  );
}

function minOf(values: readonly number[]): number {
  return values.reduce((min, value) => (value < min ? value : min), Number.POSITIVE_INFINITY);
}

function maxOf(values: readonly number[]): number {
  return values.reduce((max, value) => (value > max ? value : max), Number.NEGATIVE_INFINITY);
}
