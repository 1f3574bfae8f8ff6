import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LedgerEvent } from '@storecredit/contracts';
import { EventSink, type OutgoingEvent } from './event-sink';

export const relayBatchMax = 500;
export const relayIdleMs = 200;
export const relayErrorBackoffMs = 1_000;
/** The advisory lock that lets one relay at a time publish, which keeps each wallet's events in order. */
export const relayLockKey = 4_211_001;

export interface RelayOptions {
  enabled: boolean;
}
export const relayOptionsToken = Symbol('RelayOptions');

interface OutboxRow {
  id: string;
  message_key: string;
  sequence: number;
  event_type: LedgerEvent['type'];
  payload: string;
}

/**
 * Publishes outbox rows to the event sink (the event topic) and deletes them in the same transaction that holds them
 * locked. A crash after publishing and before commit publishes them again: events are at-least-once,
 * and a consumer drops a repeat by its eventId or wallet sequence.
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
    const em = this.orm.em.fork() as EntityManager;
    return em.transactional(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(?) as locked', [relayLockKey]);
      if (!lock.locked) return 0;
      const rows = await tx.execute<OutboxRow[]>(
        "select id, message_key, sequence, payload->>'type' as event_type, payload::text as payload from outbox_message order by created_at, id limit ? for update",
        [relayBatchMax],
      );
      if (rows.length === 0) return 0;
      const events: OutgoingEvent[] = inWalletOrder(rows).map((row) => ({ key: row.message_key, type: row.event_type, json: row.payload }));
      await this.sink.publish(events);
      await tx.execute('delete from outbox_message where id in (?)', [rows.map((row) => row.id)]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      try {
        const published = await this.publishBatch();
        if (published < relayBatchMax) await this.idle(relayIdleMs);
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
