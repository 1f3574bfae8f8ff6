import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { LedgerEvent } from '@storecredit/contracts';

/** An event written in the same transaction as its entry; the relay publishes it and deletes the row. */
@Entity({ tableName: 'outbox_message' })
export class OutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  businessId!: string;

  @Property({ type: 'text' })
  messageKey!: string;

  /** Orders a wallet's events: its entry sequence, or 0 for gift card events. */
  @Property({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'json' })
  payload!: LedgerEvent;

  /** The W3C traceparent of the command that wrote it, when traced: the relay publishes the event in its trace. */
  @Property({ type: 'text', nullable: true })
  traceParent?: string | null;

  /*
   * created_at is not mapped: the database stamps it with clock_timestamp() at insert, one clock for all
   * workers. A wallet's next entry is inserted after its previous one committed, so ordering by created_at
   * keeps each wallet's events in order.
   */
}
