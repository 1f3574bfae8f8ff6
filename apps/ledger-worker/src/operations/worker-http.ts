import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GroupStore } from '@storecredit/ledger';
import {
  addScrapeProbe,
  collectProcessMetrics,
  describeKafkaCluster,
  healthAnswer,
  metricsScrapeAllowed,
  outboxGaugesStatement,
  readinessCheckTimeoutMs,
  recordOutbox,
  recordPool,
  scrapeMetrics,
} from '@storecredit/observability';
import { Kafka } from 'kafkajs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CommandConsumer, type CommandTransportStatus } from '../consumers/command.consumer';
import { workerConfigToken, type WorkerConfig } from '../worker.config';

/**
 * The worker's operations port (WORKER_HTTP_PORT): `/metrics` for Prometheus, `/health/live` (the process answers)
 * and `/health/ready` (PostgreSQL answers, the schema is not behind, a Kafka broker answers and the consumer is in
 * its group; else 503 naming the check that failed). A plain node:http server: the worker is a Nest microservice
 * whose transport is Kafka, with no HTTP app of its own. It opens at bootstrap, before the consumer joins its group,
 * so readiness says 503 until it has.
 */
@Injectable()
export class WorkerHttp implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHttp.name);
  private server?: Server;
  private consumerStatus: CommandTransportStatus | 'starting' = 'starting';
  private readonly removals: Array<() => void> = [];

  constructor(
    @Inject(workerConfigToken) private readonly config: WorkerConfig,
    private readonly consumer: CommandConsumer,
    private readonly orm: MikroORM,
    private readonly store: GroupStore,
    private readonly kafka: Kafka,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** The port it listens on (a free one when configured 0), or null when it does not listen. */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const subscription = this.consumer.status.subscribe((status) => (this.consumerStatus = status));
    this.removals.push(() => subscription.unsubscribe());
    this.removals.push(addScrapeProbe('worker-outbox', () => this.readOutbox()));
    this.removals.push(addScrapeProbe('worker-pools', () => this.readPools()));
    if (this.config.httpPort === null) return;
    collectProcessMetrics();
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`WORKER_HTTP_PORT ${this.config.httpPort} on ${this.config.httpHost} is in use by another process; set another port, 0 for any free one, or off`) : error),
      );
      server.listen(this.config.httpPort ?? 0, this.config.httpHost, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics and health on http://${this.config.httpHost}:${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const remove of this.removals.splice(0)) remove();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Readiness, as the answer's status and body. */
  ready() {
    return healthAnswer(this.health, this.readinessChecks());
  }

  private readinessChecks(): HealthIndicatorFunction[] {
    const check = (key: string, fn: (signal: AbortSignal) => Promise<Record<string, unknown> | void>) => () =>
      this.indicators.check(key).attempt(({ signal }) => fn(signal)).withTimeout(readinessCheckTimeoutMs);
    return [
      check('database', async () => {
        await (this.orm.em.fork() as EntityManager).execute('select 1');
      }),
      check('schema', async () => {
        const pending = await this.orm.migrator.getPending();
        if (pending.length > 0) throw new Error(`${pending.length} migration(s) pending: ${pending.map((migration) => migration.name).join(', ')}`);
      }),
      check('kafka', (signal) => describeKafkaCluster(this.kafka, signal)),
      check('consumer', async () => {
        if (this.consumerStatus !== 'connected') throw new Error(`the command consumer is ${this.consumerStatus}, not in its group`);
      }),
    ];
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET') return send(response, 405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
      if (path === '/metrics') {
        if (!metricsScrapeAllowed(request.headers.authorization, this.config.metricsToken)) {
          response.setHeader('www-authenticate', 'Bearer');
          return send(response, 401, 'application/json', JSON.stringify({ error: 'this scrape needs the METRICS_TOKEN as a bearer token' }));
        }
        const { contentType, text } = await scrapeMetrics();
        return send(response, 200, contentType, text);
      }
      if (path === '/health/live') return send(response, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      if (path === '/health/ready') {
        const { status, body } = await this.ready();
        return send(response, status, 'application/json', JSON.stringify(body));
      }
      send(response, 404, 'application/json', JSON.stringify({ error: 'not found: /metrics, /health/live, /health/ready' }));
    } catch (error) {
      this.logger.error(`operations request ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) send(response, 500, 'application/json', JSON.stringify({ error: 'internal error' }));
    }
  }

  private async readOutbox(): Promise<void> {
    const [row] = await (this.orm.em.fork() as EntityManager).execute<Array<{ rows: number; oldest_seconds: number }>>(outboxGaugesStatement);
    recordOutbox(row);
  }

  private async readPools(): Promise<void> {
    recordPool('worker', 'orm', await this.orm.em.getConnection().getNativeClient());
    const groupPool = this.store.poolCounts();
    if (groupPool) recordPool('worker', 'group', groupPool);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}
