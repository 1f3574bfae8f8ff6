import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * scripts/kafka.sh formats the broker's storage with a random cluster id. One in 64 random
 * base64url ids starts with '-', which kafka-storage's argument parser reads as an option
 * (CI once failed on "-KsynPdnlF3_oxNzX8yOwQ"). 600 draws meet such an id with probability 1 - (63/64)^600 > 0.9999.
 */
describe('scripts/kafka.sh random_cluster_id', () => {
  it('never hands the format tool an id that starts with a dash, and keeps Kafka\'s 22-character form', () => {
    const script = join(__dirname, '../../../scripts/kafka.sh');
    const program = `source <(sed -n '/^random_cluster_id()/,/^}/p' "$1"); for i in $(seq 600); do random_cluster_id; echo; done`;
    const ids = execFileSync('bash', ['-c', program, 'draw', script], { encoding: 'utf8' }).trim().split('\n');
    expect(ids).toHaveLength(600);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.filter((id) => !/^[A-Za-z0-9_-]{22}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(600);
  });
});
