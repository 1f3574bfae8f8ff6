import { serviceGroups } from '@storecredit/messaging';
import { readerGroupId } from './dlq/dlq-commands';
import { redriveGroupId } from './dlq/redrive';
import { workerConfigFromEnv } from './worker.config';

/** The groups the worker and the DLQ tool join are the ones libs/messaging/src/acls.ts grants. */
describe('the consumer groups of the ACLs', () => {
  const prefix = 'shop';
  const groups = serviceGroups(prefix);

  it("is the worker's default group", () => {
    expect(workerConfigFromEnv({ KAFKA_TOPIC_PREFIX: prefix }).groupId).toBe(groups.ledgerWorker);
  });

  it("are the DLQ tool's reader and redrive groups", () => {
    expect(readerGroupId(prefix).startsWith(groups.dlqReader)).toBe(true);
    expect(redriveGroupId(prefix)).toBe(groups.dlqRedrive);
  });

  it('reads its credentials from KAFKA_SASL_*', () => {
    const env = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'ledger-worker', KAFKA_SASL_PASSWORD: 'p' };
    expect(workerConfigFromEnv(env).kafkaSasl).toEqual({ mechanism: 'scram-sha-512', username: 'ledger-worker', password: 'p' });
    expect(workerConfigFromEnv({}).kafkaSasl).toBeNull();
  });
});
