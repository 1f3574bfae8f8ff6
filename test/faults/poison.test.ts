import { commandKey, type Command, type Producer, type Reply } from '@storecredit/contracts';
import {
  command,
  faultsDurationMs,
  printSummary,
  uniqueId,
  verifyLedger,
  waitUntil,
  type KafkaTestClient,
  type Received,
  type ReplyTracker,
  type TestDatabase,
} from '@storecredit/testing';
import { startFaultRig, WorkerProcess, type FaultRig } from '../support';
import { randomBytes } from 'node:crypto';

/** Wait for one message's outcome (a reply or a dead letter). */
const outcomeWaitMs = 60_000;
const fuzzBatchSize = 40;

type Outcome = { kind: 'reply'; reply: Reply } | { kind: 'dead-letter'; letter: Received };

interface Poison {
  name: string;
  producer: Producer;
  value: Buffer | null;
  key?: string | null;
  code: string;
  reason?: RegExp;
}

/**
 * Poison and malformed messages on the command topics: each lands in the dead-letter topic with its reason,
 * the partition keeps moving, and the worker process (a separate process, as in production) never crashes.
 * Then, for the suite's duration, a fuzzer mutates valid commands at random: every message gets exactly one
 * outcome (a reply or a dead letter) and only applied commands reach the ledger.
 */
