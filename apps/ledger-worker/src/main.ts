import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@storecredit/messaging';
import { LedgerWorkerModule } from './ledger-worker.module';
import { workerConfigFromEnv } from './worker.config';

Logger.overrideLogger(new AppLogger());

async function bootstrap(): Promise<void> {
  const config = workerConfigFromEnv();
  const app = await NestFactory.createApplicationContext(LedgerWorkerModule.forRoot(config), { logger: new AppLogger() });
  app.enableShutdownHooks();
  Logger.log(`ledger worker started on Node ${process.version} (brokers ${config.kafkaBrokers}, topic prefix ${config.topics.events.split('.')[0]})`, 'Main');
}

bootstrap().catch((error: unknown) => {
  Logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error), 'Main');
  process.exit(1);
});
