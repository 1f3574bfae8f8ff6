import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Database, textArray, textArraySql } from '../database';
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
}

export interface ApiKeyRow {
  business_id: string;
  id: string;
  name: string;
  secret_hash: string;
  permissions: Permission[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

@Injectable()
export class AuthRepository {
  constructor(private readonly db: Database) {}

  findStaffByEmail(email: string): Promise<StaffRow | null> {
    return this.db.one<StaffRow>('select * from staff where lower(email) = lower(?)', [email]);
  }

  async createSession(tokenHash: string, staff: StaffRow, expiresAt: Date): Promise<void> {
    await this.db.query('insert into staff_session (token_hash, business_id, staff_id, expires_at) values (?, ?, ?, ?)', [
      tokenHash,
      staff.business_id,
      staff.id,
      expiresAt,
    ]);
  }

  async principalOfSession(tokenHash: string): Promise<Principal | null> {
    const row = await this.db.one<StaffRow>(
      `select s.* from staff_session ss join staff s on s.business_id = ss.business_id and s.id = ss.staff_id
       where ss.token_hash = ? and ss.expires_at > now() and s.active`,
      [tokenHash],
    );
    return row && { kind: 'staff', id: row.id, name: row.name, businessId: row.business_id, permissions: row.permissions };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('delete from staff_session where token_hash = ?', [tokenHash]);
  }

  findApiKey(id: string): Promise<ApiKeyRow | null> {
    return this.db.one<ApiKeyRow>('select * from api_key where id = ?', [id]);
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

  async revokeApiKey(businessId: string, id: string): Promise<ApiKeyRow | null> {
    const rows = await this.db.query<ApiKeyRow>(
      'update api_key set revoked_at = coalesce(revoked_at, now()) where business_id = ? and id = ? returning *',
      [businessId, id],
    );
    return rows[0] ?? null;
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
