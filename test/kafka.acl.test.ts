import { commandKey, topicNames, type TopicNames } from '@storecredit/contracts';
import { createKafka, KeyPartitioner, serviceGroups, type KafkaSasl } from '@storecredit/messaging';
import { command, principalSasl, provisionTestTopics, testBrokers, testKafkaAuth, uniqueId, uniqueTopicPrefix, waitUntil } from '@storecredit/testing';
import { Kafka, logLevel } from 'kafkajs';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { kafkaCredentialsFile } from '../libs/testing/src/services';
import { startWorkerStack, type WorkerStack } from './support';

const run = promisify(execFile);

/** scripts/kafka.sh's runtime directory of the broker under test (server.properties, libs/), when it is that broker. */
const kafkaHome = ((file) => (file === null ? null : dirname(file)))(kafkaCredentialsFile(process.env, resolve(__dirname, '..')));
const serverProperties = kafkaHome === null ? null : join(kafkaHome, 'server.properties');

/** A .properties file's key=value lines (no continuation lines: scripts/kafka.sh writes none). */
function readProperties(file: string): Map<string, string> {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes('=') && !line.startsWith('#'))
    .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return new Map(entries);
}

type Principal = Parameters<typeof principalSasl>[0];

/** What a broker said to a client: ok, or the error's type (kafkajs's name of the broker's code) or class name. */
type Outcome = 'ok' | string;

/** The broker's own refusal, wherever kafkajs put it (a protocol error, or wrapped in a retry or crash error). */
function refusal(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const { type, name, cause, originalError } = current as { type?: string; name?: string; cause?: unknown; originalError?: unknown };
    if (type !== undefined && type !== 'UNKNOWN') return type;
    if (name === 'KafkaJSGroupCoordinatorNotFound') return brokerRefusals.at(-1) ?? name;
    const next = originalError ?? cause;
    if (next === undefined) return name ?? 'unknown error';
    current = next;
  }
  return String(error);
}

/**
 * kafkajs answers a refused FindCoordinator (GROUP_AUTHORIZATION_FAILED: no DESCRIBE on the group) with its own
 * KafkaJSGroupCoordinatorNotFound, and the broker's code survives only in its debug log: the clients log into this.
 */
const brokerRefusals: string[] = [];

function clientAs(sasl: KafkaSasl, name: string): Kafka {
  return new Kafka({
    logCreator: () => ({ log }) => {
      const { error } = log as { error?: unknown };
      if (error !== null && typeof error === 'object' && typeof (error as { type?: unknown }).type === 'string') {
        brokerRefusals.push((error as { type: string }).type);
      }
    },
    clientId: `acl-test-${name}`,
    brokers: testBrokers.split(','),
    ...(sasl === null ? {} : { sasl: { ...sasl, mechanism: 'scram-sha-512' as const } }),
    connectionTimeout: 3_000,
    authenticationTimeout: 5_000,
    logLevel: logLevel.DEBUG,
    // Retries for the idempotent producer (kafkajs insists), few enough that a refusal comes back at once.
    retry: { retries: 1, initialRetryTime: 100 },
  });
}

/**
 * Each principal against the broker's authorizer, on topics and ACLs provisioned for this suite's prefix exactly as
 * `npm run kafka:provision` grants them (libs/messaging/src/acls.ts).
 */
