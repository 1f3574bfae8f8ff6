import type { Permission } from '@storecredit/contracts';
import { createContext, useContext } from 'react';
import type { Me } from './api';
import { t } from './i18n';

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

/** "Who" in the history: the signed-in person as "you"; anyone else by the label the gateway gives. */
export function actorLabel(entry: { actor: string; actorName?: string | null }, me: Me): string {
  if (entry.actor === `${me.kind}:${me.id}`) return t('labels.you', { name: me.name });
  return entry.actorName || entry.actor;
}
