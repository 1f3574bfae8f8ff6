/**
 * The audit log of actions outside the ledger, as the gateway answers it (GET /api/audit) and the web app shows it.
 * An action's name never changes once written: rows keep it forever.
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
  'currencies_changed',
  'staff_role_changed',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** One row of the audit log: who (a member, a key, or nobody signed in), what, when, from where, on what. */
export interface AuditItem {
  id: string;
  at: string;
  action: string;
  actor: { kind: string; id: string | null; name: string | null };
  address: string | null;
  target: { kind: string; id: string } | null;
  details: Record<string, unknown>;
}
