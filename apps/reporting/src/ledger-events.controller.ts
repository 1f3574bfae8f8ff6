import { Controller, Logger, type Type } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { decodeLedgerEvent } from './ledger-event.decoder';
import { EventProjector } from './read-model/event-projector';
import { ReadModelStore } from './read-model/read-model.store';
import { isWalletEvent } from './read-model/sequence-rules';
import { ReportingMetrics } from './reporting.metrics';

/**
 * The controller of the event topic. `@EventPattern` takes its pattern when the class is declared, and Nest's Kafka
 * server subscribes to each pattern as a topic name; the topic's prefix comes from the configuration, so the class is
 * declared here, once the configuration is known, rather than at import time with a topic read from the environment.
 *
 * Nest's server awaits the handler, and only then does kafkajs mark the offset done (committed at the end of the
 * fetched batch); a handler that throws makes kafkajs deliver the message again (after its retries, it restarts the
 * consumer from the last committed offset). So the handler throws only what may pass (the
 * database away), and never for a message that can never be applied: that one is logged, kept in
 * reporting.malformed_event and counted, and the partition moves on (the event topic has no dead-letter topic).
 */
export function ledgerEventsController(eventsTopic: string): Type<unknown> {
  @Controller()
  class LedgerEventsController {
    private readonly logger = new Logger('LedgerEventsController');

    constructor(
      private readonly projector: EventProjector,
      private readonly store: ReadModelStore,
      private readonly metrics: ReportingMetrics,
    ) {}

    @EventPattern<string>(eventsTopic)
    async onLedgerEvent(@Payload() value: unknown, @Ctx() context: KafkaContext): Promise<void> {
      const message = context.getMessage();
      const key = message.key === null || message.key === undefined ? null : String(message.key);
      const where = { topic: context.getTopic(), partition: context.getPartition(), offset: message.offset };
      const skip = async (reason: string) => {
        this.logger.warn(`malformed event at ${where.topic}[${where.partition}]@${where.offset}: ${reason}; kept in reporting.malformed_event, skipped`);
        await this.store.keepMalformed({ ...where, key, reason, value: storedText(value) });
        this.metrics.countEvent('malformed');
      };
      const decoded = decodeLedgerEvent(value, key);
      if (!decoded.ok) return skip(decoded.reason);
      // Gift card events are for a liability report this read model does not keep.
      if (!isWalletEvent(decoded.event)) {
        this.metrics.countEvent('ignored');
        return;
      }
      try {
        await this.projector.project(decoded.event);
      } catch (error) {
        // A value the database refuses (a data exception, a check) would be refused on every delivery and stop the
        // partition for good: it is kept and skipped like any malformed event. Anything else (the connection) is thrown,
        // and the event delivered again.
        if (!refusedForItsData(error)) throw error;
        await skip(`the read model refused it: ${(error as Error).message}`);
      }
    }
  }
  return LedgerEventsController;
}

/** PostgreSQL's data exceptions (class 22: out of range, bad text) and check violations refuse the value, not the moment. */
function refusedForItsData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23514');
}

/** The value as text PostgreSQL takes: a binary value as base64, and no NUL character, which text refuses. */
function storedText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `base64:${value.toString('base64')}`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replaceAll('\u0000', '\\u0000');
}
