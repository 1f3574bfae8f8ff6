import { DlqError } from './dlq-args';

/**
 * Offset metadata Kafka keeps with a committed offset (the broker's offset.metadata.max.bytes, 4096 by default),
 * with room to spare.
 */
export const progressMetadataBytesMax = 4000;
const metadataTag = 'redriven/v1';

/** A dead letter the scan has passed, and whether it is re-driven once the batch is sent. */
export interface Observed {
  offset: string;
  redriven: boolean;
}

/** What this partition's progress becomes after a batch: the commit to make, and the state to keep. */
export interface ProgressCommit {
  offset: string;
  metadata: string;
  next: PartitionProgress;
}

/**
 * What the re-drive tool has sent from one dead-letter partition, kept in its consumer group as a committed offset
 * and that offset's metadata.
 *
 * Why not just the committed offset: a filtered re-drive (--code, --since) skips dead letters, and those must stay
 * re-drivable; committing past them would lose them. Committing only the contiguous prefix would keep them but
 * forget what was sent after the first skipped one, so the same filter would send it again. So the committed offset
 * is the first dead letter not yet re-driven (everything below it was), and the metadata lists, as ranges, the
 * offsets above it that were re-driven. An unfiltered re-drive closes the gaps and the list shrinks to nothing; only
 * many scattered filtered re-drives can outgrow the metadata, which is refused before anything is sent.
 */
export class PartitionProgress {
  private constructor(
    /** Every dead letter below it was re-driven (or is gone from the log). */
    readonly floor: bigint,
    private readonly above: ReadonlySet<bigint>,
    /** The floor is a dead letter this run passed without re-driving it: it stays there whatever comes after. */
    private readonly floorIsPending = false,
  ) {}

  /** From the group's committed offset ('-1' or '' when it has none) and its metadata. */
  static fromCommit(offset: string, metadata: string | null): PartitionProgress {
    const floor = offset === '' || BigInt(offset) < 0n ? 0n : BigInt(offset);
    return new PartitionProgress(floor, decodeOffsets(metadata));
  }

  isRedriven(offset: string): boolean {
    const value = BigInt(offset);
    return value < this.floor || this.above.has(value);
  }

  /** Offsets above the floor known to be re-driven (for the report). */
  get redrivenAboveFloor(): number {
    return this.above.size;
  }

  /**
   * The progress once a batch, scanned in offset order from the floor or from where the last batch ended, is sent:
   * the floor moves to the first dead letter passed without being re-driven, or past the batch when there is none.
   */
  after(batch: readonly Observed[]): ProgressCommit {
    const above = new Set(this.above);
    let pending: bigint | undefined = this.floorIsPending ? this.floor : undefined;
    for (const { offset, redriven } of batch) {
      const value = BigInt(offset);
      if (redriven) above.add(value);
      else if (pending === undefined && value >= this.floor && !above.has(value)) pending = value;
    }
    const last = batch.length === 0 ? this.floor - 1n : BigInt(batch[batch.length - 1].offset);
    const floor = pending ?? (last + 1n > this.floor ? last + 1n : this.floor);
    for (const value of above) if (value < floor) above.delete(value);
    const next = new PartitionProgress(floor, above, pending !== undefined);
    return { offset: floor.toString(), metadata: encodeOffsets(above), next };
  }
}

/** `redriven/v1 12-40,45,50-51`: sorted ranges, decimal. */
export function encodeOffsets(offsets: ReadonlySet<bigint>): string {
  const sorted = [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let end = i;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1n) end++;
    ranges.push(end === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[end]}`);
    i = end + 1;
  }
  return `${metadataTag} ${ranges.join(',')}`.trimEnd();
}

export function decodeOffsets(metadata: string | null): Set<bigint> {
  const offsets = new Set<bigint>();
  if (metadata === null || metadata === '') return offsets;
  const [tag, list = ''] = metadata.split(' ');
  if (tag !== metadataTag || !/^(\d+(-\d+)?(,\d+(-\d+)?)*)?$/.test(list)) {
    throw new DlqError(`the re-drive group's offset metadata is not this tool's (${JSON.stringify(metadata.slice(0, 60))}): was the group used by something else?`);
  }
  for (const range of list === '' ? [] : list.split(',')) {
    const [start, end = start] = range.split('-').map(BigInt);
    if (end < start || end - start > 1_000_000n) throw new DlqError(`the re-drive group's offset metadata has a bad range ${range}`);
    for (let value = start; value <= end; value++) offsets.add(value);
  }
  return offsets;
}
