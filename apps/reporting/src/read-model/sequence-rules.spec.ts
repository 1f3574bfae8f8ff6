import type { EntryRecorded, HoldEvent } from '@storecredit/contracts';
import { placementOf, sequenceNeeded } from './sequence-rules';

const entry = (sequence: number) => ({ type: 'wallet.entry_recorded', sequence }) as EntryRecorded;
const hold = (afterSequence: number) => ({ type: 'hold.placed', afterSequence }) as HoldEvent;

describe(placementOf.name, () => {
  it('applies the entry that follows the last one applied', () => {
    expect(placementOf(entry(1), 0)).toBe('next');
    expect(placementOf(entry(8), 7)).toBe('next');
  });

  it('puts an entry past a missing one behind the gap', () => {
    expect(placementOf(entry(3), 1)).toBe('ahead');
  });

  it('finds an entry whose sequence is already applied behind', () => {
    expect(placementOf(entry(5), 5)).toBe('behind');
    expect(placementOf(entry(2), 5)).toBe('behind');
  });

  it('applies a hold event on top of the entry it names, not before nor after it', () => {
    expect(placementOf(hold(4), 4)).toBe('next');
    expect(placementOf(hold(5), 4)).toBe('ahead');
    expect(placementOf(hold(3), 4)).toBe('behind');
  });

  it('applies a hold placed before any entry on an empty wallet', () => {
    expect(sequenceNeeded(hold(0))).toBe(0);
    expect(placementOf(hold(0), 0)).toBe('next');
  });
});
