import { randomBytes } from 'node:crypto';
import type { PartitionMetadata } from 'kafkajs';
// kafkajs's own murmur2 (64-bit Long arithmetic): the reference this one must equal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;
import { KeyPartitioner, murmur2 } from './key-partitioner';

function partitions(count: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));
}

describe('murmur2', () => {
  it("gives Kafka's own test vectors (Java client UtilsTest)", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, expected] of vectors) expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  it("equals kafkajs's murmur2 for keys of every length and byte value", () => {
    for (let length = 0; length < 300; length++) {
      for (let round = 0; round < 20; round++) {
        const key = randomBytes(length);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
    const walletKey = Buffer.from('biz-\u00e9t\u00e9|client-42|EUR');
    expect(murmur2(walletKey)).toBe(kafkajsMurmur2(walletKey));
  });
});

describe('KeyPartitioner', () => {
  const partition = KeyPartitioner();

  it('sends a keyed message where the key hashes to, whether the key is a string or bytes', () => {
    for (let n = 0; n < 500; n++) {
      const key = `business-${n}|client-${n * 7}|EUR`;
      const expected = (kafkajsMurmur2(Buffer.from(key)) & 0x7fffffff) % 12;
      expect(partition({ topic: 't', partitionMetadata: partitions(12), message: { key, value: 'v' } })).toBe(expected);
      expect(partition({ topic: 't', partitionMetadata: partitions(12), message: { key: Buffer.from(key), value: 'v' } })).toBe(expected);
    }
  });

  it('keeps an explicit partition', () => {
    expect(partition({ topic: 't', partitionMetadata: partitions(4), message: { key: 'k', value: 'v', partition: 3 } })).toBe(3);
  });

  it('spreads unkeyed messages round robin over the partitions that have a leader', () => {
    const chosen = Array.from({ length: 6 }, () => partition({ topic: 't', partitionMetadata: partitions(4, [1, 2]), message: { value: 'v' } }));
    expect(new Set(chosen)).toEqual(new Set([0, 3]));
    expect(chosen.filter((id) => id === 0)).toHaveLength(3);
  });
});
