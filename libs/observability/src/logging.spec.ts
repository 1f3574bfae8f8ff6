import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { createRootLogger, logSettingsFromEnv, requestIdOf, traceIdOf, withoutQueryValues } from './logging';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

describe(logSettingsFromEnv.name, () => {
  it('writes JSON to a file or a pipe and in production, readable lines on a terminal', () => {
    expect(logSettingsFromEnv({}, { isTTY: false })).toEqual({ format: 'json', level: 'info' });
    expect(logSettingsFromEnv({}, {})).toEqual({ format: 'json', level: 'info' });
    expect(logSettingsFromEnv({}, { isTTY: true })).toEqual({ format: 'pretty', level: 'info' });
    expect(logSettingsFromEnv({ NODE_ENV: 'production' }, { isTTY: true }).format).toBe('json');
  });

  it('takes LOG_FORMAT and LOG_LEVEL as given', () => {
    expect(logSettingsFromEnv({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug', NODE_ENV: 'production' }, { isTTY: false })).toEqual({ format: 'pretty', level: 'debug' });
    expect(logSettingsFromEnv({ LOG_FORMAT: 'json', LOG_LEVEL: 'silent' }, { isTTY: true })).toEqual({ format: 'json', level: 'silent' });
  });

  it('refuses a format or a level it does not know, naming the ones it does', () => {
    expect(() => logSettingsFromEnv({ LOG_FORMAT: 'xml' }, {})).toThrow('LOG_FORMAT must be one of json, pretty; got "xml"');
    expect(() => logSettingsFromEnv({ LOG_LEVEL: 'verbose' }, {})).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"/);
  });
});

describe(traceIdOf.name, () => {
  it("reads the trace id of a W3C traceparent header, from HTTP or Kafka", () => {
    expect(traceIdOf({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(traceId);
    expect(traceIdOf({ traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-00`) })).toBe(traceId);
    expect(traceIdOf({ traceparent: [`00-${traceId}-00f067aa0ba902b7-01`] })).toBe(traceId);
  });

  it('logs an address with its query parameters named but not their values', () => {
    expect(withoutQueryValues('/api/gift-cards?last4=PYP3-AFS6-LPPB-E97P&status=active')).toBe('/api/gift-cards?last4=…&status=…');
    expect(withoutQueryValues('/api/clients?q=%2B971501234567')).toBe('/api/clients?q=…');
    expect(withoutQueryValues('/api/auth/sign-in?password=hunter2hunter2')).toBe('/api/auth/sign-in?password=…');
    expect(withoutQueryValues('/api/clients/42')).toBe('/api/clients/42');
  });

  it('has none for a missing, malformed or all-zero traceparent', () => {
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf({})).toBeUndefined();
    expect(traceIdOf({ traceparent: 'garbage' })).toBeUndefined();
    expect(traceIdOf({ traceparent: `01-${traceId}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(traceIdOf({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(traceIdOf({ traceparent: `00-${traceId}-${'0'.repeat(16)}-01` })).toBeUndefined();
    expect(traceIdOf({ traceparent: `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01` })).toBeUndefined();
  });
});

describe(createRootLogger.name, () => {
  const written = new WeakMap<PassThrough, string[]>();

  function chunksOf(stream: PassThrough): string[] {
    return (written.get(stream) ?? []).join('').split('\n').filter((line) => line !== '');
  }

  function capture(): { stream: PassThrough; lines: () => Array<Record<string, unknown>> } {
    const stream = new PassThrough();
    const chunks: string[] = [];
    written.set(stream, chunks);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    return { stream, lines: () => chunksOf(stream).map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('writes one JSON object a line, with the level by name and an ISO time', () => {
    const { stream, lines } = capture();
    createRootLogger({ format: 'json', level: 'info' }, stream).info({ commandId: 'c-1' }, 'command rejected');
    expect(lines()).toEqual([expect.objectContaining({ level: 'info', msg: 'command rejected', commandId: 'c-1', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })]);
  });

  it('censors credentials in request and response headers', () => {
    const { stream, lines } = capture();
    const headers = { authorization: 'Bearer s3cr3t-session', cookie: 'session=s3cr3t-cookie', 'x-api-key': 'sk_s3cr3t', accept: 'application/json' };
    createRootLogger({ format: 'json', level: 'info' }, stream).info({ req: { headers }, res: { headers: { 'set-cookie': 'session=s3cr3t-new' } } }, 'request completed');
    const [line] = lines();
    expect(JSON.stringify(line)).not.toMatch(/s3cr3t/);
    expect(line).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', accept: 'application/json' } },
      res: { headers: { 'set-cookie': '[redacted]' } },
    });
  });

  it("censors a Kafka client's SASL password", () => {
    const { stream, lines } = capture();
    const sasl = { mechanism: 'scram-sha-512', username: 'gateway', password: 's3cr3t-kafka' };
    const logger = createRootLogger({ format: 'json', level: 'info' }, stream);
    logger.info({ sasl }, 'kafka client');
    logger.info({ config: { kafkaSasl: sasl } }, 'worker config');
    expect(JSON.stringify(lines())).not.toMatch(/s3cr3t/);
    expect(lines()[1]).toMatchObject({ config: { kafkaSasl: { username: 'gateway', password: '[redacted]' } } });
  });

  it('gives a line logged inside an active span its trace id, once, unless the line or its logger names one', () => {
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    try {
      const { stream, lines } = capture();
      const logger = createRootLogger({ format: 'json', level: 'info' }, stream);
      const span = trace.wrapSpanContext({ traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
      const otherTraceId = 'a'.repeat(32);
      context.with(trace.setSpan(context.active(), span), () => {
        logger.info('inside');
        logger.info({ traceId: otherTraceId }, 'its own');
        logger.child({ traceId: otherTraceId }).info('its logger\'s');
      });
      logger.info('outside');
      expect(lines().map((line) => [line.msg, line.traceId])).toEqual([
        ['inside', traceId],
        ['its own', otherTraceId],
        ["its logger's", otherTraceId],
        ['outside', undefined],
      ]);
      // The text too: a key twice in one line would be read differently by different collectors.
      expect(chunksOf(stream).every((line) => line.split('"traceId"').length <= 2)).toBe(true);
    } finally {
      context.disable();
      contextManager.disable();
    }
  });

  it('writes nothing below its level', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger({ format: 'json', level: 'info' }, stream);
    logger.debug({ commandId: 'c-1' }, 'command applied');
    logger.warn('dead letter');
    expect(lines().map((line) => line.msg)).toEqual(['dead letter']);
  });
});

describe(requestIdOf.name, () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it("keeps a caller's short plain X-Request-Id", () => {
    expect(requestIdOf(request({ 'x-request-id': 'lb-7f3a.42:1' }))).toBe('lb-7f3a.42:1');
  });

  it('makes a new id for a missing, long or unsafe one', () => {
    for (const incoming of [undefined, '', 'a'.repeat(65), 'two words', 'line\nbreak', '"quoted"']) {
      const id = requestIdOf(request(incoming === undefined ? {} : { 'x-request-id': incoming }));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});
