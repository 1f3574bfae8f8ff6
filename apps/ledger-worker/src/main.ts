import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { appLogger, serviceNames, startTracingFromEnv } from '@storecredit/observability';
import { createLedgerWorkerApp } from './ledger-worker.app';
import { workerConfigFromEnv } from './worker.config';

try {
  Logger.overrideLogger(appLogger());
} catch (error) {
  // A LOG_FORMAT or LOG_LEVEL we cannot honour: there is no logger yet to say so.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}

const stopSignals = ['SIGTERM', 'SIGINT'];
/** Past this, a stop that hangs (a connection that never closes) ends with exit status 1 anyway. */
const shutdownTimeoutMs = 30_000;

/**
 * `npm run start:worker`: the ledger worker alone, a Nest microservice whose transport is the command consumer.
 * A stop signal closes it: the consumer stops fetching, the groups in flight are applied, answered and committed,
 * it leaves its group, then the relay, the producers and the database connections close, and the process exits 0.
 */
async function bootstrap(): Promise<void> {
  const config = workerConfigFromEnv();
  // Off unless the OTEL_* variables ask for it (README, "Traces"); TracingFlush exports the last spans on a stop.
  startTracingFromEnv(process.env, serviceNames.worker);
  const app = await createLedgerWorkerApp(config);
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
  Logger.log(`ledger worker started on Node ${process.version} (brokers ${config.kafkaBrokers}, topic prefix ${config.topics.events.split('.')[0]})`, 'Main');
}

bootstrap().catch((error: unknown) => {
  Logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error), 'Main');
  process.exit(1);
});
