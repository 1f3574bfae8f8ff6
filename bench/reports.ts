import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BenchConfig } from './config';
import { freePort } from './gateway';
import { createBenchDatabase, deleteKafkaPrefix, sleep, startService, tsNodeArgs, type BenchDatabase, type ServiceProcess } from './infra';
import { seedClients, seedCreditLots, seedTenant } from './seed';
import { percentile, round } from './stats';

const tenantId = 'bench-reports';
/** The export's wallet lives in a business of its own, so the report's business holds exactly reportEntries. */
const exportTenantId = 'bench-export';
/** How far back the seeded credit goes: two years, so every age bucket holds lots. */
const seedSpanDays = 730;
/** The V8 old-space limit of the second export's gateway. */
const exportHeapCapMiB = 192;
/** How often the export's gateway RSS is sampled while it streams. */
const rssSampleMs = 50;

export interface LatencyRun {
  name: string;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface ReportsResult {
  /** Entries of the business behind the report (wallets × entries each). */
  businessEntries: number;
  /** Lots of that business still holding credit now (each wallet's last ones), of all its lots. */
  openLots: number;
  lots: number;
  reportWallets: number;
  exportEntries: number;
  seedSeconds: number;
  floors: LatencyRun[];
  report: LatencyRun[];
  /** The report's p50 over the count(*) floor's p50, as of now. */
  reportOverFloor: number;
  export: {
    rows: number;
    bytes: number;
    seconds: number;
    rowsPerSec: number;
    rssBeforeMiB: number;
    rssPeakMiB: number;
    rssGrowthMiB: number;
    /**
     * The peak in the first and in the second half of the rows: V8 sizes its heap to the export's allocation rate in
     * the first seconds; memory that held the rows would keep growing through the second half.
     */
    rssPeakFirstHalfMiB: number;
    rssPeakSecondHalfMiB: number;
    /** The kernel's high-water mark of the gateway's RSS after the export (includes its start-up). */
    rssHighWaterMiB: number;
  };
  /** The same export from a gateway started with --max-old-space-size=heapCapMiB. */
  exportCapped: ReportsResult['export'] & { heapCapMiB: number };
}

/** The gateway's resident and peak-resident memory, from /proc. */
function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);

async function timed(name: string, samples: number, run: () => Promise<void>): Promise<LatencyRun> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { name, samples, p50Ms: round(percentile(times, 50), 1), p95Ms: round(percentile(times, 95), 1), maxMs: round(times[times.length - 1], 1) };
}

async function getOk(url: string, apiKey: string): Promise<string> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Streams the export, counting bytes and rows as they come, sampling the gateway's RSS meanwhile. */
async function streamExport(url: string, apiKey: string, gateway: ServiceProcess, expectedRows: number): Promise<ReportsResult['export']> {
  const before = rssOf(gateway.pid);
  const peaks = [before.rss, before.rss];
  let lines = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const half = lines * 2 < expectedRows ? 0 : 1;
      peaks[half] = Math.max(peaks[half], rssOf(gateway.pid).rss);
      await sleep(rssSampleMs);
    }
  })();
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (response.status !== 200 || !response.body) throw new Error(`GET ${url} answered ${response.status}`);
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const after = rssOf(gateway.pid);
  peaks[1] = Math.max(peaks[1], after.rss);
  const peak = Math.max(...peaks);
  const rows = lines - 1;
  return {
    rows,
    bytes,
    seconds: round(seconds, 1),
    rowsPerSec: round(rows / seconds),
    rssBeforeMiB: mib(before.rss),
    rssPeakMiB: mib(peak),
    rssGrowthMiB: mib(peak - before.rss),
    rssPeakFirstHalfMiB: mib(peaks[0]),
    rssPeakSecondHalfMiB: mib(peaks[1]),
    rssHighWaterMiB: mib(after.hwm),
  };
}

/**
 * The credit-lot reports through the gateway as a process (RUN_WORKER=false): a business with `reportEntries` entries
 * in lots over `reportWallets` wallets, the liability report's latency as of now, 30 days and a year back beside the
 * floors of a bare count(*) over the business's entries and a sum over its lots, in the same run; then the CSV export
 * of a wallet of `exportEntries` (another business), streamed, with the gateway's RSS before and at peak.
 */
