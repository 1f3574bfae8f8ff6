import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/core';
import { ledgerOrmConfig, startEmbeddedPostgres, type EmbeddedPostgres } from '@storecredit/ledger';
import { AppLogger } from '@storecredit/messaging';
import { LedgerWorkerModule } from '../../ledger-worker/src/ledger-worker.module';
import { workerConfigFromEnv } from '../../ledger-worker/src/worker.config';
import { demoBusinessId, demoLogins, seedDemo } from './embedded/demo-seed';
import { createGatewayApp } from './gateway.app';
import { gatewayConfigFromEnv } from './gateway.config';
import type { GatewayDatabase } from './gateway.module';

Logger.overrideLogger(new AppLogger());
const logger = new Logger('Main');

async function migrate(url: string, poolMax: number | undefined): Promise<void> {
  const orm = await MikroORM.init(ledgerOrmConfig(url, { poolMax }));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close();
  }
}

/**
 * `npm start`. With neither DATABASE_URL nor KAFKA_BROKERS: everything in one process on an embedded
 * PostgreSQL under ./data, seeded with a demo business. With both: the gateway (and, unless RUN_WORKER=false,
 * the ledger worker) against them.
 */
async function bootstrap(): Promise<void> {
  const config = gatewayConfigFromEnv();
  logger.log(`starting on Node ${process.version}`);
  let embedded: EmbeddedPostgres | null = null;
  let database: GatewayDatabase = { url: config.databaseUrl ?? '' };
  if (config.databaseUrl === null) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    database = { url: embedded.url, poolMax: embedded.poolMax, embedded: true };
    await migrate(database.url, database.poolMax);
  } else if (process.env.MIGRATE_ON_START === 'true') {
    await migrate(database.url, undefined);
  }
  const app = await createGatewayApp(config, database);
  let worker: INestApplicationContext | null = null;
  if (config.kafkaBrokers !== null && config.runWorker) {
    worker = await NestFactory.createApplicationContext(LedgerWorkerModule.forRoot(workerConfigFromEnv()), { logger: new AppLogger() });
  }
  const seed = embedded ? await seedDemo(app) : null;
  await app.listen(config.port, config.host);
  const url = `http://${config.host}:${config.port}`;
  logger.log(`storecredit is running at ${url} (API docs: ${url}/api/docs)`);
  if (embedded) {
    logger.log(`embedded mode: PostgreSQL (PGlite) data in ${config.dataDir}, commands applied in-process`);
    logger.log(`demo business ${demoBusinessId}; sign in as:`);
    for (const login of demoLogins) logger.log(`  ${login.role.padEnd(10)} ${login.email} / ${login.password}`);
    if (seed?.created) logger.log(`demo gift cards (shown once): ${seed.giftCardCodes.join(', ')}`);
  }
  const shutdown = async () => {
    await app.close();
    await worker?.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
