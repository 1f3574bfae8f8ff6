// Operating the apps: metrics (prom-client), structured logs (pino) and traces (OpenTelemetry), shared by the
// gateway, the ledger worker and the reporting consumer. No rule of money lives here.
export {
  contextFromHttpHeaders,
  contextFromKafkaHeaders,
  contextFromTraceParent,
  flushTracing,
  serviceNames,
  startInMemoryTracing,
  startTracingFromEnv,
  traceHeaders,
  traceParentOf,
  tracer,
  tracerNames,
  tracingEnabled,
  tracingSettingsFromEnv,
  withoutTracing,
  type KafkaHeaders,
  type Tracing,
  type TracingSettings,
} from './tracing';
