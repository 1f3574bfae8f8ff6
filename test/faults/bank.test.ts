import { Decimal, holdIdOf, topicNames, type BonusTier, type Command, type EntryRecorded, type Producer, type Reply, type WalletResult } from '@storecredit/contracts';
import {
  brokerRestartEnabled,
  command,
  commandTopics,
  eventStreamViolations,
  faultsDurationMs,
  groupBy,
  ledgerRuleViolations,
  pauseDatabase,
  printSummary,
  readLedgerSnapshot,
  restartKafkaBroker,
  sameOutcome,
  testBrokers,
  uniqueId,
  verifyLedger,
  waitForZeroLag,
  waitUntil,
  type EventStreamCheck,
  type KafkaTestClient,
  type LedgerSnapshot,
  type ReplyTracker,
  type SnapshotEntry,
  type TestDatabase,
} from '@storecredit/testing';
import type { INestMicroservice } from '@nestjs/common';
import { ReportingMetrics, startReporting } from '../../apps/reporting/src';
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
/** One client step in this many is a till's hold and what follows it (capture, release, or nothing: the expiry). */
const holdStepShare = 0.25;
/** Short holds expire within seconds, so the sweep expires them during the run, while workers are killed too. */
const shortHoldShare = 0.5;
const shortHoldSecondsMax = 3;
const longHoldSeconds = 600;
/** The workers' sweep runs this often (HOLD_SWEEP_MS), so short holds are expired while the load runs. */
const holdSweepMs = 500;
/** A late capture is sent this long after the hold's expiry: the ledger must refuse it. */
const lateCaptureMarginMs = 100;
/** How long the end waits for the sweep to expire every hold, then every lot, past its expiry. */
const expiryWaitMs = 60_000;
/** At the end, holds that expire within this are waited for (all but the long ones, which outlast the test). */
const shortHoldHorizonMs = 60_000;
/**
 * Credits that expire within seconds, so the sweep expires what is left of them during the run, while workers are
 * killed too (what debits drew first, as the soonest to expire, is no longer there to expire); as many expire in a
 * month; the rest never.
 */
const shortCreditShare = 0.4;
const longCreditShare = 0.3;
const shortCreditMsMin = 1_000;
const shortCreditMsMax = 3_000;
/** A short credit is a larger promotion (up to this many cents), so debits, which draw the soonest to expire first, leave some of it to expire. */
const shortCreditCentsMax = 30_000;
const longCreditDays = 30;
/** One staff add in this many is a paid top-up (reference type payment): it earns the bank's bonus when it reaches a tier. */
const paidTopUpShare = 0.6;
/** The bank's bonus rule (the highest tier a paid top-up reaches applies, alone), set before the load. */
const bonusTiers: BonusTier[] = [
  { minAmount: '20.00', percent: '5' },
  { minAmount: '60.00', percent: '12.5' },
  { minAmount: '90.00', fixed: '15.00' },
];
const bonusExpiresInDays = 30;
const dayMs = 24 * 60 * 60 * 1000;
/**
 * One client step in this many is a promotion that comes due while a large sale holds all its wallet had available
 * (heldPromotionStep, on a wallet of its own, so no other client's payment takes the credit first); the hold lasts
 * this long, past the promotion's expiry and, mostly, past a worker's restart.
 */
const heldPromotionStepShare = 0.03;
const largeSaleAmount = '50000.00';
const largeHoldSeconds = 10;
/** The small credit made while the large hold holds: less than the promotion, so the sweep can expire only part of it. */
const heldPromotionTopUpCentsMax = 1_000;

type Kind = 'credit' | 'debit' | 'pay' | 'refund' | 'refund-over' | 'transfer-debit' | 'transfer-credit' | 'hold' | 'capture' | 'release' | 'setup';
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
  /** The sale a payment pays or a refund refunds (directly, or through the payment it refunds); a hold's sale. */
  saleId?: string;
  /** The hold a hold command places (holdIdOf) or a capture or release ends. */
  holdId?: string;
  /** A capture sent after its hold's expiry (as the hold's reply gave it): it must never be applied. */
  late?: boolean;
  /** A credit's expiry: within seconds, in a month, or never. */
  expiry?: 'short' | 'long' | 'none';
}

