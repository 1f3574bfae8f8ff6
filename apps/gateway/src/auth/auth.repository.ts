import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Database, textArray, textArraySql, type Queries } from '../database';
import type { StaffPreferences } from '@storecredit/contracts';
import type { Permission } from './permissions';
import type { Principal } from './principal';

export interface StaffRow {
  business_id: string;
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  permissions: Permission[];
  active: boolean;
  /** PostgreSQL's text for a timestamptz, as the driver gives it. */
  deactivated_at: Date | string | null;
  language: StaffPreferences['language'];
  digits: StaffPreferences['digits'];
}

/** What deactivating a member did, or why it did nothing. */
export type Deactivation = { staff: StaffRow; revokedApiKeyIds: string[] } | 'not_found' | 'last_owner';

/** What changing a member's role did, or why it did nothing. */
export type RoleChange = { before: StaffRow; staff: StaffRow; revokedApiKeyIds: string[] } | 'not_found' | 'last_owner';

/** What an API key's `created_by` says for a staff member. */
export function staffCreator(staffId: string): string {
  return `staff:${staffId}`;
}

/** What an API key's `created_by` says for a key made with another key (a service principal's id is `api-key:<id>`). */
const keyCreatorPrefixSql = "'service:api-key:'";

/** A key made by a key made by a key…: deeper than this, a chain is not followed and its last key does not work. */
export const apiKeyChainDepthMax = 32;

/** The ids of the keys `created_by` one of `roots`, of the keys those created, and so on (revoked or not). */
const derivedKeysSql = `
  with recursive derived(id) as (
    select id from api_key where business_id = ? and created_by = any(${textArraySql})
    union
    select k.id from api_key k join derived d on k.business_id = ? and k.created_by = ${keyCreatorPrefixSql} || d.id::text
  )`;

export interface ApiKeyRow {
  business_id: string;
  id: string;
  name: string;
  secret_hash: string;
  permissions: Permission[];
  created_by: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

@Injectable()
export class AuthRepository {
  constructor(private readonly db: Database) {}

  /** Staff with this email, in the named business or in any (one email may work in several businesses). */
  findStaffByEmail(normalEmail: string, businessId: string | undefined, rowsMax: number): Promise<StaffRow[]> {
    return businessId === undefined
      ? this.db.query<StaffRow>('select * from staff where email = ? order by business_id limit ?', [normalEmail, rowsMax])
      : this.db.query<StaffRow>('select * from staff where business_id = ? and email = ?', [businessId, normalEmail]);
  }

  findStaff(businessId: string, id: string): Promise<StaffRow | null> {
    return this.db.one<StaffRow>('select * from staff where business_id = ? and id = ?', [businessId, id]);
  }

  /**
   * A session for a member whose password was just checked, only if they are still active with that same password:
   * the row lock waits for a deactivation or password change in progress, so none of them can miss this session.
   */
  async createSession(tokenHash: string, staff: StaffRow, now: Date, expiresAt: Date): Promise<boolean> {
    const rows = await this.db.query(
      `insert into staff_session (token_hash, business_id, staff_id, expires_at, created_at, last_seen_at)
       select ?, s.business_id, s.id, ?, ?, ? from staff s
       where s.business_id = ? and s.id = ? and s.active and s.password_hash = ? for share
       returning token_hash`,
      [tokenHash, expiresAt, now, now, staff.business_id, staff.id, staff.password_hash],
    );
    return rows.length === 1;
  }

  /** The principal of a live session: unexpired, used within the idle time, of an active member. */
  async principalOfSession(tokenHash: string, now: Date, idleSince: Date): Promise<{ principal: Principal; lastSeenAt: Date } | null> {
    const row = await this.db.one<StaffRow & { last_seen_at: Date }>(
      `select s.*, ss.last_seen_at from staff_session ss join staff s on s.business_id = ss.business_id and s.id = ss.staff_id
       where ss.token_hash = ? and ss.expires_at > ? and ss.last_seen_at > ? and s.active`,
      [tokenHash, now, idleSince],
    );
    if (!row) return null;
    const principal: Principal = {
      kind: 'staff',
      id: row.id,
      name: row.name,
      businessId: row.business_id,
      permissions: row.permissions,
      preferences: preferencesOf(row),
    };
    return { principal, lastSeenAt: new Date(row.last_seen_at) };
  }

  /** One's own language and digits: a member changes only their own (the caller passes the principal's ids). */
  async setPreferences(businessId: string, staffId: string, preferences: StaffPreferences): Promise<StaffPreferences | null> {
    const row = await this.db.one<StaffRow>('update staff set language = ?, digits = ? where business_id = ? and id = ? and active returning *', [
      preferences.language,
      preferences.digits,
      businessId,
      staffId,
    ]);
    return row ? preferencesOf(row) : null;
  }

