import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import { createKafka } from '@storecredit/messaging';
import {
  addScrapeProbe,
  collectProcessMetrics,
  describeKafkaCluster,
  healthAnswer,
  readinessCheckTimeoutMs,
  recordOutbox,
  recordPool,
  type HealthAnswer,
} from '@storecredit/observability';
import type { Kafka } from 'kafkajs';
import { gatewayConfigToken, type GatewayConfig } from '../gateway.config';
import { HealthRepository } from './health.repository';

export interface Health {
  status: 'ok';
  database: 'up';
  outboxPending: number;
}

/**
 * Liveness (the process answers), readiness (PostgreSQL answers, the schema is not behind this build, and with Kafka
 * a broker answers) and the gateway's scrape-time metrics (its pool, the outbox). The older `GET /api/health` stays as it was.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Null in embedded mode: no broker to ask. */
  private readonly kafka: Kafka | null;
  private readonly removeProbes: Array<() => void> = [];

  constructor(
    private readonly repository: HealthRepository,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(gatewayConfigToken) config: GatewayConfig,
  ) {
    this.kafka = config.kafkaBrokers === null ? null : createKafka(config.kafkaBrokers, 'storecredit-gateway-health', config.kafkaSasl);
  }

  onApplicationBootstrap(): void {
    collectProcessMetrics();
    this.removeProbes.push(
      addScrapeProbe('gateway-pools', async () => recordPool('gateway', 'orm', await this.repository.poolCounts())),
      // A gateway alone (no worker in its process) reports the outbox too, rather than a gauge at 0 it never read.
      addScrapeProbe('gateway-outbox', async () => recordOutbox(await this.repository.outboxGauges())),
    );
  }

  onApplicationShutdown(): void {
    for (const remove of this.removeProbes.splice(0)) remove();
  }

  /** Up when the database answers (a failed read is a 500); the outbox backlog says whether events are flowing. */
  async check(): Promise<Health> {
    return { status: 'ok', database: 'up', outboxPending: await this.repository.outboxPending() };
  }

  ready(): Promise<HealthAnswer> {
    return healthAnswer(this.health, this.readinessChecks());
  }

  private readinessChecks(): HealthIndicatorFunction[] {
    const check = (key: string, fn: (signal: AbortSignal) => Promise<Record<string, unknown> | void>) => () =>
      this.indicators.check(key).attempt(({ signal }) => fn(signal)).withTimeout(readinessCheckTimeoutMs);
    const kafka = this.kafka;
    return [
      check('database', () => this.repository.ping()),
      check('schema', async () => {
        const pending = await this.repository.pendingMigrations();
        if (pending.length > 0) throw new Error(`${pending.length} migration(s) pending: ${pending.join(', ')}`);
      }),
      ...(kafka === null ? [] : [check('kafka', (signal) => describeKafkaCluster(kafka, signal))]),
    ];
  }
}
