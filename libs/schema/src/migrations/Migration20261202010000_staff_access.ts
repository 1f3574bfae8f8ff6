import { Migration } from '@mikro-orm/migrations';

/**
 * Staff access that can be taken away: a member can be deactivated (and when), a session records its last use (for
 * the idle timeout) and is found by member (to end them all at once), emails are unique per business instead of
 * across every business (so creating staff never reveals another tenant's staff), and failed sign-ins are counted
 * in PostgreSQL, so every gateway replica shares the throttle. The throttle is keyed by email and by address, not
 * by business: sign-in happens before the business is known.
 */
export class Migration20261202010000_staff_access extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table staff add column deactivated_at timestamptz null;');
    this.addSql('drop index staff_email_unique;');
    this.addSql('create unique index staff_email_unique on staff (business_id, lower(email));');
    this.addSql('create index staff_email on staff (lower(email));');
    this.addSql('alter table staff_session add column last_seen_at timestamptz not null default now();');
    this.addSql('create index staff_session_staff on staff_session (business_id, staff_id);');
    this.addSql('create index api_key_created_by on api_key (business_id, created_by) where revoked_at is null;');
    this.addSql(`
      create table sign_in_throttle (
        bucket text not null primary key,
        window_started_at timestamptz not null,
        failures integer not null check (failures >= 0)
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists sign_in_throttle;');
    this.addSql('drop index if exists api_key_created_by;');
    this.addSql('drop index if exists staff_session_staff;');
    this.addSql('alter table staff_session drop column if exists last_seen_at;');
    this.addSql('drop index if exists staff_email;');
    this.addSql('drop index if exists staff_email_unique;');
    // Fails while two businesses share an email: that data has to be settled by hand before going back.
    this.addSql('create unique index staff_email_unique on staff (lower(email));');
    this.addSql('alter table staff drop column if exists deactivated_at;');
  }
}
