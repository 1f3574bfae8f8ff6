import { topicNames, type Command, type Reply } from '@storecredit/contracts';
import { command, consumerLag, verifyLedger, waitUntil } from '@storecredit/testing';
import { startFaultRig, WorkerProcess, type FaultRig } from './support';

/** Commands the suite sends per produce request, and the pause between requests: a steady load the worker keeps up with. */
const chunkCommands = 200;
const chunkPauseMs = 25;
const wallets = 50;
/** Replies the first worker must have sent before it is stopped, so that it is busy when the signal comes. */
const repliesBeforeStop = 1_000;
const outcomeWaitMs = 90_000;

/**
 * A SIGTERM to a worker process while commands stream in (the worker as `npm run start:worker` runs it, a Nest
 * microservice): it stops fetching, finishes the groups in flight, answers them, commits their offsets and exits 0.
 * Nothing is lost and nothing is applied twice: the next worker of the group takes over exactly where the offsets
 * say, replays nothing (no reply says `replayed`), and every command has one reply and one entry.
 */
describe('ledger worker: SIGTERM with commands in flight', () => {
  let rig: FaultRig;
  const businessId = 'salon-shutdown';

  beforeAll(async () => {
    rig = await startFaultRig();
  });

  afterAll(async () => {
    await rig?.stop();
  });

  async function appliedCount(): Promise<number> {
    const [row] = await rig.db.query<{ n: string }>('select count(*) as n from idempotency_record where business_id = $1', [businessId]);
    return Number(row.n);
  }

  /** The group's committed offsets on the gateway topic, summed over its partitions (none committed counts as 0). */
  async function committedTotal(): Promise<number> {
    const lag = await consumerLag(`${rig.prefix}.ledger-worker`, [topicNames(rig.prefix).commands.gateway]);
    return lag.byPartition.reduce((sum, partition) => sum + Math.max(0, partition.committed), 0);
  }

  it('exits 0, having applied, answered and committed its groups in flight; the next worker replays nothing', async () => {
    const first = new WorkerProcess({ name: 'stopped', databaseUrl: rig.db.url, topicPrefix: rig.prefix });
    const second = new WorkerProcess({ name: 'next', databaseUrl: rig.db.url, topicPrefix: rig.prefix });
    await first.start();

    const sent: Command[] = [];
    let producing = true;
    const production = (async () => {
      while (producing) {
        const chunk = Array.from({ length: chunkCommands }, (_, index) =>
          command('balance.add', { businessId, clientId: `client-${(sent.length + index) % wallets}`, currency: 'AED', amount: '1.00' }),
        );
        await rig.kafka.sendMany('gateway', chunk);
        sent.push(...chunk);
        await new Promise((resolve) => setTimeout(resolve, chunkPauseMs));
      }
    })();

    await waitUntil(() => rig.replies.count >= repliesBeforeStop, `${repliesBeforeStop} replies from the first worker`, outcomeWaitMs);
    const sentAtStop = sent.length;
    const answeredAtStop = rig.replies.count;
    await first.stop();
    producing = false;
    await production;

    expect(first.exits).toEqual([expect.objectContaining({ code: 0, signal: null, expected: true })]);
    // It was stopped busy: commands it had not answered yet were waiting for it.
    expect(answeredAtStop).toBeLessThan(sentAtStop);
    // Everything it applied it committed, and it committed nothing it did not apply.
    const applied = await appliedCount();
    expect(applied).toBeGreaterThanOrEqual(answeredAtStop);
    const committed = await committedTotal();
    if (committed !== applied) console.log(first.logTail(200));
    expect(committed).toBe(applied);
    // And it answered everything it applied.
    await waitUntil(() => rig.replies.count >= applied, `replies to the ${applied} commands the first worker applied`, outcomeWaitMs);

    await second.start();
    await waitUntil(() => sent.every((each) => rig.replies.first(each.commandId) !== undefined), `a reply to each of ${sent.length} commands`, outcomeWaitMs);
    await second.stop();
    expect(second.exits).toEqual([expect.objectContaining({ code: 0, signal: null, expected: true })]);

    const replies: Reply[] = sent.flatMap((each) => rig.replies.all(each.commandId));
    expect(replies).toHaveLength(sent.length);
    expect(replies.filter((reply) => reply.replayed)).toEqual([]);
    expect(replies.every((reply) => reply.status === 'applied')).toBe(true);
    const [entries] = await rig.db.query<{ n: string; total: string }>(
      'select count(*) as n, sum(amount)::text as total from ledger_entry where business_id = $1',
      [businessId],
    );
    expect(Number(entries.n)).toBe(sent.length);
    expect(Number(entries.total)).toBe(sent.length);
    expect(await committedTotal()).toBe(sent.length);
    expect((await verifyLedger(rig.db.url)).problems).toEqual([]);
  });
});
