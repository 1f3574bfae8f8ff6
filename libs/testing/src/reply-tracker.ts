import type { Reply } from '@storecredit/contracts';
import type { KafkaTestClient } from './kafka';

const ingestEveryMs = 20;

/**
 * Indexes the replies a KafkaTestClient records by command id as they arrive, so thousands of waiting
 * clients cost one pass over the replies instead of one each.
 */
export class ReplyTracker {
  private readonly byCommand = new Map<string, Reply[]>();
  private readonly byCorrelationId = new Map<string, Reply[]>();
  private readonly waiters = new Map<string, Set<(reply: Reply) => void>>();
  private ingested = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly kafka: KafkaTestClient) {
    this.timer = setInterval(() => this.ingest(), ingestEveryMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Every reply received, in order of arrival. */
  get count(): number {
    this.ingest();
    return this.ingested;
  }

  first(commandId: string): Reply | undefined {
    this.ingest();
    return this.byCommand.get(commandId)?.[0];
  }

  all(commandId: string): Reply[] {
    this.ingest();
    return this.byCommand.get(commandId) ?? [];
  }

  /** Replies echoing a request's correlation id, whatever command id they carry. */
  withCorrelationId(correlationId: string): Reply[] {
    this.ingest();
    return this.byCorrelationId.get(correlationId) ?? [];
  }

  /** The first reply to the command, or undefined if none comes within timeoutMs. */
  wait(commandId: string, timeoutMs: number): Promise<Reply | undefined> {
    const known = this.first(commandId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(commandId) ?? new Set();
      this.waiters.set(commandId, waiters);
      const done = (reply: Reply | undefined) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.waiters.delete(commandId);
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      waiters.add(done);
    });
  }

  private ingest(): void {
    const replies = this.kafka.replies;
    for (; this.ingested < replies.length; this.ingested++) {
      const reply = replies[this.ingested].json<Reply>();
      const list = this.byCommand.get(reply.commandId);
      if (list) list.push(reply);
      else this.byCommand.set(reply.commandId, [reply]);
      const correlated = this.byCorrelationId.get(reply.correlationId);
      if (correlated) correlated.push(reply);
      else this.byCorrelationId.set(reply.correlationId, [reply]);
      const waiters = this.waiters.get(reply.commandId);
      if (waiters) for (const waiter of [...waiters]) waiter(reply);
    }
  }
}

/** A reply without the per-delivery fields, so every delivery of one command's outcome compares equal. */
export function outcomeOf(reply: Reply): Omit<Reply, 'replayed' | 'correlationId'> {
  const { replayed: _replayed, correlationId: _correlationId, ...outcome } = reply;
  return outcome;
}

/** JSON with object keys sorted, so two replies compare equal whatever order their keys were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Two deliveries of one command carry the same outcome (ignoring replayed, correlationId and key order). */
export function sameOutcome(a: Reply, b: Reply): boolean {
  return canonicalJson(outcomeOf(a)) === canonicalJson(outcomeOf(b));
}
