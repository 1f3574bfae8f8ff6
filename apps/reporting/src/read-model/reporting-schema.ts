import type { Pool } from 'pg';

/**
 * The read model's own schema, beside the ledger's tables in the same database but never joined with them: the
 * consumer knows the ledger only through its events. Every statement may run again, so the app applies it on each
 * start; a change later is a new statement added at the end, never an edit of one that has run.
 */
const statements = [
  `create schema if not exists reporting`,
  // An event id seen once: a redelivery (the relay and the consumer are both at least once) is dropped here.
  `create table if not exists reporting.processed_event (
     event_id text primary key,
     processed_at timestamptz not null default now()
   )`,
  `create table if not exists reporting.wallet (
     business_id text not null,
     wallet_id text not null,
     client_id text not null,
     currency text not null,
     last_sequence integer not null default 0 check (last_sequence >= 0),
     balance numeric not null default 0,
     held numeric not null default 0,
     updated_at timestamptz not null default now(),
     primary key (business_id, wallet_id)
   )`,
  // No check of sign on the amounts: the ledger decides them (and checks them); a read model that refused one would
  // stop its partition for good. A balance that disagrees with the ledger's balanceAfter is counted instead.
  // Credit the business owes its clients, per currency: the sum of its wallets' balances, kept as events arrive.
  `create table if not exists reporting.outstanding (
     business_id text not null,
     currency text not null,
     amount numeric not null default 0,
     primary key (business_id, currency)
   )`,
  // Events that arrived ahead of their wallet's next sequence, kept until the missing ones arrive.
  `create table if not exists reporting.parked_event (
     id bigint generated always as identity primary key,
     business_id text not null,
     wallet_id text not null,
     needed_sequence integer not null,
     kind text not null check (kind in ('entry', 'hold')),
     event jsonb not null,
     parked_at timestamptz not null default now()
   )`,
  `create index if not exists parked_event_wallet on reporting.parked_event (business_id, wallet_id, needed_sequence)`,
  // The event topic has no dead-letter topic: what cannot be read is kept here for an operator, and the partition moves on.
  `create table if not exists reporting.malformed_event (
     id bigint generated always as identity primary key,
     topic text not null,
     kafka_partition integer not null,
     kafka_offset text not null,
     message_key text,
     reason text not null,
     value text,
     received_at timestamptz not null default now()
   )`,
];

/** Creates the reporting schema and its tables where they are missing; safe to run at every start, by many replicas. */
export async function migrateReportingSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Two replicas starting at once would race on `create ... if not exists` (it can still fail on the catalog's
    // unique index); the advisory lock makes them take turns.
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('storecredit.reporting.schema'))`);
    for (const statement of statements) await client.query(statement);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
