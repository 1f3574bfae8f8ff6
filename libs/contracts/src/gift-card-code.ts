export const giftCardCodeLengthMin = 16;
export const giftCardCodeLengthMax = 32;

/**
 * Codes a card may carry: 16 to 32 of [0-9A-Z] after normalisation. The issuer must draw them at random
 * (16 characters of a 32-letter alphabet are 80 bits); the pattern cannot tell a random code from a guessable one.
 */
export const giftCardCodePattern = new RegExp(`^[0-9A-Z]{${giftCardCodeLengthMin},${giftCardCodeLengthMax}}$`);

/** Codes are read aloud and typed: case, spaces and dashes never matter. */
export function normalizeGiftCardCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}

export function giftCardLast4(code: string): string {
  return normalizeGiftCardCode(code).slice(-4);
}