/** A hold as the till knows it: its id at once (holdIdOf), its amount and expiry once its reply came. */
interface Hold {
  holdId: string;
  commandId: string;
  clientId: string;
  saleId: string;
  /** The most the hold command could hold: min(owed, requested). */
  cap: Decimal;
  amount?: Decimal;
  /** Epoch ms, from the reply. */
  expiresAt?: number;
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
 * process: 16 clients move money between 8 wallets of one business (credits, some expiring within seconds for the
 * worker's sweep to expire what is left of them, some while a hold of all that was available holds their wallet (a
 * wallet of their own), and paid top-ups that earn the business's bonus; debits, checkout
 * payments, refunds of those payments, transfers as a debit plus a credit, and split-tender holds: captured in full or
 * in part, sometimes twice or after their expiry, released, or left for the worker's sweep to expire) while the worker is
 * killed with SIGKILL again and again (at random, and precisely between the database commit and the offset commit,
 * and between publishing events and deleting them from the outbox), is frozen past its session timeout once,
 * PostgreSQL drops every connection once, and, in `npm run test:faults`, the broker restarts once. Every snapshot
 * and the end state keep the rules of money and of lots (balance = Σ remaining, every credit its lots, every debit its
 * draws, expiry only when due and of what is left and available, bonuses exactly as the rule gives); every command
 * ends with one outcome, and `verify` finds nothing.
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
  /** The reference reporting consumer, on the suite's events from the start: at the end its read model equals the ledger. */
  let reporting: INestMicroservice;
  const ops = new Map<string, Op>();
  const transfers = new Map<string, Transfer>();
  const payments: Payment[] = [];
  const sales: Sale[] = [];
  /** The sales of heldPromotionStep: only held, never paid or refunded by the other steps. */
  const largeSales: Sale[] = [];
  const holds = new Map<string, Hold>();
  /** When no worker was answering (killed until its successor joined, or frozen), epoch ms: holds that came due then. */
  const workerDown: { from: number; to: number }[] = [];
  /** The latest expiry of a short credit sent (epoch ms): after it, no lot comes due before the end. */
  let lastShortExpiry = 0;
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
    await db.query(
      `insert into bonus_rule (business_id, currency, tiers, expires_in_days, updated_by, updated_at) values ($1, 'AED', $2::jsonb, $3, 'staff:owner', now())`,
      [businessId, JSON.stringify(bonusTiers), bonusExpiresInDays],
    );
    worker = new WorkerProcess({ name: 'bank', databaseUrl: db.url, topicPrefix: prefix, sessionTimeoutMs, env: { HOLD_SWEEP_MS: String(holdSweepMs) } });
    await worker.start();
    reporting = await startReporting(
      {
        databaseUrl: db.url,
        kafkaBrokers: testBrokers,
        clientId: `reporting-${prefix}`,
        groupId: `${prefix}.reporting`,
        eventsTopic: topicNames(prefix).events,
        partitionsConsumedConcurrently: 2,
        httpPort: undefined,
      },
      { logger: ['error'] },
    );
  });

  afterAll(async () => {
    await reporting?.close();
    await rig?.stop(['reporting']);
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
    if (Math.random() < holdStepShare) return holdStep(pick(clientIds));
    if (Math.random() < heldPromotionStepShare) return heldPromotionStep();
    const roll = Math.random();
    const clientId = pick(clientIds);
    if (roll < 0.22) {
      await creditStep(clientId);
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
   * A service's credit or a staff add (a paid top-up, which may earn the bank's bonus, or not); expiring within
   * seconds, in a month, or never. Returns its expiry (epoch ms), if any.
   */
  async function creditStep(clientId: string, expiry = randomExpiry()): Promise<number | undefined> {
    const add = Math.random() < 0.5;
    const paid = add && Math.random() < paidTopUpShare;
    const expiresAt =
      expiry === 'short' ? Date.now() + shortCreditMsMin + Math.random() * (shortCreditMsMax - shortCreditMsMin) : expiry === 'long' ? Date.now() + longCreditDays * dayMs : undefined;
    if (expiry === 'short') lastShortExpiry = Math.max(lastShortExpiry, expiresAt ?? 0);
    const credit = command(add ? 'balance.add' : 'balance.credit', {
      ...wallet(clientId),
      amount: randomAmount(expiry === 'short' ? shortCreditCentsMax : amountCentsMax),
      ...(paid ? { reference: { type: 'payment' as const, id: uniqueId('invoice') } } : {}),
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
    });
    await perform('credit', 'gateway', credit, { expiry });
    return expiresAt;
  }

  function randomExpiry(): 'short' | 'long' | 'none' {
    const roll = Math.random();
    return roll < shortCreditShare ? 'short' : roll < shortCreditShare + longCreditShare ? 'long' : 'none';
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

  /**
   * A till's split-tender checkout: holds balance for a new sale (or an earlier one), with a short or a long expiry,
   * then captures all or part of it, releases it, or leaves it to expire; sometimes captures it only after its expiry,
   * or captures it a second time under another command id, as a till that retries would. A hold whose reply did not
   * come is still captured or released by its id (holdIdOf), as a till that lost the reply would.
   */
  async function holdStep(clientId: string): Promise<void> {
    const again = sales.length > 0 && Math.random() < 0.2 ? pick(sales) : undefined;
    const sale: Sale = again ?? { id: uniqueId('sale'), clientId, amount: randomAmount() };
    const split = !again && Math.random() < 0.5;
    if (split) sale.amount = new Decimal(sale.amount).plus(randomAmount(2_000)).toFixed(2);
    const amountOwed = again || !split ? sale.amount : randomAmount(Number(new Decimal(sale.amount).times(100)));
    const amountRequested = Math.random() < 0.5 ? undefined : randomAmount();
    const expiresInSeconds = Math.random() < shortHoldShare ? 1 + Math.floor(Math.random() * shortHoldSecondsMax) : longHoldSeconds;
    const placed = command('balance.hold', {
      ...wallet(sale.clientId),
      saleId: sale.id,
      amountOwed,
      ...(amountRequested === undefined ? {} : { amountRequested }),
      ...(split ? { saleAmount: sale.amount } : {}),
      expiresInSeconds,
      actor: { kind: 'service', id: 'checkout' },
    });
    if (!again) sales.push(sale);
    const cap = amountRequested === undefined ? new Decimal(amountOwed) : Decimal.min(amountOwed, amountRequested);
    const hold: Hold = { holdId: holdIdOf(businessId, placed.commandId), commandId: placed.commandId, clientId: sale.clientId, saleId: sale.id, cap };
    holds.set(hold.holdId, hold);
    const reply = await perform('hold', 'checkout', placed, { saleId: sale.id, holdId: hold.holdId });
    const placedHold = reply?.status === 'applied' ? (reply.result as WalletResult).hold : undefined;
    if (reply && !placedHold) return;
    if (placedHold) {
      hold.amount = new Decimal(placedHold.amount);
      hold.expiresAt = Date.parse(placedHold.expiresAt);
    }
    await endHoldStep(hold, expiresInSeconds < longHoldSeconds);
  }

  /**
   * A promotion that comes due while a large sale holds the wallet, on a new wallet: a credit expiring within seconds,
   * a hold of all the wallet then has available lasting past that expiry, and once the promotion is due a small credit.
   * The sweep may expire no more of the promotion than the small credit made available, and the rest once the hold
   * expires. The hold is never captured.
   */
  async function heldPromotionStep(): Promise<void> {
    const clientId = uniqueId('promotion');
    const promotionExpiresAt = (await creditStep(clientId, 'short')) ?? 0;
    const sale: Sale = { id: uniqueId('sale'), clientId, amount: largeSaleAmount };
    largeSales.push(sale);
    const placed = command('balance.hold', {
      ...wallet(clientId),
      saleId: sale.id,
      amountOwed: sale.amount,
      expiresInSeconds: largeHoldSeconds,
      actor: { kind: 'service', id: 'checkout' },
    });
    const hold: Hold = { holdId: holdIdOf(businessId, placed.commandId), commandId: placed.commandId, clientId, saleId: sale.id, cap: new Decimal(sale.amount) };
    holds.set(hold.holdId, hold);
    await perform('hold', 'checkout', placed, { saleId: sale.id, holdId: hold.holdId });
    await sleep(Math.max(0, promotionExpiresAt - Date.now()));
    await perform('credit', 'gateway', command('balance.credit', { ...wallet(clientId), amount: randomAmount(heldPromotionTopUpCentsMax) }), { expiry: 'none' });
  }

  async function endHoldStep(hold: Hold, short: boolean): Promise<void> {
    const roll = Math.random();
    if (!hold.amount) {
      await (roll < 0.5 ? releaseHold(hold) : captureHold(hold, undefined));
      return;
    }
    if (short && roll < 0.15) {
      // Past its expiry, whether or not the sweep has expired it yet: the capture must be refused.
      await sleep(Math.max(0, (hold.expiresAt ?? 0) - Date.now()) + lateCaptureMarginMs);
      await captureHold(hold, Math.random() < 0.5 ? undefined : hold.amount.toFixed(2), true);
      return;
    }
    if (roll < 0.8) {
      const full = roll < 0.5;
      const over = !full && Math.random() < 0.1;
      const amount = full
        ? Math.random() < 0.5 ? undefined : hold.amount.toFixed(2)
        : over
          ? hold.amount.plus(randomAmount(500)).toFixed(2)
          : Decimal.max(new Decimal('0.01'), hold.amount.times(Math.random()).toDecimalPlaces(2, Decimal.ROUND_DOWN)).toFixed(2);
      const reply = await captureHold(hold, amount);
      // A till that retries with a fresh command id, or ends the same hold again: the hold ends once.
      if (reply?.status === 'applied' && Math.random() < 0.25) await (Math.random() < 0.7 ? captureHold(hold, undefined) : releaseHold(hold));
      return;
    }
    // The rest are left alone: a short hold is expired by the sweep, a long one stays active to the end.
    if (roll < 0.95) await releaseHold(hold);
  }

  async function captureHold(hold: Hold, amount: string | undefined, late = false): Promise<Reply | undefined> {
    const capture = command('balance.capture', {
      ...wallet(hold.clientId),
      holdId: hold.holdId,
      ...(amount === undefined ? {} : { amount }),
      actor: { kind: 'service', id: 'checkout' },
    });
    const reply = await perform('capture', 'checkout', capture, { saleId: hold.saleId, holdId: hold.holdId, late });
    const applied = appliedAmount(reply);
    if (applied) payments.push({ commandId: capture.commandId, clientId: hold.clientId, saleId: hold.saleId, applied, reserved: new Decimal(0) });
    return reply;
  }

  async function releaseHold(hold: Hold): Promise<void> {
    const release = command('balance.release', { ...wallet(hold.clientId), holdId: hold.holdId, actor: { kind: 'service', id: 'checkout' } });
    await perform('release', 'checkout', release, { saleId: hold.saleId, holdId: hold.holdId });
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

  const bonusOf = (reply: Reply | undefined) => (reply?.status === 'applied' ? (reply.result as WalletResult | undefined)?.bonus : undefined);

  /** The signed change of the command's own entry, as its reply says (0 when refused or when a payment found no balance). */
  function entryEffectOf(op: Op, reply: Reply): Decimal {
    const amount = appliedAmount(reply);
    if (!amount) return new Decimal(0);
    const debit = op.command.type === 'balance.debit' || op.command.type === 'balance.deduct' || op.command.type === 'balance.pay' || op.command.type === 'balance.capture';
    return debit ? amount.negated() : amount;
  }

  /** The signed change the command's reply says it made: its own entry, and a paid top-up's bonus. */
  const effectOf = (op: Op, reply: Reply): Decimal => entryEffectOf(op, reply).plus(bonusOf(reply)?.amount ?? 0);

  /** The bonus the bank's rule gives a command: a paid top-up earns the highest tier it reaches, else nothing. */
  function bonusDue(cmd: Command): Decimal | undefined {
    if (cmd.type !== 'balance.add' || cmd.reference?.type !== 'payment') return undefined;
    const tier = [...bonusTiers].reverse().find((candidate) => new Decimal(cmd.amount).gte(candidate.minAmount));
    if (!tier) return undefined;
    return tier.percent === undefined ? new Decimal(tier.fixed ?? 0) : new Decimal(cmd.amount).times(tier.percent).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN);
  }

  const entryTypes: Partial<Record<Command['type'], string>> = {
    'balance.credit': 'balance_credit',
    'balance.add': 'balance_added',
    'balance.debit': 'balance_debit',
    'balance.deduct': 'balance_deducted',
    'balance.refund': 'refund_credit',
    'balance.pay': 'used_for_payment',
    'balance.capture': 'used_for_payment',
  };
  const described = (entries: SnapshotEntry[]) => (entries.length === 0 ? 'no entry' : entries.map((entry) => `${entry.type} ${entry.id} ${entry.amount}`).join(' + '));

  /** The entry an unanswered command may have made: of its type, exactly its amount, or for a payment no more than it allowed. */
  function plausibleEntry(op: Op, entry: SnapshotEntry): boolean {
    const cmd = op.command;
    const amount = new Decimal(entry.amount);
    if (entry.type !== entryTypes[cmd.type]) return false;
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
      case 'balance.capture': {
        const hold = holds.get(cmd.holdId);
        const cap = cmd.amount === undefined ? (hold?.amount ?? hold?.cap) : new Decimal(cmd.amount);
        return cap !== undefined && amount.isNegative() && amount.negated().lte(cap);
      }
      default:
        return false;
    }
  }

  /**
   * The entries an unanswered command may have made: one plausible entry; a paid top-up that reaches a tier makes it
   * with exactly one bonus_credit entry of what the rule gives (one write), and no other command makes two.
   */
  function plausibleEntries(op: Op, entries: SnapshotEntry[]): boolean {
    const due = bonusDue(op.command);
    const [own, bonus] = entries;
    if (entries.length !== (due ? 2 : 1) || !plausibleEntry(op, own)) return false;
    return !due || (bonus.type === 'bonus_credit' && due.eq(bonus.amount));
  }

  /**
   * The entries an answered command must have in the snapshot: its own as the reply gives it (id, signed amount, type),
   * and the bonus_credit entry its reply names, and nothing else; a credit earned exactly the bonus the bank's rule
   * gives, and its reply's balance after includes it.
   */
  function answeredEntryProblems(commandId: string, op: Op, reply: Reply, entries: SnapshotEntry[]): string[] {
    const result = reply.status === 'applied' ? (reply.result as WalletResult | undefined) : undefined;
    const effect = entryEffectOf(op, reply);
    const bonus = bonusOf(reply);
    const expected: { id: string | null | undefined; amount: Decimal; type: string | undefined }[] = [];
    if (!effect.isZero()) expected.push({ id: result?.entryId, amount: effect, type: entryTypes[op.command.type] });
    if (bonus) expected.push({ id: bonus.entryId, amount: new Decimal(bonus.amount), type: 'bonus_credit' });
    const problems: string[] = [];
    const found = expected.every((want) => entries.some((entry) => entry.id === want.id && want.amount.eq(entry.amount) && entry.type === want.type));
    if (!found || entries.length !== expected.length) {
      const said = expected.map((want) => `${want.type} ${want.id} ${want.amount.toFixed(2)}`).join(' + ') || 'without effect';
      problems.push(`${commandId} (${op.kind}) was answered ${reply.status} (${said}) but the ledger has ${described(entries)}`);
    }
    if (result && (op.command.type === 'balance.add' || op.command.type === 'balance.credit')) {
      const due = bonusDue(op.command);
      if (due ? !bonus || !due.eq(bonus.amount) : bonus) problems.push(`${commandId} (${op.kind}) earned a bonus of ${bonus?.amount ?? 'nothing'}; the bank's rule gives ${due?.toFixed(2) ?? 'nothing'}`);
      const last = entries.at(-1);
      if (last && !new Decimal(result.balanceAfter).eq(last.balanceAfter)) problems.push(`${commandId} (${op.kind}) was answered balance after ${result.balanceAfter}; its last entry says ${last.balanceAfter}`);
    }
    return problems;
  }

  /**
   * The entries of the ledger's own expiry (command id ledger:expire-credit:<lotId>:<remaining>:<walletVersion>): one
   * balance_expired entry by service:ledger, of the lot its id names, of no more than the id says remained of it (the
   * ledger's rules of expiry, due and within what the lot held and the wallet had available, are in lotRuleViolations).
   */
  function expiryEntryProblems(commandId: string, entries: SnapshotEntry[]): string[] {
    const [, , lotId, remaining] = commandId.split(':');
    const [entry] = entries;
    const amount = new Decimal(entry.amount);
    if (entries.length === 1 && entry.type === 'balance_expired' && entry.referenceId === lotId && entry.actor === 'service:ledger' && amount.isNegative() && amount.negated().lte(remaining)) {
      return [];
    }
    return [`${commandId} made ${described(entries)}: not one expiry of lot ${lotId} of at most ${remaining}`];
  }

  const isExpiry = (commandId: string) => commandId.startsWith('ledger:expire-credit:');

  /**
   * The checks of one snapshot. `firstReplies` holds the replies received before the snapshot began: each of
   * those commands is in the snapshot exactly as answered; a command without one has made zero or one entry (a paid
   * top-up: zero, or its entry with its bonus). The ledger's own expiries change the total by what they expired.
   */
  function checkSnapshot(snapshot: LedgerSnapshot, firstReplies: Map<string, Reply>, final: boolean): string[] {
    const problems = ledgerRuleViolations(snapshot).map((v) => `rule: ${v}`);
    const entriesByCommand = groupBy(snapshot.entries, (entry) => entry.commandId);
    let expectedTotal = initialBalance.times(walletCount);
    for (const [commandId, op] of ops) {
      if (op.kind === 'setup') continue;
      const reply = firstReplies.get(commandId);
      const entries = entriesByCommand.get(commandId) ?? [];
      if (reply) {
        expectedTotal = expectedTotal.plus(effectOf(op, reply));
        problems.push(...answeredEntryProblems(commandId, op, reply, entries));
      } else if (entries.length > 0) {
        if (final) problems.push(`${commandId} (${op.kind}) has ${described(entries)} but never got a reply`);
        if (!plausibleEntries(op, entries)) problems.push(`${commandId} (${op.kind}) made ${described(entries)}, which it could not have made`);
        expectedTotal = entries.reduce((sum, entry) => sum.plus(entry.amount), expectedTotal);
      } else if (final) {
        problems.push(`${commandId} (${op.kind}) never got a reply`);
      }
    }
    for (const [commandId, entries] of entriesByCommand) {
      if (ops.has(commandId)) continue;
      if (!isExpiry(commandId)) {
        problems.push(`${described(entries)} made by ${commandId}, a command nobody sent`);
        continue;
      }
      problems.push(...expiryEntryProblems(commandId, entries));
      expectedTotal = entries.reduce((sum, entry) => sum.plus(entry.amount), expectedTotal);
    }
    const total = snapshot.wallets.reduce((sum, w) => sum.plus(w.balance), new Decimal(0));
    if (!total.eq(expectedTotal)) problems.push(`the wallets hold ${total} in total; the initial total, the acknowledged changes and the expiries give ${expectedTotal}`);
    // No payment is ever refunded beyond what it applied, however the refunds raced.
    const refunded = new Map<string, Decimal>();
    for (const entry of snapshot.entries) {
      const op = ops.get(entry.commandId);
      if (op?.paymentCommandId) refunded.set(op.paymentCommandId, (refunded.get(op.paymentCommandId) ?? new Decimal(0)).plus(entry.amount));
    }
    for (const [paymentId, sum] of refunded) {
      const paid = entriesByCommand.get(paymentId)?.[0];
      if (!paid || sum.gt(new Decimal(paid.amount).negated())) problems.push(`payment ${paymentId} (${paid?.amount}) was refunded ${sum}`);
    }
    problems.push(...saleBoundViolations(snapshot));
    problems.push(...holdViolations(snapshot, firstReplies));
    problems.push(...creditLotViolations(snapshot));
    if (final) problems.push(...overdueLotViolations(snapshot));
    return problems;
  }

  /**
   * Each credit's lot as its command asked: one lot of its amount, of the source its command and reference give,
   * expiring when it said (or never); and bonus lots exactly for the paid top-ups that reached a tier, one each, of what
   * the rule gives, expiring bonusExpiresInDays after the top-up, or with the top-up when that is sooner.
   */
  function creditLotViolations(snapshot: LedgerSnapshot): string[] {
    const problems: string[] = [];
    const lotsByEntry = groupBy(snapshot.lots, (lot) => lot.entryId);
    const bonusLots = groupBy(
      snapshot.lots.filter((lot) => lot.bonusForEntryId !== null),
      (lot) => lot.bonusForEntryId,
    );
    for (const entry of snapshot.entries) {
      const cmd = ops.get(entry.commandId)?.command;
      if (cmd?.type !== 'balance.add' && cmd?.type !== 'balance.credit') continue;
      if (entry.type === 'bonus_credit') continue;
      const lots = lotsByEntry.get(entry.id) ?? [];
      const reference = cmd.reference?.type;
      const source = reference === 'payment' ? 'paid' : reference === 'refund' ? 'refund' : cmd.type === 'balance.add' ? 'adjustment' : 'system';
      const expiresAt = cmd.expiresAt === undefined ? null : Date.parse(cmd.expiresAt);
      if (lots.length !== 1 || lots[0].source !== source || lots[0].expiresAt !== expiresAt || !new Decimal(lots[0].amount).eq(cmd.amount)) {
        problems.push(`${cmd.commandId} (${cmd.type} ${cmd.amount}, ${source}, expiring ${cmd.expiresAt}) made lots ${JSON.stringify(lots)}`);
      }
      const due = bonusDue(cmd);
      const bonus = bonusLots.get(entry.id) ?? [];
      // The rule's days, or the top-up's own expiry when sooner: a bonus never outlives the credit that earned it.
      const bonusExpiry = Math.min(entry.createdAt + bonusExpiresInDays * dayMs, expiresAt ?? Infinity);
      if (due ? bonus.length !== 1 || !due.eq(bonus[0].amount) || Math.abs((bonus[0].expiresAt ?? 0) - bonusExpiry) >= 1 : bonus.length > 0) {
        problems.push(`${cmd.commandId} (${cmd.type} ${cmd.amount}, ${reference ?? 'manual'}) has bonus lots ${JSON.stringify(bonus)}; the rule gives ${due?.toFixed(2) ?? 'none'}`);
      }
    }
    return problems;
  }

  /** At the end, once the sweep had time: no lot past its expiry still holds credit in a wallet with something available. */
  function overdueLotViolations(snapshot: LedgerSnapshot): string[] {
    const wallets = new Map(snapshot.wallets.map((w) => [w.id, w]));
    return snapshot.lots
      .filter((lot) => {
        const w = wallets.get(lot.walletId);
        return lot.expiresAt !== null && lot.expiresAt < snapshot.startedAt && new Decimal(lot.remaining).gt(0) && w !== undefined && new Decimal(w.balance).gt(w.held);
      })
      .map((lot) => `lot ${lot.id} (${lot.source}) expired at ${new Date(lot.expiresAt ?? 0).toISOString()} yet still holds ${lot.remaining}, its wallet ${lot.clientId} has credit available`);
  }

  /**
   * The holds against what the clients were told (the ledger's own rules of holds are in ledgerRuleViolations): every
   * acknowledged hold exists once, as answered, and no hold exists that nobody placed; a hold ends at most once (one
   * command answered applied for its end, and it is the one the ledger records); every acknowledged capture is in
   * the ledger exactly once (one used_for_payment entry of what it captured); a capture sent after the hold's expiry
   * is never applied.
   */
  function holdViolations(snapshot: LedgerSnapshot, firstReplies: Map<string, Reply>): string[] {
    const problems: string[] = [];
    const rows = new Map(snapshot.holds.map((row) => [row.holdId, row]));
    for (const row of snapshot.holds) {
      const op = ops.get(row.commandId);
      if (op?.kind !== 'hold' || op.holdId !== row.holdId) problems.push(`hold ${row.holdId} was placed by ${row.commandId}, which placed no such hold`);
    }
    const endings = new Map<string, Set<string>>();
    for (const reply of firstReplies.values()) {
      if (!['balance.capture', 'balance.release', 'balance.expire-hold'].includes(reply.commandType) || reply.status !== 'applied') continue;
      const holdId = (reply.result as WalletResult | undefined)?.hold?.holdId ?? '';
      endings.set(holdId, (endings.get(holdId) ?? new Set()).add(reply.commandId));
    }
    for (const [holdId, ended] of endings) {
      const row = rows.get(holdId);
      if (ended.size > 1) problems.push(`hold ${holdId} was ended by ${ended.size} commands answered applied: ${[...ended].join(', ')}`);
      else if (row?.endedBy !== [...ended][0]) problems.push(`hold ${holdId}: ${[...ended][0]} was answered applied, but the ledger has it ${row?.status ?? 'missing'}, ended by ${row?.endedBy}`);
    }
    const entriesByCommand = groupBy(snapshot.entries, (entry) => entry.commandId);
    for (const [commandId, op] of ops) {
      if (op.kind !== 'hold' && op.kind !== 'capture') continue;
      const reply = firstReplies.get(commandId);
      const result = reply?.status === 'applied' ? (reply.result as WalletResult) : undefined;
      const row = rows.get(op.holdId ?? '');
      if (op.kind === 'hold') {
        if (result?.hold && (!row || row.commandId !== commandId || !new Decimal(row.amount).eq(result.hold.amount))) {
          problems.push(`hold ${op.holdId} was answered placed (${result.hold.amount}) but the ledger has ${row ? `${row.amount} by ${row.commandId}` : 'no such hold'}`);
        }
        if (reply && !result?.hold && row) problems.push(`hold ${op.holdId} was answered ${reply.status} without a hold, yet the ledger holds ${row.amount}`);
        const hold = holds.get(op.holdId ?? '');
        if (!reply && row && hold && new Decimal(row.amount).gt(hold.cap)) problems.push(`hold ${op.holdId} holds ${row.amount}, more than its command allowed (${hold.cap})`);
        continue;
      }
      if (op.late && reply?.status === 'applied') problems.push(`capture ${commandId} was sent after its hold's expiry, yet applied`);
      if (!result) continue;
      const entries = (entriesByCommand.get(commandId) ?? []).filter((entry) => entry.type === 'used_for_payment');
      const captured = result.hold?.captured;
      if (entries.length !== 1 || captured === undefined || !new Decimal(entries[0].amount).negated().eq(captured) || entries[0].id !== result.entryId) {
        problems.push(`capture ${commandId} was answered applied (${captured}) but has ${entries.length} used_for_payment entries (${entries.map((e) => e.amount).join(', ')})`);
      }
      if (row?.status !== 'captured' || row.endedBy !== commandId) problems.push(`capture ${commandId} was answered applied, but its hold is ${row?.status ?? 'missing'}, ended by ${row?.endedBy}`);
    }
    return problems;
  }

  /** Per sale: balance never paid more than its amount in total, and refunds never returned more than it. */
  function saleBoundViolations(snapshot: LedgerSnapshot): string[] {
    const totals = new Map<string, { paid: Decimal; refunded: Decimal }>();
    for (const entry of snapshot.entries) {
      const op = ops.get(entry.commandId);
      if (!op?.saleId) continue;
      const total = totals.get(op.saleId) ?? { paid: new Decimal(0), refunded: new Decimal(0) };
      if (op.command.type === 'balance.pay' || op.command.type === 'balance.capture') total.paid = total.paid.minus(entry.amount);
      else total.refunded = total.refunded.plus(entry.amount);
      totals.set(op.saleId, total);
    }
    const problems: string[] = [];
    // What active holds reserve of a sale counts against its amount too.
    const held = new Map<string, Decimal>();
    for (const hold of snapshot.holds) if (hold.status === 'active') held.set(hold.saleId, (held.get(hold.saleId) ?? new Decimal(0)).plus(hold.amount));
    for (const sale of [...sales, ...largeSales]) {
      const total = totals.get(sale.id);
      if (total && (total.paid.gt(sale.amount) || total.refunded.gt(sale.amount))) {
        problems.push(`sale ${sale.id} of ${sale.amount} was paid ${total.paid} with balance and refunded ${total.refunded}`);
      }
      const reserved = held.get(sale.id);
      if (reserved && reserved.plus(total?.paid ?? 0).gt(sale.amount)) {
        problems.push(`sale ${sale.id} of ${sale.amount} was paid ${total?.paid ?? 0} with balance and has ${reserved} on hold`);
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
      workerDown.push({ from: killedAt, to: Date.now() });
    } else if (fault.kind === 'process-pause') {
      const joins = worker.joins;
      const frozenAt = Date.now();
      await worker.pause(processPauseMs);
      workerDown.push({ from: frozenAt, to: Date.now() });
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
    // Every hold past its expiry is expired by the sweep of a worker that is running now, however many were killed; so
    // is every hold but the long ones, once due, so that no hold ends (and makes credit past its expiry available) later.
    const overdue = `select hold_id from balance_hold where status = 'active' and expires_at < now() + make_interval(secs => ${shortHoldHorizonMs / 1000})`;
    await waitUntil(async () => (await db.query(overdue)).length === 0, 'the sweep to expire every hold but the long ones', expiryWaitMs).catch(async () =>
      violations.push(`holds still active past their expiry: ${(await db.query(overdue)).length}`),
    );
    // Then every lot past its expiry, once the last short credit is due (no lot comes due after it), in every wallet with
    // something available (what holds still reserve stays until they end).
    await sleep(Math.max(0, lastShortExpiry + 1_000 - Date.now()));
    const overdueLots = `select l.id from credit_lot l join wallet w on w.business_id = l.business_id and w.id = l.wallet_id
      where l.remaining > 0 and l.expires_at < now() and w.balance > w.held`;
    await waitUntil(async () => (await db.query(overdueLots)).length === 0, 'the sweep to expire every lot past its expiry', expiryWaitMs).catch(async () =>
      violations.push(`lots still holding available credit past their expiry: ${(await db.query(overdueLots)).length}`),
    );
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
    violations.push(...(await reportingViolations()));
    if (worker.unexpectedExits.length > 0) violations.push(`the worker exited on its own ${worker.unexpectedExits.length} times:\n${worker.logTail(40)}`);
    const deadConsumers = worker.consumerCrashes.filter((crash) => !crash.restart);
    if (deadConsumers.length > 0) violations.push(`the worker's consumer crashed without restarting: ${JSON.stringify(deadConsumers)}`);
    return { final, events };
  }

  /**
   * The reporting consumer, once it has read every event (its group's lag is zero, the outbox drained before), holds
   * the ledger's balance, held amount and last sequence for every wallet, and outstanding credit per currency equal
   * to the sum of the ledger's balances, with nothing parked behind a gap and nothing malformed.
   */
  async function reportingViolations(): Promise<string[]> {
    const problems: string[] = [];
    await waitForZeroLag(`${prefix}.reporting`, [topicNames(prefix).events], recoveryWaitMs).catch((error: Error) => problems.push(`reporting: ${error.message}`));
    type Row = { walletId: string; balance: string; held: string; lastSequence: number };
    const columns = `balance::text as balance, held::text as held, last_sequence as "lastSequence"`;
    const ledger = await db.query<Row>(`select id::text as "walletId", ${columns} from wallet where business_id = $1`, [businessId]);
    const read = new Map(
      (await db.query<Row>(`select wallet_id as "walletId", ${columns} from reporting.wallet where business_id = $1`, [businessId])).map((row) => [row.walletId, row]),
    );
    for (const wallet of ledger) {
      const got = read.get(wallet.walletId);
      const same = got && new Decimal(got.balance).eq(wallet.balance) && new Decimal(got.held).eq(wallet.held) && got.lastSequence === wallet.lastSequence;
      if (!same) problems.push(`reporting: wallet ${wallet.walletId} is ${JSON.stringify(got)}, the ledger ${JSON.stringify(wallet)}`);
    }
    if (read.size !== ledger.length) problems.push(`reporting: ${read.size} wallets, the ledger ${ledger.length}`);
    const totals = (sql: string) => db.query<{ currency: string; amount: string }>(sql, [businessId]);
    const owed = await totals(`select currency::text as currency, sum(balance)::text as amount from wallet where business_id = $1 group by currency order by currency`);
    const outstanding = await totals(`select currency, amount::text as amount from reporting.outstanding where business_id = $1 order by currency`);
    const sameTotals = owed.length === outstanding.length && owed.every((row, i) => row.currency === outstanding[i].currency && new Decimal(row.amount).eq(outstanding[i].amount));
    if (!sameTotals) problems.push(`reporting: outstanding ${JSON.stringify(outstanding)}, the ledger's balances sum to ${JSON.stringify(owed)}`);
    const [left] = await db.query<{ parked: number; malformed: number }>(
      `select (select count(*) from reporting.parked_event)::int as parked, (select count(*) from reporting.malformed_event)::int as malformed`,
    );
    if (left.parked > 0 || left.malformed > 0) problems.push(`reporting: ${left.parked} events parked behind a gap, ${left.malformed} malformed`);
    // A redelivered event is dropped by its id; were it not, the sequence check would leave it out and count it here.
    const anomalies = (await reporting.get(ReportingMetrics).anomalies.get()).values.filter((value) => value.value > 0);
    if (anomalies.length > 0) problems.push(`reporting: anomalies ${JSON.stringify(anomalies.map((value) => [value.labels.kind, value.value]))}`);
    return problems;
  }

  function summary(final: LedgerSnapshot, events: EventStreamCheck): void {
    const count = (kinds: Kind[]) => [...ops.values()].filter((op) => kinds.includes(op.kind)).length;
    const firsts = [...ops.values()].filter((op) => op.kind !== 'setup').map((op) => replies.first(op.command.commandId));
    const sentOnce = [...ops.values()].filter((op) => op.sends === 1).map((op) => op.command.commandId);
    const redelivered = sentOnce.filter((id) => replies.all(id).some((reply) => reply.replayed)).length;
    const total = final.wallets.reduce((sum, w) => sum.plus(w.balance), new Decimal(0));
    const brokerRestart = brokerRestartEnabled();
    const acknowledged = [...ops.values()]
      .filter((op) => op.kind !== 'setup')
      .reduce((sum, op) => {
        const reply = replies.first(op.command.commandId);
        return reply ? sum.plus(effectOf(op, reply)) : sum;
      }, new Decimal(0));
    printSummary(`bank test with crashes (${durationMs} ms asked, ${figures.loadMs} ms of load, ${clientCount} clients, ${walletCount} wallets)`, [
      ['operations (commands sent)', ops.size - walletCount],
      ['  credits / debits', `${count(['credit'])} / ${count(['debit'])}`],
      ['  payments / refunds (over-refunds)', `${count(['pay'])} / ${count(['refund', 'refund-over'])} (${count(['refund-over'])})`],
      ['  sales (paid more than once / refunds by sale id)', `${sales.length} (${salesPaidAgain()} / ${[...ops.values()].filter((op) => op.command.type === 'balance.refund' && op.command.saleId).length})`],
      ['  transfers (debit + credit)', `${transfers.size} (${count(['transfer-credit'])} credited)`],
      ['  holds (placed / nothing to hold)', `${count(['hold'])} (${final.holds.length} / ${repliesOf('hold').filter((r) => r?.status === 'applied' && !(r.result as WalletResult).hold).length})`],
      ['  captures (applied / of them partial)', `${count(['capture'])} (${repliesOf('capture').filter((r) => r?.status === 'applied').length} / ${final.holds.filter((h) => h.status === 'captured' && !new Decimal(h.captured).eq(h.amount)).length})`],
      ['  captures refused: expired / already ended / over the hold', capturesRefused()],
      ['  late captures (sent after the expiry; all refused)', [...ops.values()].filter((op) => op.late).length],
      ['  releases (applied)', `${count(['release'])} (${repliesOf('release').filter((r) => r?.status === 'applied').length})`],
      ['  holds at the end: active / captured / released / expired', (['active', 'captured', 'released', 'expired'] as const).map((status) => final.holds.filter((h) => h.status === status).length).join(' / ')],
      ['  expired holds that came due while the worker was killed or frozen', final.holds.filter((h) => h.status === 'expired' && workerDown.some((down) => h.expiresAt >= down.from && h.expiresAt <= down.to)).length],
      ['  credits expiring in seconds / in a month / never', (['short', 'long', 'none'] as const).map((expiry) => [...ops.values()].filter((op) => op.expiry === expiry).length).join(' / ')],
      ['  credits refused: their expiry passed before the ledger saw them', repliesOf('credit').filter((r) => r?.error?.code === 'expiry_not_in_future').length],
      ['  paid top-ups (bonuses granted: entries, total)', `${paidTopUps()} (${bonusEntries(final).length}, ${sumOf(bonusEntries(final)).toFixed(2)})`],
      ['credit expired by the sweep: entries / lots (total)', `${expiries(final).length} / ${new Set(expiries(final).map((e) => e.referenceId)).size} (${sumOf(expiries(final)).negated().toFixed(2)})`],
      ['  short lots expired in part (the rest spent first) / in full', expiredShortLots(final)],
      ['  expiries capped by what holds reserved (lots expired in more than one entry)', cappedExpiries(final)],
      ['  promotions that came due under a hold of all that was available (own wallets)', largeSales.length],
      ['  lots that came due while the worker was killed or frozen (expired)', dueWhileDown(final)],
      ['  debits that drew credit already past its expiry, before the sweep (total drawn)', drawsPastExpiry(final)],
      ['  short lots spent in full before their expiry', shortLots(final).filter((lot) => new Decimal(lot.remaining).isZero() && !expiries(final).some((e) => e.referenceId === lot.id)).length],
      ['  lots at the end: all / holding credit / past expiry, kept by holds', lotsAtTheEnd(final)],
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
      ['total: initial + acknowledged - expired = final', `${initialBalance.times(walletCount).toFixed(2)} + ${acknowledged.toFixed(2)} - ${sumOf(expiries(final)).negated().toFixed(2)} = ${total.toFixed(2)}`],
      ['violations found', violations.length],
    ]);
  }

  const repliesOf = (kind: Kind) => [...ops.values()].filter((op) => op.kind === kind).map((op) => replies.first(op.command.commandId));
  const capturesRefused = () => {
    const codes = repliesOf('capture').map((reply) => reply?.error?.code);
    const ended = codes.filter((code) => code === 'hold_already_captured' || code === 'hold_already_released').length;
    return `${codes.filter((code) => code === 'hold_expired').length} / ${ended} / ${codes.filter((code) => code === 'capture_exceeds_hold').length}`;
  };
  const salesPaidAgain = () => {
    const pays = new Map<string, number>();
    for (const op of ops.values()) if (op.command.type === 'balance.pay' && op.saleId) pays.set(op.saleId, (pays.get(op.saleId) ?? 0) + 1);
    return [...pays.values()].filter((count) => count > 1).length;
  };
  const sumOf = (entries: SnapshotEntry[]) => entries.reduce((sum, entry) => sum.plus(entry.amount), new Decimal(0));
  const expiries = (final: LedgerSnapshot) => final.entries.filter((entry) => entry.type === 'balance_expired');
  const bonusEntries = (final: LedgerSnapshot) => final.entries.filter((entry) => entry.type === 'bonus_credit');
  const paidTopUps = () => [...ops.values()].filter((op) => op.command.type === 'balance.add' && op.command.reference?.type === 'payment').length;
  const shortLots = (final: LedgerSnapshot) => {
    const shortEntries = new Set(final.entries.filter((entry) => ops.get(entry.commandId)?.expiry === 'short').map((entry) => entry.id));
    return final.lots.filter((lot) => lot.entryId !== null && shortEntries.has(lot.entryId) && lot.bonusForEntryId === null);
  };
  const expiredShortLots = (final: LedgerSnapshot) => {
    const expired = groupBy(expiries(final), (entry) => entry.referenceId);
    const lots = shortLots(final).filter((lot) => expired.has(lot.id));
    const whole = lots.filter((lot) => sumOf(expired.get(lot.id) ?? []).negated().eq(lot.amount)).length;
    return `${lots.length - whole} / ${whole}`;
  };
  /** Expiries of less than their lot still held (what holds reserved stayed), and lots expired in more than one entry. */
  const cappedExpiries = (final: LedgerSnapshot) => {
    const sequences = new Map(final.entries.map((entry) => [entry.id, entry.sequence]));
    const lots = new Map(final.lots.map((lot) => [lot.id, lot]));
    const capped = expiries(final).filter((entry) => {
      const lot = lots.get(entry.referenceId ?? '');
      const drawnBefore = final.allocations
        .filter((draw) => draw.lotId === lot?.id && (sequences.get(draw.entryId) ?? Infinity) < entry.sequence)
        .reduce((sum, draw) => sum.plus(draw.amount), new Decimal(0));
      return lot !== undefined && new Decimal(lot.amount).minus(drawnBefore).gt(new Decimal(entry.amount).negated());
    });
    const lotsExpiredTwice = [...groupBy(expiries(final), (entry) => entry.referenceId).values()].filter((entries) => entries.length > 1).length;
    return `${capped.length} (${lotsExpiredTwice})`;
  };
  /** Debits (not expiries) that drew from a lot whose expiry had passed but which the sweep had not expired yet: the ledger allows it. */
  const drawsPastExpiry = (final: LedgerSnapshot) => {
    const entries = new Map(final.entries.map((entry) => [entry.id, entry]));
    const lots = new Map(final.lots.map((lot) => [lot.id, lot]));
    const late = final.allocations.filter((draw) => {
      const entry = entries.get(draw.entryId);
      const expiresAt = lots.get(draw.lotId)?.expiresAt ?? null;
      return entry !== undefined && entry.type !== 'balance_expired' && expiresAt !== null && expiresAt <= entry.createdAt;
    });
    return `${new Set(late.map((draw) => draw.entryId)).size} (${late.reduce((sum, draw) => sum.plus(draw.amount), new Decimal(0)).toFixed(2)})`;
  };
  const dueWhileDown = (final: LedgerSnapshot) => {
    const expired = new Set(expiries(final).map((entry) => entry.referenceId));
    const due = final.lots.filter((lot) => lot.expiresAt !== null && workerDown.some((down) => (lot.expiresAt ?? 0) >= down.from && (lot.expiresAt ?? 0) <= down.to));
    return `${due.length} (${due.filter((lot) => expired.has(lot.id)).length})`;
  };
  const lotsAtTheEnd = (final: LedgerSnapshot) => {
    const holding = final.lots.filter((lot) => new Decimal(lot.remaining).gt(0));
    return `${final.lots.length} / ${holding.length} / ${holding.filter((lot) => lot.expiresAt !== null && lot.expiresAt < final.startedAt).length}`;
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
