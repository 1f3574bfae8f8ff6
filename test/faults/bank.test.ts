import { Decimal, type Command, type EntryRecorded, type Producer, type Reply } from '@storecredit/contracts';
import {
  brokerRestartEnabled,
  command,
  commandTopics,
  eventStreamViolations,
  faultsDurationMs,
  ledgerRuleViolations,
  pauseDatabase,
  printSummary,
  readLedgerSnapshot,
  restartKafkaBroker,
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
import { sleep, startFaultRig, WorkerProcess, type CrashPoint, type FaultRig } from '../support';

const walletCount = 8;
const clientCount = 16;
const initialBalance = new Decimal('1000.00');
/** A client waits this long for a reply, then counts the command as indeterminate and moves on. */
const replyWaitMs = 4_000;
const snapshotEveryMs = 2_500;
/** A killed worker's group membership expires after this (the broker's minimum), so its successor joins quickly. */
const sessionTimeoutMs = 6_000;
const killsPerMinute = 10;
const killsMin = 3;
/** After a restart the worker runs at least this long before the next fault, so every kill hits a working worker. */
const uptimeMinMs = 700;
const uptimeJitterMs = 1_500;
const databasePauseMs = 1_500;
/** Longer than the session timeout: the group expels the frozen worker, which then wakes up mid-batch. */
const processPauseMs = sessionTimeoutMs + 3_000;
const recoveryWaitMs = 120_000;
const resolveRoundsMax = 8;
const amountCentsMax = 10_000;

type Kind = 'credit' | 'debit' | 'pay' | 'refund' | 'refund-over' | 'transfer-debit' | 'transfer-credit' | 'setup';
type KillKind = 'random' | CrashPoint;
type Fault = { kind: 'kill'; how: KillKind } | { kind: 'database-pause' } | { kind: 'process-pause' } | { kind: 'broker-restart' };

interface Op {
  kind: Kind;
  producer: Producer;
  command: Command;
  /** Replies that arrived within replyWaitMs while the client waited; the rest were indeterminate. */
  answeredInTime: boolean;
  sendFailures: number;
  sends: number;
  transferId?: string;
  paymentCommandId?: string;
  /** The sale a payment pays or a refund refunds (directly, or through the payment it refunds). */
  saleId?: string;
}

interface Transfer {
  id: string;
  from: string;
  to: string;
  amount: string;
  debitId: string;
  creditId?: string;
}

interface Payment {
  commandId: string;
  clientId: string;
  saleId: string;
  applied: Decimal;
  reserved: Decimal;
}

/** A sale as its first payment named it: later payments and refunds of it never exceed this amount in total. */
interface Sale {
  id: string;
  clientId: string;
  amount: string;
}

/**
 * Jepsen's bank test with crashes, against the real broker and PostgreSQL and a ledger worker running as its own
 * process: 16 clients move money between 8 wallets of one business (credits, debits, checkout payments, refunds
 * of those payments, transfers as a debit plus a credit) while the worker is killed with SIGKILL again and again
 * (at random, and precisely between the database commit and the offset commit, and between publishing events and
 * deleting them from the outbox), is frozen past its session timeout once, PostgreSQL drops every connection once,
 * and, in `npm run test:faults`, the broker restarts once. Every snapshot and the end state keep the rules of money; every command ends with one outcome.
 */
describe('bank test with crashes', () => {
  const businessId = 'bank';
  const durationMs = faultsDurationMs();
  const killCount = Math.max(killsMin, Math.round((killsPerMinute * durationMs) / 60_000));
  const clientIds = Array.from({ length: walletCount }, (_, i) => `wallet-${i}`);
  let rig: FaultRig;
  let db: TestDatabase;
  let prefix: string;
  let kafka: KafkaTestClient;
  let replies: ReplyTracker;
  let worker: WorkerProcess;
  const ops = new Map<string, Op>();
  const transfers = new Map<string, Transfer>();
  const payments: Payment[] = [];
  const sales: Sale[] = [];
  const violations: string[] = [];
  const figures = {
    kills: { random: 0, 'before-offset-commit': 0, 'after-event-publish': 0 } as Record<KillKind, number>,
    crashPointsMissed: 0,
    databasePauses: 0,
    connectionsTerminated: 0,
    brokerRestarts: 0,
    brokerRestartMs: 0,
    brokerRecoveryMs: 0,
    databaseRecoveryMs: 0,
    processPauses: 0,
    processRecoveryMs: 0,
    rejoinedAfterPause: false,
    rejoinMsMax: 0,
    snapshots: 0,
    indeterminate: 0,
    sendFailures: 0,
    resent: 0,
    resolveRounds: 0,
    loadMs: 0,
  };

  beforeAll(async () => {
    rig = await startFaultRig();
    ({ db, prefix, kafka, replies } = rig);
    worker = new WorkerProcess({ name: 'bank', databaseUrl: db.url, topicPrefix: prefix, sessionTimeoutMs });
    await worker.start();
  });

  afterAll(async () => {
    await rig?.stop();
  });

  const wallet = (clientId: string) => ({ businessId, clientId, currency: 'AED' });
  const randomAmount = (maxCents = amountCentsMax) => new Decimal(1 + Math.floor(Math.random() * maxCents)).div(100).toFixed(2);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

  async function send(op: Op): Promise<void> {
    op.sends += 1;
    try {
      await kafka.send(op.producer, op.command);
    } catch {
      // The broker may be restarting: the command may or may not be in the topic. It stays unanswered and is resent.
      op.sendFailures += 1;
      figures.sendFailures += 1;
    }
  }

  /** Sends a new command and waits up to replyWaitMs for its outcome; undefined means indeterminate. */
  async function perform(kind: Kind, producer: Producer, cmd: Command, extra: Partial<Op> = {}): Promise<Reply | undefined> {
    const op: Op = { kind, producer, command: cmd, answeredInTime: false, sendFailures: 0, sends: 0, ...extra };
    ops.set(cmd.commandId, op);
    await send(op);
    const reply = await replies.wait(cmd.commandId, replyWaitMs);
    op.answeredInTime = reply !== undefined;
    if (!reply) figures.indeterminate += 1;
    return reply;
  }

  const appliedAmount = (reply: Reply | undefined): Decimal | undefined =>
    reply?.status === 'applied' && reply.result && 'entryId' in reply.result && reply.result.entryId ? new Decimal(reply.result.amount) : undefined;

  async function transferCredit(transfer: Transfer): Promise<void> {
    if (transfer.creditId) return;
    const credit = command('balance.credit', { ...wallet(transfer.to), amount: transfer.amount, reference: { type: 'adjustment', id: transfer.id } });
    transfer.creditId = credit.commandId;
    await perform('transfer-credit', 'gateway', credit, { transferId: transfer.id });
  }

  async function clientStep(): Promise<void> {
    const roll = Math.random();
    const clientId = pick(clientIds);
    if (roll < 0.22) {
      const type = Math.random() < 0.5 ? 'balance.credit' : 'balance.add';
      await perform('credit', 'gateway', command(type, { ...wallet(clientId), amount: randomAmount() }));
    } else if (roll < 0.4) {
      const type = Math.random() < 0.5 ? 'balance.debit' : 'balance.deduct';
      await perform('debit', 'gateway', command(type, { ...wallet(clientId), amount: randomAmount() }));
    } else if (roll < 0.6) {
      await payStep(clientId);
    } else if (roll < 0.68) {
      await refundStep();
    } else if (roll < 0.75) {
      await saleRefundStep();
    } else {
      await transferStep();
    }
  }

  /**
   * Pays a new sale (its amount the owed amount, or a larger saleAmount when the sale is split with a card), or pays
   * an earlier sale again under a new command id, as a till that retries or a second till would: the ledger must never
   * take more for one sale than its amount.
   */
  async function payStep(clientId: string): Promise<void> {
    const again = sales.length > 0 && Math.random() < 0.35 ? pick(sales) : undefined;
    const sale: Sale = again ?? { id: uniqueId('sale'), clientId, amount: randomAmount() };
    const split = !again && Math.random() < 0.3;
    if (split) sale.amount = new Decimal(sale.amount).plus(randomAmount(2_000)).toFixed(2);
    const amountOwed = again || !split ? sale.amount : randomAmount(Number(new Decimal(sale.amount).times(100)));
    const amountRequested = Math.random() < 0.5 ? undefined : randomAmount();
    const pay = command('balance.pay', {
      ...wallet(sale.clientId),
      saleId: sale.id,
      amountOwed,
      ...(amountRequested === undefined ? {} : { amountRequested }),
      ...(split ? { saleAmount: sale.amount } : {}),
      actor: { kind: 'service', id: 'checkout' },
    });
    if (!again) sales.push(sale);
    const applied = appliedAmount(await perform('pay', 'checkout', pay, { saleId: sale.id }));
    if (applied) payments.push({ commandId: pay.commandId, clientId: sale.clientId, saleId: sale.id, applied, reserved: new Decimal(0) });
  }

  /** Refunds an earlier sale by its id, whatever paid it; one in five asks for more than the sale's amount. */
  async function saleRefundStep(): Promise<void> {
    if (sales.length === 0) return;
    const sale = pick(sales);
    const amount = Math.random() < 0.2 ? new Decimal(sale.amount).plus(randomAmount(500)).toFixed(2) : randomAmount(Number(new Decimal(sale.amount).times(100)));
    const refund = command('balance.refund', {
      ...wallet(sale.clientId),
      refundId: uniqueId('refund'),
      amount,
      saleId: sale.id,
      saleAmount: sale.amount,
      actor: { kind: 'service', id: 'refund' },
    });
    await perform('refund', 'refund', refund, { saleId: sale.id });
  }

  /** Refunds part or all of an earlier payment; one in ten asks for more than is left, which the ledger must refuse or cap. */
  async function refundStep(): Promise<void> {
    const open = payments.filter((payment) => payment.reserved.lt(payment.applied));
    if (open.length === 0) return;
    const payment = pick(open);
    const left = payment.applied.minus(payment.reserved);
    const over = Math.random() < 0.1;
    const amount = over ? left.plus(randomAmount(500)) : Math.random() < 0.3 ? left : Decimal.max(new Decimal('0.01'), left.times(Math.random()).toDecimalPlaces(2, Decimal.ROUND_DOWN));
    if (!over) payment.reserved = payment.reserved.plus(amount);
    const refund = command('balance.refund', {
      ...wallet(payment.clientId),
      refundId: uniqueId('refund'),
      amount: amount.toFixed(2),
      paymentCommandId: payment.commandId,
      actor: { kind: 'service', id: 'refund' },
    });
    await perform(over ? 'refund-over' : 'refund', 'refund', refund, { paymentCommandId: payment.commandId, saleId: payment.saleId });
  }

  async function transferStep(): Promise<void> {
    const from = pick(clientIds);
    const to = pick(clientIds.filter((id) => id !== from));
    const transfer: Transfer = { id: uniqueId('transfer'), from, to, amount: randomAmount(), debitId: '' };
    const debit = command('balance.debit', { ...wallet(from), amount: transfer.amount, reference: { type: 'adjustment', id: transfer.id } });
    transfer.debitId = debit.commandId;
    transfers.set(transfer.id, transfer);
    const reply = await perform('transfer-debit', 'gateway', debit, { transferId: transfer.id });
    // A refused debit ends the transfer; an indeterminate one is settled after the run, once its outcome is known.
    if (reply?.status === 'applied') await transferCredit(transfer);
  }

  /** The signed change the command's reply says it made (0 when refused or when a payment found no balance). */
  function effectOf(op: Op, reply: Reply): Decimal {
    const amount = appliedAmount(reply);
    if (!amount) return new Decimal(0);
    const debit = op.command.type === 'balance.debit' || op.command.type === 'balance.deduct' || op.command.type === 'balance.pay';
    return debit ? amount.negated() : amount;
  }

  /** The entry an unanswered command may have made: exactly its amount, or for a payment no more than it allowed. */
  function plausibleEntry(op: Op, amount: Decimal): boolean {
    const cmd = op.command;
    switch (cmd.type) {
      case 'balance.credit':
      case 'balance.add':
      case 'balance.refund':
        return amount.eq(cmd.amount);
      case 'balance.debit':
      case 'balance.deduct':
        return amount.eq(new Decimal(cmd.amount).negated());
      case 'balance.pay': {
        const cap = cmd.amountRequested === undefined ? new Decimal(cmd.amountOwed) : Decimal.min(cmd.amountOwed, cmd.amountRequested);
        return amount.isNegative() && amount.negated().lte(cap);
      }
      default:
        return false;
    }
  }

  /**
   * The checks of one snapshot. `firstReplies` holds the replies received before the snapshot began: each of
   * those commands is in the snapshot exactly as answered; a command without one has made zero or one entry.
   */
  function checkSnapshot(snapshot: LedgerSnapshot, firstReplies: Map<string, Reply>, final: boolean): string[] {
    const problems = ledgerRuleViolations(snapshot).map((v) => `rule: ${v}`);
    const entriesByCommand = new Map(snapshot.entries.map((entry) => [entry.commandId, entry]));
    let expectedTotal = initialBalance.times(walletCount);
    for (const [commandId, op] of ops) {
      if (op.kind === 'setup') continue;
      const reply = firstReplies.get(commandId);
      const entry = entriesByCommand.get(commandId);
      if (reply) {
        const effect = effectOf(op, reply);
        expectedTotal = expectedTotal.plus(effect);
        const entryId = reply.result && 'entryId' in reply.result ? reply.result.entryId : null;
        if (effect.isZero() && entry) problems.push(`${commandId} (${op.kind}) was answered ${reply.status} without effect, yet has entry ${entry.id}`);
        if (!effect.isZero() && (!entry || entry.id !== entryId || !new Decimal(entry.amount).eq(effect))) {
          problems.push(`${commandId} (${op.kind}) was answered applied (${effect}) but the ledger has ${entry ? `${entry.id} ${entry.amount}` : 'no entry'}`);
        }
      } else if (entry) {
        if (final) problems.push(`${commandId} (${op.kind}) has an entry but never got a reply`);
        if (!plausibleEntry(op, new Decimal(entry.amount))) problems.push(`${commandId} (${op.kind}) made an entry of ${entry.amount}, which it could not have made`);
        expectedTotal = expectedTotal.plus(entry.amount);
      } else if (final) {
        problems.push(`${commandId} (${op.kind}) never got a reply`);
      }
    }
    for (const entry of snapshot.entries) {
      const op = ops.get(entry.commandId);
      if (!op) problems.push(`entry ${entry.id} was made by ${entry.commandId}, a command nobody sent`);
    }
    const total = snapshot.wallets.reduce((sum, w) => sum.plus(w.balance), new Decimal(0));
    if (!total.eq(expectedTotal)) problems.push(`the wallets hold ${total} in total; the initial total and the acknowledged changes give ${expectedTotal}`);
    // No payment is ever refunded beyond what it applied, however the refunds raced.
    const refunded = new Map<string, Decimal>();
    for (const entry of snapshot.entries) {
      const op = ops.get(entry.commandId);
      if (op?.paymentCommandId) refunded.set(op.paymentCommandId, (refunded.get(op.paymentCommandId) ?? new Decimal(0)).plus(entry.amount));
    }
    for (const [paymentId, sum] of refunded) {
      const paid = entriesByCommand.get(paymentId);
      if (!paid || sum.gt(new Decimal(paid.amount).negated())) problems.push(`payment ${paymentId} (${paid?.amount}) was refunded ${sum}`);
    }
    problems.push(...saleBoundViolations(snapshot));
    return problems;
  }

  /** Per sale: balance never paid more than its amount in total, and refunds never returned more than it. */
  function saleBoundViolations(snapshot: LedgerSnapshot): string[] {
    const totals = new Map<string, { paid: Decimal; refunded: Decimal }>();
    for (const entry of snapshot.entries) {
      const op = ops.get(entry.commandId);
      if (!op?.saleId) continue;
      const total = totals.get(op.saleId) ?? { paid: new Decimal(0), refunded: new Decimal(0) };
      if (op.command.type === 'balance.pay') total.paid = total.paid.minus(entry.amount);
      else total.refunded = total.refunded.plus(entry.amount);
      totals.set(op.saleId, total);
    }
    const problems: string[] = [];
    for (const sale of sales) {
      const total = totals.get(sale.id);
      if (total && (total.paid.gt(sale.amount) || total.refunded.gt(sale.amount))) {
        problems.push(`sale ${sale.id} of ${sale.amount} was paid ${total.paid} with balance and refunded ${total.refunded}`);
      }
    }
    return problems;
  }

  function firstRepliesBefore(count: number): Map<string, Reply> {
    const first = new Map<string, Reply>();
    for (const received of kafka.replies.slice(0, count)) {
      const reply = received.json<Reply>();
      if (!first.has(reply.commandId)) first.set(reply.commandId, reply);
    }
    return first;
  }

  const walletEvents = () =>
    kafka.events.map((event) => event.json<EntryRecorded>()).filter((event) => event.type === 'wallet.entry_recorded' && event.businessId === businessId);

  async function snapshotCheck(final: boolean): Promise<LedgerSnapshot> {
    const repliesSeen = kafka.replies.length;
    const snapshot = await readLedgerSnapshot(db.url, businessId);
    figures.snapshots += 1;
    const problems = checkSnapshot(snapshot, firstRepliesBefore(repliesSeen), final);
    if (!final) problems.push(...eventStreamViolations(walletEvents(), undefined).violations.map((v) => `events: ${v}`));
    for (const problem of problems) violations.push(`${final ? 'final' : `snapshot ${figures.snapshots}`}: ${problem}`);
    return snapshot;
  }

  /** Waits until the worker answers again after a fault; a worker that never recovers is a finding. */
  /** Liveness after a fault: a command sent after it must be answered; replies of batches already in flight do not count. */
  async function awaitProgress(what: string): Promise<number> {
    const startedAt = Date.now();
    const probe: Op = {
      kind: 'credit',
      producer: 'gateway',
      command: command('balance.credit', { ...wallet(pick(clientIds)), amount: '0.01', note: `probe after ${what}` }),
      answeredInTime: false,
      sendFailures: 0,
      sends: 0,
    };
    ops.set(probe.command.commandId, probe);
    while (Date.now() - startedAt < recoveryWaitMs && !replies.first(probe.command.commandId)) {
      if (probe.sends === 0 || probe.sendFailures === probe.sends) await send(probe);
      await replies.wait(probe.command.commandId, replyWaitMs);
    }
    probe.answeredInTime = replies.first(probe.command.commandId) !== undefined;
    if (!probe.answeredInTime) violations.push(`no command sent after ${what} was answered within ${recoveryWaitMs} ms:\n${worker.logTail(30)}`);
    return Date.now() - startedAt;
  }

  function faultPlan(): Fault[] {
    const kinds: KillKind[] = ['random', 'before-offset-commit', 'after-event-publish'];
    const offset = Math.floor(Math.random() * kinds.length);
    const plan: Fault[] = Array.from({ length: killCount }, (_, i) => ({ kind: 'kill' as const, how: kinds[(i + offset) % kinds.length] }));
    plan.splice(Math.floor(plan.length / 3) + 1, 0, { kind: 'database-pause' });
    plan.splice(Math.floor((plan.length * 2) / 3) + 1, 0, { kind: 'process-pause' });
    if (brokerRestartEnabled()) plan.splice(Math.floor(plan.length / 2) + 1, 0, { kind: 'broker-restart' });
    return plan;
  }

  async function inject(fault: Fault): Promise<void> {
    if (fault.kind === 'kill') {
      if (fault.how === 'random') await worker.kill9();
      else if (!(await worker.crashAt(fault.how))) figures.crashPointsMissed += 1;
      figures.kills[fault.how] += 1;
      const killedAt = Date.now();
      await worker.start();
      figures.rejoinMsMax = Math.max(figures.rejoinMsMax, Date.now() - killedAt);
    } else if (fault.kind === 'process-pause') {
      const joins = worker.joins;
      await worker.pause(processPauseMs);
      figures.processPauses += 1;
      figures.processRecoveryMs = await awaitProgress('the process pause');
      figures.rejoinedAfterPause = worker.joins > joins;
    } else if (fault.kind === 'database-pause') {
      figures.connectionsTerminated += await pauseDatabase(db, databasePauseMs);
      figures.databasePauses += 1;
      figures.databaseRecoveryMs = await awaitProgress('the database pause');
    } else {
      figures.brokerRestartMs = await restartKafkaBroker();
      figures.brokerRestarts += 1;
      figures.brokerRecoveryMs = await awaitProgress('the broker restart');
    }
  }

  /** Injects the planned faults spread over the duration, each after the worker has worked a little. */
  async function runFaults(startedAt: number): Promise<void> {
    const plan = faultPlan();
    for (const [index, fault] of plan.entries()) {
      const due = startedAt + ((index + 1) * durationMs) / (plan.length + 1);
      await sleep(Math.max(due - Date.now(), uptimeMinMs + Math.random() * uptimeJitterMs));
      await inject(fault);
    }
  }

  /** After the run: resend every unanswered command (same id, same payload) and settle indeterminate transfers. */
  async function resolveEverything(): Promise<void> {
    for (let round = 1; round <= resolveRoundsMax; round++) {
      figures.resolveRounds = round;
      await waitForZeroLag(`${prefix}.ledger-worker`, commandTopics(prefix), recoveryWaitMs);
      await sleep(1_000);
      for (const transfer of transfers.values()) {
        if (!transfer.creditId && replies.first(transfer.debitId)?.status === 'applied') await transferCredit(transfer);
      }
      const unanswered = [...ops.values()].filter((op) => !replies.first(op.command.commandId));
      if (unanswered.length === 0) return;
      for (const op of unanswered) {
        figures.resent += 1;
        await send(op);
      }
      await waitUntil(() => unanswered.every((op) => replies.first(op.command.commandId)), 'replies to the resent commands', recoveryWaitMs).catch(() => undefined);
    }
    violations.push(`commands still unanswered after ${resolveRoundsMax} rounds of resending`);
  }

  async function openBalances(): Promise<void> {
    for (const clientId of clientIds) {
      const topUp = command('balance.credit', { ...wallet(clientId), amount: initialBalance.toFixed(2) });
      ops.set(topUp.commandId, { kind: 'setup', producer: 'gateway', command: topUp, answeredInTime: true, sendFailures: 0, sends: 1 });
      await kafka.send('gateway', topUp);
    }
    await waitUntil(() => [...ops.values()].every((op) => replies.first(op.command.commandId)?.status === 'applied'), 'the opening balances');
  }

  /** 16 clients and the snapshot reader run until the duration is over and every planned fault has been injected. */
  async function runLoad(): Promise<void> {
    const startedAt = Date.now();
    let faultsDone = false;
    let faultError: unknown;
    const faults = runFaults(startedAt).then(
      () => (faultsDone = true),
      (error: unknown) => {
        faultError = error;
        faultsDone = true;
      },
    );
    const loadRunning = () => Date.now() < startedAt + durationMs || !faultsDone;
    const clients = Array.from({ length: clientCount }, async () => {
      while (loadRunning()) await clientStep();
    });
    const snapshots = (async () => {
      while (loadRunning()) {
        await snapshotCheck(false);
        await sleep(snapshotEveryMs);
      }
    })();
    await Promise.all([faults, ...clients, snapshots]);
    figures.loadMs = Date.now() - startedAt;
    if (faultError) throw faultError;
  }

  /** The end state, once every command has its outcome: the snapshot checks plus events, outcomes, transfers, verify. */
  async function finalChecks(): Promise<{ final: LedgerSnapshot; events: EventStreamCheck }> {
    await waitUntil(async () => (await db.query('select 1 from outbox_message')).length === 0, 'the outbox to drain', recoveryWaitMs).catch(() =>
      violations.push('the outbox did not drain'),
    );
    const final = await snapshotCheck(true);
    await waitUntil(() => eventStreamViolations(walletEvents(), final, true).distinct >= final.entries.length, 'an event per entry', recoveryWaitMs).catch(
      () => undefined,
    );
    const events = eventStreamViolations(walletEvents(), final, true);
    violations.push(...events.violations.map((v) => `final events: ${v}`));
    // Every delivery of a command answered the same outcome.
    for (const op of ops.values()) {
      const all = replies.all(op.command.commandId);
      if (all.some((reply) => !sameOutcome(reply, all[0]))) violations.push(`${op.command.commandId} (${op.kind}) got different outcomes`);
    }
    // A transfer either moved its money or did not happen: never a debit without its credit.
    for (const transfer of transfers.values()) {
      const debit = replies.first(transfer.debitId)?.status;
      const credit = transfer.creditId ? replies.first(transfer.creditId)?.status : undefined;
      if ((debit === 'applied') !== (credit === 'applied')) violations.push(`transfer ${transfer.id}: debit ${debit}, credit ${credit}`);
    }
    const report = await verifyLedger(db.url);
    if (!report.ok) violations.push(`verify: ${JSON.stringify(report.problems)}`);
    if (worker.unexpectedExits.length > 0) violations.push(`the worker exited on its own ${worker.unexpectedExits.length} times:\n${worker.logTail(40)}`);
    const deadConsumers = worker.consumerCrashes.filter((crash) => !crash.restart);
    if (deadConsumers.length > 0) violations.push(`the worker's consumer crashed without restarting: ${JSON.stringify(deadConsumers)}`);
    return { final, events };
  }

  function summary(final: LedgerSnapshot, events: EventStreamCheck): void {
    const count = (kinds: Kind[]) => [...ops.values()].filter((op) => kinds.includes(op.kind)).length;
    const firsts = [...ops.values()].filter((op) => op.kind !== 'setup').map((op) => replies.first(op.command.commandId));
    const sentOnce = [...ops.values()].filter((op) => op.sends === 1).map((op) => op.command.commandId);
    const redelivered = sentOnce.filter((id) => replies.all(id).some((reply) => reply.replayed)).length;
    const total = final.wallets.reduce((sum, w) => sum.plus(w.balance), new Decimal(0));
    const brokerRestart = brokerRestartEnabled();
    printSummary(`bank test with crashes (${durationMs} ms asked, ${figures.loadMs} ms of load, ${clientCount} clients, ${walletCount} wallets)`, [
      ['operations (commands sent)', ops.size - walletCount],
      ['  credits / debits', `${count(['credit'])} / ${count(['debit'])}`],
      ['  payments / refunds (over-refunds)', `${count(['pay'])} / ${count(['refund', 'refund-over'])} (${count(['refund-over'])})`],
      ['  sales (paid more than once / refunds by sale id)', `${sales.length} (${salesPaidAgain()} / ${[...ops.values()].filter((op) => op.command.type === 'balance.refund' && op.command.saleId).length})`],
      ['  transfers (debit + credit)', `${transfers.size} (${count(['transfer-credit'])} credited)`],
      ['answered applied / rejected', `${firsts.filter((r) => r?.status === 'applied').length} / ${firsts.filter((r) => r?.status === 'rejected').length}`],
      ['indeterminate during the run (then resent)', `${figures.indeterminate} (${figures.resent} resends, ${figures.resolveRounds} rounds)`],
      ['sends failed (broker away)', figures.sendFailures],
      ['redelivered after a crash (replayed replies)', redelivered],
      ['worker kill -9 total', totalKills()],
      ['  at random', figures.kills.random],
      ['  between db commit and offset commit', figures.kills['before-offset-commit']],
      ['  between event publish and outbox delete', figures.kills['after-event-publish']],
      ['  armed crash point not reached (killed anyway)', figures.crashPointsMissed],
      ['  slowest kill -> restarted worker in the group (ms)', figures.rejoinMsMax],
      ['worker starts / crashes on its own', `${worker.starts} / ${worker.unexpectedExits.length}`],
      ['consumer restarts inside the worker', worker.consumerCrashes.length],
      ['PostgreSQL pauses (connections terminated)', `${figures.databasePauses} (${figures.connectionsTerminated})`],
      ['  answering again after the pause (ms)', figures.databaseRecoveryMs],
      ['worker frozen past its session (SIGSTOP, ms)', `${figures.processPauses} (${processPauseMs})`],
      ['  answering again after it woke up (ms, re-joined)', `${figures.processRecoveryMs} (${figures.rejoinedAfterPause ? 'yes' : 'no'})`],
      ['Kafka broker restarts', brokerRestart ? `${figures.brokerRestarts} (took ${figures.brokerRestartMs} ms)` : '0 (set FAULTS_BROKER_RESTART=1)'],
      ['  answering again after the broker restart (ms)', brokerRestart ? figures.brokerRecoveryMs : '-'],
      ['faults injected', totalKills() + figures.databasePauses + figures.processPauses + figures.brokerRestarts],
      ['snapshots checked', figures.snapshots],
      ['ledger entries / events (duplicates dropped)', `${final.entries.length} / ${events.distinct} (${events.duplicates})`],
      ['total: initial + acknowledged = final', `${initialBalance.times(walletCount).toFixed(2)} -> ${total.toFixed(2)}`],
      ['violations found', violations.length],
    ]);
  }

  const salesPaidAgain = () => {
    const pays = new Map<string, number>();
    for (const op of ops.values()) if (op.command.type === 'balance.pay' && op.saleId) pays.set(op.saleId, (pays.get(op.saleId) ?? 0) + 1);
    return [...pays.values()].filter((count) => count > 1).length;
  };
  const totalKills = () => Object.values(figures.kills).reduce((a, b) => a + b, 0);

  it(
    'keeps every rule of money through crashes, and gives every command exactly one outcome',
    async () => {
      await openBalances();
      await runLoad();
      if (!worker.isRunning) await worker.start();
      await resolveEverything();
      const { final, events } = await finalChecks();
      summary(final, events);
      expect(violations.slice(0, 20)).toEqual([]);
      expect(totalKills()).toBeGreaterThanOrEqual(killCount);
    },
    durationMs * 4 + 600_000,
  );
});
