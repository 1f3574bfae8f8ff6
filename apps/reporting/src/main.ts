import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { appLogger } from '@storecredit/observability';
import { createReportingApp } from './reporting.app';
import { reportingConfigFromEnv } from './reporting.config';

Logger.overrideLogger(appLogger());

const stopSignals = ['SIGTERM', 'SIGINT'];
/** Past this, a stop that hangs ends with exit status 1 anyway. */
const shutdownTimeoutMs = 30_000;

/**
 * `npm run start:reporting`: the reference reporting consumer. It reads the ledger's event topic and keeps balances
 * per wallet and outstanding credit per currency in the `reporting` schema of DATABASE_URL. A stop signal leaves the
 * consumer group, then closes the metrics port and the database pool; events not yet committed are read again on the
 * next start, and dropped there by their event id if they were applied.
 */
async function bootstrap(): Promise<void> {
  const config = reportingConfigFromEnv();
  const app = await createReportingApp(config);
  app.enableShutdownHooks(stopSignals, { useProcessExit: true });
  for (const signal of stopSignals) {
    process.once(signal, () => {
      Logger.log(`${signal}: stopping`, 'Main');
      setTimeout(() => {
        Logger.error(`did not stop within ${shutdownTimeoutMs} ms; exiting`, 'Main');
        process.exit(1);
      }, shutdownTimeoutMs).unref();
    });
  }
  await app.listen();
  Logger.log(`reporting consumer started on Node ${process.version} (brokers ${config.kafkaBrokers}, topic ${config.eventsTopic}, group ${config.groupId})`, 'Main');
}

bootstrap().catch((error: unknown) => {
  Logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error), 'Main');
  process.exit(1);
});
