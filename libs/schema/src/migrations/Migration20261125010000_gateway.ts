import { Migration } from '@mikro-orm/migrations';

/**
 * The gateway's tables: tenants, staff and their sessions, service API keys, the client directory, the
 * commands the gateway submitted (for their status URL), and redemption throttling. Secrets are stored
 * hashed only: scrypt for passwords, SHA-256 for high-entropy tokens.
 */
export class Migration20261125010000_gateway extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table business (
        id text not null primary key,
        name text not null,
        created_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table staff (
        business_id text not null references business (id),
        id uuid not null,
        email text not null,
        name text not null,
        password_hash text not null,
        role text not null,
        permissions text[] not null,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        primary key (business_id, id)
      );`);
    this.addSql(`create unique index staff_email_unique on staff (lower(email));`);
    this.addSql(`
      create table staff_session (
        token_hash text not null primary key,
        business_id text not null,
        staff_id uuid not null,
        expires_at timestamptz not null,
        created_at timestamptz not null default now(),
        foreign key (business_id, staff_id) references staff (business_id, id)
      );`);
    this.addSql(`
      create table api_key (
        business_id text not null references business (id),
        id uuid not null,
        name text not null,
        secret_hash text not null,
        permissions text[] not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz null,
        primary key (business_id, id)
      );`);
    this.addSql(`create unique index api_key_id_unique on api_key (id);`);
    this.addSql(`
      create table client (
        business_id text not null references business (id),
        id text not null,
        name text not null,
        phone text null,
        email text null,
        external_id text null,
        created_at timestamptz not null default now(),
        primary key (business_id, id)
      );`);
    this.addSql(`create index client_name on client (business_id, lower(name), id);`);
    this.addSql(`create unique index client_external_id on client (business_id, external_id) where external_id is not null;`);
    this.addSql(`
      create table gateway_request (
        business_id text not null,
        command_id text not null,
        command_type text not null,
        principal text not null,
        created_at timestamptz not null default now(),
        primary key (business_id, command_id)
      );`);
    this.addSql(`
      create table rate_limit (
        business_id text not null,
        bucket text not null,
        window_started_at timestamptz not null,
        failures integer not null,
        primary key (business_id, bucket)
      );`);
    this.addSql(`create index ledger_entry_client_wallet_history on ledger_entry (business_id, client_id, currency, created_at desc, id desc);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists ledger_entry_client_wallet_history;');
    this.addSql('drop table if exists rate_limit, gateway_request, client, api_key, staff_session, staff, business;');
  }
}
