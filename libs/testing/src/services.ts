import { existsSync } from 'node:fs';
import path from 'node:path';
import { adminEnvFromCredentialsFile } from '../../messaging/src/credentials-file';

/**
 * Where the integration suites take PostgreSQL and Kafka from. This file imports nothing of ours through the module
 * mapper (only, by path, a file that imports nothing), because jest's global setup (test/global-setup.ts) runs it
 * outside the mapper.
 *
 * - `containers`: testcontainers starts a PostgreSQL and a Kafka container for the run (a container engine is needed).
 * - `local`: the services on this machine (TEST_DATABASE_SERVER_URL, KAFKA_BROKERS, or the loopback defaults);
 *   when they are down and are the loopback defaults, the run starts them (PostgreSQL's cluster, the project's
 *   broker from scripts/kafka.sh) and says so.
 */
export type TestServicesMode = 'containers' | 'local';

export interface TestServicesChoice {
  mode: TestServicesMode;
  /** Why, in words printed at the start of the run. */
  reason: string;
}

export const testDatabaseServerUrlDefault = 'postgres://postgres@127.0.0.1:5432/postgres';
export const testBrokersDefault = '127.0.0.1:9092';
export const dockerSocketPath = '/var/run/docker.sock';

/**
 * TESTCONTAINERS=1 asks for containers and TESTCONTAINERS=0 refuses them; otherwise containers when a container
 * engine is there (DOCKER_HOST, or Docker's socket) and the run was not pointed at services of its own.
 */
export function chooseTestServices(env: NodeJS.ProcessEnv, socketExists: (path: string) => boolean = existsSync): TestServicesChoice {
  const asked = env.TESTCONTAINERS;
  if (asked === '1' || asked === 'true') return { mode: 'containers', reason: 'TESTCONTAINERS=1' };
  if (asked === '0' || asked === 'false') return { mode: 'local', reason: 'TESTCONTAINERS=0' };
  if (asked !== undefined && asked !== '') throw new Error(`TESTCONTAINERS must be 1 or 0, got ${JSON.stringify(asked)}`);
  if (env.TEST_DATABASE_SERVER_URL || env.KAFKA_BROKERS) {
    return { mode: 'local', reason: 'TEST_DATABASE_SERVER_URL or KAFKA_BROKERS names the services to use' };
  }
  if (env.DOCKER_HOST) return { mode: 'containers', reason: `a container engine at DOCKER_HOST=${env.DOCKER_HOST}` };
  if (socketExists(dockerSocketPath)) return { mode: 'containers', reason: `a container engine at ${dockerSocketPath}` };
  return { mode: 'local', reason: 'no container engine (no DOCKER_HOST, no Docker socket): the local services' };
}

/** Whether the run may start a service itself: only the loopback defaults, never a server someone else named. */
export function isLoopbackDefault(value: string | undefined, fallback: string): boolean {
  return value === undefined || value === '' || value === fallback;
}

/**
 * Where scripts/kafka.sh keeps the broker's passwords (`credentials.env`): in KAFKA_HOME_DIR when it is set, else in
 * the repository's `.kafka` when the run uses the default broker; null when the run was pointed at another broker
 * without a KAFKA_HOME_DIR (that broker's credentials then come as KAFKA_SASL_* and KAFKA_PASSWORD_*).
 */
export function kafkaCredentialsFile(env: NodeJS.ProcessEnv, repoRoot: string): string | null {
  if (env.KAFKA_HOME_DIR) return path.join(env.KAFKA_HOME_DIR, 'credentials.env');
  if (isLoopbackDefault(env.KAFKA_BROKERS, testBrokersDefault)) return path.join(repoRoot, '.kafka', 'credentials.env');
  return null;
}

/**
 * The environment a run gets from a credentials.env: every KAFKA_PASSWORD_<PRINCIPAL>, and KAFKA_SASL_* as the admin,
 * who creates each suite's topics and grants its ACLs. Nothing when the file is absent (a broker without
 * authentication) or when KAFKA_SASL_MECHANISM is already set (the run brought its own).
 */
export function kafkaCredentialsEnv(env: NodeJS.ProcessEnv, file: string | null): Record<string, string> {
  if (env.KAFKA_SASL_MECHANISM || file === null) return {};
  return adminEnvFromCredentialsFile(file);
}

/**
 * The containers a run started, for global teardown to stop. Global setup and teardown run in jest's parent process,
 * each file loaded on its own: the list lives on globalThis.
 */
export const startedContainers: Array<{ stop(): Promise<unknown> }> = ((globalThis as { storecreditTestContainers?: Array<{ stop(): Promise<unknown> }> })
  .storecreditTestContainers ??= []);
