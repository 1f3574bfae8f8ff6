import type { Provider } from '@nestjs/common';
import { DiscardingEventSink, EventSink } from './event-sink';
import { OutboxRelay, relayOptionsToken } from './outbox-relay';

/**
 * The outbox relay for the embedded database, where no broker reads the outbox: it runs in the process that holds
 * the database, beside whatever module owns the ledger's connection, and drops the events. Never for a shared
 * database, where the workers' relays publish them.
 */
export function embeddedOutboxRelay(): Provider[] {
  return [{ provide: EventSink, useClass: DiscardingEventSink }, { provide: relayOptionsToken, useValue: { enabled: true } }, OutboxRelay];
}
