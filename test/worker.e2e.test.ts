import { Decimal, buildCommand, commandKey, eventSchema, holdIdOf, type EntryRecorded, type HoldEvent, type Reply } from '@storecredit/contracts';
import {
  command,
  giftCardCode,
  uniqueId,
  waitUntil,
  type KafkaTestClient,
  type TestDatabase,
} from '@storecredit/testing';
import { startWorkerStack, type WorkerStack } from './support';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The worker through the real Kafka broker and PostgreSQL, as checkout, refund and reporting see it. */
describe('ledger worker end to end', () => {
  let stack: WorkerStack;
  let db: TestDatabase;
  let kafka: KafkaTestClient;
  const businessId = 'salon-e2e';

  beforeAll(async () => {
    stack = await startWorkerStack();
    ({ db, kafka } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const entryCount = (clientId: string) => stack.entryCount(clientId);
  const eventsFor = (clientId: string) =>
    kafka.events.map((event) => event.json<EntryRecorded>()).filter((event) => event.clientId === clientId);

  it('answers a checkout payment with a reply and publishes one event; a replay changes nothing', async () => {
    const clientId = uniqueId('client');
    const topUp = command('balance.add', { businessId, clientId, currency: 'AED', amount: '80.00' });
    await kafka.send('gateway', topUp);
    await kafka.waitForReplies(topUp.commandId);

    const payment = buildCommand({
      type: 'balance.pay',
      commandId: uniqueId('checkout-pay'),
      businessId,
      clientId,
      currency: 'AED',
      actor: { kind: 'service', id: 'checkout' },
      saleId: 'sale-1',
      amountOwed: '120.00',
    });
    await kafka.send('checkout', payment, 'corr-1');
    const [reply] = (await kafka.waitForReplies(payment.commandId)) as Reply[];
    expect(reply).toMatchObject({
      status: 'applied',
      correlationId: 'corr-1',
      replayed: false,
      result: { entryType: 'used_for_payment', amount: '80.00', balanceAfter: '0.00', amountStillOwed: '40.00' },
    });
    await waitUntil(() => eventsFor(clientId).length === 2, 'two events');
    const event = eventsFor(clientId)[1];
    expect(event).toMatchObject({ entryType: 'used_for_payment', amount: '-80.00', balanceAfter: '0.00', sequence: 2, commandId: payment.commandId });
    // The top-up's event names the lot it created; the payment's, what it drew from that lot (the contract's shape).
    const [created] = eventsFor(clientId)[0].lots ?? [];
    expect(created).toMatchObject({ source: 'adjustment', amount: '80.00', expiresAt: null });
    expect(event.allocations).toEqual([{ lotId: created.lotId, source: 'adjustment', amount: '80.00', expiresAt: null }]);
    for (const published of eventsFor(clientId)) expect(eventSchema.safeParse(published).success).toBe(true);
    expect(kafka.events.find((e) => e.json<EntryRecorded>().eventId === event.eventId)?.key).toBe(commandKey(payment));

    await kafka.send('checkout', payment, 'corr-2');
    const replies = (await kafka.waitForReplies(payment.commandId, 2)) as Reply[];
    expect(replies[1]).toEqual({ ...reply, correlationId: 'corr-2', replayed: true });
    expect(await entryCount(clientId)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(eventsFor(clientId)).toHaveLength(2);
  });

  it('holds balance for a split-tender sale over the checkout topic: captured once, or expired by the sweep', async () => {
    const clientId = uniqueId('client');
    const wallet = { businessId, clientId, currency: 'AED' };
    const checkout = { kind: 'service', id: 'checkout' } as const;
    const topUp = command('balance.add', { ...wallet, amount: '100.00' });
    await kafka.send('gateway', topUp);
    await kafka.waitForReplies(topUp.commandId);
    const captured = buildCommand({ type: 'balance.hold', commandId: uniqueId('hold'), ...wallet, actor: checkout, saleId: uniqueId('sale'), amountOwed: '60.00' });
    const expiring = buildCommand({ type: 'balance.hold', commandId: uniqueId('hold'), ...wallet, actor: checkout, saleId: uniqueId('sale'), amountOwed: '30.00', expiresInSeconds: 1 });
    await kafka.send('checkout', captured);
    await kafka.send('checkout', expiring);
    const [held] = (await kafka.waitForReplies(expiring.commandId)) as Reply[];
    // Nobody but the ledger may expire a hold: one sent early on the checkout topic is dead-lettered, and cannot block
    // the sweep's expiry by taking its command id.
    const early = { ...command('balance.expire-hold', { ...wallet, holdId: holdIdOf(businessId, expiring.commandId) }), commandId: `ledger:expire-hold:${holdIdOf(businessId, expiring.commandId)}` };
    await kafka.send('checkout', early);
    await waitUntil(() => kafka.deadLetters.some((letter) => letter.headers['dlq-code'] === 'wrong_topic' && letter.value?.toString().includes(early.holdId) === true), 'the early expiry dead-lettered');
    // Nor can a producer take the sweep's command id with a command of its own: ids starting ledger: are refused.
    const squat = { ...command('balance.add', { ...wallet, amount: '0.01' }), commandId: early.commandId };
    await kafka.send('gateway', squat);
    await waitUntil(
      () => kafka.deadLetters.some((letter) => letter.headers['dlq-code'] === 'schema_violation' && letter.value?.toString().includes(`"amount":"0.01"`) === true),
      'the squatting command dead-lettered',
    );
    expect(held.result).toMatchObject({ amountHeld: '30.00', available: '10.00', hold: { holdId: holdIdOf(businessId, expiring.commandId) } });
    const capture = buildCommand({ type: 'balance.capture', commandId: uniqueId('capture'), ...wallet, actor: checkout, holdId: holdIdOf(businessId, captured.commandId), amount: '45.00' });
    await kafka.send('checkout', capture);
    await kafka.send('checkout', { ...capture, commandId: uniqueId('capture-again') });
    const [done] = (await kafka.waitForReplies(capture.commandId)) as Reply[];
    expect(done.result).toMatchObject({ entryType: 'used_for_payment', amount: '45.00', balanceAfter: '55.00', available: '25.00' });
    // The sweep expires the other hold: its 30.00 is available again, and its event follows the wallet's entries.
    const holdEvents = () => kafka.events.map((event) => event.json<HoldEvent>()).filter((event) => event.clientId === clientId && event.type.startsWith('hold.'));
    await waitUntil(() => holdEvents().some((event) => event.type === 'hold.expired'), 'the hold expired by the sweep', 15_000);
    expect(holdEvents().map((event) => event.type).sort()).toEqual(['hold.captured', 'hold.expired', 'hold.placed', 'hold.placed']);
    const [row] = await db.query<{ balance: string; held: string }>('select balance::text, held::text from wallet where client_id = $1', [clientId]);
    expect(row).toEqual({ balance: '55.00', held: '0.00' });
    const statuses = await db.query<{ status: string }>('select status from balance_hold where client_id = $1 order by status', [clientId]);
    expect(statuses.map((item) => item.status)).toEqual(['captured', 'expired']);
  });

  it('expires credit past its expiry through the worker\'s sweep: one balance_expired entry and event, the rest kept', async () => {
    const clientId = uniqueId('client');
    const expiring = command('balance.add', { businessId, clientId, currency: 'AED', amount: '30.00', expiresAt: new Date(Date.now() + 1_500).toISOString() });
    const lasting = command('balance.add', { businessId, clientId, currency: 'AED', amount: '12.00' });
    await kafka.send('gateway', expiring);
    await kafka.send('gateway', lasting);
    await kafka.waitForReplies(lasting.commandId);
    await waitUntil(() => eventsFor(clientId).some((event) => event.entryType === 'balance_expired'), 'the expiry event', 20_000);
    const expired = eventsFor(clientId).find((event) => event.entryType === 'balance_expired') as EntryRecorded;
    expect(expired).toMatchObject({ amount: '-30.00', balanceAfter: '12.00', actor: 'service:ledger', reference: { type: 'lot' } });
    expect(expired.allocations).toEqual([expect.objectContaining({ source: 'adjustment', amount: '30.00' })]);
    const [wallet] = await db.query<{ balance: string }>('select balance::text from wallet where client_id = $1', [clientId]);
    expect(wallet.balance).toBe('12.00');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(eventsFor(clientId).filter((event) => event.entryType === 'balance_expired')).toHaveLength(1);
  });

  it('never over-pays a sale or over-refunds it through the checkout and refund topics, and credits a refund id once', async () => {
    const clientId = uniqueId('client');
    const saleId = uniqueId('sale');
    const wallet = { businessId, clientId, currency: 'AED' };
    const topUp = command('balance.add', { ...wallet, amount: '70.00' });
    await kafka.send('gateway', topUp);
    await kafka.waitForReplies(topUp.commandId);
    // Two tills (or a till retrying with a fresh command id) pay one sale that owes 20.00.
    const pays = [1, 2, 3].map(() => command('balance.pay', { ...wallet, saleId, amountOwed: '20.00', actor: { kind: 'service', id: 'checkout' } }));
    await Promise.all(pays.map((pay) => kafka.send('checkout', pay)));
    const payReplies = await Promise.all(pays.map(async (pay) => (await kafka.waitForReplies(pay.commandId))[0] as Reply));
    expect(payReplies.map((reply) => reply.result && 'amount' in reply.result && reply.result.amount).sort()).toEqual(['0.00', '0.00', '20.00']);
    // A refund of 500.00 by saleId for that sale, and one refund id sent twice under two command ids.
    const refund = (amount: string, refundId = uniqueId('refund')) =>
      command('balance.refund', { ...wallet, refundId, amount, saleId, saleAmount: '20.00', actor: { kind: 'service', id: 'refund' } });
    const tooMuch = refund('500.00');
    const once = refund('15.00');
    const twice = { ...once, commandId: uniqueId('refund-retry') };
    for (const next of [tooMuch, once, twice]) await kafka.send('refund', next);
    const [tooMuchReply, onceReply, twiceReply] = await Promise.all(
      [tooMuch, once, twice].map(async (next) => (await kafka.waitForReplies(next.commandId))[0] as Reply),
    );
    expect(tooMuchReply.error?.code).toBe('refund_exceeds_sale');
    expect(onceReply).toMatchObject({ status: 'applied', replayed: false, result: { balanceAfter: '65.00' } });
    expect(twiceReply).toMatchObject({ status: 'applied', replayed: true, result: onceReply.result });
    const [balance] = await db.query<{ balance: string }>('select balance::text from wallet where client_id = $1', [clientId]);
    expect(balance.balance).toBe('65.00');
    expect(await entryCount(clientId)).toBe(3);
  });

  it('applies exactly 100 of 200 concurrent 1.00 debits on a wallet holding 100.00', async () => {
    const clientId = uniqueId('client');
    const topUp = command('balance.credit', { businessId, clientId, currency: 'AED', amount: '100.00' });
    await kafka.send('gateway', topUp);
    await kafka.waitForReplies(topUp.commandId);
    const debits = Array.from({ length: 200 }, () => command('balance.debit', { businessId, clientId, currency: 'AED', amount: '1.00' }));
    await Promise.all(debits.map((debit) => kafka.send('gateway', debit)));
    await waitUntil(() => debits.every((debit) => kafka.repliesFor(debit.commandId).length > 0), 'a reply to each debit');
    const replies = debits.map((debit) => kafka.repliesFor(debit.commandId)[0] as Reply);
    expect(replies.filter((r) => r.status === 'applied')).toHaveLength(100);
    expect(replies.filter((r) => r.error?.code === 'insufficient_balance')).toHaveLength(100);
    const [wallet] = await db.query<{ balance: string }>('select balance::text from wallet where client_id = $1', [clientId]);
    expect(wallet.balance).toBe('0.00');
    await waitUntil(() => eventsFor(clientId).length === 101, '101 events');
    expect(eventsFor(clientId).map((e) => e.sequence)).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
  });

  it('credits a gift card once when two clients redeem it at the same time', async () => {
    const code = giftCardCode();
    const issue = command('giftcard.issue', { businessId, code, amount: '50.00', currency: 'AED' });
    await kafka.send('gateway', issue);
    await kafka.waitForReplies(issue.commandId);
    const redemptions = [uniqueId('client'), uniqueId('client')].map((clientId) =>
      command('giftcard.redeem', { businessId, clientId, currency: 'AED', code }),
    );
    await Promise.all(redemptions.map((redemption) => kafka.send('gateway', redemption)));
    const replies = await Promise.all(redemptions.map(async (r) => (await kafka.waitForReplies(r.commandId))[0] as Reply));
    expect(replies.map((r) => r.status).sort()).toEqual(['applied', 'rejected']);
    expect(replies.find((r) => r.status === 'rejected')?.error?.code).toBe('gift_card_already_redeemed');
    const credited = await db.query("select 1 from ledger_entry where type = 'gift_card_redeemed' and business_id = $1", [businessId]);
    expect(credited).toHaveLength(1);
  });

  it('dead-letters poison messages with their reason and keeps applying the partition', async () => {
    const clientId = uniqueId('client');
    const valid = command('balance.pay', { businessId, clientId, currency: 'AED', saleId: 'sale-2', amountOwed: '10.00' });
    const key = commandKey(valid);
    await kafka.sendRaw('checkout', Buffer.from('{"type": "balance.pay", oops'), key);
    await kafka.sendRaw('checkout', Buffer.from(JSON.stringify({ ...valid, commandId: uniqueId('c'), amountOwed: '10.001' })), key);
    await kafka.sendRaw('checkout', Buffer.from(JSON.stringify({ ...valid, commandId: uniqueId('c'), type: 'balance.steal' })), key);
    await kafka.send('checkout', command('balance.add', { businessId, clientId, currency: 'AED', amount: '5.00' }));
    await kafka.sendRaw('checkout', Buffer.from(JSON.stringify({ ...valid, commandId: uniqueId('c') })), 'not-the-wallet-key');
    await kafka.send('checkout', valid);
    await kafka.waitForReplies(valid.commandId);
    const mine = () => kafka.deadLetters.filter((dl) => dl.key === key || dl.key === 'not-the-wallet-key');
    await waitUntil(() => mine().length === 5, 'five dead letters');
    const onWalletPartition = mine().filter((dl) => dl.key === key);
    expect(onWalletPartition.map((dl) => dl.headers['dlq-code'])).toEqual(['malformed_json', 'invalid_amount', 'unknown_type', 'wrong_topic']);
    expect(mine().find((dl) => dl.key === 'not-the-wallet-key')?.headers['dlq-code']).toBe('wrong_key');
    const first = onWalletPartition[0];
    expect(first.value?.toString()).toBe('{"type": "balance.pay", oops');
    expect(first.headers['dlq-reason']).toMatch(/not valid JSON/);
    expect(first.headers['dlq-original-topic']).toBe(kafka.topics.commands.checkout);
    expect(onWalletPartition[3].headers['dlq-reason']).toBe('balance.add may not be sent on the checkout command topic');
    expect(await entryCount(clientId)).toBe(0);
  });

  it('lets a refund service credit a refund, and refuses one beyond the payment', async () => {
    const clientId = uniqueId('client');
    const topUp = command('balance.add', { businessId, clientId, currency: 'JPY', amount: '5000' });
    const payment = command('balance.pay', { businessId, clientId, currency: 'JPY', saleId: 's-1', amountOwed: '3000', actor: { kind: 'service', id: 'checkout' } });
    await kafka.send('gateway', topUp);
    await kafka.waitForReplies(topUp.commandId);
    await kafka.send('checkout', payment);
    await kafka.waitForReplies(payment.commandId);
    const refund = (amount: string) =>
      command('balance.refund', { businessId, clientId, currency: 'JPY', refundId: uniqueId('r'), amount, paymentCommandId: payment.commandId, actor: { kind: 'service', id: 'refund' } });
    const ok = refund('2000');
    const tooMuch = refund('1001');
    await kafka.send('refund', ok);
    await kafka.send('refund', tooMuch);
    expect((await kafka.waitForReplies(ok.commandId))[0]).toMatchObject({ status: 'applied', result: { balanceAfter: '4000' } });
    expect((await kafka.waitForReplies(tooMuch.commandId))[0]).toMatchObject({ error: { code: 'refund_exceeds_payment' } });
  });

  it('publishes events from which every balance can be rebuilt, and verify proves the ledger', async () => {
    await waitUntil(async () => (await db.query('select 1 from outbox_message')).length === 0, 'the outbox to drain');
    const rebuilt = new Map<string, Decimal>();
    const seen = new Set<string>();
    for (const event of kafka.events.map((e) => e.json<EntryRecorded>())) {
      if (event.type !== 'wallet.entry_recorded' || seen.has(event.eventId)) continue;
      seen.add(event.eventId);
      rebuilt.set(event.walletId, (rebuilt.get(event.walletId) ?? new Decimal(0)).plus(event.amount));
    }
    const wallets = await db.query<{ id: string; balance: string }>('select id, balance::text from wallet');
    expect(wallets.length).toBeGreaterThan(0);
    for (const wallet of wallets) expect(rebuilt.get(wallet.id)?.toString()).toBe(new Decimal(wallet.balance).toString());
    expect(rebuilt.size).toBe(wallets.length);

    const env = { ...process.env, DATABASE_URL: db.url };
    const passed = await run('npm', ['run', '--silent', 'verify'], { env });
    expect(passed.stdout).toContain('all rules hold');

    await db.query('alter table wallet disable trigger all');
    await db.query("update wallet set balance = balance + 1 where id = $1", [wallets[0].id]);
    const failed = await run('npm', ['run', '--silent', 'verify'], { env }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('wallet balance differs from the sum of its entries');
  });
});
