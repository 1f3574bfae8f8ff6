import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { AuthRepository, type StaffRow } from './auth.repository';
import { permissions as allPermissions, rolePermissions, type Permission } from './permissions';
import type { Principal } from './principal';
import { hashPassword, randomToken, sha256, unmatchableHash, verifyPassword } from './secrets';

export const sessionLifetimeMs = 12 * 60 * 60 * 1000;
export const sessionPrefix = 'sess_';
export const apiKeyPrefix = 'sk_';
export const passwordLengthMin = 10;

/** Sign-in, sessions and API keys. Secrets are shown once and stored hashed. */
@Injectable()
export class AuthService {
  constructor(private readonly repository: AuthRepository) {}

  async signIn(email: string, password: string): Promise<{ token: string; expiresAt: Date; staff: StaffRow }> {
    const staff = await this.repository.findStaffByEmail(email);
    const matches = await verifyPassword(password, staff?.password_hash ?? unmatchableHash);
    if (!staff || !matches || !staff.active) throw new ApiError('invalid_credentials');
    const token = `${sessionPrefix}${randomToken()}`;
    const expiresAt = new Date(Date.now() + sessionLifetimeMs);
    await this.repository.createSession(sha256(token), staff, expiresAt);
    return { token, expiresAt, staff };
  }

  async signOut(token: string): Promise<void> {
    await this.repository.deleteSession(sha256(token));
  }

  /** The principal a bearer token or session cookie stands for, or null. */
  async authenticate(token: string): Promise<Principal | null> {
    if (token.startsWith(sessionPrefix)) return this.repository.principalOfSession(sha256(token));
    if (token.startsWith(apiKeyPrefix)) return this.authenticateApiKey(token);
    return null;
  }

  async createApiKey(principal: Principal, name: string, grants: readonly Permission[]): Promise<{ key: string; id: string }> {
    const secret = randomToken();
    const row = await this.repository.createApiKey(principal.businessId, name, sha256(secret), grants, `${principal.kind}:${principal.id}`);
    return { key: `${apiKeyPrefix}${row.id.replace(/-/g, '')}_${secret}`, id: row.id };
  }

  async createStaff(
    businessId: string,
    input: { email: string; name: string; password: string; role: string; permissions?: readonly Permission[] },
  ): Promise<StaffRow> {
    if (input.password.length < passwordLengthMin) {
      throw new ApiError('invalid_request', { field: 'password' }, `Password must have at least ${passwordLengthMin} characters`);
    }
    if (await this.repository.findStaffByEmail(input.email)) {
      throw new ApiError('invalid_request', { field: 'email' }, 'A staff member with this email already exists');
    }
    const grants = input.permissions ?? rolePermissions[input.role] ?? [];
    return this.repository.createStaff(businessId, {
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      permissions: grants.filter((p) => allPermissions.includes(p)),
    });
  }

  private async authenticateApiKey(token: string): Promise<Principal | null> {
    const match = /^sk_([0-9a-f]{32})_([A-Za-z0-9_-]{20,})$/.exec(token);
    if (!match) return null;
    const id = match[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const key = await this.repository.findApiKey(id);
    if (!key || key.revoked_at !== null || key.secret_hash !== sha256(match[2])) return null;
    return { kind: 'service', id: `api-key:${key.id}`, name: key.name, businessId: key.business_id, permissions: key.permissions };
  }
}
