import { Decimal, type Command, type LedgerEvent, type Producer, type Reply } from '@storecredit/contracts';
import {
  command,
  commandTopics,
  consumerLag,
  faultsDurationMs,
  giftCardCode,
  printSummary,
  readLedgerSnapshot,
  sameOutcome,
  uniqueId,
  verifyLedger,
  waitForZeroLag,
  waitUntil,
  type KafkaTestClient,
  type ReplyTracker,
  type TestDatabase,
} from '@storecredit/testing';
import { sleep, startFaultRig, WorkerProcess, type FaultRig } from '../support';

const copies = 50;
const replyWaitMs = 60_000;
const stormClients = 8;
const stormResendChance = 0.4;
/** Time for a duplicate event or reply to show up if one were coming, once everything is answered. */
const settleMs = 1_500;

interface Sent {
  producer: Producer;
  command: Command;
  sends: number;
}

/**
 * Idempotency under duplicates (Stripe's rules): one command id sent 50 times at once and 50 times in a row
 * gives one entry, one event and the same reply; the same id with another payload is a conflict that changes
 * nothing; and replaying the whole command log from the first offset, as a new consumer group, changes nothing.
 */
describe('idempotent apply', () => {
  const businessId = 'idem-biz';
  const durationMs = faultsDurationMs();
  let rig: FaultRig;
  let db: TestDatabase;
  let prefix: string;
  let kafka: KafkaTestClient;
  let replies: ReplyTracker;
  let worker: WorkerProcess;
  const sent = new Map<string, Sent>();
  const violations: string[] = [];
  const figures = { sends: 0, duplicates: 0, conflicts: 0, stormCommands: 0, replayedMessages: 0 };

  beforeAll(async () => {
    rig = await startFaultRig();
    ({ db, prefix, kafka, replies } = rig);
    worker = new WorkerProcess({ name: 'idempotency', databaseUrl: db.url, topicPrefix: prefix });
    await worker.start();
  });

  afterAll(async () => {
    await rig?.stop(['replay']);
  });

  const wallet = (clientId: string) => ({ businessId, clientId, currency: 'AED' });
  const checkout = { kind: 'service', id: 'checkout' } as const;

  async function send(producer: Producer, cmd: Command, correlationId = uniqueId('corr')): Promise<void> {
    const known = sent.get(cmd.commandId);
    if (known) known.sends += 1;
    else sent.set(cmd.commandId, { producer, command: cmd, sends: 1 });
    figures.sends += 1;
    await kafka.send(producer, cmd, correlationId);
  }

  async function apply(producer: Producer, cmd: Command): Promise<Reply> {
    await send(producer, cmd);
    const reply = await replies.wait(cmd.commandId, replyWaitMs);
    if (!reply) throw new Error(`no reply to ${cmd.type} ${cmd.commandId}`);
    return reply;
  }

  const entriesOf = async (commandId: string) =>
    db.query<{ id: string }>('select id from ledger_entry where business_id = $1 and command_id = $2', [businessId, commandId]);
  const eventsOf = (commandId: string) => kafka.events.map((event) => event.json<LedgerEvent>()).filter((event) => event.commandId === commandId);

  /** Every delivery answered with the first outcome; one of them applied it, the rest say replayed. */
  function checkReplies(commandId: string, expectedCount: number): string[] {
    const all = replies.all(commandId);
    const problems: string[] = [];
    if (all.length !== expectedCount) problems.push(`${commandId}: ${all.length} replies for ${expectedCount} deliveries`);
    if (all.some((reply) => !sameOutcome(reply, all[0]))) problems.push(`${commandId}: replies differ beyond replayed and correlationId`);
    const fresh = all.filter((reply) => !reply.replayed).length;
    if (fresh !== 1) problems.push(`${commandId}: ${fresh} replies not marked replayed (expected exactly 1)`);
    return problems;
  }

  async function fixtures() {
    const clientId = uniqueId('client');
    await apply('gateway', command('balance.credit', { ...wallet(clientId), amount: '1000.00' }));
    const payment = command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '30.00', actor: checkout });
    await apply('checkout', payment);
    const code = giftCardCode();
    await apply('gateway', command('giftcard.issue', { businessId, code, amount: '25.00', currency: 'AED' }));
    return [
      { producer: 'gateway' as const, cmd: command('balance.credit', { ...wallet(clientId), amount: '10.00' }), entries: 1 },
      { producer: 'gateway' as const, cmd: command('balance.debit', { ...wallet(clientId), amount: '7.50' }), entries: 1 },
      { producer: 'checkout' as const, cmd: command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: '12.00', actor: checkout }), entries: 1 },
      {
        producer: 'refund' as const,
        cmd: command('balance.refund', { ...wallet(clientId), refundId: uniqueId('r'), amount: '4.00', paymentCommandId: payment.commandId, actor: { kind: 'service', id: 'refund' } }),
        entries: 1,
      },
      { producer: 'gateway' as const, cmd: command('giftcard.issue', { businessId, code: giftCardCode(), amount: '15.00', currency: 'AED' }), entries: 0 },
      { producer: 'gateway' as const, cmd: command('giftcard.redeem', { ...wallet(clientId), code }), entries: 1 },
    ];
  }

  /** Lets every event and reply that could still come arrive: the outbox is empty, then a pause. */
  async function settle(): Promise<void> {
    await waitUntil(async () => (await db.query('select 1 from outbox_message')).length === 0, 'the outbox to drain');
    await sleep(settleMs);
  }

  async function checkOnce(commandId: string, expectedEntries: number, expectedReplies: number): Promise<string[]> {
    const problems = checkReplies(commandId, expectedReplies);
    const entries = await entriesOf(commandId);
    if (entries.length !== expectedEntries) problems.push(`${commandId}: ${entries.length} ledger entries, expected ${expectedEntries}`);
    const events = eventsOf(commandId);
    const types = new Set(events.map((event) => event.type));
    if (events.length !== types.size || types.size === 0) problems.push(`${commandId}: events ${events.map((e) => e.type).join(', ')} (expected each type once)`);
    return problems;
  }

  it(`applies one command id sent ${copies} times concurrently once, with one event and identical replies`, async () => {
    const cases = await fixtures();
    for (const { producer, cmd } of cases) {
      await Promise.all(Array.from({ length: copies }, (_, i) => send(producer, cmd, `${cmd.commandId}-corr-${i}`)));
    }
    figures.duplicates += cases.length * (copies - 1);
    for (const { cmd } of cases) await waitUntil(() => replies.all(cmd.commandId).length >= copies, `${copies} replies to ${cmd.type}`, replyWaitMs);
    await settle();
    const problems: string[] = [];
    for (const { cmd, entries } of cases) {
      problems.push(...(await checkOnce(cmd.commandId, entries, copies)));
      const correlations = new Set(replies.all(cmd.commandId).map((reply) => reply.correlationId));
      if (correlations.size !== copies) problems.push(`${cmd.type}: replies echo ${correlations.size} distinct correlation ids for ${copies} requests`);
    }
    violations.push(...problems);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it(`applies one command id sent ${copies} times in sequence once, with one event and identical replies`, async () => {
    const cases = await fixtures();
    // The six commands are each sent 50 times one after another; the six sequences run side by side.
    await Promise.all(
      cases.map(async ({ producer, cmd }) => {
        for (let i = 0; i < copies; i++) {
          await send(producer, cmd);
          await waitUntil(() => replies.all(cmd.commandId).length > i, `reply ${i + 1} to ${cmd.type}`, replyWaitMs);
        }
      }),
    );
    figures.duplicates += cases.length * (copies - 1);
    await settle();
    const problems: string[] = [];
    for (const { cmd, entries } of cases) problems.push(...(await checkOnce(cmd.commandId, entries, copies)));
    violations.push(...problems);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('answers the same command id with another payload as idempotency_conflict and changes nothing', async () => {
    const clientId = uniqueId('client');
    const other = uniqueId('client');
    await apply('gateway', command('balance.credit', { ...wallet(clientId), amount: '100.00' }));
    await apply('gateway', command('balance.credit', { ...wallet(other), amount: '100.00' }));
    const debit = command('balance.debit', { ...wallet(clientId), amount: '40.00' });
    const first = await apply('gateway', debit);
    expect(first).toMatchObject({ status: 'applied', result: { balanceAfter: '60.00' } });
    const refused = command('balance.debit', { ...wallet(clientId), amount: '500.00' });
    expect(await apply('gateway', refused)).toMatchObject({ status: 'rejected', error: { code: 'insufficient_balance' } });
    const before = await readLedgerSnapshot(db.url, businessId);

    const conflicts: [string, Producer, Command][] = [
      ['another amount', 'gateway', { ...debit, amount: '41.00' }],
      ['another type', 'gateway', { ...debit, type: 'balance.credit' }],
      ['another note', 'gateway', { ...debit, note: 'changed' }],
      ['another wallet (another key and partition)', 'gateway', { ...debit, clientId: other }],
      ['another producer and type', 'checkout', command('balance.pay', { ...wallet(clientId), saleId: 's', amountOwed: '5.00', commandId: debit.commandId, actor: checkout })],
      ['a refused command resent with a smaller amount', 'gateway', { ...refused, amount: '1.00' }],
    ];
    const problems: string[] = [];
    for (const [name, producer, cmd] of conflicts) {
      await kafka.send(producer, cmd, `conflict-${name}`);
      await waitUntil(() => replies.all(cmd.commandId).some((r) => r.correlationId === `conflict-${name}`), `the reply to ${name}`, replyWaitMs);
      const reply = replies.all(cmd.commandId).find((r) => r.correlationId === `conflict-${name}`)!;
      if (reply.status !== 'rejected' || reply.error?.code !== 'idempotency_conflict') problems.push(`${name}: ${JSON.stringify(reply)}`);
      figures.conflicts += 1;
    }
    // The refused debit, resent unchanged after the wallet could afford it, still answers its first outcome.
    await apply('gateway', command('balance.credit', { ...wallet(clientId), amount: '1000.00' }));
    await send('gateway', refused);
    await waitUntil(() => replies.all(refused.commandId).length === 3, 'the replay of the refused debit', replyWaitMs);
    const replayed = replies.all(refused.commandId)[2];
    if (!replayed.replayed || replayed.error?.code !== 'insufficient_balance') problems.push(`a refused command replayed as ${JSON.stringify(replayed)}`);
    // The original debit, sent again, still answers as it first did.
    await send('gateway', debit);
    await waitUntil(() => replies.all(debit.commandId).filter((r) => r.status === 'applied').length === 2, 'the replay of the debit', replyWaitMs);
    const again = replies.all(debit.commandId).filter((r) => r.status === 'applied');
    if (!sameOutcome(again[1], first) || !again[1].replayed) problems.push('the original debit replayed differently after conflicts');

    const after = await readLedgerSnapshot(db.url, businessId);
    const changed = after.entries.filter((entry) => !before.entries.some((e) => e.id === entry.id));
    if (changed.length !== 1 || changed[0].commandId === debit.commandId || changed[0].commandId === refused.commandId) {
      problems.push(`conflicts and replays changed the ledger: ${JSON.stringify(changed)}`);
    }
    const balanceOf = (snapshot: typeof before, id: string) => snapshot.wallets.find((w) => w.clientId === id)?.balance;
    if (balanceOf(after, other) !== balanceOf(before, other)) problems.push('a conflict on another wallet changed its balance');
    violations.push(...problems);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it(`keeps one outcome per command id through a storm of duplicates for ${durationMs} ms`, async () => {
    const clients = Array.from({ length: 4 }, () => uniqueId('storm'));
    for (const clientId of clients) await apply('gateway', command('balance.credit', { ...wallet(clientId), amount: '500.00' }));
    const mine: Sent[] = [];
    const deadline = Date.now() + durationMs;
    const problems: string[] = [];
    await Promise.all(
      Array.from({ length: stormClients }, async () => {
        while (Date.now() < deadline) {
          const resend = mine.length > 0 && Math.random() < stormResendChance;
          const next = resend ? mine[Math.floor(Math.random() * mine.length)] : stormCommand(clients, wallet);
          if (!resend) {
            mine.push(next);
            figures.stormCommands += 1;
          } else {
            figures.duplicates += 1;
          }
          const before = replies.all(next.command.commandId).length;
          await send(next.producer, next.command);
          const seen = sent.get(next.command.commandId)!;
          await waitUntil(() => replies.all(next.command.commandId).length > before, `a reply to ${next.command.type}`, replyWaitMs).catch(() =>
            problems.push(`no reply to ${next.command.commandId} (${seen.sends} sends)`),
          );
        }
      }),
    );
    for (const { command: cmd } of mine) {
      const seen = sent.get(cmd.commandId)!;
      await waitUntil(() => replies.all(cmd.commandId).length >= seen.sends, `every reply to ${cmd.commandId}`, replyWaitMs).catch(() => undefined);
      problems.push(...checkReplies(cmd.commandId, seen.sends));
    }
    const snapshot = await readLedgerSnapshot(db.url, businessId);
    const entryCount = new Map<string, number>();
    for (const entry of snapshot.entries) entryCount.set(entry.commandId, (entryCount.get(entry.commandId) ?? 0) + 1);
    for (const { command: cmd } of mine) {
      const first = replies.all(cmd.commandId)[0];
      const applied = first?.status === 'applied' && first.result !== undefined && 'entryId' in first.result && first.result.entryId !== null;
      if ((entryCount.get(cmd.commandId) ?? 0) !== (applied ? 1 : 0)) problems.push(`${cmd.commandId}: ${entryCount.get(cmd.commandId) ?? 0} entries, first reply ${first?.status}`);
    }
    for (const clientId of clients) {
      const expected = mine
        .filter(({ command: cmd }) => 'clientId' in cmd && cmd.clientId === clientId)
        .reduce((sum, { command: cmd }) => sum.plus(effectOf(cmd, replies.all(cmd.commandId)[0])), new Decimal(500));
      const actual = snapshot.wallets.find((w) => w.clientId === clientId)?.balance;
      if (!expected.eq(actual ?? 'NaN')) problems.push(`wallet ${clientId}: balance ${actual}, the first replies add up to ${expected}`);
    }
    violations.push(...problems);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('changes nothing when a new consumer group replays every command topic from the earliest offset', async () => {
    await waitForZeroLag(`${prefix}.ledger-worker`, commandTopics(prefix), replyWaitMs);
    await settle();
    const before = await readLedgerSnapshot(db.url, businessId);
    const tables = async () =>
      db.query<{ records: string; payments: string; cards: string }>(
        `select (select count(*) from idempotency_record) as records,
                (select string_agg(command_id || ':' || amount_refunded::text, ',' order by command_id) from balance_payment) as payments,
                (select string_agg(id::text || ':' || status, ',' order by id) from gift_card) as cards`,
      );
    const tablesBefore = await tables();
    const eventsBefore = kafka.events.length;
    const repliesBefore = kafka.replies.length;
    const messages = (await consumerLag(`${prefix}.replay`, commandTopics(prefix))).total;
    figures.replayedMessages = messages;

    const replayer = new WorkerProcess({ name: 'replayer', databaseUrl: db.url, topicPrefix: prefix, groupId: `${prefix}.replay` });
    await replayer.start();
    await waitForZeroLag(`${prefix}.replay`, commandTopics(prefix), 120_000);
    await waitUntil(() => kafka.replies.length >= repliesBefore + messages - kafka.deadLetters.length, 'the replay replies', replyWaitMs);
    await sleep(settleMs);
    await replayer.stop();

    const problems: string[] = [];
    const after = await readLedgerSnapshot(db.url, businessId);
    if (JSON.stringify(after) !== JSON.stringify({ ...before, startedAt: after.startedAt })) problems.push('the replay changed wallets, entries or the outbox');
    if (JSON.stringify(await tables()) !== JSON.stringify(tablesBefore)) problems.push('the replay changed idempotency records, payments or gift cards');
    if (kafka.events.length !== eventsBefore) problems.push(`the replay published ${kafka.events.length - eventsBefore} events`);
    const replayReplies = kafka.replies.slice(repliesBefore).map((reply) => reply.json<Reply>());
    for (const reply of replayReplies) {
      if (reply.error?.code === 'idempotency_conflict') continue;
      const first = replies.all(reply.commandId).find((r) => !r.replayed);
      if (!reply.replayed || !first || !sameOutcome(reply, first)) problems.push(`replay of ${reply.commandId} answered ${JSON.stringify(reply)}`);
    }
    if (replayer.unexpectedExits.length > 0 || worker.unexpectedExits.length > 0) problems.push('a worker crashed');
    const report = await verifyLedger(db.url);
    if (!report.ok) problems.push(`verify: ${JSON.stringify(report.problems)}`);
    violations.push(...problems);

    printSummary(`idempotency (${durationMs} ms duplicate storm)`, [
      ['commands sent (deliveries)', figures.sends],
      ['duplicate deliveries', figures.duplicates],
      ['payload conflicts', figures.conflicts],
      ['storm commands (distinct ids)', figures.stormCommands],
      ['command messages replayed by a new group', messages],
      ['replies to the replay', replayReplies.length],
      ['ledger entries (unchanged by the replay)', after.entries.length],
      ['faults injected (duplicates + conflicts + replay)', figures.duplicates + figures.conflicts + messages],
      ['violations found', violations.length],
    ]);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(violations).toEqual([]);
  });
});

/** A random new command of the storm: credits, debits (some refused), payments and refunds of sales. */
function stormCommand(clients: string[], wallet: (clientId: string) => { businessId: string; clientId: string; currency: string }): Sent {
  const clientId = clients[Math.floor(Math.random() * clients.length)];
  const amount = (1 + Math.floor(Math.random() * 6000) / 100).toFixed(2);
  const roll = Math.random();
  if (roll < 0.3) return { producer: 'gateway', command: command('balance.credit', { ...wallet(clientId), amount }), sends: 0 };
  if (roll < 0.6) return { producer: 'gateway', command: command('balance.debit', { ...wallet(clientId), amount }), sends: 0 };
  if (roll < 0.85) {
    return {
      producer: 'checkout',
      command: command('balance.pay', { ...wallet(clientId), saleId: uniqueId('sale'), amountOwed: amount, actor: { kind: 'service', id: 'checkout' } }),
      sends: 0,
    };
  }
  return {
    producer: 'refund',
    command: command('balance.refund', { ...wallet(clientId), refundId: uniqueId('r'), amount, saleId: uniqueId('sale'), saleAmount: '100000.00', actor: { kind: 'service', id: 'refund' } }),
    sends: 0,
  };
}

/** The signed change a command's first reply says it made. */
function effectOf(cmd: Command, reply: Reply | undefined): Decimal {
  if (!reply || reply.status !== 'applied' || !reply.result || !('entryId' in reply.result)) return new Decimal(0);
  const amount = new Decimal(reply.result.amount);
  return cmd.type === 'balance.debit' || cmd.type === 'balance.deduct' || cmd.type === 'balance.pay' ? amount.negated() : amount;
}
