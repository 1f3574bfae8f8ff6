import { Migration } from '@mikro-orm/migrations';

/**
 * The W3C traceparent of the command that wrote an outbox row, so that the relay publishes its event in the
 * command's trace. Null when the command was not traced (tracing off, or a producer that sent no trace context).
 * A nullable column without a default: adding it rewrites no row.
 */
export class Migration20261205000000_trace_context extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table outbox_message add column trace_parent text;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table outbox_message drop column if exists trace_parent;');
  }
}
