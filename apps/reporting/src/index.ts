/** The reporting consumer's public entry: what a composition or a test plugs in. */
export { createReportingApp, reportingTransport, startReporting, type ReportingAppOptions } from './reporting.app';
export { reportingConfigFromEnv, type ReportingConfig } from './reporting.config';
export { ReportingLifecycle, ReportingModule } from './reporting.module';
export { ReportingMetrics } from './reporting.metrics';
