import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  chooseTestServices,
  isLoopbackDefault,
  kafkaCredentialsEnv,
  kafkaCredentialsFile,
  startedContainers,
  testBrokersDefault,
  testDatabaseServerUrlDefault,
} from '../libs/testing/src/services';

// Global setup runs outside jest's module mapper: it imports libs by path, and names its defaults itself.
const repoRoot = path.resolve(__dirname, '..');
const postgresImage = 'postgres:16';
const kafkaImage = 'confluentinc/cp-kafka:7.9.2';
const serviceWaitMs = 60_000;

function say(line: string): void {
  process.stderr.write(`[test services] ${line}\n`);
}

/**
 * The suites need real PostgreSQL and Kafka. Where they come from: libs/testing/src/services.ts. A service that
 * cannot be reached or started fails the run instead of skipping it.
 */
export default async function globalSetup(): Promise<void> {
  // Suites start many workers at once, in the test process and as child processes (which inherit this): each takes
  // a free port for its metrics and health instead of the default one.
  process.env.WORKER_HTTP_PORT ??= '0';
  // The apps the suites start log warnings and errors only: a line per HTTP request would bury a failure's output.
  // Suites that read the info lines (the start banners) ask for them; test/logging.test.ts sets its own level.
  process.env.LOG_LEVEL ??= 'warn';
  const choice = chooseTestServices(process.env);
  say(`${choice.mode}: ${choice.reason}`);
  if (choice.mode === 'containers') await startContainers();
  else await ensureLocalServices();
}

/** Started before any suite is loaded, so the suites read the containers' addresses from the environment. */
async function startContainers(): Promise<void> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const [postgres, kafka] = await Promise.all([
    new PostgreSqlContainer(postgresImage).withUsername('postgres').withPassword('postgres').withDatabase('postgres').start(),
    new KafkaContainer(kafkaImage).withKraft().withEnvironment({ KAFKA_NUM_PARTITIONS: '4' }).start(),
  ]);
  startedContainers.push(postgres, kafka);
  process.env.TEST_DATABASE_SERVER_URL = postgres.getConnectionUri();
  process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  say(`PostgreSQL at ${new URL(process.env.TEST_DATABASE_SERVER_URL).host}, Kafka at ${process.env.KAFKA_BROKERS}`);
}

async function ensureLocalServices(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL || testDatabaseServerUrlDefault;
  const brokers = process.env.KAFKA_BROKERS || testBrokersDefault;
  // A broker with authentication (scripts/kafka.sh's default): the suites create their topics and ACLs as admin.
  const credentialsFile = kafkaCredentialsFile(process.env, repoRoot);
  Object.assign(process.env, kafkaCredentialsEnv(process.env, credentialsFile));
  if (!(await postgresAnswers(serverUrl))) {
    if (!isLoopbackDefault(process.env.TEST_DATABASE_SERVER_URL, testDatabaseServerUrlDefault)) {
      throw new Error(`PostgreSQL is not reachable at ${serverUrl} (TEST_DATABASE_SERVER_URL)`);
    }
    say(`PostgreSQL does not answer at ${serverUrl}: starting the local cluster`);
    startLocalPostgres();
    if (!(await waitFor(() => postgresAnswers(serverUrl)))) throw new Error(`PostgreSQL still does not answer at ${serverUrl}`);
  }
  if (!(await brokerAnswers(brokers))) {
    if (!isLoopbackDefault(process.env.KAFKA_BROKERS, testBrokersDefault)) {
      throw new Error(`Kafka is not reachable at ${brokers} (KAFKA_BROKERS)`);
    }
    say(`no Kafka broker at ${brokers}: starting the project's broker (scripts/kafka.sh start; the first start fetches it from Maven Central)`);
    const started = spawnSync('bash', [path.join(repoRoot, 'scripts/kafka.sh'), 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (started.status !== 0) throw new Error(`scripts/kafka.sh start failed with exit status ${started.status}`);
    Object.assign(process.env, kafkaCredentialsEnv(process.env, credentialsFile));
    if (!(await waitFor(() => brokerAnswers(brokers)))) throw new Error(`Kafka still does not answer at ${brokers}`);
  }
  say(process.env.KAFKA_SASL_MECHANISM ? `Kafka at ${brokers} with SASL (${process.env.KAFKA_SASL_MECHANISM}), as admin` : `Kafka at ${brokers} without authentication`);
}

/** As .ci/run does: Debian's cluster, whatever its version. */
function startLocalPostgres(): void {
  let versions: string[];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    throw new Error('PostgreSQL is down and no local cluster is installed (/etc/postgresql): start one or set TEST_DATABASE_SERVER_URL');
  }
  for (const version of versions) {
    const started = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (started.status === 0) return;
  }
  throw new Error(`could not start the local PostgreSQL cluster (${versions.join(', ')})`);
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function brokerAnswers(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'test-global-setup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    ...(process.env.KAFKA_SASL_MECHANISM
      ? { sasl: { mechanism: 'scram-sha-512' as const, username: process.env.KAFKA_SASL_USERNAME ?? '', password: process.env.KAFKA_SASL_PASSWORD ?? '' } }
      : {}),
    retry: { retries: 1 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function waitFor(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + serviceWaitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return false;
}
