import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { ledgerEventsController } from './ledger-events.controller';
import { MetricsEndpoint } from './metrics-endpoint';
import { EventProjector } from './read-model/event-projector';
import { ReadModelStore } from './read-model/read-model.store';
import { migrateReportingSchema } from './read-model/reporting-schema';
import type { ReportingConfig } from './reporting.config';
import { ReportingMetrics } from './reporting.metrics';

export const reportingConfigToken = Symbol('ReportingConfig');
/** Connections beyond one per partition applied at once: the metrics scrape and the malformed rows. */
const poolSpareConnections = 2;

/**
 * The read model's schema before the consumer starts, the metrics port once it runs, and the pool closed last:
 * Nest closes the Kafka server (no more events) before it calls onApplicationShutdown.
 */
@Injectable()
export class ReportingLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reporting');
  private readonly endpoint: MetricsEndpoint;
  /** The port GET /metrics listens on, once started (the one asked for, or the one taken for 0). */
  metricsPort: number | undefined;

  constructor(
    @Inject(reportingConfigToken) private readonly config: ReportingConfig,
    private readonly store: ReadModelStore,
    metrics: ReportingMetrics,
  ) {
    this.endpoint = new MetricsEndpoint(metrics.registry);
  }

  async onModuleInit(): Promise<void> {
    await migrateReportingSchema(this.store.pool);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.httpPort === undefined) return;
    this.metricsPort = await this.endpoint.listen(this.config.httpPort, this.config.httpHost ?? '127.0.0.1');
    this.logger.log(`metrics at http://0.0.0.0:${this.metricsPort}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.close();
    await this.store.pool.end();
  }
}

@Module({})
export class ReportingModule {
  static forRoot(config: ReportingConfig): DynamicModule {
    return {
      module: ReportingModule,
      controllers: [ledgerEventsController(config.eventsTopic)],
      providers: [
        { provide: reportingConfigToken, useValue: config },
        {
          provide: ReadModelStore,
          useFactory: () => new ReadModelStore(new Pool({ connectionString: config.databaseUrl, max: config.partitionsConsumedConcurrently + poolSpareConnections })),
        },
        { provide: ReportingMetrics, inject: [ReadModelStore], useFactory: (store: ReadModelStore) => new ReportingMetrics(store) },
        { provide: EventProjector, inject: [ReadModelStore, ReportingMetrics], useFactory: (store: ReadModelStore, metrics: ReportingMetrics) => new EventProjector(store, metrics) },
        ReportingLifecycle,
      ],
    };
  }
}
