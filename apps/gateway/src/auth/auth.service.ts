import { Inject, Injectable } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { StaffPreferences, StaffRole } from '@storecredit/contracts';
import { Clock } from '@storecredit/ledger';
import { AuditLog } from '../audit/audit.service';
import { gatewayConfigToken, type GatewayConfig } from '../gateway.config';
import { ApiError } from '../http/api-error';
import { AuthRepository, staffCreator, type ApiKeyRow, type StaffRow } from './auth.repository';
import { passwordWeakness, passwordWeaknessMessages } from './password-policy';
import { grantRefusal, memberChangeRefusal, ownerRole, permissions as allPermissions, rolePermissions, type Authority, type Permission, type Refusal } from './permissions';
import type { Principal } from './principal';
import { hashPassword, randomToken, sha256, unmatchableHash, verifyPassword } from './secrets';
import { sessionTouchIntervalMs } from './sessions';
import { signInBuckets, SignInThrottle } from './sign-in-throttle';
import { normalStaffEmail } from './staff-email';

export const sessionPrefix = 'sess_';
export const apiKeyPrefix = 'sk_';
/**
 * One email may work in several businesses; sign-in without a business checks the password against each of them
 * (one scrypt each), up to this many.
 */
export const sameEmailBusinessesMax = 5;

export interface SignInOptions {
  /** The business to sign in to; needed only when the email and password match in more than one. */
  business?: string;
  /** The client's address, for the per-address throttle. */
  address?: string;
}

/** Sign-in, sessions, passwords and API keys. Secrets are shown once and stored hashed. */
@Injectable()
export class AuthService {
  constructor(
    private readonly repository: AuthRepository,
    private readonly throttle: SignInThrottle,
    private readonly clock: Clock,
    @Inject(gatewayConfigToken) private readonly config: GatewayConfig,
    private readonly audit: AuditLog,
  ) {}

  /**
   * An unknown email, a wrong password and a deactivated member get the same answer after the same work (one
   * scrypt), so sign-in tells no one which emails exist.
   */
  async signIn(email: string, password: string, options: SignInOptions = {}): Promise<{ token: string; expiresAt: Date; staff: StaffRow }> {
    const buckets = signInBuckets(email, options.address);
    await this.throttle.reserveAttempt(buckets);
    const { staff, candidates } = await this.staffMatching(email, password, options.business);
    const now = this.clock.now();
    const token = `${sessionPrefix}${randomToken()}`;
    const expiresAt = new Date(now.getTime() + this.config.sessionLifetimeMs);
    if (!staff || !(await this.repository.createSession(sha256(token), staff, now, expiresAt))) {
      await this.recordFailedSignIn(candidates, options.address ?? null);
      throw new ApiError('invalid_credentials');
    }
    await this.throttle.forgiveAttempt(buckets);
    await this.repository.deleteExpiredSessionsOf(staff, now, this.idleSince(now));
    await this.audit.record({
      action: 'sign_in',
      businessId: staff.business_id,
      actor: { kind: 'staff', id: staff.id, name: staff.name, businessId: staff.business_id, permissions: [] },
      address: options.address ?? null,
      target: { kind: 'staff', id: staff.id },
    });
    return { token, expiresAt, staff };
  }

  async signOut(token: string): Promise<void> {
    await this.repository.deleteSession(sha256(token));
  }

  /** Ends every session of a staff member, this one included. */
  async signOutEverywhere(principal: Principal, address: string | null = null): Promise<void> {
    await this.repository.deleteSessionsOf(principal.businessId, staffIdOf(principal));
    await this.recordOnSelf(principal, 'signed_out_everywhere', address);
  }

  /** The principal a bearer token or session cookie stands for, or null. */
  async authenticate(token: string): Promise<Principal | null> {
    if (token.startsWith(sessionPrefix)) return this.authenticateSession(sha256(token));
    if (token.startsWith(apiKeyPrefix)) return this.authenticateApiKey(token);
    return null;
  }

  /** One's own language and digits for the web app; an API key has no person to remember them for. */
  async setOwnPreferences(principal: Principal, preferences: StaffPreferences): Promise<StaffPreferences> {
    if (principal.kind !== 'staff') throw new ApiError('forbidden', undefined, 'Only a staff member has preferences');
    const saved = await this.repository.setPreferences(principal.businessId, principal.id, preferences);
    if (!saved) throw new ApiError('unauthenticated');
    return saved;
  }

