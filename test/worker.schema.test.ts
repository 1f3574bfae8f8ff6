import { Test } from '@nestjs/testing';
import { createTestDatabase, uniqueTopicPrefix, type TestDatabase } from '@storecredit/testing';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { commandTransport } from '../apps/ledger-worker/src/ledger-worker.app';
import { LedgerWorkerModule } from '../apps/ledger-worker/src/ledger-worker.module';
import { SchemaCheck } from '../apps/ledger-worker/src/schema-check';
import { workerConfigFromEnv } from '../apps/ledger-worker/src/worker.config';

const run = promisify(execFile);
/** How execFile rejects when the process exits with a status other than 0. */
type ExitError = Error & { code?: number; stdout?: string; stderr?: string };

/** Migrations are a step of their own: a worker on a database behind its schema must not start at all. */
describe(SchemaCheck.name, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  const workerEnv = () => ({ ...process.env, DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: uniqueTopicPrefix() });

  it('stops the worker process on a database with a pending migration, naming it; the worker starts once it is applied', async () => {
    const [latest] = await db.query<{ name: string }>('select name from mikro_orm_migrations order by id desc limit 1');
    await db.query('delete from mikro_orm_migrations where name = $1', [latest.name]);
    // The worker as production starts it (npm run start:worker), in a process of its own: it must exit, not idle.
    const started = run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ledger-worker/src/main.ts'], {
      env: workerEnv(),
      timeout: 60_000,
    });
    const failure = await started.then(
      () => null,
      (error: ExitError) => error,
    );
    expect(failure?.code).toBe(1);
    expect(`${failure?.stdout}${failure?.stderr}`).toContain(`1 migration(s) pending (${latest.name}); run \`npm run migrate\` first`);

    await db.query('insert into mikro_orm_migrations (name, executed_at) values ($1, now())', [latest.name]);
    const moduleRef = await Test.createTestingModule({ imports: [LedgerWorkerModule.forRoot(workerConfigFromEnv(workerEnv()))] }).compile();
    const worker = moduleRef.createNestMicroservice(commandTransport);
    await worker.listen();
    await worker.close();
  });
});
