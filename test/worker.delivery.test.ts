import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import type { Reply } from '@storecredit/contracts';
import { command, createTestDatabase, KafkaTestClient, testBrokers, uniqueId, uniqueTopicPrefix, waitUntil, type TestDatabase } from '@storecredit/testing';
import { Kafka } from 'kafkajs';
import { CommandConsumer } from '../apps/ledger-worker/src/consumers/command.consumer';
import { WorkerProducer } from '../apps/ledger-worker/src/kafka.providers';
import { LedgerWorkerModule } from '../apps/ledger-worker/src/ledger-worker.module';
import { workerConfigFromEnv, type WorkerConfig } from '../apps/ledger-worker/src/worker.config';

/**
 * After a group commits, the worker publishes its replies and then commits its offsets (its delivery). A delivery
 * that fails must still end in a reply and a committed offset, with the command applied once, even when nothing
 * else ever arrives on the partition: the batch is fetched again and replayed.
 */
describe('ledger worker: a failed delivery', () => {
  let db: TestDatabase;
  let worker: INestApplicationContext;
  let kafka: KafkaTestClient;
  let config: WorkerConfig;
  const businessId = 'salon-delivery';

  beforeAll(async () => {
    db = await createTestDatabase();
    const prefix = uniqueTopicPrefix();
    kafka = new KafkaTestClient(prefix);
    await kafka.start();
    config = workerConfigFromEnv({ ...process.env, DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix });
    const moduleRef = await Test.createTestingModule({ imports: [LedgerWorkerModule.forRoot(config)] }).compile();
    worker = await moduleRef.init();
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await worker?.close();
    await kafka?.stop();
    await db?.drop();
  });

  const entryCount = async (clientId: string) =>
    Number((await db.query<{ n: string }>('select count(*) as n from ledger_entry where client_id = $1', [clientId]))[0].n);

  /** The group's committed offsets of the gateway topic, summed over its partitions (-1 counts as 0). */
  async function committedTotal(): Promise<number> {
    const admin = new Kafka({ brokers: testBrokers.split(','), clientId: 'delivery-test' }).admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: config.groupId, topics: [config.topics.commands.gateway] });
      return topic.partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('publishes the reply after its first publish failed, and commits the offset, with the command applied once', async () => {
    const output = worker.get(WorkerProducer);
    const send = output.send.bind(output);
    let failed = 0;
    jest.spyOn(output, 'send').mockImplementation((role, fn) => {
      if (role === 'replies' && failed === 0) {
        failed++;
        return Promise.reject(new Error('broker unreachable (injected)'));
      }
      return send(role, fn);
    });
    const before = await committedTotal();
    const clientId = uniqueId('client');
    const add = command('balance.add', { businessId, clientId, currency: 'AED', amount: '10.00' });
    await kafka.send('gateway', add);

    const [reply] = (await kafka.waitForReplies(add.commandId)) as Reply[];
    expect(failed).toBe(1);
    // The first apply's reply was lost with the failed publish; the one that came is the replay's.
    expect(reply).toMatchObject({ status: 'applied', replayed: true, result: { balanceAfter: '10.00' } });
    expect(await entryCount(clientId)).toBe(1);
    await waitUntil(async () => (await committedTotal()) === before + 1, 'the offset committed past the command');
  });

  it('answers and commits again after an offset commit failed, with the command applied once', async () => {
    const consumer = (worker.get(CommandConsumer) as unknown as { consumer: { commitOffsets: (offsets: unknown) => Promise<void> } }).consumer;
    const commit = consumer.commitOffsets.bind(consumer);
    let failed = 0;
    jest.spyOn(consumer, 'commitOffsets').mockImplementation((offsets) => {
      if (failed === 0) {
        failed++;
        return Promise.reject(new Error('coordinator unreachable (injected)'));
      }
      return commit(offsets);
    });
    const before = await committedTotal();
    const clientId = uniqueId('client');
    const add = command('balance.add', { businessId, clientId, currency: 'AED', amount: '7.00' });
    await kafka.send('gateway', add);

    const replies = (await kafka.waitForReplies(add.commandId, 2)) as Reply[];
    expect(failed).toBe(1);
    expect(replies.map((each) => each.replayed)).toEqual([false, true]);
    expect(await entryCount(clientId)).toBe(1);
    await waitUntil(async () => (await committedTotal()) === before + 1, 'the offset committed past the command');
  });
});
