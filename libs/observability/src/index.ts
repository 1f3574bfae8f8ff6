// Operating the apps: metrics (prom-client), structured logs (pino) and traces (OpenTelemetry), shared by the
// gateway, the ledger worker and the reporting consumer. No rule of money lives here.
export * from './health';
export * from './metrics';
export {
  AppLogger,
  appLogger,
  commandLogFields,
  createRootLogger,
  loggerParams,
  logSettingsFromEnv,
  requestIdOf,
  rootLogger,
  traceIdOf,
  useRootLogger,
  type CommandLogFields,
  type LogFormat,
  type LogSettings,
} from './logging';
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
