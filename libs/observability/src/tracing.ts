import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { rootLogger } from './logging';

/** The service names of our processes; OTEL_SERVICE_NAME overrides them. */
export const serviceNames = {
  gateway: 'storecredit-gateway',
  worker: 'storecredit-ledger-worker',
  /** The all-in-one start: gateway and worker in one process. */
  allInOne: 'storecredit',
} as const;

/** The instrumentation scope (tracer name) of each part, so spans say which part made them even in one process. */
export const tracerNames = {
  gateway: 'storecredit-gateway',
  worker: 'storecredit-ledger-worker',
} as const;

/** Spans a batch export carries at most, and how long finished spans wait for one (the SDK's defaults, named). */
export const exportBatchSpansMax = 512;
export const exportDelayMs = 5_000;
/** Finished spans kept waiting for export at most: beyond it they are dropped, never held against memory. */
export const exportQueueSpansMax = 2_048;

export interface TracingSettings {
  serviceName: string;
}

/**
 * Whether the environment asks for traces, by the OpenTelemetry SDK's standard variables: OTEL_TRACES_EXPORTER=otlp,
 * or an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) without OTEL_TRACES_EXPORTER.
 * Off by default (null). The exporter itself reads the endpoint, headers and timeout variables.
 */
export function tracingSettingsFromEnv(env: Record<string, string | undefined>, defaultServiceName: string): TracingSettings | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || undefined;
  const endpoints = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'].filter((name) => env[name]?.trim());
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    throw new Error(`OTEL_TRACES_EXPORTER must be "otlp" or "none" (this build exports traces by OTLP over HTTP only), got ${JSON.stringify(env.OTEL_TRACES_EXPORTER)}`);
  }
  for (const name of endpoints) {
    const url = URL.parse((env[name] as string).trim());
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(`${name} must be an http(s) URL such as http://collector:4318, got ${JSON.stringify(env[name])}`);
    }
  }
  if (exporter === 'none' || (exporter === undefined && endpoints.length === 0)) return null;
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName };
}

/** The tracing of this process, once installed; `shutdown()` exports what is left and turns it off again. */
export interface Tracing {
  shutdown(): Promise<void>;
}

let installed: { provider: TracerProvider; contextManager: AsyncLocalStorageContextManager } | null = null;

/**
 * Whether spans are recorded in this process. The hot paths (each HTTP request, each Kafka message) ask this first
 * and skip reading and writing trace headers when it is off: the API's no-op spans are cheap, the per-message
 * header work around them is not.
 */
export function tracingEnabled(): boolean {
  return installed !== null;
}

/** Starts exporting traces by OTLP when the environment asks for it (see tracingSettingsFromEnv); null when it does not. */
export function startTracingFromEnv(env: Record<string, string | undefined>, defaultServiceName: string): Tracing | null {
  const settings = tracingSettingsFromEnv(env, defaultServiceName);
  if (settings === null || installed !== null) return null;
  const processor = new BatchSpanProcessor({
    exporter: new OTLPTraceExporter({ url: otlpTracesUrl(env) }),
    maxExportBatchSize: exportBatchSpansMax,
    scheduledDelayMillis: exportDelayMs,
    maxQueueSize: exportQueueSpansMax,
  });
  diag.setLogger(exportProblems(), DiagLogLevel.WARN);
  return installTracing(settings.serviceName, processor);
}

/** The same problem is told at most once this often: a collector that is down fails every export. */
export const exportProblemRepeatMs = 60_000;

/**
 * The SDK's own warnings and errors (a collector that refuses, times out or answers 4xx: spans dropped) as warnings
 * of the process's log, each problem at most once a minute, instead of nowhere.
 */
function exportProblems() {
  const lastTold = new Map<string, number>();
  const tell = (message: string, ...args: unknown[]) => {
    const text = [message, ...args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg)))].join(' ').slice(0, 500);
    const now = Date.now();
    if ((lastTold.get(text) ?? -Infinity) > now - exportProblemRepeatMs) return;
    lastTold.set(text, now);
    rootLogger().warn({ context: 'Tracing' }, `tracing: ${text} (spans may be dropped)`);
  };
  const quiet = () => undefined;
  return { error: tell, warn: tell, info: quiet, debug: quiet, verbose: quiet };
}