  /** A member's own password change: needs the current password, and ends their other sessions. */
  async changeOwnPassword(
    principal: Principal,
    currentToken: string,
    passwords: { currentPassword: string; newPassword: string },
    address: string | undefined,
  ): Promise<void> {
    const { currentPassword, newPassword } = passwords;
    const staff = await this.repository.findStaff(principal.businessId, staffIdOf(principal));
    if (!staff) throw new ApiError('unauthenticated');
    // The current password is a password guess like any other: a stolen session must not try them freely.
    const buckets = signInBuckets(staff.email, address);
    await this.throttle.reserveAttempt(buckets);
    if (!(await verifyPassword(currentPassword, staff.password_hash))) {
      throw new ApiError('invalid_request', { field: 'currentPassword' }, 'The current password is incorrect');
    }
    await this.throttle.forgiveAttempt(buckets);
    await this.setPassword(staff, newPassword, sha256(currentToken));
    await this.recordOnSelf(principal, 'password_changed', address ?? null);
  }

  /** A password set by someone with staff.manage: every session of the member ends (the caller's own stays). */
  async resetPassword(principal: Principal, staffId: string, newPassword: string, currentToken: string | null, address: string | null = null): Promise<void> {
    const staff = await this.staffChangeableBy(principal, staffId);
    await this.setPassword(staff, newPassword, currentToken === null ? null : sha256(currentToken));
    await this.audit.record({ action: 'password_reset', businessId: principal.businessId, actor: principal, address, target: { kind: 'staff', id: staff.id } });
  }

  /** The business's staff, in the order they were added. */
  listStaff(principal: Principal): Promise<StaffRow[]> {
    return this.repository.listStaff(principal.businessId);
  }

  /** The business's API keys, newest first, revoked ones included. */
  listApiKeys(principal: Principal): Promise<ApiKeyRow[]> {
    return this.repository.listApiKeys(principal.businessId);
  }

