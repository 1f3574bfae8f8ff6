import { eventsRequestBytesMax, requestChunks, type OutgoingEvent } from './event-sink';

function event(sequence: number, jsonBytes: number): OutgoingEvent {
  const json = JSON.stringify({ sequence, pad: 'x'.repeat(Math.max(0, jsonBytes - 24)) });
  return { key: 'salon-1/client-1/AED', type: 'wallet.entry_recorded', json };
}

const sequences = (chunks: OutgoingEvent[][]) => chunks.map((chunk) => chunk.map(({ json }) => (JSON.parse(json) as { sequence: number }).sequence));

describe(requestChunks.name, () => {
  it('keeps a batch that fits in one request whole', () => {
    const events = [event(1, 100), event(2, 100), event(3, 100)];
    expect(sequences(requestChunks(events, 10_000))).toEqual([[1, 2, 3]]);
  });

  it('cuts a larger batch into requests under the limit, in order, losing nothing', () => {
    const events = Array.from({ length: 2_000 }, (_, index) => event(index + 1, 1_300));
    const chunks = requestChunks(events, eventsRequestBytesMax);
    expect(chunks.length).toBeGreaterThan(1);
    expect(sequences(chunks).flat()).toEqual(events.map((_, index) => index + 1));
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, { key, json }) => sum + Buffer.byteLength(key) + Buffer.byteLength(json), 0)).toBeLessThanOrEqual(eventsRequestBytesMax);
    }
  });

  it('sends an event larger than the limit alone rather than dropping it', () => {
    const events = [event(1, 100), event(2, 5_000), event(3, 100)];
    expect(sequences(requestChunks(events, 1_000))).toEqual([[1], [2], [3]]);
  });

  it('makes no request for no events', () => {
    expect(requestChunks([], 1_000)).toEqual([]);
  });
});