/**
 * Where spans go: the traces endpoint as given, or the general endpoint with the OTLP path for traces, as the SDK's
 * own reading of these variables does (passed explicitly, so that the env given here is the one obeyed); none set,
 * the exporter's default (http://localhost:4318/v1/traces). Headers and timeouts it reads from the process's env.
 */
function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return general ? `${general.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/**
 * Records every span of this process in memory, exported as each ends (tests). Throws when tracing is already on:
 * two installs would fight over the global provider.
 */
export function startInMemoryTracing(serviceName: string = serviceNames.allInOne): Tracing & { exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const tracing = installTracing(serviceName, new SimpleSpanProcessor({ exporter }));
  return { exporter, shutdown: () => tracing.shutdown() };
}

/**
 * Registers the provider, the async-local context (so a span started in an HTTP hook is the parent of the Kafka send
 * the controller makes) and the W3C trace context propagator as the API's globals, for one service per process:
 * in the all-in-one start and in tests, gateway and worker share one process, and their tracers' names tell them apart.
 */
function installTracing(serviceName: string, processor: SpanProcessor): Tracing {
  if (installed !== null) throw new Error('tracing is already installed in this process');
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [processor] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const current = { provider, contextManager };
  installed = current;
  return {
    shutdown: async () => {
      if (installed !== current) return;
      installed = null;
      trace.disable();
      propagation.disable();
      context.disable();
      diag.disable();
      await provider.shutdown().catch((failure: unknown) => {
        throw exportError(failure);
      });
    },
  };
}

/**
 * Exports the spans that have ended, when tracing is on: a worker stopped by a signal exits as soon as its shutdown
 * hooks return, before the batch processor's next export.
 */
export async function flushTracing(): Promise<void> {
  await installed?.provider.forceFlush().catch((failure: unknown) => {
    throw exportError(failure);
  });
}

/** The SDK rejects a flush with an array of its processors' errors: one Error that names them. */
function exportError(failure: unknown): Error {
  const reasons = (Array.isArray(failure) ? failure : [failure]).map((reason) => (reason instanceof Error ? reason.message : String(reason)));
  return new Error(`could not export the last spans: ${reasons.join('; ')}`);
}

/** A tracer of the installed provider; asked for at each use, as a tracer kept across an uninstall would stay dead. */
export function tracer(name: string): Tracer {
  return trace.getTracer(name);
}

/** Kafka message headers as kafkajs gives them (values are Buffers; a repeated header is an array). */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const kafkaHeaderGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map((item) => item.toString()) : value.toString();
  },
};

/** The trace context a Kafka message carries (`traceparent`, `tracestate`), or none (the root context). */
export function contextFromKafkaHeaders(headers: KafkaHeaders | undefined): Context {
  return headers === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
}

/** The W3C headers of a context's span (`traceparent`, and `tracestate` when it has one); empty when none is recording. */
export function traceHeaders(spanContext: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(spanContext, carrier);
  return carrier;
}

/** The trace context an HTTP request carries, from its headers (lower-case names, as Node gives them). */
export function contextFromHttpHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The W3C traceparent of a span, as a header carries it (kept with an outbox row, for its event). */
export function traceParentOf(span: Span): string | undefined {
  return traceHeaders(trace.setSpan(ROOT_CONTEXT, span)).traceparent;
}

/** The context a stored traceparent names (an invalid one names none: the root context). */
export function contextFromTraceParent(traceParent: string): Context {
  return propagation.extract(ROOT_CONTEXT, { traceparent: traceParent });
}

/**
 * Runs `work` with span creation suppressed: work done for no traced request (a group of untraced commands) makes
 * no root traces of its own, which would otherwise be one per group.
 */
export function withoutTracing<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}
