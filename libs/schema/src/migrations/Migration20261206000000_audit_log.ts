import { Migration } from '@mikro-orm/migrations';

/**
 * Who did what outside the ledger (sign-ins, staff, keys, gift cards, settings), when and from where. Append-only
 * like the ledger's entries: the database refuses an update, a delete or a truncate, so not even the gateway's own
 * connection can rewrite what happened. business_id is null only for a failed sign-in whose email names no member
 * (no business to show it to; operators read it in the table). Owners get the new audit.view permission.
 */
export class Migration20261206000000_audit_log extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_log (
        id uuid primary key default gen_random_uuid(),
        business_id text references business (id),
        at timestamptz not null default now(),
        action text not null,
        actor_kind text not null,
        actor_id text,
        actor_name text,
        address text,
        target_kind text,
        target_id text,
        details jsonb not null default '{}',
        constraint audit_log_actor_kind_known check (actor_kind in ('staff', 'service', 'anonymous', 'system'))
      );`);
    this.addSql(`create index audit_log_by_business on audit_log (business_id, at desc, id desc);`);
    this.addSql(`
      create function audit_log_is_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the audit log is append-only: % refused', tg_op using errcode = 'integrity_constraint_violation';
      end $$;`);
    this.addSql(`
      create trigger audit_log_no_update_or_delete before update or delete on audit_log
      for each row execute function audit_log_is_append_only();`);
    this.addSql(`
      create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_is_append_only();`);
    this.addSql(`
      update staff set permissions = array(select distinct unnest(permissions || array['audit.view']))
      where role = 'owner';`);
  }

  override async down(): Promise<void> {
    this.addSql(`update staff set permissions = array_remove(permissions, 'audit.view');`);
    this.addSql('drop table if exists audit_log;');
    this.addSql('drop function if exists audit_log_is_append_only();');
  }
}
