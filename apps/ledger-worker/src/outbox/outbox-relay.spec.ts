import fc from 'fast-check';
import { inWalletOrder, nextRelayWait, relayBatchMax, relayIdleMaxMs, relayIdleMs } from './outbox-relay';

type Row = Parameters<typeof inWalletOrder>[0][number];

function row(key: string, sequence: number, id = `${key}#${sequence}`): Row {
  return { id, message_key: key, sequence, event_type: 'wallet.entry_recorded', payload: '{}', trace_parent: null };
}

const ids = (rows: Row[]): string[] => rows.map((r) => r.id);
const sequencesOf = (rows: Row[], key: string): number[] =>
  rows.filter((r) => r.message_key === key).map((r) => r.sequence);

describe(inWalletOrder.name, () => {
  it('returns rows already in order unchanged', () => {
    const rows = [row('a', 1), row('a', 2), row('a', 3)];
    expect(ids(inWalletOrder(rows))).toEqual(['a#1', 'a#2', 'a#3']);
  });

  it("puts one wallet's rows that arrive out of order back in sequence order", () => {
    const rows = [row('a', 3), row('a', 1), row('a', 2)];
    expect(sequencesOf(inWalletOrder(rows), 'a')).toEqual([1, 2, 3]);
  });

  it("keeps each wallet's rows in sequence order when wallets are interleaved", () => {
    const rows = [row('a', 2), row('b', 7), row('a', 1), row('c', 1), row('b', 5), row('a', 3), row('b', 6)];
    const ordered = inWalletOrder(rows);
    expect(sequencesOf(ordered, 'a')).toEqual([1, 2, 3]);
    expect(sequencesOf(ordered, 'b')).toEqual([5, 6, 7]);
    expect(sequencesOf(ordered, 'c')).toEqual([1]);
  });

  it('sorts sequences numerically, not as text', () => {
    const rows = [row('a', 10), row('a', 9), row('a', 100)];
    expect(sequencesOf(inWalletOrder(rows), 'a')).toEqual([9, 10, 100]);
  });

  it('keeps every row exactly once', () => {
    const rows = [row('a', 2), row('b', 7), row('a', 1), row('c', 1), row('b', 5), row('a', 3)];
    const ordered = inWalletOrder(rows);
    expect(ordered).toHaveLength(rows.length);
    expect([...ids(ordered)].sort()).toEqual([...ids(rows)].sort());
  });

  it('keeps rows of equal sequence in commit order, as gift card events all have sequence 0', () => {
    const rows = [row('salon-1/gift-cards', 0, 'issued'), row('salon-1/gift-cards', 0, 'voided')];
    expect(ids(inWalletOrder(rows))).toEqual(['issued', 'voided']);
    const reversed = [row('salon-1/gift-cards', 0, 'voided'), row('salon-1/gift-cards', 0, 'issued')];
    expect(ids(inWalletOrder(reversed))).toEqual(['voided', 'issued']);
  });

  it('does not mix up wallets whose keys share a prefix', () => {
    const rows = [row('salon-1/client-1/AED', 2), row('salon-1/client-1/AED', 1), row('salon-1/client-10/AED', 1)];
    const ordered = inWalletOrder(rows);
    expect(sequencesOf(ordered, 'salon-1/client-1/AED')).toEqual([1, 2]);
    expect(sequencesOf(ordered, 'salon-1/client-10/AED')).toEqual([1]);
  });

  it('returns nothing for no rows', () => {
    expect(inWalletOrder([])).toEqual([]);
  });
});

describe(nextRelayWait.name, () => {
  const polls = fc.record({ published: fc.integer({ min: 0, max: relayBatchMax }), locked: fc.boolean() });

  it('goes again at once after a full batch, and waits the shortest after publishing fewer', () => {
    expect(nextRelayWait(relayIdleMaxMs, { published: relayBatchMax, locked: true })).toBe(0);
    expect(nextRelayWait(relayIdleMaxMs, { published: 1, locked: true })).toBe(relayIdleMs);
  });

  it('keeps the shortest wait while another relay holds the lock, so it takes over soon when that one stops', () => {
    expect(nextRelayWait(relayIdleMaxMs, { published: 0, locked: false })).toBe(relayIdleMs);
  });

  it('doubles the wait while the outbox stays empty, up to the longest', () => {
    const waits: number[] = [];
    let wait = relayIdleMs;
    for (let i = 0; i < 6; i += 1) waits.push((wait = nextRelayWait(wait, { published: 0, locked: true })));
    expect(waits).toEqual([400, 800, 1600, 2000, 2000, 2000]);
  });

  it('never waits longer than the longest nor, short of a full batch, less than the shortest', () => {
    fc.assert(
      fc.property(fc.array(polls, { maxLength: 50 }), (sequence) => {
        let wait = relayIdleMs;
        for (const poll of sequence) {
          wait = nextRelayWait(wait, poll);
          if (poll.published >= relayBatchMax) expect(wait).toBe(0);
          else expect(wait).toBeGreaterThanOrEqual(relayIdleMs);
          expect(wait).toBeLessThanOrEqual(relayIdleMaxMs);
          if (poll.published > 0 && poll.published < relayBatchMax) expect(wait).toBe(relayIdleMs);
        }
      }),
    );
  });
});
