import type { PartitionSlice } from './command-processor';

/** Messages one database transaction applies at most, whatever the number of partitions that wait. */
export const transactionMessagesMax = 1_000;
/** Transactions one worker runs at the same time (on slices that share no message key). */
export const transactionLanesMax = 2;
/**
 * With more than twice this many messages waiting and more than one lane free, the waiting slices are shared out
 * between the free lanes, so that PostgreSQL writes them on two connections (two cores) at once instead of one
 * after the other. Fewer go to one transaction: below this a second commit costs more than it saves.
 */
export const splitMessagesMin = 32;

export interface GroupStages<T> {
  /** Applies the slices in one database transaction; slices of one partition keep their order. */
  apply(slices: PartitionSlice[]): Promise<T>;
  /** Answers what was applied (replies, dead letters) and commits the slices' offsets. */
  deliver(slices: PartitionSlice[], applied: T): Promise<void>;
}

interface Waiting {
  slice: PartitionSlice;
  /** The message keys (wallets) of the slice: transactions that run at the same time never share one. */
  keys: Set<string>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit across partitions (natural batching, no timer): the slices that partitions hand over while
 * transactions are running wait, and the next transaction applies all of them at once, up to
 * transactionMessagesMax messages. Idle, a slice is applied at once; busy, the transactions grow with the load, so
 * one worker pays one commit for many partitions' messages. Up to lanesMax transactions run at the same time, so
 * that one is decided in memory while PostgreSQL writes another, and many waiting messages are shared out between
 * the free lanes (PostgreSQL writes them on two connections at once); they never share a message key, so no two
 * transactions at once touch the same wallet (were they to, the database's checks would refuse one, which is then
 * applied again one command at a time). A partition hands over its next slice only after its last one was delivered, so
 * its messages are applied, answered and committed in order.
 */
export class GroupCommitter<T> {
  private readonly waiting: Waiting[] = [];
  /** Message keys of the transactions being applied, with how many of them hold each. */
  private readonly busyKeys = new Map<string, number>();
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly stages: GroupStages<T>,
    private readonly messagesMax: number = transactionMessagesMax,
    private readonly lanesMax: number = transactionLanesMax,
  ) {}

  /** Resolves once the slice is applied and delivered; rejects with the error of the stage that failed. */
  submit(slice: PartitionSlice): Promise<void> {
    return new Promise((resolve, reject) => {
      const keys = new Set(slice.messages.map((message) => message.key?.toString('utf8') ?? ''));
      this.waiting.push({ slice, keys, resolve, reject });
      this.schedule();
    });
  }

  /** Partitions of one fetch hand over their slices in the same turn of the event loop: let them all join. */
  private schedule(): void {
    if (this.scheduled || this.running >= this.lanesMax || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.lanesMax) {
        const taken = this.take(this.share());
        if (taken.length === 0) return;
        void this.run(taken);
      }
    });
  }

  private async run(taken: Waiting[]): Promise<void> {
    this.running++;
    this.hold(taken, 1);
    const slices = taken.map((waiting) => waiting.slice);
    let applied: T;
    try {
      applied = await this.stages.apply(slices);
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
      return;
    } finally {
      this.hold(taken, -1);
      this.running--;
      this.schedule();
    }
    try {
      await this.stages.deliver(slices, applied);
      for (const waiting of taken) waiting.resolve();
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
    }
  }

  /** How many waiting messages the next transaction takes: all (up to messagesMax), or a free lane's share. */
  private share(): number {
    const freeLanes = this.lanesMax - this.running;
    const waitingMessages = this.waiting.reduce((sum, waiting) => sum + waiting.slice.messages.length, 0);
    if (freeLanes < 2 || waitingMessages < 2 * splitMessagesMin) return this.messagesMax;
    return Math.min(this.messagesMax, Math.ceil(waitingMessages / freeLanes));
  }

  /**
   * The waiting slices that share no key with a running transaction, oldest first, up to `budget` messages
   * (always at least one slice when any is free).
   */
  private take(budget: number): Waiting[] {
    const taken: Waiting[] = [];
    let messages = 0;
    for (let index = 0; index < this.waiting.length; ) {
      const candidate = this.waiting[index];
      const size = candidate.slice.messages.length;
      if (taken.length > 0 && messages + size > budget) break;
      if ([...candidate.keys].some((key) => this.busyKeys.has(key))) {
        index++;
        continue;
      }
      taken.push(candidate);
      messages += size;
      this.waiting.splice(index, 1);
    }
    return taken;
  }

  private hold(taken: readonly Waiting[], delta: 1 | -1): void {
    for (const waiting of taken) {
      for (const key of waiting.keys) {
        const count = (this.busyKeys.get(key) ?? 0) + delta;
        if (count === 0) this.busyKeys.delete(key);
        else this.busyKeys.set(key, count);
      }
    }
  }
}
