import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's metrics, one registry per process: the all-in-one start runs the gateway and the worker in one
 * process, so its `/metrics` (the gateway's and the worker's port alike) shows both.
 *
 * Labels carry only what has few values (command type, error code, outcome, topic, partition, route template,
 * method, status, pool): never a business, client, wallet or command id, which would make a series per customer
 * and put their ids in the monitoring system.
 */
export const metricsRegistry = new Registry();
const registers = [metricsRegistry];

/** Replies sent by the worker: outcome `applied`, `rejected` (code: the error code) or `replayed` (an earlier reply again). */
export const commandsTotal = new Counter({
  name: 'storecredit_commands_total',
  help: 'Commands answered by the ledger worker, by command type, outcome (applied, rejected, replayed) and code (ok or the error code)',
  labelNames: ['type', 'outcome', 'code'] as const,
  registers,
});

export const deadLettersTotal = new Counter({
  name: 'storecredit_dead_letters_total',
  help: 'Messages sent to the dead-letter topic, by reason code',
  labelNames: ['code'] as const,
  registers,
});

export const groupCommands = new Histogram({
  name: 'storecredit_group_commands',
  help: 'Commands applied in one group (one read, one write)',
  buckets: [1, 2, 5, 10, 25, 50, 100, 200, 400, 700, 1000],
  registers,
});

export const groupApplySeconds = new Histogram({
  name: 'storecredit_group_apply_duration_seconds',
  help: 'Time to apply one group: read, decide and write (the database commit included)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers,
});

export const commandAgeSeconds = new Histogram({
  name: 'storecredit_command_age_seconds',
  help: "Time from the command's produce timestamp (Kafka message timestamp) to the commit of its group",
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers,
});

export const consumerLagMessages = new Gauge({
  name: 'storecredit_consumer_lag_messages',
  help: "Messages of a command partition not yet handled by this worker (high watermark minus the next offset), set at each slice",
  labelNames: ['topic', 'partition'] as const,
  registers,
});

export const outboxRows = new Gauge({
  name: 'storecredit_outbox_rows',
  help: 'Outbox rows not yet published as events (read from the database at scrape time, by the gateway and the worker)',
  registers,
});

export const outboxOldestAgeSeconds = new Gauge({
  name: 'storecredit_outbox_oldest_age_seconds',
  help: 'Age of the oldest outbox row not yet published, 0 when there is none (read from the database at scrape time)',
  registers,
});

export const outboxPublishSeconds = new Histogram({
  name: 'storecredit_outbox_publish_duration_seconds',
  help: 'Time the outbox relay takes to publish one batch of events to Kafka',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const outboxEventsPublishedTotal = new Counter({
  name: 'storecredit_outbox_events_published_total',
  help: 'Events the outbox relay published to Kafka',
  registers,
});

export const httpRequestSeconds = new Histogram({
  name: 'storecredit_http_request_duration_seconds',
  help: 'Gateway HTTP requests, by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  registers,
});

export const dbPoolConnections = new Gauge({
  name: 'storecredit_db_pool_connections',
  help: 'PostgreSQL pool connections by app, pool and state (total, idle, waiting: requests waiting for a connection)',
  labelNames: ['app', 'pool', 'state'] as const,
  registers,
});

export const scrapeProbeFailuresTotal = new Counter({
  name: 'storecredit_scrape_probe_failures_total',
  help: 'Scrape-time reads (outbox, pools) that failed or timed out; their gauges keep their last value',
  labelNames: ['probe'] as const,
  registers,
});

/** A read at scrape time (the outbox from the database, the pools' counts), bounded by scrapeProbeTimeoutMs. */
export type ScrapeProbe = () => Promise<void> | void;
export const scrapeProbeTimeoutMs = 2_000;
const probes = new Map<string, ScrapeProbe>();

/** Registers a probe under a name (one per name: a second app in the process replaces nothing of another's); returns its removal. */
export function addScrapeProbe(name: string, probe: ScrapeProbe): () => void {
  probes.set(name, probe);
  return () => {
    if (probes.get(name) === probe) probes.delete(name);
  };
}

let defaultMetricsStarted = false;

/** Node's own metrics (CPU, memory, event loop lag, GC) under their standard names, once per process. */
export function collectProcessMetrics(): void {
  if (defaultMetricsStarted) return;
  defaultMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/**
 * The exposition text of every metric, after the scrape-time probes ran (each within scrapeProbeTimeoutMs). One after
 * the other: a pool read while another probe's query waits for a connection would count that query as a waiter, and
 * show a pool that is never idle.
 */
export async function scrapeMetrics(): Promise<{ contentType: string; text: string }> {
  for (const [name, probe] of probes) await runProbe(name, probe);
  return { contentType: metricsRegistry.contentType, text: await metricsRegistry.metrics() };
}

async function runProbe(name: string, probe: ScrapeProbe): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} took over ${scrapeProbeTimeoutMs} ms`)), scrapeProbeTimeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(probe), timeout]);
  } catch {
    scrapeProbeFailuresTotal.inc({ probe: name });
  } finally {
    clearTimeout(timer);
  }
}

/** The outbox gauges' one read: how many rows wait, and how old the oldest is (0 when none). */
export const outboxGaugesStatement = `
  select count(*)::int as rows, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_seconds
  from outbox_message`;

export function recordOutbox(row: { rows: number; oldest_seconds: number }): void {
  outboxRows.set(row.rows);
  outboxOldestAgeSeconds.set(row.oldest_seconds);
}

/** pg's Pool counters, as MikroORM's PostgreSQL driver and the group store's own pool expose them. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export function recordPool(app: string, pool: string, counts: PoolCounts): void {
  dbPoolConnections.set({ app, pool, state: 'total' }, counts.totalCount);
  dbPoolConnections.set({ app, pool, state: 'idle' }, counts.idleCount);
  dbPoolConnections.set({ app, pool, state: 'waiting' }, counts.waitingCount);
}

/**
 * Counts of (command type, outcome, code) for one group, added to commandsTotal in one go: nested maps, so a
 * command costs two map lookups and no string building (the worker applies thousands a second).
 */
export class OutcomeTally {
  private readonly counts = new Map<string, Map<string, Map<string, number>>>();

  add(type: string, outcome: 'applied' | 'rejected' | 'replayed', code: string): void {
    let byOutcome = this.counts.get(type);
    if (!byOutcome) this.counts.set(type, (byOutcome = new Map()));
    let byCode = byOutcome.get(outcome);
    if (!byCode) byOutcome.set(outcome, (byCode = new Map()));
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }

  flush(): void {
    for (const [type, byOutcome] of this.counts) {
      for (const [outcome, byCode] of byOutcome) {
        for (const [code, count] of byCode) commandsTotal.inc({ type, outcome, code }, count);
      }
    }
    this.counts.clear();
  }
}

/**
 * Whether a scrape may read /metrics: always when no METRICS_TOKEN is set (the endpoint is then meant to be reached
 * only from inside, see the README), else only with `Authorization: Bearer <token>`. Compared as digests in constant
 * time, so the answer's timing tells nothing of the token.
 */
export function metricsScrapeAllowed(authorization: string | undefined, token: string | null): boolean {
  if (token === null) return true;
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (match === null) return false;
  return timingSafeEqual(createHash('sha256').update(match[1]).digest(), createHash('sha256').update(token).digest());
}

/** METRICS_TOKEN, or null when unset; a token short enough to guess is refused at start. */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv): string | null {
  const token = env.METRICS_TOKEN;
  if (token === undefined || token === '') return null;
  if (token.length < 16) throw new Error('METRICS_TOKEN must be at least 16 characters');
  return token;
}
