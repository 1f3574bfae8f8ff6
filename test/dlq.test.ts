import { commandKey, headerNames, type Command, type Reply } from '@storecredit/contracts';
import { createKafka, KeyPartitioner } from '@storecredit/messaging';
import { command, giftCardCode, principalEnv, principalSasl, testBrokers, uniqueId, waitUntil, type KafkaTestClient } from '@storecredit/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { execFile } from 'node:child_process';
import { listCommand, showCommand, type DlqContext } from '../apps/ledger-worker/src/dlq/dlq-commands';
import { redriveCommand, redriveGroupId, type RedriveOptions } from '../apps/ledger-worker/src/dlq/redrive';
import { startWorkerStack, type WorkerStack } from './support';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The dead-letter tool against a real worker, its topics and its database. */
describe('dlq re-drive', () => {
  let stack: WorkerStack;
  let kafka: KafkaTestClient;
  let client: Kafka;
  let admin: Admin;
  let producer: Producer;
  let lines: string[];
  const businessId = 'salon-dlq';

  beforeAll(async () => {
    stack = await startWorkerStack();
    kafka = stack.kafka;
    // The tool as the operator runs it: the dlq principal (libs/messaging/src/acls.ts).
    client = createKafka(testBrokers, `dlq-test-${kafka.prefix}`, principalSasl('dlq'));
    admin = client.admin();
    // Dead letters of an older worker are written as the worker writes them.
    producer = createKafka(testBrokers, `dlq-test-worker-${kafka.prefix}`, principalSasl('ledger-worker')).producer({
      allowAutoTopicCreation: false,
      createPartitioner: KeyPartitioner,
    });
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await stack?.stop();
  });

  beforeEach(() => {
    lines = [];
  });

  const context = (): DlqContext => ({
    kafka: client,
    admin,
    prefix: kafka.prefix,
    topics: kafka.topics,
    output: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
  });
  const redrive = (options: Partial<RedriveOptions> = {}) =>
    redriveCommand(context(), { filter: {}, dryRun: false, yes: true, again: false, ...options });
  const gatewayTopicSize = async () =>
    (await admin.fetchTopicOffsets(kafka.topics.commands.gateway)).reduce((sum, { high }) => sum + Number(high), 0);
  const cli = (args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = { ...process.env, KAFKA_BROKERS: testBrokers, KAFKA_TOPIC_PREFIX: kafka.prefix, ...principalEnv('dlq') };
      execFile('npm', ['run', '--silent', 'dlq', '--', ...args], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  /** A dead letter as a worker that did not know the command's type yet wrote it (command.consumer.ts, deadLetterOf). */
  async function writeOldDeadLetter(cmd: Command): Promise<void> {
    await producer.send({
      topic: kafka.topics.deadLetter,
      acks: -1,
      messages: [
        {
          key: commandKey(cmd),
          value: JSON.stringify(cmd),
          headers: {
            [headerNames.correlationId]: `corr-${cmd.commandId}`,
            [headerNames.dlqCode]: 'unknown_type',
            [headerNames.dlqReason]: `unknown command type ${JSON.stringify(cmd.type)}`,
            [headerNames.dlqOriginalTopic]: kafka.topics.commands.gateway,
            [headerNames.dlqOriginalPartition]: '0',
            [headerNames.dlqOriginalOffset]: '0',
            [headerNames.dlqFailedAt]: new Date().toISOString(),
          },
        },
      ],
    });
  }

  it('re-drives a dead letter once a fixed worker can apply it: applied once, then nothing, then --again replays', async () => {
    const clientId = uniqueId('client');
    const topUp = command('balance.add', { businessId, clientId, currency: 'AED', amount: '25.00' });
    const malformed = Buffer.from('{"schemaVersion": 1, oops');
    await writeOldDeadLetter(topUp);
    await kafka.sendRaw('gateway', malformed, 'broken-key');
    await waitUntil(() => kafka.deadLetters.length === 2, 'two dead letters');
    const [first] = kafka.deadLetters.filter((letter) => letter.headers[headerNames.dlqCode] === 'malformed_json');

    // --dry-run says what it would send and sends nothing.
    const sizeBefore = await gatewayTopicSize();
    expect(await redrive({ dryRun: true })).toBe(0);
    expect(lines).toContain('2 would be re-driven, 0 already re-driven');
    expect(await gatewayTopicSize()).toBe(sizeBefore);

    // --code sends the malformed message alone, back to its topic with its key and bytes: it dead-letters again.
    expect(await redrive({ filter: { code: 'malformed_json' } })).toBe(0);
    expect(lines).toContain('1 re-driven, 0 already re-driven');
    await waitUntil(() => kafka.deadLetters.length === 3, 'the re-driven message dead-lettered again');
    const again = kafka.deadLetters[2];
    expect(again.value).toEqual(malformed);
    expect(again.key).toBe('broken-key');
    expect(again.headers).toMatchObject({ [headerNames.dlqCode]: 'malformed_json', [headerNames.dlqRedrivenFrom]: `${first.partition}:${first.offset}` });
    expect(await stack.entryCount(clientId)).toBe(0);

    // The dead letter the filter skipped is still re-drivable: the "fixed" worker applies it, once.
    lines = [];
    expect(await redrive({ filter: { code: 'unknown_type' } })).toBe(0);
    expect(lines).toContain('1 re-driven, 0 already re-driven');
    const [applied] = (await kafka.waitForReplies(topUp.commandId)) as Reply[];
    expect(applied).toMatchObject({ status: 'applied', replayed: false, correlationId: `corr-${topUp.commandId}` });
    expect(await stack.entryCount(clientId)).toBe(1);

    // The same filter again sends nothing.
    lines = [];
    const sizeAfter = await gatewayTopicSize();
    expect(await redrive({ filter: { code: 'unknown_type' } })).toBe(0);
    expect(lines).toContain('0 to re-drive, 1 already re-driven');
    expect(await gatewayTopicSize()).toBe(sizeAfter);

    // --again sends it regardless; the ledger answers it as a replay and changes nothing.
    lines = [];
    expect(await redrive({ filter: { code: 'unknown_type' }, again: true })).toBe(0);
    expect(lines).toContain('1 re-driven, 0 already re-driven');
    const replies = (await kafka.waitForReplies(topUp.commandId, 2)) as Reply[];
    expect(replies[1]).toEqual({ ...applied, replayed: true });
    expect(await stack.entryCount(clientId)).toBe(1);
  });

  it('keeps its progress in its own consumer group, past the contiguous prefix', async () => {
    const [committed] = await admin.fetchOffsets({ groupId: redriveGroupId(kafka.prefix), topics: [kafka.topics.deadLetter] });
    const withProgress = committed.partitions.filter((partition) => partition.offset !== '-1');
    expect(withProgress.length).toBeGreaterThan(0);
    for (const partition of withProgress) expect(partition.metadata ?? '').toMatch(/^redriven\/v1/);
  });

  it('lists with a filter and shows one dead letter with its gift card code masked', async () => {
    const code = giftCardCode();
    const redeem = command('giftcard.redeem', { businessId, clientId: uniqueId('client'), currency: 'AED', code });
    await writeOldDeadLetter(redeem);
    await waitUntil(() => kafka.deadLetters.some((letter) => letter.key === commandKey(redeem)), 'the gift card dead letter');
    const letter = kafka.deadLetters.find((one) => one.key === commandKey(redeem))!;

    expect(await listCommand(context(), { code: 'malformed_json' }, undefined)).toBe(0);
    expect(lines.filter((line) => /^\d+:\d+ .* malformed_json /.test(line))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^2 of 2 dead letters of code malformed_json/);

    lines = [];
    expect(await showCommand(context(), letter.partition, letter.offset)).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('"type": "giftcard.redeem"');
    expect(text).toContain(`****${code.replace(/-/g, '').slice(-4)}`);
    expect(text).not.toContain(code);
    expect(text).not.toContain(code.replace(/-/g, ''));
  });

  it('runs as an operator runs it: exit 0 with the answer on stdout, 2 on bad arguments', async () => {
    const listed = await cli(['list', '--code', 'unknown_type']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).not.toContain('dlq:');
    expect(listed.stdout).toMatch(/^2 of 2 dead letters of code unknown_type/m);

    const redriven = await cli(['redrive', '--code', 'unknown_type', '--yes']);
    expect(redriven.code).toBe(0);
    // The top-up was re-driven before; the gift card redeem is new to the tool.
    expect(redriven.stdout).toContain('1 re-driven, 1 already re-driven');

    const withoutYes = await cli(['redrive', '--code', 'malformed_json']);
    expect(withoutYes.code).toBe(2);
    expect(withoutYes.stderr).toContain('add --yes');

    const bad = await cli(['redrive', '--since', 'last week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be an ISO 8601 time');
    expect(bad.stderr).toContain('usage: npm run dlq');
  });
});
