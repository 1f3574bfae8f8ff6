import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { EmbeddedDataDirError, startEmbeddedPostgres } from '@storecredit/embedded-postgres';
import { ledgerOrmConfig } from '@storecredit/ledger';
import { appLogger, logSettingsFromEnv, serviceNames, startTracingFromEnv } from '@storecredit/observability';
import {
  createGatewayApp,
  demoBusinessId,
  demoLoginsFile,
  readDemoLogins,
  gatewayConfigFromEnv,
  seedDemo,
  type GatewayConfig,
  type GatewayDatabase,
} from '../../gateway/src';
import { embeddedOutboxRelay, startLedgerWorker, workerConfigFromEnv } from '../../ledger-worker/src';

try {
  Logger.overrideLogger(appLogger());
} catch (error) {
  // A LOG_FORMAT or LOG_LEVEL we cannot honour: there is no logger yet to say so.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const logger = new Logger('Main');

/** Past this, a shutdown that hangs (a connection that never closes) ends with exit status 1 anyway. */
const shutdownTimeoutMs = 30_000;
const stopSignals = ['SIGINT', 'SIGTERM'] as const;

async function migrate(url: string, poolMax: number | undefined): Promise<void> {
  const orm = await MikroORM.init(ledgerOrmConfig(url, { poolMax }));
  try {
    await orm.migrator.up();
  } finally {
    await orm.close();
  }
}

/** What has started, closed in the reverse order on a signal or a failed start. */
class Closers {
  private readonly closers: Array<() => Promise<unknown>> = [];

  add(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      await close().catch((error: unknown) => logger.error(`while stopping: ${errorText(error)}`));
    }
  }
}

/**
 * `npm start`, `npm run start:gateway` and the gateway's container: the one place where the apps are composed, each
 * through its public entry (src/index.ts). With neither DATABASE_URL nor KAFKA_BROKERS: everything in one process on an embedded
 * PostgreSQL under ./data, seeded with a demo business. With both: the gateway (and, unless RUN_WORKER=false,
 * the ledger worker) against them.
 */
async function bootstrap(config: GatewayConfig, closers: Closers): Promise<void> {
  logger.log(`starting on Node ${process.version}`);
  // Off unless the OTEL_* variables ask for it (README, "Traces"); closed last, after everything that makes spans.
  const gatewayOnly = config.kafkaBrokers !== null && !config.runWorker;
  const tracing = startTracingFromEnv(process.env, gatewayOnly ? serviceNames.gateway : serviceNames.allInOne);
  if (tracing) closers.add(() => tracing.shutdown());
  let database: GatewayDatabase = { url: config.databaseUrl ?? '' };
  const embedded = config.databaseUrl === null ? await startEmbeddedPostgres(config.dataDir) : null;
  if (embedded) {
    closers.add(() => embedded.stop());
    database = { url: embedded.url, poolMax: embedded.poolMax, alongside: embeddedOutboxRelay() };
    await migrate(database.url, database.poolMax);
  } else if (process.env.MIGRATE_ON_START === 'true') {
    await migrate(database.url, undefined);
  }
  const app = await createGatewayApp(config, database);
  closers.add(() => app.close());
  // The worker runs as a Nest microservice of its own beside the HTTP app (its own module, database pool and
  // config; docs/ARCHITECTURE.md says why it is not connected to the HTTP app). Embedded, no consumer starts.
  if (config.kafkaBrokers !== null && config.runWorker) {
    const worker = await startLedgerWorker(workerConfigFromEnv());
    closers.add(() => worker.close());
  }
  const seed = embedded ? await seedDemo(app, config.dataDir) : null;
  await app.listen(config.port, config.host);
  const url = `http://${config.host}:${config.port}`;
  logger.log(`storecredit is running at ${url} (API docs: ${url}/api/docs)`);
  if (embedded) {
    logger.log(`embedded mode: PostgreSQL (PGlite) data in ${config.dataDir}, commands applied in-process`);
    // The demo passwords and gift card codes are for a person reading the console, never for a JSON log, which is
    // collected and kept: printed beside the readable log only, and not as log lines.
    if (logSettingsFromEnv().format === 'pretty') process.stdout.write(demoBanner(config.dataDir, seed?.created ? seed.giftCardCodes : []));
    else logger.log(`demo business ${demoBusinessId}: its logins are in ${config.dataDir}/${demoLoginsFile}; LOG_FORMAT=pretty prints them and the demo gift card codes`);
  }
}

function demoBanner(dataDir: string, giftCardCodes: readonly string[]): string {
  const lines = [`demo business ${demoBusinessId}; sign in as:`];
  const logins = readDemoLogins(dataDir);
  for (const login of logins) lines.push(`  ${login.role.padEnd(10)} ${login.email} / ${login.password}`);
  if (logins.length === 0) lines.push(`  (the logins made when ${dataDir} was created; it has no ${demoLoginsFile}: delete it to start over)`);
  if (giftCardCodes.length > 0) lines.push(`demo gift cards (shown once): ${giftCardCodes.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** An operator's situation gets its message alone; anything else is our bug and keeps its stack. */
function failureText(error: unknown, config: GatewayConfig): string {
  if (error instanceof EmbeddedDataDirError) return error.message;
  if ((error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE') {
    return `port ${config.port} on ${config.host} is in use by another process; stop it or set PORT`;
  }
  return errorText(error);
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function configFromEnv(): GatewayConfig {
  try {
    return gatewayConfigFromEnv();
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

/**
 * A signal waits for a start under way to finish (or fail), then closes everything: the HTTP port, the
 * worker, and the embedded PostgreSQL with its data directory's lock, and exits 0.
 */
function main(): void {
  const config = configFromEnv();
  const closers = new Closers();
  let stopping = false;
  const started = bootstrap(config, closers);
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping`);
    setTimeout(() => {
      logger.error(`did not stop within ${shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    await started.catch(() => undefined);
    await closers.closeAll();
    process.exit(0);
  };
  for (const signal of stopSignals) process.on(signal, () => void stop(signal));
  started.catch(async (error: unknown) => {
    if (stopping) return;
    stopping = true;
    logger.error(failureText(error, config));
    await closers.closeAll();
    process.exit(1);
  });
}

main();