describe('poison and malformed commands', () => {
  const businessId = 'poison-biz';
  const durationMs = faultsDurationMs();
  let rig: FaultRig;
  let db: TestDatabase;
  let prefix: string;
  let kafka: KafkaTestClient;
  let replies: ReplyTracker;
  let worker: WorkerProcess;
  const sentByTrace = new Map<string, { name: string; value: Buffer | null }>();
  const figures = { catalogue: 0, fuzzed: 0, fuzzedDeadLettered: 0, fuzzedApplied: 0, fuzzedRejected: 0, validAfterPoison: 0 };
  const violations: string[] = [];

  beforeAll(async () => {
    rig = await startFaultRig();
    ({ db, prefix, kafka, replies } = rig);
    worker = new WorkerProcess({ name: 'poison', databaseUrl: db.url, topicPrefix: prefix });
    await worker.start();
  });

  afterAll(async () => {
    await rig?.stop();
  });

  const deadLetterFor = (trace: string) => kafka.deadLetters.find((letter) => letter.headers['correlation-id'] === trace);

  /** Sends raw bytes with a trace id in the correlation-id header: replies echo it and dead letters keep it. */
  async function sendTraced(name: string, producer: Producer, value: Buffer | null, key: string | null): Promise<string> {
    const trace = uniqueId('trace');
    sentByTrace.set(trace, { name, value });
    await kafka.sendRaw(producer, value as Buffer, key, trace);
    return trace;
  }

  /** A message's one outcome, matched by its trace id (a mutation may have changed its command id). */
  async function outcomeOf(trace: string): Promise<Outcome> {
    let outcome: Outcome | undefined;
    await waitUntil(
      () => {
        const letter = deadLetterFor(trace);
        const [reply] = replies.withCorrelationId(trace);
        if (letter) outcome = { kind: 'dead-letter', letter };
        else if (reply) outcome = { kind: 'reply', reply };
        return outcome !== undefined;
      },
      `the outcome of ${sentByTrace.get(trace)?.name} (${trace})`,
      outcomeWaitMs,
    );
    return outcome!;
  }

  const wallet = (clientId: string) => ({ businessId, clientId, currency: 'AED' });
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));

  function catalogue(clientId: string): Poison[] {
    const add = command('balance.add', { ...wallet(clientId), amount: '5.00' });
    const pay = command('balance.pay', { ...wallet(clientId), saleId: 'sale-1', amountOwed: '10.00', actor: { kind: 'service', id: 'checkout' } });
    const refund = command('balance.refund', { ...wallet(clientId), refundId: 'r-1', amount: '1.00', saleId: 'sale-9', saleAmount: '100.00', actor: { kind: 'service', id: 'refund' } });
    const fresh = <T extends Command>(base: T, changes: Record<string, unknown>) => ({ ...base, commandId: uniqueId('poison'), ...changes });
    const without = (base: Command, field: string) => {
      const copy: Record<string, unknown> = { ...base, commandId: uniqueId('poison') };
      delete copy[field];
      return copy;
    };
    const addJson = JSON.stringify(fresh(add, {}));
    return [
      { name: 'bad JSON', producer: 'gateway', value: Buffer.from('{"type": "balance.add", oops'), code: 'malformed_json', reason: /not valid JSON/ },
      { name: 'truncated JSON', producer: 'gateway', value: Buffer.from(addJson.slice(0, addJson.length / 2)), code: 'malformed_json', reason: /not valid JSON/ },
      { name: 'binary garbage', producer: 'gateway', value: randomBytes(64), code: 'malformed_json' },
      { name: 'empty value', producer: 'gateway', value: Buffer.alloc(0), code: 'malformed_json', reason: /empty message/ },
      { name: 'null value (tombstone)', producer: 'gateway', value: null, code: 'malformed_json', reason: /empty message/ },
      { name: 'a JSON array', producer: 'gateway', value: json([fresh(add, {})]), code: 'schema_violation', reason: /JSON object/ },
      { name: 'a JSON string', producer: 'gateway', value: json('balance.add'), code: 'schema_violation', reason: /JSON object/ },
      { name: 'JSON null', producer: 'gateway', value: Buffer.from('null'), code: 'schema_violation', reason: /JSON object/ },
      { name: 'deeply nested JSON', producer: 'gateway', value: Buffer.from(`${'['.repeat(30_000)}${']'.repeat(30_000)}`), code: 'schema_violation' },
      { name: 'missing field', producer: 'gateway', value: json(without(add, 'clientId')), code: 'schema_violation', reason: /clientId/ },
      { name: 'unknown field', producer: 'gateway', value: json(fresh(add, { admin: true })), code: 'schema_violation', reason: /Unrecognized key/ },
      { name: '__proto__ field', producer: 'gateway', value: Buffer.from(addJson.replace('{', '{"__proto__":{"admin":true},')), code: 'schema_violation', reason: /__proto__/ },
      { name: 'amount as a number', producer: 'gateway', value: json(fresh(add, { amount: 5 })), code: 'schema_violation', reason: /amount/ },
      { name: 'missing schema version', producer: 'gateway', value: json(without(add, 'schemaVersion')), code: 'unsupported_schema_version' },
      { name: 'future schema version', producer: 'gateway', value: json(fresh(add, { schemaVersion: 2 })), code: 'unsupported_schema_version' },
      { name: 'unknown type', producer: 'gateway', value: json(fresh(add, { type: 'balance.steal' })), code: 'unknown_type', reason: /balance\.steal/ },
      { name: 'negative amount', producer: 'gateway', value: json(fresh(add, { amount: '-5.00' })), code: 'invalid_amount' },
      { name: 'zero amount', producer: 'gateway', value: json(fresh(add, { amount: '0.00' })), code: 'invalid_amount', reason: /greater than zero/ },
      { name: 'over-precise AED amount', producer: 'gateway', value: json(fresh(add, { amount: '1.001' })), code: 'invalid_amount', reason: /at most 2 decimal/ },
      { name: 'over-precise JPY amount', producer: 'gateway', value: json(fresh(add, { currency: 'JPY', amount: '1.5' })), code: 'invalid_amount', reason: /at most 0 decimal/ },
      { name: 'over-precise KWD amount', producer: 'gateway', value: json(fresh(add, { currency: 'KWD', amount: '1.0001' })), code: 'invalid_amount', reason: /at most 3 decimal/ },
      { name: 'huge amount', producer: 'gateway', value: json(fresh(add, { amount: '1000000000000000.00' })), code: 'invalid_amount', reason: /integer digits/ },
      { name: 'enormous amount string', producer: 'gateway', value: json(fresh(add, { amount: '9'.repeat(400) })), code: 'invalid_amount' },
      { name: 'amount in exponent form', producer: 'gateway', value: json(fresh(add, { amount: '1e3' })), code: 'invalid_amount' },
      { name: 'NaN amount', producer: 'gateway', value: json(fresh(add, { amount: 'NaN' })), code: 'invalid_amount' },
      { name: 'negative amount owed', producer: 'checkout', value: json(fresh(pay, { amountOwed: '-10.00' })), code: 'invalid_amount', reason: /amountOwed/ },
      { name: 'over-precise amount requested', producer: 'checkout', value: json(fresh(pay, { amountRequested: '0.001' })), code: 'invalid_amount', reason: /amountRequested/ },
      { name: 'unknown currency', producer: 'gateway', value: json(fresh(add, { currency: 'XYZ' })), code: 'schema_violation', reason: /currency/ },
      { name: 'lower-case currency', producer: 'gateway', value: json(fresh(add, { currency: 'aed' })), code: 'schema_violation', reason: /currency/ },
      { name: 'refund naming both a payment and a sale', producer: 'refund', value: json(fresh(refund, { paymentCommandId: 'p-1' })), code: 'schema_violation', reason: /exactly one/ },
      { name: 'add on the checkout topic', producer: 'checkout', value: json(fresh(add, {})), code: 'wrong_topic', reason: /checkout command topic/ },
      { name: 'credit on the refund topic', producer: 'refund', value: json(fresh(add, { type: 'balance.credit' })), code: 'wrong_topic', reason: /refund command topic/ },
      { name: 'refund on the checkout topic', producer: 'checkout', value: json(fresh(refund, {})), code: 'wrong_topic' },
      { name: 'payment on the refund topic', producer: 'refund', value: json(fresh(pay, {})), code: 'wrong_topic' },
      { name: 'wrong key', producer: 'gateway', value: json(fresh(add, {})), key: `${businessId}/someone-else/AED`, code: 'wrong_key' },
      { name: 'no key', producer: 'gateway', value: json(fresh(add, {})), key: null, code: 'wrong_key' },
      { name: 'oversized (> 64 KiB)', producer: 'gateway', value: json(fresh(add, { note: 'x'.repeat(70 * 1024) })), code: 'oversized', reason: /limit is 65536/ },
      { name: 'note over 500 characters', producer: 'gateway', value: json(fresh(add, { note: 'x'.repeat(501) })), code: 'schema_violation', reason: /note/ },
      { name: 'NUL character in the note', producer: 'gateway', value: json(fresh(add, { note: 'before\u0000after' })), code: 'schema_violation', reason: /note/ },
      { name: 'lone surrogate in the note', producer: 'gateway', value: json(fresh(add, { note: 'broken \ud800 text' })), code: 'schema_violation', reason: /note/ },
    ];
  }

  it('dead-letters each poison message with its reason and applies the valid command behind it on the same key', async () => {
    const clientId = uniqueId('client');
    const key = commandKey(command('balance.add', { ...wallet(clientId), amount: '1.00' }));
    const poisons = catalogue(clientId);
    const traces: string[] = [];
    for (const poison of poisons) traces.push(await sendTraced(poison.name, poison.producer, poison.value, poison.key === undefined ? key : poison.key));
    figures.catalogue = poisons.length;
    // A valid command on the same key, on each producer's topic, behind all of them.
    const add = command('balance.add', { ...wallet(clientId), amount: '20.00' });
    const pay = command('balance.pay', { ...wallet(clientId), saleId: 'sale-ok', amountOwed: '8.00', actor: { kind: 'service', id: 'checkout' } });
    const refund = command('balance.refund', { ...wallet(clientId), refundId: 'r-ok', amount: '3.00', paymentCommandId: pay.commandId, actor: { kind: 'service', id: 'refund' } });
    await kafka.send('gateway', add);
    expect(await replies.wait(add.commandId, outcomeWaitMs)).toMatchObject({ status: 'applied', result: { balanceAfter: '20.00' } });
    await kafka.send('checkout', pay);
    expect(await replies.wait(pay.commandId, outcomeWaitMs)).toMatchObject({ status: 'applied', result: { amount: '8.00', balanceAfter: '12.00' } });
    await kafka.send('refund', refund);
    expect(await replies.wait(refund.commandId, outcomeWaitMs)).toMatchObject({ status: 'applied', result: { balanceAfter: '15.00' } });
    figures.validAfterPoison += 3;

    const problems: string[] = [];
    for (const [index, poison] of poisons.entries()) {
      const letter = (await outcomeOf(traces[index])) as Outcome;
      if (letter.kind !== 'dead-letter') {
        problems.push(`${poison.name}: answered instead of dead-lettered`);
        continue;
      }
      const { headers, value, topic } = letter.letter;
      if (headers['dlq-code'] !== poison.code) problems.push(`${poison.name}: dlq-code ${headers['dlq-code']}, expected ${poison.code} (${headers['dlq-reason']})`);
      if (!headers['dlq-reason'] || (poison.reason && !poison.reason.test(headers['dlq-reason']))) problems.push(`${poison.name}: dlq-reason ${headers['dlq-reason']}`);
      if (headers['dlq-original-topic'] !== kafka.topics.commands[poison.producer]) problems.push(`${poison.name}: dlq-original-topic ${headers['dlq-original-topic']}`);
      if (!headers['dlq-original-offset'] || !headers['dlq-original-partition'] || !headers['dlq-failed-at']) problems.push(`${poison.name}: dlq headers incomplete`);
      if (topic !== kafka.topics.deadLetter) problems.push(`${poison.name}: on ${topic}`);
      if (!(value ?? Buffer.alloc(0)).equals(poison.value ?? Buffer.alloc(0))) problems.push(`${poison.name}: the dead letter does not carry the original bytes`);
    }
    violations.push(...problems);
    expect(problems).toEqual([]);
    const entries = await db.query<{ command_id: string }>('select command_id from ledger_entry where client_id = $1 order by sequence', [clientId]);
    expect(entries.map((entry) => entry.command_id)).toEqual([add.commandId, pay.commandId, refund.commandId]);
  });

  it('applies the largest valid amount exactly, to the cent, however large the balance grows', async () => {
    const clientId = uniqueId('whale');
    const largest = '999999999999999.99';
    const steps: [Command, string][] = [
      [command('balance.add', { ...wallet(clientId), amount: largest }), '999999999999999.99'],
      [command('balance.add', { ...wallet(clientId), amount: largest }), '1999999999999999.98'],
      [command('balance.add', { ...wallet(clientId), amount: largest }), '2999999999999999.97'],
      [command('balance.debit', { ...wallet(clientId), amount: '0.01' }), '2999999999999999.96'],
      [command('balance.debit', { ...wallet(clientId), amount: '0.01' }), '2999999999999999.95'],
      [command('balance.pay', { ...wallet(clientId), saleId: 'sale-big', amountOwed: '0.05', actor: { kind: 'service', id: 'checkout' } }), '2999999999999999.90'],
    ];
    for (const [cmd, balanceAfter] of steps) {
      await kafka.send(cmd.type === 'balance.pay' ? 'checkout' : 'gateway', cmd);
      expect(await replies.wait(cmd.commandId, outcomeWaitMs)).toMatchObject({ status: 'applied', result: { balanceAfter } });
    }
    const [row] = await db.query<{ balance: string; sum: string }>(
      `select w.balance::text as balance, (select sum(amount)::text from ledger_entry e where e.wallet_id = w.id) as sum
         from wallet w where w.business_id = $1 and w.client_id = $2`,
      [businessId, clientId],
    );
    expect(row).toEqual({ balance: '2999999999999999.90', sum: '2999999999999999.90' });
  });

  it(`gives every fuzzed message exactly one outcome for ${durationMs} ms, and only applied commands reach the ledger`, async () => {
    const deadline = Date.now() + durationMs;
    const applied = new Set<string>();
    const clients = Array.from({ length: 4 }, () => uniqueId('fuzz'));
    for (const clientId of clients) {
      const topUp = command('balance.credit', { ...wallet(clientId), amount: '1000.00' });
      await kafka.send('gateway', topUp);
      expect(await replies.wait(topUp.commandId, outcomeWaitMs)).toMatchObject({ status: 'applied' });
    }
    while (Date.now() < deadline) {
      const batch: string[] = [];
      for (let i = 0; i < fuzzBatchSize; i++) {
        const clientId = pick(clients);
        const { name, producer, value, key } = fuzzedMessage(wallet(clientId));
        batch.push(await sendTraced(name, producer, value, key));
      }
      // A valid command behind the batch on every key: each partition must keep moving.
      const probes = clients.map((clientId) => command('balance.credit', { ...wallet(clientId), amount: '0.01' }));
      for (const probe of probes) await kafka.send('gateway', probe);
      for (const probe of probes) {
        const reply = await replies.wait(probe.commandId, outcomeWaitMs);
        if (reply?.status !== 'applied') violations.push(`a valid credit behind fuzzed messages was not applied: ${JSON.stringify(reply)}`);
      }
      figures.validAfterPoison += probes.length;
      for (const trace of batch) {
        const outcome = await outcomeOf(trace);
        figures.fuzzed += 1;
        if (outcome.kind === 'dead-letter') {
          figures.fuzzedDeadLettered += 1;
          if (!outcome.letter.headers['dlq-code'] || !outcome.letter.headers['dlq-reason']) violations.push(`${sentByTrace.get(trace)?.name}: dead letter without code or reason`);
        } else if (outcome.reply.status === 'applied') {
          figures.fuzzedApplied += 1;
          if (outcome.reply.result && 'entryId' in outcome.reply.result && outcome.reply.result.entryId) applied.add(outcome.reply.commandId);
          if (replies.withCorrelationId(trace).length > 1) violations.push(`${sentByTrace.get(trace)?.name}: answered more than once`);
        } else {
          figures.fuzzedRejected += 1;
        }
      }
    }
    const letters = kafka.deadLetters.filter((letter) => sentByTrace.has(letter.headers['correlation-id']));
    const lettersByTrace = new Map<string, number>();
    for (const letter of letters) lettersByTrace.set(letter.headers['correlation-id'], (lettersByTrace.get(letter.headers['correlation-id']) ?? 0) + 1);
    for (const [trace, count] of lettersByTrace) if (count > 1) violations.push(`${sentByTrace.get(trace)?.name}: dead-lettered ${count} times`);
    const appliedReplies = new Set(kafka.replies.map((reply) => reply.json<Reply>()).filter((reply) => reply.status === 'applied').map((reply) => reply.commandId));
    const entries = await db.query<{ command_id: string }>('select command_id from ledger_entry where business_id = $1', [businessId]);
    for (const entry of entries) {
      if (!appliedReplies.has(entry.command_id)) violations.push(`command ${entry.command_id} is in the ledger without an applied reply`);
    }
    for (const commandId of applied) if (!entries.some((entry) => entry.command_id === commandId)) violations.push(`applied command ${commandId} is not in the ledger`);
    await waitUntil(async () => (await db.query('select 1 from outbox_message')).length === 0, 'the outbox to drain');
    const report = await verifyLedger(db.url);
    if (!report.ok) violations.push(`verify: ${JSON.stringify(report.problems)}`);
    expect(violations).toEqual([]);
  });

  it('never crashed the worker process', () => {
    const crashed = worker.unexpectedExits.length + worker.consumerCrashes.length;
    printSummary(`poison and malformed commands (${durationMs} ms of fuzzing)`, [
      ['catalogued poison messages sent', figures.catalogue],
      ['fuzzed messages sent', figures.fuzzed],
      ['  dead-lettered', figures.fuzzedDeadLettered],
      ['  applied (still valid after mutation)', figures.fuzzedApplied],
      ['  rejected by the ledger', figures.fuzzedRejected],
      ['valid commands applied behind poison', figures.validAfterPoison],
      ['faults injected (poison messages)', figures.catalogue + figures.fuzzedDeadLettered],
      ['worker starts / crashes', `${worker.starts} / ${crashed}`],
      ['violations found', violations.length + crashed],
    ]);
    expect(worker.isRunning).toBe(true);
    expect(worker.starts).toBe(1);
    expect(worker.unexpectedExits).toEqual([]);
    expect(worker.consumerCrashes).toEqual([]);
  });
});

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

