import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerModule, type Clock } from '@storecredit/ledger';
import { CommandConsumer } from './consumers/command.consumer';
import { CommandProcessor } from './consumers/command-processor';
import { HoldSweep } from './hold-sweep';
import { kafkaProvider, WorkerProducer } from './kafka.providers';
import { EventSink, KafkaEventSink } from './outbox/event-sink';
import { OutboxRelay, relayOptionsToken } from './outbox/outbox-relay';
import { SchemaCheck } from './schema-check';
import { TracingFlush } from './tracing-flush';
import { workerConfigToken, type WorkerConfig } from './worker.config';

@Module({})
export class LedgerWorkerModule {
  static forRoot(config: WorkerConfig, clock?: Clock): DynamicModule {
    return {
      module: LedgerWorkerModule,
      imports: [LedgerModule.forRoot({ databaseUrl: config.databaseUrl, clock })],
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
        TracingFlush,
      ],
      exports: [OutboxRelay],
    };
  }
}