  async touchSession(tokenHash: string, now: Date): Promise<void> {
    await this.db.query('update staff_session set last_seen_at = ? where token_hash = ?', [now, tokenHash]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('delete from staff_session where token_hash = ?', [tokenHash]);
  }

  /** Ends a member's sessions, but the one named in `keep` (the caller's own, when they changed their password). */
  async deleteSessionsOf(businessId: string, staffId: string, keep: string | null = null, tx: Queries = this.db): Promise<void> {
    await tx.query('delete from staff_session where business_id = ? and staff_id = ? and token_hash is distinct from ?', [businessId, staffId, keep]);
  }

  /** Expired sessions are removed when their member signs in again, so the table does not grow without bound. */
  async deleteExpiredSessionsOf(staff: StaffRow, now: Date, idleSince: Date): Promise<void> {
    await this.db.query('delete from staff_session where business_id = ? and staff_id = ? and (expires_at <= ? or last_seen_at <= ?)', [
      staff.business_id,
      staff.id,
      now,
      idleSince,
    ]);
  }

  /**
   * Deactivates a member, ends their sessions and revokes the API keys they created (they saw each key once and may
   * still hold it) with every key made from those keys, however deep, in one transaction. The business row is locked first, so two owners deactivating each other at
   * the same moment cannot both succeed and leave the business with no active owner.
   */
  deactivateStaff(businessId: string, id: string, now: Date): Promise<Deactivation> {
    return this.db.transaction(async (tx) => {
      await tx.query('select id from business where id = ? for update', [businessId]);
      const target = await tx.one<StaffRow>('select * from staff where business_id = ? and id = ?', [businessId, id]);
      if (!target) return 'not_found';
      if (target.role === 'owner' && target.active) {
        const others = await tx.one<{ n: number }>(
          "select count(*)::int as n from staff where business_id = ? and role = 'owner' and active and id <> ?",
          [businessId, id],
        );
        if (others?.n === 0) return 'last_owner';
      }
      const [staff] = await tx.query<StaffRow>(
        'update staff set active = false, deactivated_at = coalesce(deactivated_at, ?) where business_id = ? and id = ? returning *',
        [now, businessId, id],
      );
      await this.deleteSessionsOf(businessId, id, null, tx);
      const revokedApiKeyIds = await this.revokeDerivedKeys(businessId, [staffCreator(id)], now, tx);
      return { staff, revokedApiKeyIds };
    });
  }

  /**
   * Gives a member a new role and permissions, in one transaction with the business row locked (as deactivateStaff
   * does), so two owners demoting each other at once cannot leave the business with no active owner. The member's
   * sessions read their permissions on each request, so the change holds from their next one. The API keys they made
   * that hold a permission they lose are revoked with every key made from those: a key never holds more than the
   * member behind it.
   */
  changeRole(businessId: string, id: string, role: string, grants: readonly Permission[], now: Date): Promise<RoleChange> {
    return this.db.transaction(async (tx) => {
      await tx.query('select id from business where id = ? for update', [businessId]);
      const before = await tx.one<StaffRow>('select * from staff where business_id = ? and id = ? for update', [businessId, id]);
      if (!before) return 'not_found';
      if (before.role === 'owner' && role !== 'owner' && before.active) {
        const others = await tx.one<{ n: number }>(
          "select count(*)::int as n from staff where business_id = ? and role = 'owner' and active and id <> ?",
          [businessId, id],
        );
        if (others?.n === 0) return 'last_owner';
      }
      const [staff] = await tx.query<StaffRow>(`update staff set role = ?, permissions = ${textArraySql} where business_id = ? and id = ? returning *`, [
        role,
        textArray(grants),
        businessId,
        id,
      ]);
      const exceeding = await tx.query<{ id: string }>(
        `update api_key set revoked_at = ? where business_id = ? and created_by = ? and revoked_at is null
         and not (permissions <@ ${textArraySql}) returning id`,
        [now, businessId, staffCreator(id), textArray(grants)],
      );
      const derived = exceeding.length === 0 ? [] : await this.revokeDerivedKeys(businessId, exceeding.map((key) => `service:api-key:${key.id}`), now, tx);
      return { before, staff, revokedApiKeyIds: [...exceeding.map((key) => key.id), ...derived] };
    });
  }

  async reactivateStaff(businessId: string, id: string): Promise<StaffRow | null> {
    const rows = await this.db.query<StaffRow>(
      'update staff set active = true, deactivated_at = null where business_id = ? and id = ? returning *',
      [businessId, id],
    );
    return rows[0] ?? null;
  }

  /** A new password hash, and the end of the member's sessions but `keep`, in one transaction. */
  setPassword(businessId: string, id: string, passwordHash: string, keep: string | null): Promise<StaffRow | null> {
    return this.db.transaction(async (tx) => {
      const [staff] = await tx.query<StaffRow>('update staff set password_hash = ? where business_id = ? and id = ? returning *', [
        passwordHash,
        businessId,
        id,
      ]);
      if (!staff) return null;
      await this.deleteSessionsOf(businessId, id, keep, tx);
      return staff;
    });
  }

  findApiKey(id: string): Promise<ApiKeyRow | null> {
    return this.db.one<ApiKeyRow>('select * from api_key where id = ?', [id]);
  }

  /**
   * Whether the keys a key was made with are all unrevoked and the member at the root of its chain is not deactivated:
   * a key made by a key works only as long as the power it came from. A root that is no member (the CLI, a test seed)
   * is not deactivated.
   */
  async apiKeyChainLive(key: ApiKeyRow): Promise<boolean> {
    const row = await this.db.one<{ live: boolean }>(
      `with recursive chain(business_id, created_by, depth) as (
         select ?::text, ?::text, 0
         union all
         select p.business_id, p.created_by, c.depth + 1 from chain c
         join api_key p on p.business_id = c.business_id and c.created_by = ${keyCreatorPrefixSql} || p.id::text
         where p.revoked_at is null and c.depth < ?
       ), root as (select * from chain order by depth desc limit 1)
       select not exists (
         select 1 from root where root.created_by like ${keyCreatorPrefixSql} || '%'
           or exists (select 1 from staff s where s.business_id = root.business_id and 'staff:' || s.id::text = root.created_by and not s.active)
       ) as live`,
      [key.business_id, key.created_by, apiKeyChainDepthMax],
    );
    return row?.live === true;
  }

  async createApiKey(businessId: string, name: string, secretHash: string, grants: readonly Permission[], createdBy: string): Promise<ApiKeyRow> {
    const rows = await this.db.query<ApiKeyRow>(
      `insert into api_key (business_id, id, name, secret_hash, permissions, created_by) values (?, ?, ?, ?, ${textArraySql}, ?) returning *`,
      [businessId, uuidv7(), name, secretHash, textArray(grants), createdBy],
    );
    return rows[0];
  }

  listApiKeys(businessId: string): Promise<ApiKeyRow[]> {
    return this.db.query<ApiKeyRow>('select * from api_key where business_id = ? order by created_at desc', [businessId]);
  }

  /** Revokes a key and every key made from it, however deep (each revoked already keeps its time). */
  revokeApiKey(businessId: string, id: string, now: Date): Promise<{ key: ApiKeyRow; revokedApiKeyIds: string[] } | null> {
    return this.db.transaction(async (tx) => {
      const [key] = await tx.query<ApiKeyRow>('update api_key set revoked_at = coalesce(revoked_at, ?) where business_id = ? and id = ? returning *', [
        now,
        businessId,
        id,
      ]);
      if (!key) return null;
      const derived = await this.revokeDerivedKeys(businessId, [`service:api-key:${id}`], now, tx);
      return { key, revokedApiKeyIds: [id, ...derived] };
    });
  }

  /** Revokes the keys derived from these creators; the ids of those it revoked now. */
  private async revokeDerivedKeys(businessId: string, creators: readonly string[], now: Date, tx: Queries): Promise<string[]> {
    const revoked = await tx.query<{ id: string }>(
      `${derivedKeysSql}
       update api_key set revoked_at = ? where business_id = ? and id in (select id from derived) and revoked_at is null returning id`,
      [businessId, textArray(creators), businessId, now, businessId],
    );
    return revoked.map((key) => key.id);
  }

  async createStaff(
    businessId: string,
    staff: { email: string; name: string; role: string; passwordHash: string; permissions: readonly Permission[] },
  ): Promise<StaffRow> {
    const rows = await this.db.query<StaffRow>(
      `insert into staff (business_id, id, email, name, password_hash, role, permissions)
       values (?, ?, ?, ?, ?, ?, ${textArraySql}) returning *`,
      [businessId, uuidv7(), staff.email, staff.name, staff.passwordHash, staff.role, textArray(staff.permissions)],
    );
    return rows[0];
  }

  staffEmailTaken(businessId: string, normalEmail: string): Promise<boolean> {
    return this.db.one('select 1 from staff where business_id = ? and email = ?', [businessId, normalEmail]).then((row) => row !== null);
  }

  listStaff(businessId: string): Promise<StaffRow[]> {
    return this.db.query<StaffRow>('select * from staff where business_id = ? order by created_at', [businessId]);
  }

  async createBusiness(id: string, name: string): Promise<void> {
    await this.db.query('insert into business (id, name) values (?, ?)', [id, name]);
  }

  async businessExists(id: string): Promise<boolean> {
    return (await this.db.one('select 1 from business where id = ?', [id])) !== null;
  }
}

export function preferencesOf(row: Pick<StaffRow, 'language' | 'digits'>): StaffPreferences {
  return { language: row.language, digits: row.digits };
}
