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
