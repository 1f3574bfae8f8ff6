import { Migration } from '@mikro-orm/migrations';

/**
 * Stored replies and outbox events are written once and read back whole (a replay answers with the reply; the relay
 * publishes the event as stored): no query looks inside them by key. As `json` they are kept as the text the worker
 * wrote, checked but not converted to jsonb's binary form on every insert and back to text on every read, which
 * was a large part of PostgreSQL's work per command.
 *
 * The outbox is a queue: every row is deleted within moments. Its table is vacuumed after every thousand dead rows
 * instead of after a fifth of the table, so the relay's index scan does not wade through dead rows.
 */
export class Migration20261125020000_json_bodies extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table idempotency_record alter column reply type json using reply::json;');
    this.addSql('alter table outbox_message alter column payload type json using payload::json;');
    this.addSql('alter table outbox_message set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);');
  }

  override async down(): Promise<void> {
    this.addSql('alter table outbox_message reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);');
    this.addSql('alter table outbox_message alter column payload type jsonb using payload::jsonb;');
    this.addSql('alter table idempotency_record alter column reply type jsonb using reply::jsonb;');
  }
}
