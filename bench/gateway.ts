import autocannon from 'autocannon';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { BenchConfig } from './config';
import { CpuMeter, createBenchDatabase, deleteKafkaPrefix, startService, tsNodeArgs, type BenchDatabase, type CpuUse, type ServiceProcess } from './infra';
import { seedClients, seedHistory, seedTenant, seedWallets } from './seed';
import { round } from './stats';

const tenantId = 'bench-gateway';
const readerClients = 1_000;
const warmupSeconds = 2;

export interface HttpRun {
  name: string;
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU milliseconds per request: the gateway process, PostgreSQL, this process (autocannon). */
  gatewayCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  benchCpuMsPerRequest: number;
  cpu: CpuUse;
}

export interface GatewayResult {
  historyEntries: number;
  historySmallEntries: number;
  seedSeconds: number;
  runs: HttpRun[];
  gatewayLog: string;
}

/** A TCP port free on 127.0.0.1 right now, for a gateway process. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function cannon(
  db: BenchDatabase,
  url: string,
  apiKey: string,
  name: string,
  paths: string[],
  connections: number,
  seconds: number,
  gateway: ServiceProcess,
): Promise<HttpRun> {
  let next = 0;
  const meter = await CpuMeter.start(() => [gateway], db);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${apiKey}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }),
      },
    ],
  });
  const cpu = await meter.stop();
  const requests = result.requests.total;
  const perRequest = (seconds: number) => (requests > 0 ? round((seconds * 1000) / requests, 3) : Number.NaN);
  return {
    name,
    path: paths.length === 1 ? paths[0] : `${paths[0]} … (${paths.length} paths in turn)`,
    connections,
    seconds,
    requests,
    reqPerSec: round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    gatewayCpuMsPerRequest: perRequest(cpu.services),
    postgresCpuMsPerRequest: perRequest(cpu.postgres),
    benchCpuMsPerRequest: perRequest(cpu.bench),
    cpu,
  };
}

/** One request per path before the runs: a seeding mistake should fail loudly, not measure 404s. */
async function checkPaths(url: string, apiKey: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const body = (await response.json()) as { items?: unknown[] };
    if (path.includes('/transactions') && (body.items?.length ?? 0) === 0) throw new Error(`GET ${path} returned an empty page`);
  }
}

/**
 * The gateway as a process of its own (RUN_WORKER=false) against a fresh database seeded with a business,
 * a read-only API key, 1,000 client wallets, a client with `historyEntries` entries and one with 100.
 */
export async function gatewayBench(config: BenchConfig, runTag: string): Promise<GatewayResult> {
  const db = await createBenchDatabase(config.databaseServerUrl, 'gateway', 2);
  const prefix = `bench-${runTag}-gateway`;
  let gateway: ServiceProcess | null = null;
  try {
    const seedStart = performance.now();
    const tenant = await seedTenant(db, tenantId);
    const readers = Array.from({ length: readerClients }, (_, index) => `reader-${index + 1}`);
    await seedWallets(db, tenantId, 'reader-', readerClients, '25.00');
    await seedHistory(db, tenantId, 'big', config.historyEntries);
    await seedHistory(db, tenantId, 'small', config.historySmallEntries);
    await seedClients(db, tenantId, [...readers, 'big', 'small']);
    await db.query('analyze');
    const seedSeconds = round((performance.now() - seedStart) / 1000, 1);
    const [middle] = await db.query<{ created_at: Date; id: string }>(
      'select created_at, id from ledger_entry where business_id = $1 and client_id = $2 and sequence = $3',
      [tenantId, 'big', Math.ceil(config.historyEntries / 2)],
    );
    const deepCursor = historyCursor(middle.created_at, middle.id);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    gateway = await startService({
      name: 'gateway',
      args: tsNodeArgs('apps/storecredit/src/main.ts'),
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        KAFKA_BROKERS: config.kafkaBrokers,
        KAFKA_TOPIC_PREFIX: prefix,
        RUN_WORKER: 'false',
        HOST: '127.0.0.1',
        PORT: String(port),
        MIGRATE_ON_START: 'false',
        // No web build is needed to measure the API; a missing directory only logs a warning.
        WEB_DIR: resolve(config.resultsDir, 'no-web-app'),
      },
      logFile: resolve(config.resultsDir, 'logs', runTag, 'gateway.log'),
      readyPattern: /storecredit is running at/,
    });

    const history = (client: string, cursor?: string) =>
      `/api/clients/${client}/transactions?limit=25${cursor === undefined ? '' : `&cursor=${cursor}`}`;
    const balancePaths = readers.map((client) => `/api/clients/${client}/balances/AED`);
    const big = config.historyEntries.toLocaleString('en-US');
    const small = config.historySmallEntries.toLocaleString('en-US');
    await checkPaths(url, tenant.apiKey, [balancePaths[0], history('big'), history('big', deepCursor), history('small')]);

    const c = config.httpConnections;
    const s = config.httpSeconds;
    const quiet = Math.max(2, Math.ceil(s / 2));
    const plan: { name: string; paths: string[]; connections: number; seconds: number }[] = [
      { name: `balance read ×${c}`, paths: balancePaths, connections: c, seconds: s },
      { name: `history page 1, ${small} entries ×${c}`, paths: [history('small')], connections: c, seconds: s },
      { name: `history page 1, ${big} entries ×${c}`, paths: [history('big')], connections: c, seconds: s },
      { name: `history mid-page, ${big} entries ×${c}`, paths: [history('big', deepCursor)], connections: c, seconds: s },
      { name: `history page 1, ${small} entries ×1`, paths: [history('small')], connections: 1, seconds: quiet },
      { name: `history page 1, ${big} entries ×1`, paths: [history('big')], connections: 1, seconds: quiet },
      { name: `history mid-page, ${big} entries ×1`, paths: [history('big', deepCursor)], connections: 1, seconds: quiet },
    ];
    await cannon(db, url, tenant.apiKey, 'warm-up', [...balancePaths.slice(0, 50), history('small'), history('big'), history('big', deepCursor)], c, warmupSeconds, gateway);
    const runs: HttpRun[] = [];
    for (const step of plan) runs.push(await cannon(db, url, tenant.apiKey, step.name, step.paths, step.connections, step.seconds, gateway));
    return {
      historyEntries: config.historyEntries,
      historySmallEntries: config.historySmallEntries,
      seedSeconds,
      runs,
      gatewayLog: join(config.resultsDir, 'logs', runTag, 'gateway.log'),
    };
  } finally {
    await gateway?.stop();
    await db.close(!config.keep);
    if (!config.keep) await deleteKafkaPrefix(config.kafkaBrokers, prefix).catch(() => undefined);
  }
}

/**
 * A history page cursor as a client holds one: the gateway's keyset cursor is base64url of its sort key's JSON
 * (encodeCursor in apps/gateway/src/http/pagination.ts). The bench writes it as a client would, since it drives the
 * gateway as a process; the gateway checks every cursor it gets, so a wrong one here is a 400, never a wrong page.
 */
function historyCursor(createdAt: Date, entryId: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), entryId])).toString('base64url');
}
