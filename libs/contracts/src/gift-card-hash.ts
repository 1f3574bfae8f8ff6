import { createHash } from 'node:crypto';
import { normalizeGiftCardCode } from './gift-card-code';

/**
 * Only this hash is stored. Codes carry at least 80 bits of entropy, so a plain SHA-256 cannot be reversed
 * by guessing, and equal codes hash equally, which lets the database enforce one card per code.
 * Node-only (node:crypto), so it lives apart from the browser-safe code rules in gift-card-code.ts.
 */
export function hashGiftCardCode(code: string): string {
  return createHash('sha256').update(`storecredit-gift-card:${normalizeGiftCardCode(code)}`).digest('hex');
}
