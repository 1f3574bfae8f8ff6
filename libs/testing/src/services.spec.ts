import { chooseTestServices, dockerSocketPath, isLoopbackDefault, testBrokersDefault } from './services';

const noSocket = () => false;
const socket = (path: string) => path === dockerSocketPath;

describe('where the integration suites take PostgreSQL and Kafka from', () => {
  it('takes the local services on a machine without a container engine (this one)', () => {
    expect(chooseTestServices({}, noSocket).mode).toBe('local');
  });

  it('takes containers when Docker answers on its socket or at DOCKER_HOST', () => {
    expect(chooseTestServices({}, socket)).toEqual({ mode: 'containers', reason: `a container engine at ${dockerSocketPath}` });
    expect(chooseTestServices({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, noSocket).mode).toBe('containers');
  });

  it('does as TESTCONTAINERS says, whatever the machine has', () => {
    expect(chooseTestServices({ TESTCONTAINERS: '1' }, noSocket).mode).toBe('containers');
    expect(chooseTestServices({ TESTCONTAINERS: '0' }, socket).mode).toBe('local');
    expect(() => chooseTestServices({ TESTCONTAINERS: 'yes please' }, socket)).toThrow('TESTCONTAINERS must be 1 or 0');
  });

  it('keeps to the services a run was pointed at, even beside a container engine', () => {
    expect(chooseTestServices({ KAFKA_BROKERS: 'kafka.test:9092' }, socket).mode).toBe('local');
    expect(chooseTestServices({ TEST_DATABASE_SERVER_URL: 'postgres://db.test/postgres' }, socket).mode).toBe('local');
  });

  it('starts a missing service only at the loopback default, never one someone else named', () => {
    expect(isLoopbackDefault(undefined, testBrokersDefault)).toBe(true);
    expect(isLoopbackDefault(testBrokersDefault, testBrokersDefault)).toBe(true);
    expect(isLoopbackDefault('kafka.test:9092', testBrokersDefault)).toBe(false);
  });
});
