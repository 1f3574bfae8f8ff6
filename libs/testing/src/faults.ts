import { MikroORM } from '@mikro-orm/postgresql';
import { producers, topicNames } from '@storecredit/contracts';
import { LedgerVerifier, ledgerOrmConfig, type VerifyReport } from '@storecredit/ledger';
import { createKafka } from '@storecredit/messaging';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { Client } from 'pg';
import type { TestDatabase } from './database';
import { testBrokers } from './kafka';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');

export const faultsDurationDefaultMs = 20_000;
/** Connections the fault suites open to observe the database carry this name, so a "pause" spares them. */
export const observerApplicationName = 'storecredit-faults-observer';
export const brokerRestartTimeoutMs = 180_000;
const lagPollMs = 300;

/** How long a fault suite drives load: FAULTS_DURATION_MS (npm run test:faults sets a longer one), else 20 s for CI. */
export function faultsDurationMs(): number {
  const raw = process.env.FAULTS_DURATION_MS;
  if (raw === undefined || raw === '') return faultsDurationDefaultMs;
  const value = Number.parseInt(raw, 10);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`FAULTS_DURATION_MS must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** The broker is shared with every other suite: it is restarted only in a run that asks for it. */
export function brokerRestartEnabled(): boolean {
  return process.env.FAULTS_BROKER_RESTART === '1';
}

export type SummaryRow = [label: string, value: string | number];

/** The short table a fault suite prints at its end, so a reader sees the figures without reading the test. */
export function printSummary(title: string, rows: SummaryRow[]): void {
  const width = Math.max(...rows.map(([label]) => label.length), 'figure'.length);
  const valueWidth = Math.max(...rows.map(([, value]) => String(value).length), 'value'.length);
  const line = (label: string, value: string) => `| ${label.padEnd(width)} | ${value.padStart(valueWidth)} |`;
  const out = [
    '',
    `== ${title}`,
    line('figure', 'value'),
    `|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 2)}|`,
    ...rows.map(([label, value]) => line(label, String(value))),
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** A connection of the suite's own, named so that terminateConnections spares it. */
export async function observerConnection(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: observerApplicationName });
  await client.connect();
  return client;
}

/**
 * Pauses PostgreSQL for the worker: holds an exclusive lock on the wallet table for pauseMs (every balance
 * change blocks), then terminates every connection to the test database but the suite's own, as a failover or an
 * operator's restart would. Returns how many connections were terminated.
 */
export async function pauseDatabase(db: TestDatabase, pauseMs: number): Promise<number> {
  const locker = await observerConnection(db.url);
  try {
    await locker.query('begin');
    // One table, so the lock cannot deadlock with the worker: every balance change updates its wallet row.
    await locker.query('lock table wallet in access exclusive mode');
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    // Chosen first, terminated after: in one WHERE clause PostgreSQL may call pg_terminate_backend before the filters.
    const victims = await db.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name <> $1`,
      [observerApplicationName],
    );
    let terminated = 0;
    for (const { pid } of victims) {
      const [row] = await db.query<{ done: boolean }>('select pg_terminate_backend($1) as done', [pid]);
      if (row.done) terminated += 1;
    }
    await locker.query('commit');
    return terminated;
  } finally {
    await locker.end();
  }
}

/** Restarts the shared local broker (data kept) with the project's script. Returns how long it took. */
export async function restartKafkaBroker(): Promise<number> {
  const startedAt = Date.now();
  await run('bash', ['scripts/kafka.sh', 'restart'], { cwd: repoRoot, timeout: brokerRestartTimeoutMs });
  return Date.now() - startedAt;
}

export interface LagReport {
  total: number;
  byPartition: { topic: string; partition: number; committed: number; high: number; lag: number }[];
}

/** Consumer lag of a group on the command topics: the high watermark minus the committed offset, per partition. */
export async function consumerLag(groupId: string, topics: string[], connected?: Admin): Promise<LagReport> {
  const admin = connected ?? createKafka(testBrokers, 'faults-lag').admin();
  if (!connected) await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const byPartition: LagReport['byPartition'] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const group = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const high = Number(end.high);
        const low = Number(end.low);
        const offset = Number(group.find((p) => p.partition === end.partition)?.offset ?? -1);
        const start = offset < 0 ? low : offset;
        byPartition.push({ topic, partition: end.partition, committed: offset, high, lag: Math.max(0, high - start) });
      }
    }
    return { total: byPartition.reduce((sum, p) => sum + p.lag, 0), byPartition };
  } finally {
    if (!connected) await admin.disconnect();
  }
}

/** A Kafka admin client for a suite that samples lag often. */
export async function connectedAdmin(): Promise<Admin> {
  const admin = createKafka(testBrokers, 'faults-admin').admin();
  await admin.connect();
  return admin;
}

/** Waits until a group has consumed and committed everything on the topics (polling gently: each poll is an admin round trip). */
export async function waitForZeroLag(groupId: string, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: LagReport | undefined;
  while (Date.now() < deadline) {
    last = await consumerLag(groupId, topics).catch(() => undefined);
    if (last?.total === 0) return;
    await new Promise((resolve) => setTimeout(resolve, lagPollMs));
  }
  throw new Error(`group ${groupId} still lags after ${timeoutMs} ms: ${JSON.stringify(last?.byPartition.filter((p) => p.lag > 0))}`);
}

/** The command topics a prefix's worker consumes. */
export function commandTopics(prefix: string): string[] {
  const topics = topicNames(prefix);
  return producers.map((producer) => topics.commands[producer]);
}

/** Deletes a suite's topics and consumer groups from the shared broker; best effort, it never fails a suite. */
export async function deleteSuiteTopics(prefix: string, groupIds: string[]): Promise<void> {
  const admin = createKafka(testBrokers, 'faults-cleanup').admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`));
    if (groupIds.length > 0) await admin.deleteGroups(groupIds).catch(() => undefined);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // The topics are unique to the suite; leaving them behind costs disk, not correctness.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** LedgerVerifier (what `npm run verify` runs) against a test database. */
export async function verifyLedger(url: string): Promise<VerifyReport> {
  const orm = await MikroORM.init(ledgerOrmConfig(url, { poolMax: 2 }));
  try {
    return await new LedgerVerifier(orm).verify();
  } finally {
    await orm.close();
  }
}
