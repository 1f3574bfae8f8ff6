import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageLimitSchema } from '../http/request-schemas';

/**
 * What the audit log records: every action of people and services outside the ledger (the ledger's own entries
 * are its audit of money). A name never changes once written: rows keep it forever.
 */
export const auditActions = [
  'sign_in',
  'sign_in_failed',
  'signed_out_everywhere',
  'password_changed',
  'password_reset',
  'staff_created',
  'staff_deactivated',
  'staff_reactivated',
  'api_key_created',
  'api_key_revoked',
  'gift_cards_issued',
  'gift_card_voided',
  'bonus_rules_changed',
  'bonus_rules_removed',
  'credit_settings_changed',
] as const;
export type AuditAction = (typeof auditActions)[number];

const instant = z.iso.datetime({ offset: true }).refine((value) => Date.parse(value) >= 0, 'must be 1970-01-01 or later');

export class AuditQueryDto extends createZodDto(
  z.strictObject({
    action: z.enum(auditActions).optional(),
    actorId: z.string().min(1).max(128).optional(),
    targetId: z.string().min(1).max(128).optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().max(512).optional(),
    limit: pageLimitSchema,
  }),
) {}
