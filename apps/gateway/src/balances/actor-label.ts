/**
 * Who made a ledger entry, in words. Entries record the actor as `kind:id` (libs/ledger's actorLabel); the read
 * query resolves staff members and API keys of the business to their names, and this names the rest.
 */

/** Actors that are no staff member or key of any business, by the exact string entries record. */
const systemActorLabels: Readonly<Record<string, string>> = {
  // The embedded start's demo data (apps/gateway/src/embedded/demo-seed.ts).
  'staff:demo-seed': 'Demo data',
};

export function actorLabel(actor: string, resolvedName: string | null): string {
  if (resolvedName) return resolvedName;
  const system = systemActorLabels[actor];
  if (system) return system;
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  // A key or staff member of this business is always found (they are revoked or deactivated, never deleted).
  if (kind === 'service' && id.startsWith('api-key:')) return 'Unknown API key';
  if (kind === 'service' && id) return `${id.charAt(0).toUpperCase()}${id.slice(1)} service`;
  if (kind === 'staff') return 'Unknown staff member';
  return actor;
}
