/**
 * The latency floor of a durable commit, measured beside the paced runs: a process of its own (so the bench's
 * event loop cannot delay it) commits one single-row insert every PROBE_INTERVAL_MS on one connection to the
 * bench database, and on SIGTERM writes every sample (wall-clock time, milliseconds) to PROBE_OUT as JSON. Its
 * commits go through the same WAL, disk and cores as the worker's, so its tail is the tail that any durable
 * write had on this machine at that moment: a stall of the disk or of the machine shows here as well as in ours.
 */
import { writeFileSync } from 'node:fs';
import { Client } from 'pg';

export interface ProbeSample {
  /** Date.now() when the commit was sent. */
  at: number;
  ms: number;
}

const intervalMsDefault = 10;

async function main(): Promise<void> {
  const url = process.env.PROBE_DATABASE_URL;
  const out = process.env.PROBE_OUT;
  if (!url || !out) throw new Error('PROBE_DATABASE_URL and PROBE_OUT are required');
  const intervalMs = Number(process.env.PROBE_INTERVAL_MS ?? intervalMsDefault);
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('create table if not exists bench_commit_probe (id bigserial primary key, at timestamptz not null default now())');
  const samples: ProbeSample[] = [];
  let running = true;
  process.once('SIGTERM', () => {
    running = false;
  });
  process.stdout.write('commit probe running\n');
  while (running) {
    const at = Date.now();
    const started = performance.now();
    await client.query('insert into bench_commit_probe default values');
    samples.push({ at, ms: performance.now() - started });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await client.end();
  writeFileSync(out, JSON.stringify(samples));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`commit probe failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
