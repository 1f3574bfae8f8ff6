import { defaultTopicPrefix } from '@storecredit/contracts';
import {
  adminEnvFromCredentialsFile,
  allTopics,
  createKafka,
  defaultKafkaBrokers,
  ensureTopics,
  kafkaSaslFromEnv,
  provisionKafka,
  serviceAcls,
} from '@storecredit/messaging';
import { join } from 'node:path';

/**
 * `npm run kafka:provision`: creates the topics of KAFKA_TOPIC_PREFIX (KAFKA_PARTITIONS each, where missing) and grants
 * every service principal its ACLs (libs/messaging/src/acls.ts), as the admin: KAFKA_SASL_*, or else the admin of the
 * local broker's credentials.env (scripts/kafka.sh, in KAFKA_HOME_DIR or ./.kafka). SCRAM users are not made here
 * (kafkajs cannot): scripts/kafka.sh makes them at format time, docker-compose's provisioning with kafka-configs.sh.
 */
async function main(): Promise<void> {
  const credentials = join(process.env.KAFKA_HOME_DIR || '.kafka', 'credentials.env');
  const env = process.env.KAFKA_SASL_MECHANISM ? process.env : { ...process.env, ...adminEnvFromCredentialsFile(credentials) };
  const sasl = kafkaSaslFromEnv(env);
  const brokers = env.KAFKA_BROKERS || defaultKafkaBrokers;
  const prefix = env.KAFKA_TOPIC_PREFIX || defaultTopicPrefix;
  const partitions = Number.parseInt(env.KAFKA_PARTITIONS || '4', 10);
  if (!Number.isInteger(partitions) || partitions <= 0) throw new Error(`KAFKA_PARTITIONS must be a positive integer, got ${JSON.stringify(env.KAFKA_PARTITIONS)}`);
  if (sasl === null) {
    process.stderr.write(`kafka:provision: no credentials (KAFKA_SASL_* or ${credentials}): creating topics only, no ACLs\n`);
  }
  const kafka = createKafka(brokers, 'storecredit-provision', sasl);
  if (sasl === null) {
    await ensureTopics(kafka, allTopics(prefix), partitions);
    return;
  }
  const { topics, acls } = await provisionKafka(kafka, prefix, partitions);
  process.stdout.write(`kafka:provision: ${brokers} as ${sasl.username}: ${topics.length} topics of ${prefix}, ${acls} ACLs\n`);
  for (const acl of serviceAcls(prefix)) {
    process.stdout.write(`  User:${acl.principal} ${acl.operation} ${acl.resourceType} ${acl.resourceName}${acl.patternType === 'prefixed' ? '*' : ''}\n`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`kafka:provision: ${error.message}\n`);
  process.exit(1);
});