const junkValues: unknown[] = [
  null, true, 0, -1, 1.5, 1e308, '', ' ', '0', '-0.00', '1e9', 'NaN', '0x10', '١٢٣', '12,50', 'x'.repeat(200), [], {}, { $gt: '' },
  '\u0000', '\ud800', '💸', '../../etc/passwd', "'; drop table wallet; --", 'AED', 'JPY', '999999999999999.99', '0.01', '100.00',
];

/** A valid command of a random kind, then one random mutation (or none): the fuzzer's message. */
function fuzzedMessage(wallet: { businessId: string; clientId: string; currency: string }): {
  name: string;
  producer: Producer;
  value: Buffer | null;
  key: string | null;
} {
  const kinds = [
    () => ({ producer: 'gateway' as const, cmd: command('balance.add', { ...wallet, amount: '1.00' }) }),
    () => ({ producer: 'gateway' as const, cmd: command('balance.debit', { ...wallet, amount: '0.50' }) }),
    () => ({ producer: 'gateway' as const, cmd: command('balance.deduct', { ...wallet, amount: '99999.00' }) }),
    () => ({ producer: 'checkout' as const, cmd: command('balance.pay', { ...wallet, saleId: uniqueId('sale'), amountOwed: '2.00', actor: { kind: 'service', id: 'checkout' } }) }),
    () => ({ producer: 'refund' as const, cmd: command('balance.refund', { ...wallet, refundId: uniqueId('r'), amount: '0.25', saleId: uniqueId('sale'), saleAmount: '100.00', actor: { kind: 'service', id: 'refund' } }) }),
  ];
  const { producer, cmd } = pick(kinds)();
  const record: Record<string, unknown> = { ...cmd };
  let key: string | null = commandKey(cmd);
  let target: Producer = producer;
  const fields = Object.keys(record);
  const mutations: [string, () => Buffer | null][] = [
    ['none', () => Buffer.from(JSON.stringify(record))],
    ['drop a field', () => (delete record[pick(fields)], Buffer.from(JSON.stringify(record)))],
    ['junk in a field', () => ((record[pick(fields)] = pick(junkValues)), Buffer.from(JSON.stringify(record)))],
    ['unknown field', () => ((record[`x${randomBytes(2).toString('hex')}`] = pick(junkValues)), Buffer.from(JSON.stringify(record)))],
    ['truncated', () => Buffer.from(JSON.stringify(record)).subarray(0, Math.floor(Math.random() * JSON.stringify(record).length))],
    ['flipped byte', () => {
      const bytes = Buffer.from(JSON.stringify(record));
      bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256);
      return bytes;
    }],
    ['random bytes', () => randomBytes(1 + Math.floor(Math.random() * 200))],
    ['wrong topic', () => ((target = pick(['gateway', 'checkout', 'refund'] as const)), Buffer.from(JSON.stringify(record)))],
    ['wrong key', () => ((key = pick([null, 'x', `${wallet.businessId}/other/AED`])), Buffer.from(JSON.stringify(record)))],
    ['odd note', () => ((record.note = pick(['\u0000', '\ud800x', '💸 refund', 'line\nbreak', '\u202eRTL', 'n'.repeat(500)])), Buffer.from(JSON.stringify(record)))],
    ['oversized', () => ((record.note = 'y'.repeat(66 * 1024)), Buffer.from(JSON.stringify(record)))],
  ];
  const [name, mutate] = pick(mutations);
  const value = mutate();
  return { name: `fuzz: ${cmd.type}, ${name}`, producer: target, value, key };
}
