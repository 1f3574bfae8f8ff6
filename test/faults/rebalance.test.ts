import { Decimal, type Command, type EntryRecorded, type Producer, type Reply } from '@storecredit/contracts';
import {
  command,
  commandTopics,
  connectedAdmin,
  consumerLag,
  eventStreamViolations,
  faultsDurationMs,
  ledgerRuleViolations,
  printSummary,
  readLedgerSnapshot,
  sameOutcome,
  uniqueId,
  verifyLedger,
  waitForZeroLag,
  waitUntil,
  type EventStreamCheck,
  type KafkaTestClient,
  type LedgerSnapshot,
  type ReplyTracker,
  type TestDatabase,
} from '@storecredit/testing';
import { sleep, startFaultRig, WorkerProcess, type FaultRig } from '../support';
import type { Admin } from 'kafkajs';

const walletCount = 16;
const clientCount = 8;
const workerCount = 3;
/** Membership changes per minute of load; the CI run makes at least minChanges. */
const changesPerMinute = 12;
const minChanges = 5;
const sessionTimeoutMs = 6_000;
/** Longer than the session timeout: the group gives the frozen worker's partitions away while it sleeps mid-batch. */
const freezeMs = sessionTimeoutMs + 3_000;
const replyWaitMs = 60_000;
const lagSampleEveryMs = 1_000;
const drainWaitMs = 120_000;

type Change = { action: 'join' | 'leave' | 'crash' | 'freeze'; worker: string };

/**
 * A second and a third worker process join the consumer group and leave it (SIGTERM, and once in the long run
 * SIGKILL), and one is frozen past its session timeout (SIGSTOP, then SIGCONT), while commands flow. Every rebalance moves partitions between processes mid-stream: no command may
 * be applied twice, every command is answered, and the group's lag returns to zero.
 */