  /** Ends the member's sessions and revokes every key derived from them (see AuthRepository.deactivateStaff). */
  async deactivateStaff(principal: Principal, staffId: string, address: string | null = null): Promise<{ staff: StaffRow; revokedApiKeyIds: string[] }> {
    if (principal.kind === 'staff' && principal.id === staffId) {
      throw new ApiError('invalid_request', { field: 'id' }, 'You cannot deactivate yourself');
    }
    await this.staffChangeableBy(principal, staffId);
    const outcome = await this.repository.deactivateStaff(principal.businessId, staffId, this.clock.now());
    if (outcome === 'not_found') throw staffNotFound();
    if (outcome === 'last_owner') throw new ApiError('last_owner', undefined, 'This is the last active owner; make another member owner first');
    await this.audit.record({
      action: 'staff_deactivated',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'staff', id: staffId },
      details: { revokedApiKeyIds: outcome.revokedApiKeyIds },
    });
    return outcome;
  }

  /**
   * A new role or permission list for a member, under the rules of creating one (grantRefusal) and of changing one
   * (memberChangeRefusal): within the caller's own permissions, an owner made or unmade only by an owner, never one's
   * own, and never the business's last active owner. Permissions not given are the new role's preset.
   */
  async changeRole(principal: Principal, staffId: string, change: RoleChangeInput, address: string | null = null): Promise<{ staff: StaffRow; revokedApiKeyIds: string[] }> {
    if (principal.kind === 'staff' && principal.id === staffId) {
      throw new ApiError('invalid_request', { field: 'id' }, 'You cannot change your own role or permissions');
    }
    const target = await this.staffChangeableBy(principal, staffId);
    const role = change.role ?? (target.role as StaffRole);
    const grants = [...new Set(change.permissions ?? rolePermissions[role])].filter((p) => allPermissions.includes(p));
    refuseIf(grantRefusal(await this.authorityOf(principal), role, grants));
    const outcome = await this.repository.changeRole(principal.businessId, staffId, role, grants, this.clock.now());
    if (outcome === 'not_found') throw staffNotFound();
    if (outcome === 'last_owner') throw new ApiError('last_owner', undefined, 'This is the last active owner; make another member owner first');
    await this.audit.record({
      action: 'staff_role_changed',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'staff', id: staffId },
      details: {
        before: { role: outcome.before.role, permissions: outcome.before.permissions },
        after: { role: outcome.staff.role, permissions: outcome.staff.permissions },
        revokedApiKeyIds: outcome.revokedApiKeyIds,
      },
    });
    return { staff: outcome.staff, revokedApiKeyIds: outcome.revokedApiKeyIds };
  }

  async reactivateStaff(principal: Principal, staffId: string, address: string | null = null): Promise<StaffRow> {
    await this.staffChangeableBy(principal, staffId);
    const staff = await this.repository.reactivateStaff(principal.businessId, staffId);
    if (!staff) throw staffNotFound();
    await this.audit.record({ action: 'staff_reactivated', businessId: principal.businessId, actor: principal, address, target: { kind: 'staff', id: staffId } });
    return staff;
  }

  /** A key holds at most what its creator holds; it works while every key and member above it does. */
  async createApiKey(principal: Principal, name: string, grants: readonly Permission[], address: string | null = null): Promise<{ key: string; id: string }> {
    refuseIf(grantRefusal({ permissions: principal.permissions, owner: false }, null, grants));
    const secret = randomToken();
    const createdBy = principal.kind === 'staff' ? staffCreator(principal.id) : `${principal.kind}:${principal.id}`;
    const row = await this.repository.createApiKey(principal.businessId, name, sha256(secret), grants, createdBy);
    await this.audit.record({
      action: 'api_key_created',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'api_key', id: row.id },
      details: { name, permissions: grants },
    });
    return { key: `${apiKeyPrefix}${row.id.replace(/-/g, '')}_${secret}`, id: row.id };
  }

  async revokeApiKey(principal: Principal, id: string, address: string | null = null): Promise<{ key: ApiKeyRow; revokedApiKeyIds: string[] }> {
    const revoked = await this.repository.revokeApiKey(principal.businessId, id, this.clock.now());
    if (!revoked) throw new ApiError('not_found', undefined, 'API key not found');
    await this.audit.record({
      action: 'api_key_revoked',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'api_key', id },
      details: { name: revoked.key.name, revokedApiKeyIds: revoked.revokedApiKeyIds },
    });
    return revoked;
  }

  /** A member created by a principal, who grants only what it holds (and the owner's role only as an owner). */
  async createStaffAs(principal: Principal, input: StaffInput, address: string | null = null): Promise<StaffRow> {
    refuseIf(grantRefusal(await this.authorityOf(principal), input.role, grantsOf(input)));
    const staff = await this.createStaff(principal.businessId, input);
    await this.audit.record({
      action: 'staff_created',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'staff', id: staff.id },
      details: { email: staff.email, name: staff.name, role: staff.role, permissions: staff.permissions },
    });
    return staff;
  }

  /**
   * Staff emails are unique per business: an email another business uses is no concern of this one. No permission is
   * checked here: the business creation CLI and the demo seed call it; a principal goes through createStaffAs.
   */
  async createStaff(
    businessId: string,
    input: StaffInput,
  ): Promise<StaffRow> {
    const email = normalStaffEmail(input.email);
    assertStrongPassword(input.password, email);
    if (await this.repository.staffEmailTaken(businessId, email)) throw emailTaken();
    const grants = grantsOf(input);
    try {
      return await this.repository.createStaff(businessId, {
        email,
        name: input.name,
        role: input.role,
        passwordHash: await hashPassword(input.password),
        permissions: grants.filter((p) => allPermissions.includes(p)),
      });
    } catch (error) {
      // Two creations of the same email at once: the unique index decides, and the loser hears what a later one would.
      if (error instanceof UniqueConstraintViolationException) throw emailTaken();
      throw error;
    }
  }

  /** The member of the principal's business it may reset, deactivate or reactivate; 404 or 403 otherwise. */
  private async staffChangeableBy(principal: Principal, staffId: string): Promise<StaffRow> {
    const staff = await this.repository.findStaff(principal.businessId, staffId);
    if (!staff) throw staffNotFound();
    refuseIf(memberChangeRefusal(await this.authorityOf(principal), staff));
    return staff;
  }

  /**
   * A member's authority is read afresh: whether they are an owner is not part of their session. A key is never an
   * owner. A member deactivated while this request ran (after the guard checked their session) has no session any
   * more: they hear what their next request would, not a refusal that suggests a missing permission.
   */
  private async authorityOf(principal: Principal): Promise<Authority> {
    if (principal.kind !== 'staff') return { permissions: principal.permissions, owner: false };
    const staff = await this.repository.findStaff(principal.businessId, principal.id);
    if (!staff?.active) throw new ApiError('unauthenticated');
    return { permissions: principal.permissions, owner: staff.role === ownerRole };
  }

  private async setPassword(staff: StaffRow, newPassword: string, keepTokenHash: string | null): Promise<void> {
    assertStrongPassword(newPassword, staff.email);
    await this.repository.setPassword(staff.business_id, staff.id, await hashPassword(newPassword), keepTokenHash);
  }

  /**
   * The active member whose password this is. Each candidate's hash is checked (a missing email checks a hash that
   * matches nothing, so it costs the same); when the password opens more than one business, the caller names one.
   */
  private async staffMatching(email: string, password: string, business: string | undefined): Promise<{ staff: StaffRow | null; candidates: StaffRow[] }> {
    const candidates = await this.repository.findStaffByEmail(normalStaffEmail(email), business, sameEmailBusinessesMax);
    if (candidates.length === 0) {
      await verifyPassword(password, unmatchableHash);
      return { staff: null, candidates };
    }
    const matching: StaffRow[] = [];
    for (const staff of candidates) {
      if ((await verifyPassword(password, staff.password_hash)) && staff.active) matching.push(staff);
    }
    if (matching.length > 1) {
      throw new ApiError(
        'invalid_request',
        { field: 'business', businesses: matching.map((staff) => staff.business_id) },
        'This login works in several businesses; name the business to sign in to',
      );
    }
    return { staff: matching[0] ?? null, candidates };
  }

  /**
   * A failed sign-in is shown to each business whose member the email names (as an attempt on that member); one that
   * names nobody is kept for operators without a business. The email typed is not stored: a password typed into the
   * email field would otherwise sit in the log.
   */
  private async recordFailedSignIn(candidates: readonly StaffRow[], address: string | null): Promise<void> {
    const anonymous = { kind: 'anonymous' } as const;
    if (candidates.length === 0) {
      await this.audit.record({ action: 'sign_in_failed', businessId: null, actor: anonymous, address });
      return;
    }
    for (const staff of candidates) {
      await this.audit.record({ action: 'sign_in_failed', businessId: staff.business_id, actor: anonymous, address, target: { kind: 'staff', id: staff.id } });
    }
  }

  /** An action a member does to their own account. */
  private async recordOnSelf(principal: Principal, action: 'signed_out_everywhere' | 'password_changed', address: string | null): Promise<void> {
    await this.audit.record({ action, businessId: principal.businessId, actor: principal, address, target: { kind: 'staff', id: principal.id } });
  }

  /** Sliding expiry: a session's last use is written when it is older than the touch interval, not on every request. */
  private async authenticateSession(tokenHash: string): Promise<Principal | null> {
    const now = this.clock.now();
    const session = await this.repository.principalOfSession(tokenHash, now, this.idleSince(now));
    if (!session) return null;
    if (now.getTime() - session.lastSeenAt.getTime() >= sessionTouchIntervalMs) await this.repository.touchSession(tokenHash, now);
    return session.principal;
  }

  private idleSince(now: Date): Date {
    return new Date(now.getTime() - this.config.sessionIdleMs);
  }

  private async authenticateApiKey(token: string): Promise<Principal | null> {
    const match = /^sk_([0-9a-f]{32})_([A-Za-z0-9_-]{20,})$/.exec(token);
    if (!match) return null;
    const id = match[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const key = await this.repository.findApiKey(id);
    if (!key || key.revoked_at !== null || key.secret_hash !== sha256(match[2])) return null;
    if (!(await this.repository.apiKeyChainLive(key))) return null;
    return { kind: 'service', id: `api-key:${key.id}`, name: key.name, businessId: key.business_id, permissions: key.permissions };
  }
}

