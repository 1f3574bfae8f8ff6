import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../http/api-error';
import { AuthService } from './auth.service';
import { anyPermission, permissionKey, publicKey, type Permission } from './permissions';
import type { AuthenticatedRequest } from './principal';

export const sessionCookie = 'sc_session';

/**
 * Every route is closed unless it says otherwise: it needs a principal, and the permission it names.
 * The business always comes from the principal, never from the request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(publicKey, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = tokenOf(request);
    const principal = token === null ? null : await this.auth.authenticate(token);
    if (!principal) throw new ApiError('unauthenticated');
    request.principal = principal;
    const required = this.reflector.getAllAndOverride<Permission | readonly Permission[] | typeof anyPermission | undefined>(permissionKey, targets);
    if (required === anyPermission) return true;
    if (Array.isArray(required)) {
      if (required.some((one: Permission) => principal.permissions.includes(one))) return true;
      throw new ApiError('forbidden', { permissions: required }, `This needs one of the ${required.join(', ')} permissions`);
    }
    const one = required as Permission | undefined;
    if (one === undefined || !principal.permissions.includes(one)) {
      throw new ApiError('forbidden', { permission: one ?? null }, `This needs the ${one ?? 'a'} permission`);
    }
    return true;
  }
}

export function tokenOf(request: AuthenticatedRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const cookie = (request as AuthenticatedRequest & { cookies?: Record<string, string | undefined> }).cookies?.[sessionCookie];
  return cookie ?? null;
}
