import type { PartitionSlice } from './command-processor';

/** Messages one database transaction applies at most, whatever the number of partitions that wait. */
export const transactionMessagesMax = 1_000;

export interface GroupStages<T> {
  /** Applies the slices in one database transaction; slices of one partition keep their order. */
  apply(slices: PartitionSlice[]): Promise<T>;
  /** Answers what was applied (replies, dead letters) and commits the slices' offsets. */
  deliver(slices: PartitionSlice[], applied: T): Promise<void>;
}

interface Waiting {
  slice: PartitionSlice;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit across partitions (natural batching, no timer): the slices that partitions hand over while a
 * transaction is running wait, and the next transaction applies all of them at once, up to transactionMessagesMax
 * messages. Idle, a slice is applied at once; busy, the transactions grow with the load, so one worker pays one
 * commit for many partitions' messages. Transactions run one at a time (the next one sees what the last one
 * committed); delivering one overlaps applying the next. A partition hands over its next slice only after its
 * last one was delivered, so its offsets are committed in order.
 */
export class GroupCommitter<T> {
  private readonly waiting: Waiting[] = [];
  private applying = false;

  constructor(
    private readonly stages: GroupStages<T>,
    private readonly messagesMax: number = transactionMessagesMax,
  ) {}

  /** Resolves once the slice is applied and delivered; rejects with the error of the stage that failed. */
  submit(slice: PartitionSlice): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ slice, resolve, reject });
      this.startNext();
    });
  }

  private startNext(): void {
    if (this.applying || this.waiting.length === 0) return;
    this.applying = true;
    // Partitions of one fetch hand over their slices in the same turn of the event loop: let them all join.
    setImmediate(() => void this.applyNext());
  }

  private async applyNext(): Promise<void> {
    const taken = this.take();
    const slices = taken.map((waiting) => waiting.slice);
    let applied: T;
    try {
      applied = await this.stages.apply(slices);
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
      return;
    } finally {
      this.applying = false;
      this.startNext();
    }
    try {
      await this.stages.deliver(slices, applied);
      for (const waiting of taken) waiting.resolve();
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
    }
  }

  /** The waiting slices, oldest first, up to messagesMax messages (always at least one slice). */
  private take(): Waiting[] {
    let messages = 0;
    let count = 0;
    while (count < this.waiting.length) {
      const size = this.waiting[count].slice.messages.length;
      if (count > 0 && messages + size > this.messagesMax) break;
      messages += size;
      count++;
    }
    return this.waiting.splice(0, count);
  }
}
