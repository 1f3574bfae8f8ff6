import { serviceGroups } from '@storecredit/messaging';
import { reportingConfigFromEnv } from './reporting.config';
import { reportingTransport } from './reporting.app';

describe('the reporting consumer on a broker with ACLs', () => {
  it('joins the group the ACLs grant it', () => {
    expect(reportingConfigFromEnv({ KAFKA_TOPIC_PREFIX: 'shop' }).groupId).toBe(serviceGroups('shop').reporting);
  });

  it("gives Nest's Kafka client its KAFKA_SASL_* credentials", () => {
    const config = reportingConfigFromEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'reporting', KAFKA_SASL_PASSWORD: 'p' });
    expect(reportingTransport(config).options?.client?.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'reporting', password: 'p' });
    expect(reportingTransport(reportingConfigFromEnv({})).options?.client?.sasl).toBeUndefined();
  });
});
