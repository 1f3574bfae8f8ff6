import { RequestMethod } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type DestinationStream, type Level, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';
export const logFormats: readonly LogFormat[] = ['json', 'pretty'];
export const logLevels: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export interface LogSettings {
  format: LogFormat;
  level: Level | 'silent';
}

/**
 * LOG_FORMAT (json | pretty) and LOG_LEVEL (default info). Without LOG_FORMAT: readable lines on a terminal, JSON
 * when stdout is a file or a pipe (what a log collector reads) and always in production.
 */
export function logSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): LogSettings {
  const format = env.LOG_FORMAT || (env.NODE_ENV === 'production' || stdout.isTTY !== true ? 'json' : 'pretty');
  if (!logFormats.includes(format as LogFormat)) throw new Error(`LOG_FORMAT must be one of ${logFormats.join(', ')}; got ${JSON.stringify(format)}`);
  const level = env.LOG_LEVEL || 'info';
  if (level !== 'silent' && !logLevels.includes(level as Level)) {
    throw new Error(`LOG_LEVEL must be one of ${[...logLevels, 'silent'].join(', ')}; got ${JSON.stringify(level)}`);
  }
  return { format: format as LogFormat, level: level as LogSettings['level'] };
}

/**
 * What a log line must never carry: credentials in request and response headers, and a Kafka client's SASL password
 * (a kafkajs `sasl` option or a service configuration's `kafkaSasl`, should either be logged whole). Request bodies (passwords, gift
 * card codes) are not logged at all: pino-http's request serializer leaves them out.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'sasl.password',
  '*.sasl.password',
  'kafkaSasl.password',
  '*.kafkaSasl.password',
];

/** The process's pino logger, writing to `destination` (stdout by default) in the format of `settings`. */
export function createRootLogger(settings: LogSettings, destination?: DestinationStream): Pino {
  const stream = destination ?? (settings.format === 'pretty' ? prettyStream() : pino.destination({ fd: 1 }));
  return pino(
    {
      level: settings.level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceIdMixin,
    },
    stream,
  );
}

/** One line a record for a person: the class that logged first, the other fields below it. */
function prettyStream(): DestinationStream {
  return pretty({ colorize: logColoursWanted(), sync: true, ignore: 'pid,hostname,context', messageFormat: '{if context}[{context}] {end}{msg}' });
}

/** Colour codes only on a terminal (NO_COLOR turns them off there too). */
export function logColoursWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/**
 * A line logged while a span is active carries its trace id, unless the line or its logger already names one (a
 * command's own, from its traceparent header). Without an OpenTelemetry SDK there is never an active span.
 */
function traceIdMixin(mergeObject: object, _level: number, logger: Pino): object {
  if ('traceId' in mergeObject) return {};
  const traceId = activeTraceId();
  if (traceId === undefined || 'traceId' in logger.bindings()) return {};
  return { traceId };
}

function activeTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context !== undefined && isSpanContextValid(context) ? context.traceId : undefined;
}

/** HTTP request headers or a Kafka message's. */
type Headers = Readonly<Record<string, string | Buffer | ReadonlyArray<string | Buffer> | undefined>> | undefined;

/** W3C trace context: version 00, 32 hex digits of trace id (not all zero), 16 of parent id, 2 of flags. */
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a message or a request: the active span's, else its `traceparent` header's, else none. */
export function traceIdOf(headers: Headers): string | undefined {
  const active = activeTraceId();
  if (active !== undefined) return active;
  const raw = headers?.traceparent;
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  const match = traceparentPattern.exec(first.toString().trim());
  if (match === null || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return match[1];
}

/** The fields every log line about a command carries, as JSON properties of the line. */
export interface CommandLogFields {
  commandId: string;
  businessId: string;
  correlationId: string;
  traceId?: string;
}

export function commandLogFields(command: { commandId: string; businessId: string }, correlationId: string, headers?: Headers): CommandLogFields {
  const traceId = traceIdOf(headers);
  const fields: CommandLogFields = { commandId: command.commandId, businessId: command.businessId, correlationId };
  if (traceId !== undefined) fields.traceId = traceId;
  return fields;
}

/** An incoming X-Request-Id is kept only if it is a short plain token: anything else could forge or flood the log. */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/** The id of an HTTP request in its log lines: the caller's X-Request-Id if it is sane, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
}

let root: Pino | undefined;

/**
 * The one root logger of the process, made from the environment on first use. nestjs-pino keeps one pino-http
 * instance per process too (the first parameters it sees win), so every app of a process logs through this one.
 */
export function rootLogger(): Pino {
  root ??= createRootLogger(logSettingsFromEnv());
  return root;
}

/** For a test that reads the logs: call before any app or logger is made, as nestjs-pino keeps the first one. */
export function useRootLogger(logger: Pino): void {
  if (root !== undefined && root !== logger) throw new Error('the root logger is already in use: call useRootLogger before any app is built');
  root = logger;
}

/**
 * nestjs-pino's parameters, the same for every app of the process: pino-http logs each HTTP request once it is
 * answered (method, url, status, time, request id; no body), and each line logged while handling it carries its
 * request id (and trace id).
 */
export function loggerParams(): Params {
  return {
    // nestjs-pino's default route, '{/*splat}', matches no request on Nest 12's Fastify adapter: every path, spelled
    // as that adapter reads it.
    forRoutes: [{ path: '/{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      logger: rootLogger(),
      // Fastify gives each request its id first (the gateway sets its genReqId to requestIdOf); pino-http keeps it.
      genReqId: requestIdOf,
      quietReqLogger: true,
      serializers: {
        // The address without its query's values: a search (`q`), a gift card's last four (or a whole code pasted
        // there), a phone number, even a password sent as a parameter by mistake would otherwise sit in the log.
        req: (req: LoggedRequest) => ({ id: req.id, method: req.method, url: withoutQueryValues(req.url), headers: req.headers, remoteAddress: req.remoteAddress }),
        // The status is what the request line needs of the answer; its headers (security policy, cookies) are noise.
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (request: IncomingMessage) => {
        const traceId = traceIdOf(request.headers);
        return traceId === undefined ? {} : { traceId };
      },
    },
  };
}

interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  headers: unknown;
  remoteAddress?: string;
}

/** `/api/clients?q=Layla&limit=5` as `/api/clients?q=…&limit=…`: which parameters, never what they held. */
export function withoutQueryValues(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const names = url
    .slice(mark + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => `${part.split('=')[0].slice(0, 64)}=…`);
  return `${url.slice(0, mark)}?${names.join('&')}`;
}

/** Nest's start-up chatter: one line per module and route, on every start. */
const startupContexts = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** nestjs-pino's Nest logger without the start-up lines, so what is logged is worth reading. */
export class AppLogger extends NestPinoLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && startupContexts.has(context)) return;
    super.log(message, ...rest);
  }
}

/** The apps' Nest logger (for NestFactory and Logger.overrideLogger), on the process's root logger. */
export function appLogger(): AppLogger {
  const params = loggerParams();
  return new AppLogger(new PinoLogger(params), params);
}
