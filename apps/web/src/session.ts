import { createContext, useContext } from 'react';
import type { Me } from './api';

export type Permission =
  | 'balance.view'
  | 'balance.add'
  | 'balance.deduct'
  | 'giftcard.redeem'
  | 'giftcard.manage'
  | 'checkout.pay'
  | 'refund.credit'
  | 'staff.manage';

export interface Session {
  me: Me;
  can(permission: Permission): boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

export function sessionOf(me: Me): Session {
  return { me, can: (permission) => me.permissions.includes(permission) };
}

/**
 * "Who" in the history: the signed-in person as "you"; others by the name the gateway gives (a staff member
 * or API key of this business); otherwise the end of the id, the random part of a time-ordered UUID.
 */
export function actorLabel(entry: { actor: string; actorName?: string | null }, me: Me): string {
  const [kind, ...rest] = entry.actor.split(':');
  const id = rest.join(':');
  if (kind === 'staff' && id === me.id) return `${me.name} (you)`;
  if (entry.actorName) return entry.actorName;
  if (kind === 'staff') return `Staff …${id.slice(-6)}`;
  if (id.startsWith('api-key:')) return 'Service (API key)';
  return id || entry.actor;
}
