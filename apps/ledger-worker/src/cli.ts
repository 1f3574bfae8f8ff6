import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@storecredit/messaging';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  embeddedDatabaseExists,
  EmbeddedDataDirError,
  embeddedDataDirDefault,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from '@storecredit/embedded-postgres';
import { LedgerModule, LedgerVerifier, ledgerOrmConfig, type LedgerModuleOptions } from '@storecredit/ledger';

// Written to a file or a pipe, the operator's log is plain text (no colour codes).
Logger.overrideLogger(new AppLogger());

/** Operator commands: `migrate` applies pending migrations; `verify` proves the ledger and exits 1 on a problem. */
async function main(command: string | undefined): Promise<number> {
  if (command === 'migrate') return migrate();
  if (command === 'verify') return verify();
  Logger.error('usage: cli <migrate|verify>', 'Cli');
  return 2;
}

async function migrate(): Promise<number> {
  const orm = await MikroORM.init(ledgerOrmConfig());
  try {
    const applied = await orm.migrator.up();
    Logger.log(applied.length === 0 ? 'schema is up to date' : `applied ${applied.map((m) => m.name).join(', ')}`, 'Migrate');
    return 0;
  } finally {
    await orm.close();
  }
}

/** DATABASE_URL's ledger; without it, the embedded one under DATA_DIR (./data), as `npm start` would use. */
async function verify(): Promise<number> {
  // The report goes to stdout alone; the embedded server's start and stop lines are not part of it.
  Logger.overrideLogger(['error', 'warn']);
  if (process.env.DATABASE_URL) return verifyLedger({});
  return verifyEmbedded(process.env.DATA_DIR || embeddedDataDirDefault);
}

/** Through the running server's socket if a storecredit process holds the directory; else opened here, locked. */
async function verifyEmbedded(dataDir: string): Promise<number> {
  const running = runningEmbeddedPostgres(dataDir);
  if (running) return verifyLedger({ databaseUrl: running.url, poolMax: running.poolMax });
  if (!embeddedDatabaseExists(dataDir)) {
    throw new EmbeddedDataDirError(
      `no embedded database in ${dataDir}: npm start creates one there; set DATABASE_URL to verify a PostgreSQL server`,
    );
  }
  const db = await startEmbeddedPostgres(dataDir);
  try {
    return await verifyLedger({ databaseUrl: db.url, poolMax: db.poolMax });
  } finally {
    await db.stop();
  }
}

async function verifyLedger(options: LedgerModuleOptions): Promise<number> {
  const app = await NestFactory.createApplicationContext(LedgerModule.forRoot(options), { logger: ['error', 'warn'] });
  try {
    const report = await app.get(LedgerVerifier).verify();
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      report.ok
        ? `ledger verified: ${report.wallets} wallets, ${report.entries} entries, all rules hold\n`
        : `LEDGER BROKEN: ${report.problems.map((p) => `${p.check} (${p.count})`).join('; ')}\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await app.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // An operator's situation gets its message alone; anything else is our bug and keeps its stack.
    if (error instanceof EmbeddedDataDirError) Logger.error(error.message, 'Cli');
    else Logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error), 'Cli');
    process.exit(1);
  },
);
