import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const seed = 0x9747b28c;
const m = 0x5bd1e995;

/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) in 32-bit integer arithmetic. kafkajs computes
 * the same hash with a 64-bit Long object per step, which made the hash a few percent of the worker's CPU; the
 * result is the same for every key (the spec checks it against kafkajs's own).
 */
export function murmur2(data: Buffer): number {
  const length = data.length;
  let h = seed ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2] << 16;
    if (tail >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partitioner of every producer here: a message with a key goes where Kafka's Java client and kafkajs's
 * DefaultPartitioner send it (murmur2 of the key, positive, modulo the partitions), so a wallet's commands and
 * events keep one partition whoever produces them. A message without a key goes round robin over the partitions
 * that have a leader.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  let next = 0;
  return ({ partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const { key } = message;
    if (key === undefined || key === null) {
      const available = partitionMetadata.filter((partition) => partition.leader >= 0);
      const pool = available.length > 0 ? available : partitionMetadata;
      return pool[next++ % pool.length].partitionId;
    }
    const bytes = Buffer.isBuffer(key) ? key : Buffer.from(key);
    return (murmur2(bytes) & 0x7fffffff) % partitionMetadata.length;
  };
};
