import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

// Global setup runs outside jest's module mapper, so it names its defaults itself (as libs/testing does).
const testServerUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const testBrokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/** The suites need real PostgreSQL and Kafka; a missing service fails the run instead of skipping it. */
export default async function globalSetup(): Promise<void> {
  // Suites start many workers at once, in the test process and as child processes (which inherit this): each takes
  // a free port for its metrics and health instead of the default one.
  process.env.WORKER_HTTP_PORT ??= '0';
  const client = new Client({ connectionString: testServerUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${testServerUrl}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const admin = new Kafka({ clientId: 'test-global-setup', brokers: testBrokers.split(','), logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(`Kafka is not reachable at ${testBrokers} (start it with npm run kafka:start): ${(error as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
