import { headerNames, normalizeGiftCardCode, topicNames, commandKey } from '@storecredit/contracts';
import { createKafka } from '@storecredit/messaging';
import { appLogger, createRootLogger, useRootLogger } from '@storecredit/observability';
import { command, giftCardCode, KafkaTestClient, testBrokers, uniqueId, waitUntil } from '@storecredit/testing';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { AuthRepository } from '../apps/gateway/src/auth/auth.repository';
import { AuthService } from '../apps/gateway/src/auth/auth.service';
import { GatewayClient, startLedgerStack, type LedgerStack } from './support';

/** Every line both apps write, as the process's stdout would carry it. */
const written: string[] = [];
const destination = new PassThrough();
destination.on('data', (chunk: Buffer) => written.push(chunk.toString('utf8')));
// Debug level, so the lines of applied and sent commands are checked too.
useRootLogger(createRootLogger({ format: 'json', level: 'debug' }, destination));

const traceId = randomBytes(16).toString('hex');

function lines(): Array<Record<string, unknown>> {
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A full run of the gateway and the worker over Kafka, every log line captured: sign-ins, an API key, gift cards
 * issued and redeemed, adds, a rejected command and dead letters. What a log must carry, and what it must never.
 */
describe('structured logs', () => {
  let stack: LedgerStack;
  let kafka: KafkaTestClient;
  /** Everything that must never be written to a log. */
  const secrets: string[] = [];
  const businessId = `biz-${randomBytes(4).toString('hex')}`;
  const clientId = uniqueId('client');
  let rejectedCommandId: string;
  let kafkaCommandId: string;

  beforeAll(async () => {
    stack = await startLedgerStack({ GATEWAY_REPLY_TIMEOUT_MS: '20000' }, { workerLogger: appLogger() });
    kafka = new KafkaTestClient(stack.prefix);
    await kafka.start();
    const { app } = stack;
    const password = randomBytes(12).toString('base64url');
    const email = `owner-${businessId}@example.com`;
    secrets.push(password, `${password}x`);
    await app.get(AuthRepository).createBusiness(businessId, 'Logging Salon');
    await app.get(AuthService).createStaff(businessId, { email, name: 'Owner', password, role: 'owner' });

    const anonymous = new GatewayClient(app);
    expect((await anonymous.post('/api/auth/sign-in', { email, password: `${password}x` })).status).toBe(401);
    const signIn = await anonymous.post<{ token: string }>('/api/auth/sign-in', { email, password });
    expect(signIn.status).toBe(200);
    const session = signIn.body.token;
    secrets.push(session);
    const owner = anonymous.as(session);
    // The session cookie too, as a browser sends it.
    expect((await owner.request('GET', '/api/auth/me', undefined, { cookie: `session=${session}` })).status).toBe(200);

    const created = await owner.post<{ key: string }>('/api/api-keys', { name: 'checkout', permissions: ['balance.view', 'balance.add', 'balance.deduct', 'giftcard.redeem', 'giftcard.manage'] });
    expect(created.status).toBe(201);
    secrets.push(created.body.key);
    const service = owner.as(created.body.key);

    expect((await owner.post('/api/clients', { id: clientId, name: 'Logging Client' })).status).toBe(201);
    const issued = await service.post<{ items: { code: string }[] }>('/api/gift-cards', { amount: '25.00', currency: 'AED', count: 2 });
    expect(issued.status).toBe(201);
    const codes = issued.body.items.map((item) => item.code);
    const wrongCode = giftCardCode();
    secrets.push(...codes, wrongCode);

    // One code as printed, one as a person might type it (lower case, no dashes), and a guess.
    expect((await service.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: codes[0] })).status).toBe(200);
    // A code pasted into a search or a filter is in the address: the request line names the parameter only.
    await service.get(`/api/gift-cards?last4=${encodeURIComponent(codes[0])}`);
    await service.get(`/api/clients?q=${normalizeGiftCardCode(codes[1])}`);
    expect((await service.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: normalizeGiftCardCode(codes[1]).toLowerCase() })).status).toBe(200);
    expect((await service.post(`/api/clients/${clientId}/gift-card-redemptions`, { code: wrongCode })).status).toBe(404);

    expect((await service.post(`/api/clients/${clientId}/balance/add`, { amount: '10.00', currency: 'AED' })).status).toBe(200);
    expect((await owner.post(`/api/clients/${clientId}/balance/add`, { amount: '5.00', currency: 'AED' })).status).toBe(200);
    const overdraft = await service.post<{ error: { details: { commandId: string } } }>(`/api/clients/${clientId}/balance/deduct`, { amount: '1000.00', currency: 'AED' });
    expect(overdraft.status).toBe(422);
    rejectedCommandId = overdraft.body.error.details.commandId;

    // A command from another of our services, with a W3C trace context, and two dead letters that quote a gift card code.
    const deduct = command('balance.deduct', { businessId, clientId, currency: 'AED', amount: '2000.00' });
    kafkaCommandId = deduct.commandId;
    const kafkaClient = createKafka(testBrokers, `logging-${stack.prefix}`);
    const producer = kafkaClient.producer();
    await producer.connect();
    try {
      const topic = topicNames(stack.prefix).commands.gateway;
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: commandKey(deduct),
            value: JSON.stringify(deduct),
            headers: { [headerNames.correlationId]: 'corr-from-checkout', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
          },
          { key: 'any', value: codes[0] },
          { key: codes[1], value: `{"type":"giftcard.redeem","code":${codes[1]}}` },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await kafka.waitForReplies(kafkaCommandId);
    await waitUntil(() => kafka.deadLetters.length >= 2, 'two dead letters');
    await waitUntil(() => lines().filter((line) => line.msg === 'dead letter').length >= 2, 'the dead letters logged');
    for (const code of codes) secrets.push(normalizeGiftCardCode(code), normalizeGiftCardCode(code).toLowerCase());
    secrets.push(normalizeGiftCardCode(wrongCode));
  });

  afterAll(async () => {
    await kafka?.stop();
    await stack?.stop();
  });

  it('writes every line as one JSON object', () => {
    const text = written.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const line of text.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('logs each HTTP request once, with a request id, its credentials censored', () => {
    const requests = lines().filter((line) => line.msg === 'request completed');
    expect(requests.length).toBeGreaterThanOrEqual(12);
    for (const line of requests) expect(line.reqId).toEqual(expect.any(String));
    const withBearer = requests.filter((line) => (line.req as { headers: Record<string, string> }).headers.authorization !== undefined);
    expect(withBearer.length).toBeGreaterThan(0);
    for (const line of withBearer) expect((line.req as { headers: Record<string, string> }).headers.authorization).toBe('[redacted]');
  });

  it("names a request by the caller's X-Request-Id when it is a short token, else by a new id, and answers it", async () => {
    const client = new GatewayClient(stack.app);
    const kept = await client.request('GET', '/api/health', undefined, { 'x-request-id': 'lb-7f3a.42' });
    const refused = await client.request('GET', '/api/health', undefined, { 'x-request-id': 'forged id\nlevel=error' });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42');
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await waitUntil(() => lines().some((line) => line.reqId === refused.headers['x-request-id']), 'the request line');
    expect(lines().filter((line) => line.reqId === 'lb-7f3a.42')).toEqual([expect.objectContaining({ msg: 'request completed', res: { statusCode: kept.status } })]);
  });

  it('carries commandId, businessId and correlationId on every line about a command', () => {
    const about = lines().filter((line) => ['command sent', 'command applied', 'command rejected'].includes(line.msg as string));
    expect(about.length).toBeGreaterThanOrEqual(6);
    for (const line of about) {
      expect(line).toEqual(expect.objectContaining({ commandId: expect.any(String), businessId, correlationId: expect.any(String) }));
    }
    const rejected = lines().filter((line) => line.msg === 'command rejected');
    expect(rejected.map((line) => line.commandId)).toEqual(expect.arrayContaining([rejectedCommandId, kafkaCommandId]));
    expect(rejected.find((line) => line.commandId === rejectedCommandId)).toMatchObject({ level: 'info', errorCode: 'insufficient_balance' });
    // The command that came with a trace context keeps its trace id and its sender's correlation id.
    expect(rejected.find((line) => line.commandId === kafkaCommandId)).toMatchObject({ traceId, correlationId: 'corr-from-checkout' });
  });

  it('logs a dead letter as a warning with its place and code, never quoting the message', () => {
    const deadLetters = lines().filter((line) => line.msg === 'dead letter');
    expect(deadLetters).toHaveLength(2);
    for (const line of deadLetters) expect(line).toMatchObject({ level: 'warn', deadLetterCode: 'malformed_json', reason: 'not valid JSON', offset: expect.any(String) });
  });

  it('never writes a password, a session token, an API key or a gift card code', () => {
    const text = written.join('');
    expect(secrets.length).toBeGreaterThanOrEqual(12);
    const found = secrets.filter((secret) => text.includes(secret));
    expect(found).toEqual([]);
  });
});
