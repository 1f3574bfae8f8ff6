import { topicNames } from '@storecredit/contracts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminPrincipal, serviceAcls, servicePrincipals, toKafkaAcl } from './acls';
import { kafkaSaslFromEnv } from './kafka';

const repoRoot = resolve(__dirname, '..', '..', '..');

describe('serviceAcls', () => {
  const prefix = 'storecredit';
  const topics = topicNames(prefix);
  const acls = serviceAcls(prefix);
  const grants = (principal: string) => acls.filter((acl) => acl.principal === principal).map((acl) => `${acl.operation} ${acl.resourceType} ${acl.resourceName}`);

  it('lets a producer write its own command topic and no other', () => {
    const writes = (principal: string) => acls.filter((acl) => acl.principal === principal && acl.operation === 'write').map((acl) => acl.resourceName);
    expect(writes('gateway')).toEqual([topics.commands.gateway]);
    expect(writes('checkout')).toEqual([topics.commands.checkout]);
    expect(writes('refund')).toEqual([topics.commands.refund]);
    expect(writes('reporting')).toEqual([]);
    expect(writes('ledger-worker').sort()).toEqual([topics.replies, topics.events, topics.deadLetter].sort());
  });

  it('gives reporting the events and its group, nothing else', () => {
    expect(grants('reporting')).toEqual([`read topic ${topics.events}`, `read group ${prefix}.reporting`]);
  });

  it('never grants CREATE, ALL, a wildcard or anything on the cluster', () => {
    for (const acl of acls) {
      expect(['read', 'write']).toContain(acl.operation);
      expect(['topic', 'group']).toContain(acl.resourceType);
      expect(acl.resourceName.startsWith(`${prefix}.`)).toBe(true);
      expect(toKafkaAcl(acl)).toMatchObject({ principal: `User:${acl.principal}`, host: '*' });
    }
  });

  it('grants every service principal something, and the admin nothing (it is the super user)', () => {
    expect(new Set(acls.map((acl) => acl.principal))).toEqual(new Set(servicePrincipals));
    expect(acls.some((acl) => (acl.principal as string) === adminPrincipal)).toBe(false);
  });

  it('is what scripts/kafka.sh makes users for', () => {
    const script = readFileSync(resolve(repoRoot, 'scripts/kafka.sh'), 'utf8');
    expect(/^PRINCIPALS=\((.*)\)$/m.exec(script)?.[1].split(' ')).toEqual([adminPrincipal, ...servicePrincipals]);
  });

  // Anyone who reaches a PLAINTEXT controller listener is User:ANONYMOUS, and admin clients can bootstrap to it
  // (KIP-919): the admin is the only super user, and the controller listener asks for its password (SASL/PLAIN).
  it('is the only super user of scripts/kafka.sh, whose controller listener asks for a password', () => {
    const script = readFileSync(resolve(repoRoot, 'scripts/kafka.sh'), 'utf8');
    const scram = script.slice(script.indexOf('listeners=SASL_PLAINTEXT://'));
    expect(script.match(/^super\.users=.*$/gm)).toEqual([`super.users=User:${adminPrincipal}`]);
    expect(scram).toMatch(/^listener\.security\.protocol\.map=CONTROLLER:SASL_PLAINTEXT,/m);
    expect(scram).toMatch(/^sasl\.mechanism\.controller\.protocol=PLAIN$/m);
    expect(scram).toMatch(/^listener\.name\.controller\.sasl\.enabled\.mechanisms=PLAIN$/m);
    expect(scram).toMatch(/^listener\.name\.controller\.plain\.sasl\.jaas\.config=\S+\.PlainLoginModule required username="admin" /m);
  });

  it('is the only super user of docker-compose.yml, whose controller listener asks for a password', () => {
    const compose = readFileSync(resolve(repoRoot, 'docker-compose.yml'), 'utf8');
    expect(compose.match(/^\s*KAFKA_SUPER_USERS: .*$/gm)?.map((line) => line.trim())).toEqual([`KAFKA_SUPER_USERS: User:${adminPrincipal}`]);
    expect(compose).toMatch(/^\s*KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: .*\bCONTROLLER:SASL_PLAINTEXT\b/m);
    expect(compose).toMatch(/^\s*KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL: PLAIN$/m);
    expect(compose).toMatch(/^\s*KAFKA_LISTENER_NAME_CONTROLLER_SASL_ENABLED_MECHANISMS: PLAIN$/m);
    expect(compose).toMatch(/^\s*KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG: .*PlainLoginModule required username="admin" /m);
    const settings = compose.split('\n').filter((line) => !line.trim().startsWith('#'));
    expect(settings.filter((line) => /CONTROLLER:PLAINTEXT|ANONYMOUS/.test(line))).toEqual([]);
  });

  it('is the README table, row for row', () => {
    const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
    for (const acl of serviceAcls('<prefix>')) {
      const name = `\`${acl.resourceName}${acl.patternType === 'prefixed' ? '*' : ''}\``;
      expect(readme).toContain(`| \`${acl.principal}\` | ${acl.operation} | ${acl.resourceType} | ${name} |`);
    }
  });
});

describe(kafkaSaslFromEnv.name, () => {
  const full = { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: 'secret' };

  it('connects without SASL when none of the three is set', () => {
    expect(kafkaSaslFromEnv({})).toBeNull();
  });

  it('takes all three, the mechanism in any case', () => {
    expect(kafkaSaslFromEnv(full)).toEqual({ mechanism: 'scram-sha-512', username: 'gateway', password: 'secret' });
  });

  it('refuses half a configuration and an unknown mechanism, naming what is wrong and never the password', () => {
    expect(() => kafkaSaslFromEnv({ ...full, KAFKA_SASL_PASSWORD: '' })).toThrow(/KAFKA_SASL_PASSWORD is empty/);
    expect(() => kafkaSaslFromEnv({ ...full, KAFKA_SASL_USERNAME: '' })).toThrow(/KAFKA_SASL_USERNAME is empty/);
    expect(() => kafkaSaslFromEnv({ KAFKA_SASL_USERNAME: 'gateway', KAFKA_SASL_PASSWORD: 'secret' })).toThrow(/KAFKA_SASL_MECHANISM must be one of/);
    expect(() => kafkaSaslFromEnv({ ...full, KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/got "gssapi"/);
    expect(() => kafkaSaslFromEnv({ ...full, KAFKA_SASL_MECHANISM: 'gssapi' })).not.toThrow(/secret/);
  });
});
