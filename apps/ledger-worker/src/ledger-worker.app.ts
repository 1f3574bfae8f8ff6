import type { INestMicroservice, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import type { Clock } from '@storecredit/ledger';
import { appLogger } from '@storecredit/observability';
import { CommandConsumer } from './consumers/command.consumer';
import { LedgerWorkerModule } from './ledger-worker.module';
import type { WorkerConfig } from './worker.config';

/**
 * The worker's microservice options: its transport is the command consumer, a provider of LedgerWorkerModule (it
 * needs the processor, the producers and the relay), so Nest takes it from the module once the module is built.
 * For `NestFactory.createMicroservice` and a testing module's `createNestMicroservice`.
 */
export const commandTransport: AsyncMicroserviceOptions = {
  inject: [CommandConsumer],
  useFactory: (consumer: CommandConsumer) => ({ strategy: consumer }),
};

export interface LedgerWorkerAppOptions {
  logger?: LoggerService | LogLevel[] | false;
  clock?: Clock;
}

/** Builds the ledger worker as a Nest microservice, not yet listening: `listen()` starts consuming, `close()` stops. */
export function createLedgerWorkerApp(config: WorkerConfig, options: LedgerWorkerAppOptions = {}): Promise<INestMicroservice> {
  return NestFactory.createMicroservice<AsyncMicroserviceOptions>(LedgerWorkerModule.forRoot(config, options.clock), {
    logger: options.logger ?? appLogger(),
    ...commandTransport,
  });
}

/**
 * Builds the worker and starts it, for a composition that runs it beside other apps (the all-in-one start, test
 * stacks). A start that fails (a schema behind the worker, no broker) closes what it opened and rethrows.
 */
export async function startLedgerWorker(config: WorkerConfig, options: LedgerWorkerAppOptions = {}): Promise<INestMicroservice> {
  const worker = await createLedgerWorkerApp(config, options);
  try {
    await worker.listen();
  } catch (error) {
    await worker.close().catch(() => undefined);
    throw error;
  }
  return worker;
}
