import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/core';
import { LedgerModule, LedgerVerifier, ledgerOrmConfig } from '@storecredit/ledger';

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
    const applied = await orm.getMigrator().up();
    Logger.log(applied.length === 0 ? 'schema is up to date' : `applied ${applied.map((m) => m.name).join(', ')}`, 'Migrate');
    return 0;
  } finally {
    await orm.close();
  }
}

async function verify(): Promise<number> {
  const app = await NestFactory.createApplicationContext(LedgerModule.forRoot(), { logger: ['error', 'warn'] });
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
    Logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error), 'Cli');
    process.exit(1);
  },
);