export async function reportsBench(config: BenchConfig, runTag: string): Promise<ReportsResult> {
  const db: BenchDatabase = await createBenchDatabase(config.databaseServerUrl, 'reports', 2);
  const prefix = `bench-${runTag}-reports`;
  let gateway: ServiceProcess | null = null;
  try {
    const seedStart = performance.now();
    const tenant = await seedTenant(db, tenantId, ['balance.view', 'reports.view']);
    const exportTenant = await seedTenant(db, exportTenantId, ['balance.view']);
    const entriesPerWallet = Math.max(2, Math.floor(config.reportEntries / config.reportWallets / 2) * 2);
    await seedCreditLots(db, tenantId, 'c-', config.reportWallets, entriesPerWallet, seedSpanDays);
    await seedCreditLots(db, exportTenantId, 'export-', 1, config.exportEntries, seedSpanDays);
    await seedClients(db, exportTenantId, ['export-1']);
    await db.query('vacuum analyze');
    const seedSeconds = round((performance.now() - seedStart) / 1000, 1);
    const [{ count }] = await db.query<{ count: string }>('select count(*)::text as count from ledger_entry where business_id = $1', [tenantId]);
    const [lotCounts] = await db.query<{ lots: string; open: string }>(
      'select count(*)::text as lots, (count(*) filter (where remaining > 0))::text as open from credit_lot where business_id = $1',
      [tenantId],
    );

    const startGateway = async (name: string, nodeOptions: string | undefined) => {
      const port = await freePort();
      const service = await startService({
        name,
        args: tsNodeArgs('apps/storecredit/src/main.ts'),
        env: {
          ...process.env,
          ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${nodeOptions}`.trim() }),
          DATABASE_URL: db.url,
          KAFKA_BROKERS: config.kafkaBrokers,
          KAFKA_TOPIC_PREFIX: prefix,
          RUN_WORKER: 'false',
          HOST: '127.0.0.1',
          PORT: String(port),
          MIGRATE_ON_START: 'false',
          WEB_DIR: resolve(config.resultsDir, 'no-web-app'),
        },
        logFile: resolve(config.resultsDir, 'logs', runTag, `${name}.log`),
        readyPattern: /storecredit is running at/,
      });
      return { service, url: `http://127.0.0.1:${port}` };
    };
    const started = await startGateway('gateway-reports', undefined);
    gateway = started.service;
    const { url } = started;

    const samples = config.reportSamples;
    const daysAgo = (days: number) => `${url}/api/reports/liability?asOf=${encodeURIComponent(new Date(Date.now() - days * 86_400_000).toISOString())}`;
    const now = `${url}/api/reports/liability`;
    const monthAgo = daysAgo(30);
    const past = daysAgo(365);
    // A check and a warm-up: the first answer must be a report of the seeded credit, not an error or an empty one.
    const first = JSON.parse(await getOk(now, tenant.apiKey)) as { currencies: { outstanding: string }[] };
    if (!first.currencies[0] || first.currencies[0].outstanding === '0.00') throw new Error('the report shows no outstanding credit');
    await getOk(past, tenant.apiKey);
    const floors = [
      await timed('floor: select count(*) over the business’s entries', samples, async () => {
        await db.query('select count(*) from ledger_entry where business_id = $1', [tenantId]);
      }),
      await timed('floor: select sum(remaining) over the business’s lots', samples, async () => {
        await db.query('select sum(remaining) from credit_lot where business_id = $1', [tenantId]);
      }),
    ];
    const report = [
      await timed('liability report as of now (HTTP)', samples, () => getOk(now, tenant.apiKey).then(() => undefined)),
      await timed('liability report as of 30 days ago (HTTP)', samples, () => getOk(monthAgo, tenant.apiKey).then(() => undefined)),
      await timed('liability report as of a year ago (HTTP)', samples, () => getOk(past, tenant.apiKey).then(() => undefined)),
      await timed('liability report CSV as of now (HTTP)', samples, () => getOk(`${url}/api/reports/liability.csv`, tenant.apiKey).then(() => undefined)),
    ];
    const exported = await streamExport(`${url}/api/clients/export-1/transactions.csv`, exportTenant.apiKey, gateway, config.exportEntries);
    if (exported.rows !== config.exportEntries) throw new Error(`the export streamed ${exported.rows} rows of ${config.exportEntries}`);
    await gateway.stop();
    // The same export from a gateway whose V8 heap may not grow past exportHeapCapMiB: if the export held its rows, it
    // would run out of memory; that it finishes shows the RSS growth above is V8 sizing its heap, not rows kept.
    const capped = await startGateway('gateway-reports-capped', `--max-old-space-size=${exportHeapCapMiB}`);
    gateway = capped.service;
    const exportedCapped = await streamExport(`${capped.url}/api/clients/export-1/transactions.csv`, exportTenant.apiKey, gateway, config.exportEntries);
    if (exportedCapped.rows !== config.exportEntries) throw new Error(`the capped export streamed ${exportedCapped.rows} rows of ${config.exportEntries}`);
    return {
      businessEntries: Number(count),
      openLots: Number(lotCounts.open),
      lots: Number(lotCounts.lots),
      reportWallets: config.reportWallets,
      exportEntries: config.exportEntries,
      seedSeconds,
      floors,
      report,
      reportOverFloor: round(report[0].p50Ms / floors[0].p50Ms, 1),
      export: exported,
      exportCapped: { heapCapMiB: exportHeapCapMiB, ...exportedCapped },
    };
  } finally {
    await gateway?.stop();
    await db.close(!config.keep);
    if (!config.keep) await deleteKafkaPrefix(config.kafkaBrokers, prefix).catch(() => undefined);
  }
}
