import { createHash } from 'node:crypto';

/**
 * Codes a card may carry: 16 to 32 of [0-9A-Z] after normalisation. The issuer must draw them at random
 * (16 characters of a 32-letter alphabet are 80 bits); the pattern cannot tell a random code from a guessable one.
 */
export const giftCardCodePattern = /^[0-9A-Z]{16,32}$/;

/** Codes are read aloud and typed: case, spaces and dashes never matter. */
export function normalizeGiftCardCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}

/**
 * Only this hash is stored. Codes carry at least 80 bits of entropy, so a plain SHA-256 cannot be reversed
 * by guessing, and equal codes hash equally, which lets the database enforce one card per code.
 */
export function hashGiftCardCode(code: string): string {
  return createHash('sha256').update(`storecredit-gift-card:${normalizeGiftCardCode(code)}`).digest('hex');
}

export function giftCardLast4(code: string): string {
  return normalizeGiftCardCode(code).slice(-4);
}
