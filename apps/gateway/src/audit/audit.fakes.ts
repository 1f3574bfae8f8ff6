import type { AuditEntry, AuditLog } from './audit.service';

/** An audit log in memory, for services' unit specs: what they recorded, in order. */
export function fakeAuditLog(): { audit: AuditLog; audited: AuditEntry[] } {
  const audited: AuditEntry[] = [];
  const audit = {
    record: async (entry: AuditEntry) => {
      audited.push(entry);
    },
  } as unknown as AuditLog;
  return { audit, audited };
}
