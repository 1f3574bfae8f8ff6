import type { Reply } from '@storecredit/contracts';
import { command, testBrokers, uniqueId, waitUntil } from '@storecredit/testing';
import { startWorkerStack, type WorkerStack } from './support';
import { createKafka } from '@storecredit/messaging';
import { CommandConsumer } from '../apps/ledger-worker/src/consumers/command.consumer';
import { WorkerProducer } from '../apps/ledger-worker/src/kafka.providers';

/**
 * After a group commits, the worker publishes its replies and then commits its offsets (its delivery). A delivery
 * that fails must still end in a reply and a committed offset, with the command applied once, even when nothing
 * else ever arrives on the partition: the batch is fetched again and replayed.
 */
describe('ledger worker: a failed delivery', () => {
  let stack: WorkerStack;
  const businessId = 'salon-delivery';

  beforeAll(async () => {
    stack = await startWorkerStack();
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await stack?.stop();
  });

  /** The group's committed offsets of the gateway topic, summed over its partitions (-1 counts as 0). */
  async function committedTotal(): Promise<number> {
    const admin = createKafka(testBrokers, 'delivery-test').admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: stack.config.groupId, topics: [stack.config.topics.commands.gateway] });
      return topic.partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('publishes the reply after its first publish failed, and commits the offset, with the command applied once', async () => {
    const output = stack.worker.get(WorkerProducer);
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
    await stack.kafka.send('gateway', add);

    const [reply] = (await stack.kafka.waitForReplies(add.commandId)) as Reply[];
    expect(failed).toBe(1);
    // The first apply's reply was lost with the failed publish; the one that came is the replay's.
    expect(reply).toMatchObject({ status: 'applied', replayed: true, result: { balanceAfter: '10.00' } });
    expect(await stack.entryCount(clientId)).toBe(1);
    await waitUntil(async () => (await committedTotal()) === before + 1, 'the offset committed past the command');
  });

  it('answers and commits again after an offset commit failed, with the command applied once', async () => {
    const consumer = (stack.worker.get(CommandConsumer) as unknown as { consumer: { commitOffsets: (offsets: unknown) => Promise<void> } }).consumer;
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
    await stack.kafka.send('gateway', add);

    const replies = (await stack.kafka.waitForReplies(add.commandId, 2)) as Reply[];
    expect(failed).toBe(1);
    expect(replies.map((each) => each.replayed)).toEqual([false, true]);
    expect(await stack.entryCount(clientId)).toBe(1);
    await waitUntil(async () => (await committedTotal()) === before + 1, 'the offset committed past the command');
  });
});
