import { Migration } from '@mikro-orm/migrations';

/**
 * The refund screen lists a client's balance payments newest first, a page at a time (GET /api/clients/:id/payments):
 * this index is that order, so a page past the cursor reads only its own rows.
 */
export class Migration20261207010000_payments_by_client extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index balance_payment_client on balance_payment (business_id, client_id, created_at desc, command_id desc);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists balance_payment_client;');
  }
}
