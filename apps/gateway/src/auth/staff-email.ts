/**
 * The one spelling of a staff email that is stored, looked up and throttled: NFKC, lower case, trimmed. Sign-in
 * matches it exactly, so every spelling that reaches an account counts against that account's throttle
 * (`ＴＩＮＡ@…` is `tina@…`; `tİna@…` is `ti̇na@…`, another account, as no lookup folds it further).
 */
export function normalStaffEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}