describe('Kafka authentication and ACLs', () => {
  let prefix: string;
  let topics: TopicNames;

  beforeAll(async () => {
    if (!testKafkaAuth()) {
      throw new Error('this suite needs a broker with authentication: scripts/kafka.sh start (KAFKA_AUTH=scram, the default), or KAFKA_SASL_* and KAFKA_PASSWORD_*');
    }
    prefix = uniqueTopicPrefix();
    topics = topicNames(prefix);
    await provisionTestTopics(prefix, 2);
  });

  async function produce(principal: Principal, topic: string, options: { idempotent?: boolean } = {}): Promise<Outcome> {
    brokerRefusals.length = 0;
    const producer = clientAs(principalSasl(principal), principal).producer({
      allowAutoTopicCreation: false,
      createPartitioner: KeyPartitioner,
      idempotent: options.idempotent ?? false,
      ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
    });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'acl-test', value: '{}' }] });
      return 'ok';
    } catch (error) {
      return refusal(error);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  /** Joins the group on the topics and fetches: ok once a fetch came back, or the refusal that crashed it. */
  async function consume(principal: Principal, groupId: string, consumed: string[]): Promise<Outcome> {
    brokerRefusals.length = 0;
    const consumer = clientAs(principalSasl(principal), principal).consumer({ groupId, allowAutoTopicCreation: false, retry: { retries: 0 }, maxWaitTimeInMs: 100 });
    let outcome: Outcome | undefined;
    consumer.on(consumer.events.FETCH, () => (outcome ??= 'ok'));
    consumer.on(consumer.events.CRASH, ({ payload }) => (outcome ??= refusal(payload.error)));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: consumed, fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
      await waitUntil(() => outcome !== undefined, `${principal} joining ${groupId}`, 30_000);
      return outcome ?? 'no outcome';
    } catch (error) {
      return outcome ?? refusal(error);
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  }

  describe('authentication', () => {
    it('refuses a wrong password', async () => {
      const producer = clientAs(principalSasl('gateway', 'not-the-password'), 'wrong-password').producer();
      const error = await producer.connect().then(() => undefined, (thrown: unknown) => thrown);
      expect((error as Error | undefined)?.name).toBe('KafkaJSSASLAuthenticationError');
      expect((error as Error).message).toMatch(/SASL SCRAM SHA512 authentication failed/);
    });

    it('refuses a client without credentials', async () => {
      const admin = clientAs(null, 'anonymous').admin();
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
      await admin.disconnect().catch(() => undefined);
    });
  });

  // The KRaft controller listener: Kafka >= 3.7 admin clients can bootstrap to it (KIP-919), so a PLAINTEXT one with
  // User:ANONYMOUS as super user would make anyone who reaches the port a super user. Probed with Kafka's own
  // MetadataQuorumCommand (kafkajs cannot talk to a controller), from the broker's libs/: only scripts/kafka.sh's broker.
  (serverProperties !== null && existsSync(serverProperties) ? describe : describe.skip)('the controller listener', () => {
    let configDir: string;
    let props: Map<string, string>;
    let controller: string;

    beforeAll(() => {
      props = readProperties(serverProperties as string);
      controller = (props.get('controller.quorum.voters') ?? '').replace(/^\d+@/, '');
      configDir = mkdtempSync(join(tmpdir(), 'controller-probe-'));
    });

    afterAll(() => rmSync(configDir, { recursive: true, force: true }));

    /** DescribeQuorum on the controller with these client settings: ok, or the tool's last error line. */
    async function describeQuorum(name: string, settings: string[]): Promise<Outcome> {
      const config = join(configDir, `${name}.properties`);
      writeFileSync(config, [...settings, 'request.timeout.ms=3000', 'default.api.timeout.ms=5000', ''].join('\n'), { mode: 0o600 });
      const home = kafkaHome as string;
      try {
        const jvm = ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j.configuration=file:${join(home, 'tools-log4j.properties')}`];
        const tool = ['org.apache.kafka.tools.MetadataQuorumCommand', '--bootstrap-controller', controller, '--command-config', config, 'describe', '--status'];
        await run('java', [...jvm, '-cp', join(home, 'libs', '*'), ...tool], { timeout: 30_000 });
        return 'ok';
      } catch (error) {
        const { stderr } = error as { stderr?: string };
        return /(\w+Exception): /.exec(stderr ?? '')?.[1] ?? String(error);
      }
    }

    const plain = (username: string, password: string) => [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}";`,
    ];

    it('asks for a password (SASL_PLAINTEXT, PLAIN) and has admin as the only super user, never ANONYMOUS', () => {
      expect(props.get('listener.security.protocol.map')?.split(',')).toContain('CONTROLLER:SASL_PLAINTEXT');
      expect(props.get('sasl.mechanism.controller.protocol')).toBe('PLAIN');
      expect(props.get('super.users')).toBe('User:admin');
    });

    it('refuses a client without credentials, and a wrong password; lets the admin in', async () => {
      expect(await describeQuorum('anonymous', ['security.protocol=PLAINTEXT'])).not.toBe('ok');
      expect(await describeQuorum('wrong-password', plain('admin', 'not-the-password'))).toBe('SaslAuthenticationException');
      expect(await describeQuorum('admin', plain('admin', process.env.KAFKA_PASSWORD_ADMIN ?? ''))).toBe('ok');
    }, 90_000);
  });

  describe('producing', () => {
    it('lets each service write its own command topic', async () => {
      expect(await produce('gateway', topics.commands.gateway, { idempotent: true })).toBe('ok');
      expect(await produce('checkout', topics.commands.checkout)).toBe('ok');
      expect(await produce('refund', topics.commands.refund)).toBe('ok');
    });

    it('refuses the gateway every other topic', async () => {
      for (const topic of [topics.commands.checkout, topics.commands.refund, topics.events, topics.replies, topics.deadLetter]) {
        expect([topic, await produce('gateway', topic)]).toEqual([topic, 'TOPIC_AUTHORIZATION_FAILED']);
      }
    });

    it('refuses checkout the gateway and refund topics, and refund the gateway and checkout topics', async () => {
      expect(await produce('checkout', topics.commands.gateway)).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await produce('checkout', topics.commands.refund)).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await produce('refund', topics.commands.gateway)).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await produce('refund', topics.commands.checkout)).toBe('TOPIC_AUTHORIZATION_FAILED');
    });

    it('refuses reporting every topic', async () => {
      for (const topic of [...Object.values(topics.commands), topics.events, topics.replies, topics.deadLetter]) {
        expect([topic, await produce('reporting', topic)]).toEqual([topic, 'TOPIC_AUTHORIZATION_FAILED']);
      }
    });

    it("lets the ledger worker's idempotent producer write replies, events and dead letters (WRITE alone, no IDEMPOTENT_WRITE)", async () => {
      for (const topic of [topics.replies, topics.events, topics.deadLetter]) {
        expect([topic, await produce('ledger-worker', topic, { idempotent: true })]).toEqual([topic, 'ok']);
      }
      expect(await produce('ledger-worker', topics.commands.gateway, { idempotent: true })).toBe('TOPIC_AUTHORIZATION_FAILED');
    });
  });

  describe('consuming', () => {
    it('lets each service read what it reads, in its own group', async () => {
      const groups = serviceGroups(prefix);
      expect(await consume('gateway', `${groups.gatewayReplies}${uniqueId('replica')}`, [topics.replies])).toBe('ok');
      expect(await consume('checkout', `${groups.checkoutReplies}.replies`, [topics.replies])).toBe('ok');
      expect(await consume('ledger-worker', groups.ledgerWorker, Object.values(topics.commands))).toBe('ok');
      expect(await consume('reporting', groups.reporting, [topics.events])).toBe('ok');
      expect(await consume('dlq', groups.dlqRedrive, [topics.deadLetter])).toBe('ok');
    });

    it('refuses reporting the command topics, even in its own group', async () => {
      const { reporting } = serviceGroups(prefix);
      for (const topic of Object.values(topics.commands)) {
        expect([topic, await consume('reporting', reporting, [topic])]).toEqual([topic, 'TOPIC_AUTHORIZATION_FAILED']);
      }
    });

    it("refuses a service another service's group", async () => {
      const groups = serviceGroups(prefix);
      expect(await consume('gateway', groups.ledgerWorker, [topics.replies])).toBe('GROUP_AUTHORIZATION_FAILED');
      expect(await consume('reporting', groups.ledgerWorker, [topics.events])).toBe('GROUP_AUTHORIZATION_FAILED');
    });

    it('refuses the gateway the command topics and the events, and refund the replies', async () => {
      const { gatewayReplies } = serviceGroups(prefix);
      expect(await consume('gateway', `${gatewayReplies}x`, [topics.commands.gateway])).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await consume('gateway', `${gatewayReplies}x`, [topics.events])).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await consume('refund', `${prefix}.refund`, [topics.replies])).toBe('TOPIC_AUTHORIZATION_FAILED');
    });
  });

  describe('the ledger worker as its own principal', () => {
    let stack: WorkerStack;

    beforeAll(async () => {
      stack = await startWorkerStack();
    });

    afterAll(async () => {
      await stack?.stop();
    });

    it('still dead-letters a command type its topic does not carry (wrong_topic), whatever the ACLs let in', async () => {
      // Checkout may write its topic; the worker's map of types per topic still refuses it a balance.add.
      const add = command('balance.add', { businessId: 'salon-acl', clientId: uniqueId('client'), currency: 'AED', amount: '10.00' });
      const producer = createKafka(testBrokers, `acl-checkout-${stack.kafka.prefix}`, principalSasl('checkout')).producer({ createPartitioner: KeyPartitioner });
      await producer.connect();
      try {
        await producer.send({ topic: stack.kafka.topics.commands.checkout, acks: -1, messages: [{ key: commandKey(add), value: JSON.stringify(add) }] });
      } finally {
        await producer.disconnect();
      }
      await waitUntil(() => stack.kafka.deadLetters.some((letter) => letter.value?.toString().includes(add.commandId) === true), 'the dead letter');
      const letter = stack.kafka.deadLetters.find((received) => received.value?.toString().includes(add.commandId) === true);
      expect(letter?.headers['dlq-code']).toBe('wrong_topic');
      expect(await stack.entryCount(add.clientId)).toBe(0);
    });
  });
});
