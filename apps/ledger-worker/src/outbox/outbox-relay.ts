import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LedgerEvent } from '@storecredit/contracts';
import { outboxEventsPublishedTotal, outboxPublishSeconds } from '@storecredit/observability';
import { EventSink, type OutgoingEvent } from './event-sink';

/**
 * Outbox rows one relay transaction takes at most. Large enough that a relay behind a saturated worker catches up
 * (one transaction and one lock per 2,000 events); the event sink cuts them into produce requests of bounded size.
 */
export const relayBatchMax = 2_000;
/**
 * How long the relay waits between polls: the shortest wait after it published, or while another relay holds the
 * lock (so that it takes over soon when that one stops); doubling up to the longest while the outbox stays empty.
 * Commits in this process wake it at once either way (the command consumer and the expiry sweep call `wake`), so
 * the longer wait only delays rows committed by a process whose own relay is off, and it spares an idle worker
 * five empty transactions a second.
 */
export const relayIdleMs = 200;
export const relayIdleMaxMs = 2_000;
export const relayErrorBackoffMs = 1_000;
/** The advisory lock that lets one relay at a time publish, which keeps each wallet's events in order. */
export const relayLockKey = 4_211_001;

export interface RelayOptions {
  enabled: boolean;
}
export const relayOptionsToken = Symbol('RelayOptions');

/**
 * One round trip: take the relay lock (none when another relay holds it) and delete the oldest rows, returned in
 * commit order. The delete holds until the transaction commits, after the events are published. Always at least one
 * row: with nothing taken, a single row of nulls that still says whether the lock was had (an empty outbox, or a
 * busy other relay).
 */
const takeBatchStatement = `
  with relay_lock as materialized (select pg_try_advisory_xact_lock(?) as locked),
  taken as (
    select o.id from outbox_message o, relay_lock where relay_lock.locked order by o.created_at, o.id limit ?
  ),
  deleted as (
    delete from outbox_message o using taken where o.id = taken.id
    returning o.id, o.created_at, o.message_key, o.sequence, o.payload, o.trace_parent
  )
  select relay_lock.locked, d.id, d.message_key, d.sequence, d.payload->>'type' as event_type, d.payload::text as payload,
    d.trace_parent
  from relay_lock left join deleted d on true order by d.created_at, d.id`;

interface OutboxRow {
  id: string;
  message_key: string;
  sequence: number;
  event_type: LedgerEvent['type'];
  payload: string;
  trace_parent: string | null;
}

/**
 * Publishes outbox rows to the event sink (the event topic): one transaction deletes a batch of them, publishes
 * it, and commits only once the sink has taken it. A crash after publishing and before commit publishes them
 * again: events are at-least-once, and a consumer drops a repeat by its eventId or wallet sequence.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  /** Set by a wake that came while the relay was busy, so the next idle does not wait for rows already committed. */
  private woken = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly sink: EventSink,
    @Inject(relayOptionsToken) private readonly options: RelayOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    await this.sink.connect();
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after commands commit so their events go out without waiting for the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Publishes one batch; returns how many events it published (0 when another relay holds the lock). */
  async publishBatch(): Promise<number> {
    return (await this.poll()).published;
  }

  /** Publishes one batch, and says whether this relay had the lock. */
  async poll(): Promise<RelayPoll> {
    const em = this.orm.em.fork() as EntityManager;
    return em.transactional(async (tx) => {
      const result = await tx.execute<(OutboxRow & { locked: boolean })[]>(takeBatchStatement, [relayLockKey, relayBatchMax]);
      const locked = result[0]?.locked === true;
      const rows = result.filter((row) => row.id !== null);
      if (rows.length === 0) return { published: 0, locked };
      const events: OutgoingEvent[] = inWalletOrder(rows).map((row) => ({
        key: row.message_key,
        type: row.event_type,
        json: row.payload,
        traceParent: row.trace_parent,
      }));
      // The rows come back only if this publish succeeds: a failure rolls the delete back.
      const publishStarted = performance.now();
      await this.sink.publish(events);
      outboxPublishSeconds.observe((performance.now() - publishStarted) / 1000);
      outboxEventsPublishedTotal.inc(rows.length);
      return { published: rows.length, locked };
    });
  }

  private async run(): Promise<void> {
    let wait = relayIdleMs;
    while (this.running) {
      this.woken = false;
      try {
        wait = nextRelayWait(wait, await this.poll());
        if (wait > 0) await this.idle(wait);
      } catch (error) {
        this.logger.error(`outbox relay failed; retrying in ${relayErrorBackoffMs} ms: ${(error as Error).message}`);
        await this.idle(relayErrorBackoffMs, true);
      }
    }
  }

  /** Waits ms, or until woken; after a failure (backingOff) an earlier wake does not cut the wait short. */
  private idle(ms: number, backingOff = false): Promise<void> {
    if (this.woken && !backingOff) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

export interface RelayPoll {
  published: number;
  /** Whether this relay had the lock: false while another relay publishes. */
  locked: boolean;
}

/**
 * The wait before the next poll, from the last wait and what the poll found: none after a full batch (more may be
 * waiting), the shortest after publishing or while another relay holds the lock, else twice the last, capped.
 */
export function nextRelayWait(previous: number, poll: RelayPoll): number {
  if (poll.published >= relayBatchMax) return 0;
  if (poll.published > 0 || !poll.locked) return relayIdleMs;
  return Math.min(Math.max(previous, relayIdleMs) * 2, relayIdleMaxMs);
}

/** Rows come in commit order; within one key they must also be in sequence order. */
export function inWalletOrder(rows: OutboxRow[]): OutboxRow[] {
  const byKey = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const group = byKey.get(row.message_key);
    if (group) group.push(row);
    else byKey.set(row.message_key, [row]);
  }
  return [...byKey.values()].flatMap((group) => group.sort((a, b) => a.sequence - b.sequence));
}
