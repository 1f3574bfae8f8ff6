import { randomInt } from 'node:crypto';

/** 32 characters with none that read alike (no 0/O, 1/I): 5 bits each, so 16 characters are 80 bits. */
export const codeAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const codeLength = 16;
export const codeGroupLength = 4;

/** A new gift card code, e.g. `K7QM-4RTX-9WPH-C3DV`, drawn with a cryptographic generator. */
export function generateGiftCardCode(): string {
  const characters = Array.from({ length: codeLength }, () => codeAlphabet[randomInt(codeAlphabet.length)]);
  const groups: string[] = [];
  for (let i = 0; i < characters.length; i += codeGroupLength) groups.push(characters.slice(i, i + codeGroupLength).join(''));
  return groups.join('-');
}
