import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LedgerModule, type Clock } from '@storecredit/ledger';
import { CommandConsumer } from './consumers/command.consumer';
import { CommandProcessor } from './consumers/command-processor';
import { HoldSweep } from './hold-sweep';
import { kafkaProvider, WorkerProducer } from './kafka.providers';
import { EventSink, KafkaEventSink } from './outbox/event-sink';
import { OutboxRelay, relayOptionsToken } from './outbox/outbox-relay';
import { WorkerHttp } from './operations/worker-http';
import { SchemaCheck } from './schema-check';
import { TracingFlush } from './tracing-flush';
import { workerConfigToken, type WorkerConfig } from './worker.config';

@Module({})
export class LedgerWorkerModule {
  static forRoot(config: WorkerConfig, clock?: Clock): DynamicModule {
    return {
      module: LedgerWorkerModule,
      // terminus's logger off: a failed readiness is answered with its reason, and probed every few seconds.
      imports: [LedgerModule.forRoot({ databaseUrl: config.databaseUrl, clock }), TerminusModule.forRoot({ logger: false })],
      providers: [
        { provide: workerConfigToken, useValue: config },
        SchemaCheck,
        kafkaProvider,
        WorkerProducer,
        CommandProcessor,
        { provide: EventSink, useClass: KafkaEventSink },
        { provide: relayOptionsToken, useValue: { enabled: config.relayEnabled } },
        OutboxRelay,
        CommandConsumer,
        HoldSweep,
        WorkerHttp,
        TracingFlush,
      ],
      exports: [OutboxRelay],
    };
  }
}