/** Passwords and sessions belong to staff; an API key has neither. */
function staffIdOf(principal: Principal): string {
  if (principal.kind !== 'staff') throw new ApiError('forbidden', { principal: principal.kind }, 'Only a signed-in staff member can do this');
  return principal.id;
}

export interface StaffInput {
  email: string;
  name: string;
  password: string;
  role: StaffRole;
  permissions?: readonly Permission[];
}

export interface RoleChangeInput {
  role?: StaffRole;
  permissions?: readonly Permission[];
}

/** A member's permissions: the list given, else their role's preset. */
function grantsOf(input: StaffInput): readonly Permission[] {
  return input.permissions ?? rolePermissions[input.role];
}

function refuseIf(refusal: Refusal | null): void {
  if (refusal !== null) throw new ApiError('forbidden', refusal.details, refusal.message);
}

function assertStrongPassword(password: string, email: string): void {
  const weakness = passwordWeakness(password, email);
  if (weakness !== null) throw new ApiError('weak_password', { field: 'password', reason: weakness }, passwordWeaknessMessages[weakness]);
}

function staffNotFound(): ApiError {
  return new ApiError('not_found', undefined, 'Staff member not found');
}

function emailTaken(): ApiError {
  return new ApiError('invalid_request', { field: 'email' }, 'A staff member of this business already has this email');
}
