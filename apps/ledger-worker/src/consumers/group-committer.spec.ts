import type { KafkaMessage } from 'kafkajs';
import type { PartitionSlice } from './command-processor';
import { GroupCommitter, splitMessagesMin } from './group-committer';

/** Messages without a key all share the key '': such slices never run at the same time. */
function slice(partition: number, size: number, key?: string): PartitionSlice {
  const messages = Array.from({ length: size }, (_, offset) => ({ offset: String(offset), key: key === undefined ? null : Buffer.from(key) }) as KafkaMessage);
  return { topic: 'commands', partition, messages };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const partitionsOf = (slices: PartitionSlice[]) => slices.map((each) => each.partition);

describe(GroupCommitter.name, () => {
  it('applies the slices that arrive while a transaction runs together, in the order they arrived', async () => {
    const transactions: number[][] = [];
    const firstApply = deferred();
    const committer = new GroupCommitter<void>({
      apply: async (slices) => {
        transactions.push(partitionsOf(slices));
        if (transactions.length === 1) await firstApply.promise;
      },
      deliver: async () => undefined,
    });
    const first = committer.submit(slice(0, 5));
    await tick();
    const later = [1, 2, 3].map((partition) => committer.submit(slice(partition, 5)));
    firstApply.resolve();
    await Promise.all([first, ...later]);
    expect(transactions).toEqual([[0], [1, 2, 3]]);
  });

  it('puts no more than the limit of messages in one transaction, but always at least one slice', async () => {
    const sizes: number[] = [];
    const committer = new GroupCommitter<void>(
      { apply: async (slices) => void sizes.push(slices.reduce((sum, each) => sum + each.messages.length, 0)), deliver: async () => undefined },
      10,
    );
    await Promise.all([slice(0, 4), slice(1, 4), slice(2, 4), slice(3, 25)].map((each) => committer.submit(each)));
    expect(sizes).toEqual([8, 4, 25]);
  });

  it('runs transactions that share a message key one at a time, and delivers one while the next is applied', async () => {
    const events: string[] = [];
    let applying = 0;
    const firstApplyStarted = deferred();
    const firstDelivery = deferred();
    const committer = new GroupCommitter<number[]>({
      apply: async (slices) => {
        applying++;
        expect(applying).toBe(1);
        events.push(`apply ${partitionsOf(slices)}`);
        if (slices[0].partition === 0) firstApplyStarted.resolve();
        await new Promise((resolve) => setTimeout(resolve, 5));
        applying--;
        return partitionsOf(slices);
      },
      deliver: async (_slices, applied) => {
        events.push(`deliver ${applied}`);
        if (applied[0] === 0) await firstDelivery.promise;
        events.push(`delivered ${applied}`);
      },
    });
    const first = committer.submit(slice(0, 1));
    // The second slice comes while the first one's transaction runs, however slow the machine is.
    await firstApplyStarted.promise;
    const second = committer.submit(slice(1, 1));
    await second;
    firstDelivery.resolve();
    await first;
    expect(events).toEqual(['apply 0', 'deliver 0', 'apply 1', 'deliver 1', 'delivered 1', 'delivered 0']);
  });

  it('fails only the slices of a transaction that failed, and goes on with the next', async () => {
    const failing = new Error('database unavailable');
    let calls = 0;
    const committer = new GroupCommitter<void>({
      apply: async () => {
        calls++;
        if (calls === 1) throw failing;
      },
      deliver: async () => undefined,
    });
    const first = committer.submit(slice(0, 1));
    await expect(first).rejects.toBe(failing);
    await expect(committer.submit(slice(0, 1))).resolves.toBeUndefined();
  });

  it('fails the slices whose delivery failed, so their offsets are not committed', async () => {
    const refused = new Error('commit refused: rebalance in progress');
    const committer = new GroupCommitter<void>({
      apply: async () => undefined,
      deliver: async () => {
        throw refused;
      },
    });
    await expect(committer.submit(slice(0, 3))).rejects.toBe(refused);
  });

  it('runs transactions on different wallets at the same time, and one on a wallet in use after the one using it', async () => {
    const events: string[] = [];
    const releases = new Map<string, () => void>();
    const committer = new GroupCommitter<void>({
      apply: async (slices) => {
        const name = slices.map((each) => each.messages[0].key?.toString()).join('+');
        events.push(`start ${name}`);
        await new Promise<void>((resolve) => releases.set(name, resolve));
        events.push(`end ${name}`);
      },
      deliver: async () => undefined,
    });
    const ana = committer.submit(slice(0, 1, 'salon/ana/AED'));
    await tick();
    const ben = committer.submit(slice(1, 1, 'salon/ben/AED'));
    const anaAgain = committer.submit(slice(2, 1, 'salon/ana/AED'));
    await tick();
    await tick();
    expect(events).toEqual(['start salon/ana/AED', 'start salon/ben/AED']);
    releases.get('salon/ben/AED')!();
    await ben;
    expect(events).toEqual(['start salon/ana/AED', 'start salon/ben/AED', 'end salon/ben/AED']);
    releases.get('salon/ana/AED')!();
    await ana;
    await tick();
    expect(events.slice(3)).toEqual(['end salon/ana/AED', 'start salon/ana/AED']);
    releases.get('salon/ana/AED')!();
    await anaAgain;
  });

  it('shares many waiting messages out between the free lanes, and keeps few in one transaction', async () => {
    const started: number[][] = [];
    const releases: (() => void)[] = [];
    const committer = new GroupCommitter<void>({
      apply: async (slices) => {
        started.push(partitionsOf(slices));
        await new Promise<void>((resolve) => releases.push(resolve));
      },
      deliver: async () => undefined,
    });
    const perSlice = splitMessagesMin / 2;
    // Eight partitions of one fetch hand over their slices in the same turn: 4 × splitMessagesMin messages wait.
    const many = Array.from({ length: 8 }, (_, partition) => committer.submit(slice(partition, perSlice, `wallet-${partition}`)));
    await tick();
    expect(started).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    releases.splice(0).forEach((release) => release());
    await Promise.all(many);

    started.length = 0;
    // Fewer than twice splitMessagesMin: one transaction takes them all.
    const few = Array.from({ length: 3 }, (_, partition) => committer.submit(slice(partition, perSlice, `wallet-${partition}`)));
    await tick();
    expect(started).toEqual([[0, 1, 2]]);
    releases.splice(0).forEach((release) => release());
    await Promise.all(few);
  });
});
