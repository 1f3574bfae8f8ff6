import { SetMetadata } from '@nestjs/common';
import { ownerRole, type Permission } from '@storecredit/contracts';

// The permissions and the roles' presets are the contract's: the web app offers the same lists.
export { ownerRole, permissions, rolePermissions, type Permission } from '@storecredit/contracts';

/** What a principal may hand on: the permissions it holds, and whether it is an active owner (keys never are). */
export interface Authority {
  permissions: readonly Permission[];
  owner: boolean;
}

/** Why a principal may not do something to staff or keys: a sentence, and the role or permissions in the way. */
export interface Refusal {
  message: string;
  details: { role: string } | { permissions: Permission[] };
}

/** The permissions of `wanted` that `held` lacks. */
export function permissionsBeyond(held: readonly Permission[], wanted: readonly Permission[]): Permission[] {
  return [...new Set(wanted.filter((permission) => !held.includes(permission)))];
}

/**
 * Whether `actor` may give a member (role given) or a key (role null) these permissions: only what it holds itself,
 * and the owner's role only as an owner, so staff.manage never turns into more power than its holder has.
 */
export function grantRefusal(actor: Authority, role: string | null, grants: readonly Permission[]): Refusal | null {
  if (role === ownerRole && !actor.owner) return { message: 'Only an owner can make someone an owner', details: { role } };
  const beyond = permissionsBeyond(actor.permissions, grants);
  if (beyond.length > 0) return { message: `You cannot grant permissions you do not have: ${beyond.join(', ')}`, details: { permissions: beyond } };
  return null;
}

/**
 * Whether `actor` may reset the password of, deactivate or reactivate `target`: only a member with no permission the
 * actor lacks, and an owner only as an owner (else a password reset is a takeover).
 */
export function memberChangeRefusal(actor: Authority, target: { role: string; permissions: readonly Permission[] }): Refusal | null {
  if (target.role === ownerRole && !actor.owner) return { message: 'Only an owner can change an owner', details: { role: target.role } };
  const beyond = permissionsBeyond(actor.permissions, target.permissions);
  if (beyond.length > 0) {
    return { message: `This member has permissions you do not have: ${beyond.join(', ')}`, details: { permissions: beyond } };
  }
  return null;
}

export const permissionKey = 'storecredit:permission';
export const publicKey = 'storecredit:public';

/** The route needs this permission of the signed-in staff member or API key. */
export const RequirePermission = (permission: Permission) => SetMetadata(permissionKey, permission);
/** The route needs any one of these permissions (a read that more than one kind of staff needs). */
export const RequireAnyPermission = (...any: [Permission, Permission, ...Permission[]]) => SetMetadata(permissionKey, any);
/** The route needs no principal (sign-in, health, docs). */
export const Public = () => SetMetadata(publicKey, true);
/** The route needs a principal but no particular permission (own session, command status). */
export const anyPermission = 'any';
export const RequireSignIn = () => SetMetadata(permissionKey, anyPermission);
