import { dictionary } from '@zxcvbn-ts/language-common';

export const passwordLengthMin = 12;
export const passwordLengthMax = 200;
/** Fewer distinct characters than this is a pattern, not a secret: `aaaaaaaaaaaa`, twelve spaces, `abababababab`. */
export const passwordDistinctCharactersMin = 5;
/** Parts of the email shorter than this are too common to refuse inside a password (`jo@`, `a.b@`). */
export const emailPartLengthMin = 4;

/** The ~49,000 most common passwords of the zxcvbn-ts project, lower case. */
const commonPasswords = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

export type PasswordWeakness = 'too_short' | 'too_long' | 'too_few_characters' | 'repeated_pattern' | 'contains_email' | 'common';

export const passwordWeaknessMessages: Record<PasswordWeakness, string> = {
  too_short: `Use at least ${passwordLengthMin} characters`,
  too_long: `Use at most ${passwordLengthMax} characters`,
  too_few_characters: `Use at least ${passwordDistinctCharactersMin} different characters, not only spaces or a repeated pattern`,
  repeated_pattern: 'Do not repeat a shorter pattern (like abcdeabcde)',
  contains_email: 'Do not use the email address or a part of it in the password',
  common: 'This password is one of the most common ones; choose another',
};

/**
 * Why a password is too weak for a staff login (money moves with it), or null. The rules follow NIST SP 800-63B:
 * length, no trivial patterns, nothing derived from the account, nothing from a list of common passwords; no
 * composition rules (a long passphrase of plain words is fine).
 */
export function passwordWeakness(password: string, email: string): PasswordWeakness | null {
  const characters = [...password.normalize('NFKC')];
  if (characters.length < passwordLengthMin) return 'too_short';
  if (characters.length > passwordLengthMax) return 'too_long';
  if (new Set(characters.filter((c) => c.trim() !== '')).size < passwordDistinctCharactersMin) return 'too_few_characters';
  const lower = characters.join('').toLowerCase();
  if (isRepeatedPattern([...lower])) return 'repeated_pattern';
  if (emailParts(email).some((part) => lower.includes(part))) return 'contains_email';
  if (commonCores(lower).some((core) => commonPasswords.has(core))) return 'common';
  return null;
}

/**
 * Whether the characters are a shorter string said at least twice, the last time perhaps in part (`abcdeabcdeab`):
 * such a password is no longer to guess than its pattern.
 */
export function isRepeatedPattern(characters: readonly string[]): boolean {
  for (let period = 1; period * 2 <= characters.length; period++) {
    if (characters.every((c, i) => i < period || c === characters[i - period])) return true;
  }
  return false;
}

/** The address, its local part and the local part's words (`olivia.owner` → `olivia`, `owner`). */
function emailParts(email: string): string[] {
  const address = email.trim().toLowerCase();
  const local = address.split('@')[0];
  const words = local.split(/[^\p{L}\p{N}]+/u);
  return [address, local, ...words].filter((part) => part.length >= emailPartLengthMin);
}

/**
 * The password and what is left of it without the digits and symbols people pad a common password with to pass a
 * length rule (`Sunshine2026!` → `sunshine`, `password1234` → `password`).
 */
function commonCores(lower: string): string[] {
  const core = lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
  const withoutSeparators = lower.replace(/[\s\-_.]+/g, '');
  return [lower, core, withoutSeparators];
}
