import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor, StaffPreferences } from '@storecredit/contracts';
import type { FastifyRequest } from 'fastify';
import type { Permission } from './permissions';

/** Who is calling: a staff member (session) or a service (API key), always of one business. */
export interface Principal {
  kind: 'staff' | 'service';
  id: string;
  name: string;
  businessId: string;
  permissions: readonly Permission[];
  /** A staff member's language and digits for the web app; a service has none. */
  preferences?: StaffPreferences;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export function actorOf(principal: Principal): Actor {
  return { kind: principal.kind, id: principal.id };
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