describe('consumer group rebalances', () => {
  const businessId = 'rebalance-biz';
  const durationMs = faultsDurationMs();
  const changeCount = Math.max(minChanges, Math.round((changesPerMinute * durationMs) / 60_000));
  let rig: FaultRig;
  let db: TestDatabase;
  let prefix: string;
  let kafka: KafkaTestClient;
  let replies: ReplyTracker;
  let admin: Admin;
  let workers: WorkerProcess[];
  const sent = new Map<string, { producer: Producer; command: Command }>();
  const violations: string[] = [];
  const changes: Change[] = [];
  let maxLag = 0;

  beforeAll(async () => {
    rig = await startFaultRig();
    ({ db, prefix, kafka, replies } = rig);
    admin = await connectedAdmin();
    workers = Array.from(
      { length: workerCount },
      (_, i) => new WorkerProcess({ name: `worker-${i + 1}`, databaseUrl: db.url, topicPrefix: prefix, sessionTimeoutMs }),
    );
    await workers[0].start();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await rig?.stop();
  });

  const clientIds = Array.from({ length: walletCount }, (_, i) => `client-${i}`);
  const wallet = (clientId: string) => ({ businessId, clientId, currency: 'AED' });
  const amount = () => new Decimal(1 + Math.floor(Math.random() * 5_000)).div(100).toFixed(2);

  function nextCommand(): { producer: Producer; command: Command } {
    const clientId = clientIds[Math.floor(Math.random() * clientIds.length)];
    const roll = Math.random();
    if (roll < 0.35) return { producer: 'gateway', command: command('balance.credit', { ...wallet(clientId), amount: amount() }) };
    if (roll < 0.6) return { producer: 'gateway', command: command('balance.debit', { ...wallet(clientId), amount: amount() }) };
    if (roll < 0.85) {
      return {
        producer: 'checkout',
        command: command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: amount(), actor: { kind: 'service', id: 'checkout' } }),
      };
    }
    return {
      producer: 'refund',
      command: command('balance.refund', { ...wallet(clientId), refundId: uniqueId('r'), amount: amount(), saleId: uniqueId('sale'), saleAmount: '100000.00', actor: { kind: 'service', id: 'refund' } }),
    };
  }

  /**
   * Joins and leaves so that one to three workers are in the group, and between them one worker is frozen past its
   * session timeout (it wakes up holding a batch of partitions that moved on); one leave in a long run is a kill -9.
   */
  function planChange(index: number): Change | undefined {
    const running = workers.filter((w) => w.isRunning);
    const stopped = workers.filter((w) => !w.isRunning);
    if (index % 5 === 2 && running.length > 1) return { action: 'freeze', worker: running[Math.floor(Math.random() * running.length)].options.name };
    // Two joins then two leaves, over and over: one, two, three, two, one workers in the group.
    const join = running.length === 1 || (running.length < workerCount && index % 5 < 2);
    if (join && stopped.length > 0) return { action: 'join', worker: stopped[0].options.name };
    if (running.length <= 1) return undefined;
    // Any member may leave, the first one included: partitions must move whichever process owned them.
    const leaving = running[Math.floor(Math.random() * running.length)];
    const crash = durationMs >= 60_000 && index >= Math.floor(changeCount / 2) && !changes.some((c) => c.action === 'crash');
    return { action: crash ? 'crash' : 'leave', worker: leaving.options.name };
  }

  async function applyChange(change: Change): Promise<void> {
    const worker = workers.find((w) => w.options.name === change.worker)!;
    if (change.action === 'join') await worker.start();
    else if (change.action === 'leave') await worker.stop();
    else if (change.action === 'freeze') await worker.pause(freezeMs);
    else await worker.kill9();
    changes.push(change);
  }

  /** Clients send commands (closed loop) until the duration is over and every membership change happened under load. */
  async function runLoad(): Promise<void> {
    const deadline = Date.now() + durationMs;
    let loadDone = false;
    let membershipDone = false;
    const clients = Array.from({ length: clientCount }, async () => {
      while (Date.now() < deadline || !membershipDone) {
        const next = nextCommand();
        sent.set(next.command.commandId, next);
        await kafka.send(next.producer, next.command);
        // A generous wait: a rebalance pauses consumption, it must not lose anything.
        if (!(await replies.wait(next.command.commandId, replyWaitMs))) violations.push(`no reply within ${replyWaitMs} ms to ${next.command.commandId}`);
      }
    });
    const sampler = (async () => {
      while (!loadDone) {
        const lag = await consumerLag(`${prefix}.ledger-worker`, commandTopics(prefix), admin).catch(() => undefined);
        maxLag = Math.max(maxLag, lag?.total ?? 0);
        await sleep(lagSampleEveryMs);
      }
    })();
    const membership = (async () => {
      for (let index = 0; index < changeCount; index++) {
        const due = deadline - durationMs + ((index + 1) * durationMs) / (changeCount + 1);
        await sleep(Math.max(0, due - Date.now()));
        const change = planChange(index);
        if (change) await applyChange(change);
      }
    })().finally(() => (membershipDone = true));
    await Promise.all([...clients, membership]);
    loadDone = true;
    await sampler;
  }

  /** At most one entry per command, exactly as its reply says; one outcome per command; events, verify, no crash. */
  async function checks(): Promise<{ snapshot: LedgerSnapshot; events: EventStreamCheck; applied: number }> {
    await waitUntil(() => [...sent.keys()].every((id) => replies.first(id)), 'a reply to every command', replyWaitMs).catch(() => undefined);
    await waitUntil(async () => (await db.query('select 1 from outbox_message')).length === 0, 'the outbox to drain', drainWaitMs).catch(() =>
      violations.push('the outbox did not drain'),
    );
    const snapshot = await readLedgerSnapshot(db.url, businessId);
    violations.push(...ledgerRuleViolations(snapshot));
    const entriesByCommand = new Map<string, number>();
    for (const entry of snapshot.entries) entriesByCommand.set(entry.commandId, (entriesByCommand.get(entry.commandId) ?? 0) + 1);
    let applied = 0;
    for (const commandId of sent.keys()) {
      const all = replies.all(commandId);
      if (all.length === 0) {
        violations.push(`${commandId} was never answered`);
        continue;
      }
      if (all.some((reply) => !sameOutcome(reply, all[0]))) violations.push(`${commandId} was answered with different outcomes`);
      const first: Reply = all[0];
      const hasEntry = first.status === 'applied' && first.result !== undefined && 'entryId' in first.result && first.result.entryId !== null;
      if (hasEntry) applied += 1;
      const entries = entriesByCommand.get(commandId) ?? 0;
      if (entries !== (hasEntry ? 1 : 0)) violations.push(`${commandId} has ${entries} entries; its reply says ${first.status}`);
    }
    for (const commandId of entriesByCommand.keys()) if (!sent.has(commandId)) violations.push(`entry for unknown command ${commandId}`);
    const walletEvents = () =>
      kafka.events.map((e) => e.json<EntryRecorded>()).filter((e) => e.type === 'wallet.entry_recorded' && e.businessId === businessId);
    await waitUntil(() => eventStreamViolations(walletEvents(), snapshot, true).distinct >= snapshot.entries.length, 'an event per entry', drainWaitMs).catch(
      () => undefined,
    );
    const events = eventStreamViolations(walletEvents(), snapshot, true);
    violations.push(...events.violations);
    const report = await verifyLedger(db.url);
    if (!report.ok) violations.push(`verify: ${JSON.stringify(report.problems)}`);
    for (const worker of workers) {
      if (worker.unexpectedExits.length > 0) violations.push(`${worker.options.name} exited on its own or could not stop:\n${worker.logTail(30)}`);
      if (worker.consumerCrashes.some((c) => !c.restart)) violations.push(`${worker.options.name}'s consumer crashed for good`);
    }
    return { snapshot, events, applied };
  }

  it(
    'applies each command at most once, answers every command and ends with zero lag while workers join and leave',
    async () => {
      await runLoad();
      if (!workers.some((w) => w.isRunning)) await workers[0].start();
      await waitForZeroLag(`${prefix}.ledger-worker`, commandTopics(prefix), drainWaitMs).catch((error: Error) => violations.push(error.message));
      const lag = await consumerLag(`${prefix}.ledger-worker`, commandTopics(prefix), admin);
      const { snapshot, events, applied } = await checks();
      const redelivered = [...sent.keys()].filter((id) => replies.all(id).some((r) => r.replayed)).length;
      printSummary(`rebalance (${durationMs} ms of load, ${clientCount} clients, ${walletCount} wallets, up to ${workerCount} workers)`, [
        ['operations (commands sent)', sent.size],
        ['answered / applied with an entry', `${[...sent.keys()].filter((id) => replies.first(id)).length} / ${applied}`],
        ['membership changes (faults injected)', changes.length],
        [
          '  joins / graceful leaves / kill -9 / frozen',
          ['join', 'leave', 'crash', 'freeze'].map((action) => changes.filter((c) => c.action === action).length).join(' / '),
        ],
        ['group joins seen (rebalances x members)', workers.reduce((sum, w) => sum + w.joins, 0)],
        ['commands delivered twice (replayed replies)', redelivered],
        ['max lag during the run (messages)', maxLag],
        ['lag at the end (partitions)', `${lag.total} (${lag.byPartition.length})`],
        ['ledger entries / distinct events', `${snapshot.entries.length} / ${events.distinct}`],
        ['violations found', violations.length],
      ]);
      expect(violations.slice(0, 20)).toEqual([]);
      expect(lag.total).toBe(0);
      expect(changes.length).toBeGreaterThanOrEqual(minChanges);
    },
    durationMs * 3 + 300_000,
  );
});
