import { giftCardCodePattern, giftCardLast4, normalizeGiftCardCode } from './gift-card-code';
import { hashGiftCardCode } from './gift-card-hash';

const code = 'K7QM-4RTX-9WPH-C3DV';

describe(normalizeGiftCardCode.name, () => {
  it.each([
    ['dashes', 'K7QM-4RTX-9WPH-C3DV'],
    ['lower case', 'k7qm4rtx9wphc3dv'],
    ['mixed case and dashes', 'k7Qm-4rTx-9wPh-c3Dv'],
    ['spaces', 'K7QM 4RTX 9WPH C3DV'],
    ['surrounding whitespace', '  K7QM4RTX9WPHC3DV\n'],
    ['tabs and repeated dashes', 'K7QM\t4RTX--9WPH - C3DV'],
  ])('removes %s', (_, typed) => {
    expect(normalizeGiftCardCode(typed)).toBe('K7QM4RTX9WPHC3DV');
  });

  it('keeps other punctuation, so the pattern can refuse it', () => {
    expect(normalizeGiftCardCode('K7QM_4RTX.9WPH')).toBe('K7QM_4RTX.9WPH');
    expect(giftCardCodePattern.test(normalizeGiftCardCode('K7QM_4RTX.9WPH_C3DV'))).toBe(false);
  });
});

describe(hashGiftCardCode.name, () => {
  it.each(['k7qm-4rtx-9wph-c3dv', 'K7QM4RTX9WPHC3DV', 'K7QM 4RTX 9WPH C3DV', ' k7qm 4rtx-9WPH-c3dv '])(
    'hashes %j like the code as issued',
    (typed) => {
      expect(hashGiftCardCode(typed)).toBe(hashGiftCardCode(code));
    },
  );

  it('is a SHA-256 hex digest', () => {
    expect(hashGiftCardCode(code)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable across calls', () => {
    expect(hashGiftCardCode(code)).toBe(hashGiftCardCode(code));
  });

  it.each([
    ['one character changed', 'K7QM-4RTX-9WPH-C3DW'],
    ['two characters swapped', 'K7QM-4RTX-9WPH-3CDV'],
    ['one character more', 'K7QM-4RTX-9WPH-C3DVA'],
    ['one character less', 'K7QM-4RTX-9WPH-C3D'],
  ])('hashes a code with %s differently', (_, other) => {
    expect(hashGiftCardCode(other)).not.toBe(hashGiftCardCode(code));
  });

  it('hashes the letter O and the digit 0 differently', () => {
    expect(hashGiftCardCode('K7QM4RTX9WPHC3D0')).not.toBe(hashGiftCardCode('K7QM4RTX9WPHC3DO'));
  });

  it('never contains a code made only of hexadecimal characters, in either case', () => {
    const hexCode = 'AB12CD34EF56AB78';
    const hash = hashGiftCardCode(hexCode);
    expect(hash).not.toContain(hexCode.toLowerCase());
    expect(hash.toUpperCase()).not.toContain(hexCode);
  });
});

describe(giftCardLast4.name, () => {
  it('returns the last four characters of the normalised code', () => {
    expect(giftCardLast4(code)).toBe('C3DV');
  });

  it('ignores trailing dashes, spaces and case', () => {
    expect(giftCardLast4('k7qm-4rtx-9wph-c3-dv - ')).toBe('C3DV');
  });

  it('reveals only the last four characters', () => {
    expect(giftCardLast4(code)).toHaveLength(4);
    expect(giftCardLast4('K7QM4RTX9WPHC3DVABCD1234')).toBe('1234');
  });
});
