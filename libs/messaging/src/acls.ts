import { topicNames } from '@storecredit/contracts';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
  type Admin,
  type Kafka,
} from 'kafkajs';
import { ensureTopics } from './kafka';

/**
 * Who may do what on the broker: one principal per service, and nothing granted that its code does not use. This
 * list is the only place the grants are written: `npm run kafka:provision` creates them, the test harness creates them
 * for each suite's prefix, and the README's table is checked against it. `admin` is the broker's super user
 * (`super.users=User:admin`): it creates the topics and these ACLs and needs no grant.
 */
export const servicePrincipals = ['gateway', 'checkout', 'refund', 'ledger-worker', 'reporting', 'dlq'] as const;
export type ServicePrincipal = (typeof servicePrincipals)[number];
export const adminPrincipal = 'admin';

export type AclResource = 'topic' | 'group';
export type AclPattern = 'literal' | 'prefixed';
export type AclOperation = 'read' | 'write' | 'describe';

export interface ServiceAcl {
  principal: ServicePrincipal;
  resourceType: AclResource;
  resourceName: string;
  patternType: AclPattern;
  operation: AclOperation;
}

/**
 * The consumer groups the services use, by name (or by prefix where a name is drawn at random). The apps name them
 * themselves (the gateway's `${replies}.gateway-<uuid>`, the worker's WORKER_GROUP_ID default, the DLQ tool's reader
 * and redrive groups); their specs check they match these.
 */
export function serviceGroups(prefix: string) {
  const topics = topicNames(prefix);
  return {
    gatewayReplies: gatewayReplyGroupPrefix(topics.replies),
    checkoutReplies: `${prefix}.checkout`,
    ledgerWorker: `${prefix}.ledger-worker`,
    reporting: `${prefix}.reporting`,
    dlqReader: `${prefix}.dlq-reader.`,
    dlqRedrive: `${prefix}.dlq-redrive`,
  };
}

/** Every gateway replica reads the replies in a group of its own: this prefix and a random suffix. */
export function gatewayReplyGroupPrefix(repliesTopic: string): string {
  return `${repliesTopic}.gateway-`;
}

const topic = (principal: ServicePrincipal, operation: AclOperation, resourceName: string): ServiceAcl => ({
  principal,
  resourceType: 'topic',
  resourceName,
  patternType: 'literal',
  operation,
});
const group = (principal: ServicePrincipal, resourceName: string, patternType: AclPattern): ServiceAcl => ({
  principal,
  resourceType: 'group',
  resourceName,
  patternType,
  operation: 'read',
});

/**
 * READ on a topic or group implies DESCRIBE, and so does WRITE on a topic (Kafka's authorizer): no DESCRIBE grants are
 * needed. An idempotent producer needs only WRITE on its topic (Kafka 3.0+, KIP-679: no IDEMPOTENT_WRITE on the
 * cluster). No service gets CREATE: the topics are provisioned by the admin.
 */
export function serviceAcls(prefix: string): ServiceAcl[] {
  const topics = topicNames(prefix);
  const groups = serviceGroups(prefix);
  const commandTopics = Object.values(topics.commands);
  return [
    // The gateway: sends staff commands and reads their replies in a group of its own per replica.
    topic('gateway', 'write', topics.commands.gateway),
    topic('gateway', 'read', topics.replies),
    group('gateway', groups.gatewayReplies, 'prefixed'),
    // Checkout: pays and holds on its own topic, and reads the replies (request-reply, README "Kafka contract").
    topic('checkout', 'write', topics.commands.checkout),
    topic('checkout', 'read', topics.replies),
    group('checkout', groups.checkoutReplies, 'prefixed'),
    // Refund: credits refunds on its own topic, nothing else.
    topic('refund', 'write', topics.commands.refund),
    // The ledger worker: reads the three command topics; writes replies, events (the outbox relay) and dead letters.
    ...commandTopics.map((name) => topic('ledger-worker', 'read', name)),
    topic('ledger-worker', 'write', topics.replies),
    topic('ledger-worker', 'write', topics.events),
    topic('ledger-worker', 'write', topics.deadLetter),
    group('ledger-worker', groups.ledgerWorker, 'literal'),
    // Reporting: reads the events, nothing else.
    topic('reporting', 'read', topics.events),
    group('reporting', groups.reporting, 'literal'),
    // The operator's `npm run dlq`: reads dead letters and sends them back to the topic they came from.
    topic('dlq', 'read', topics.deadLetter),
    ...commandTopics.map((name) => topic('dlq', 'write', name)),
    group('dlq', groups.dlqReader, 'prefixed'),
    group('dlq', groups.dlqRedrive, 'literal'),
  ];
}

const resourceTypes: Record<AclResource, AclResourceTypes> = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP };
const patternTypes: Record<AclPattern, ResourcePatternTypes> = { literal: ResourcePatternTypes.LITERAL, prefixed: ResourcePatternTypes.PREFIXED };
const operations: Record<AclOperation, AclOperationTypes> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
};

export function toKafkaAcl(acl: ServiceAcl): AclEntry {
  return {
    principal: `User:${acl.principal}`,
    host: '*',
    resourceType: resourceTypes[acl.resourceType],
    resourceName: acl.resourceName,
    resourcePatternType: patternTypes[acl.patternType],
    operation: operations[acl.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

/** Every topic of a prefix: the three command topics, replies, events and dead letters. */
export function allTopics(prefix: string): string[] {
  const topics = topicNames(prefix);
  return [...Object.values(topics.commands), topics.replies, topics.events, topics.deadLetter];
}

/**
 * Creates a prefix's topics that are missing and grants the services' ACLs (creating an ACL that exists changes
 * nothing). Needs the admin's credentials.
 */
export async function provisionKafka(kafka: Kafka, prefix: string, partitions: number): Promise<{ topics: string[]; acls: number }> {
  const topics = allTopics(prefix);
  await ensureTopics(kafka, topics, partitions);
  const acls = serviceAcls(prefix);
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: acls.map(toKafkaAcl) });
    await untilAclsServed(admin, prefix, acls.length);
  } finally {
    await admin.disconnect();
  }
  return { topics, acls: acls.length };
}

export const aclsServedWaitMs = 10_000;

/**
 * The controller has the new ACLs once createAcls answers; the broker's authorizer applies them from the metadata
 * log a moment later. A service started in that moment would be refused: wait until the broker describes them all.
 */
async function untilAclsServed(admin: Admin, prefix: string, count: number): Promise<void> {
  const deadline = Date.now() + aclsServedWaitMs;
  for (;;) {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const served = resources.filter((resource) => resource.resourceName.startsWith(`${prefix}.`)).reduce((sum, resource) => sum + resource.acls.length, 0);
    if (served >= count) return;
    if (Date.now() > deadline) throw new Error(`the broker serves ${served} of the ${count} ACLs of ${prefix} after ${aclsServedWaitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
