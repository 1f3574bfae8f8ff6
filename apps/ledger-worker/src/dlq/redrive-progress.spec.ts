import { decodeOffsets, encodeOffsets, PartitionProgress } from './redrive-progress';

describe(PartitionProgress.name, () => {
  const fresh = () => PartitionProgress.fromCommit('-1', null);
  const observe = (offsets: number[], redriven: number[]) => offsets.map((offset) => ({ offset: String(offset), redriven: redriven.includes(offset) }));

  it('moves the floor past a batch that was re-driven whole', () => {
    const commit = fresh().after(observe([0, 1, 2], [0, 1, 2]));
    expect(commit).toMatchObject({ offset: '3', metadata: 'redriven/v1' });
  });

  it('keeps a skipped dead letter re-drivable and remembers what was sent after it', () => {
    const commit = fresh().after(observe([0, 1, 2, 3, 4], [1, 3, 4]));
    expect(commit).toMatchObject({ offset: '0', metadata: 'redriven/v1 1,3-4' });
    const reread = PartitionProgress.fromCommit(commit.offset, commit.metadata);
    expect([0, 1, 2, 3, 4].map((offset) => reread.isRedriven(String(offset)))).toEqual([false, true, false, true, true]);
  });

  it('keeps the floor at a skipped dead letter across later batches of the same run', () => {
    const first = fresh().after(observe([0, 1], [1]));
    const second = first.next.after(observe([2, 3], [2, 3]));
    expect(second).toMatchObject({ offset: '0', metadata: 'redriven/v1 1-3' });
  });

  it('closes the gaps once the skipped ones are re-driven', () => {
    const earlier = PartitionProgress.fromCommit('0', 'redriven/v1 1,3-4');
    const commit = earlier.after(observe([0, 1, 2, 3, 4, 5], [0, 2, 5]));
    expect(commit).toMatchObject({ offset: '6', metadata: 'redriven/v1' });
  });

  it('starts at the first offset still in the log when the older ones are gone', () => {
    const commit = PartitionProgress.fromCommit('3', null).after(observe([10, 11], [10]));
    expect(commit).toMatchObject({ offset: '11', metadata: 'redriven/v1' });
  });

  it('refuses metadata it did not write', () => {
    expect(() => decodeOffsets('someone else')).toThrow(/not this tool's/);
    expect(() => decodeOffsets('redriven/v1 5-2')).toThrow(/bad range/);
  });

  it('encodes offsets as sorted ranges', () => {
    expect(encodeOffsets(new Set([7n, 1n, 2n, 3n, 9n, 10n]))).toBe('redriven/v1 1-3,7,9-10');
    expect(decodeOffsets('redriven/v1 1-3,7')).toEqual(new Set([1n, 2n, 3n, 7n]));
  });
});
