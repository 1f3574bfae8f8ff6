/** The worker's public entry: what a composition (the all-in-one start, test stacks) plugs in. */
export { commandTransport, createLedgerWorkerApp, startLedgerWorker, type LedgerWorkerAppOptions } from './ledger-worker.app';
export { LedgerWorkerModule } from './ledger-worker.module';
export { embeddedOutboxRelay } from './outbox/embedded-outbox-relay';
export { workerConfigFromEnv, type WorkerConfig } from './worker.config';
