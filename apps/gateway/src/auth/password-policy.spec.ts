import { passwordLengthMin, passwordWeakness } from './password-policy';

const email = 'olivia.owner@salon.example';

describe(passwordWeakness.name, () => {
  it.each([
    ['empty', '', 'too_short'],
    ['one short of the minimum', 'x7#kq9'.padEnd(passwordLengthMin - 1, 'z'), 'too_short'],
    ['ten a’s', 'aaaaaaaaaa', 'too_short'],
    ['twelve a’s', 'aaaaaaaaaaaa', 'too_few_characters'],
    ['sixteen spaces', ' '.repeat(16), 'too_few_characters'],
    ['two characters repeated', 'abababababab', 'too_few_characters'],
    ['four characters between spaces', 'ab cd ab cd ab cd', 'too_few_characters'],
    ['five characters repeated, the last time in part', 'abcdeabcdeab', 'repeated_pattern'],
    ['six characters twice, in another case the second time', 'Xq7#vLxQ7#Vl', 'repeated_pattern'],
    ['a word repeated with its spaces', 'lantern lantern lantern ', 'repeated_pattern'],
    ['the whole address', `x${email}`, 'contains_email'],
    ['the local part', 'OLIVIA.OWNER!!', 'contains_email'],
    ['a word of the local part', 'my-name-is-olivia', 'contains_email'],
    ['a common password', 'password1234', 'common'],
    ['a common password padded with a year', 'Sunshine2026!', 'common'],
    ['a common password with separators', 'qwerty-uiop-123', 'common'],
    ['a long one', 'x'.repeat(150) + 'y'.repeat(60), 'too_long'],
  ])('refuses %s', (_, password, weakness) => {
    expect(passwordWeakness(password, email)).toBe(weakness);
  });

  it.each([
    ['a passphrase of plain words', 'correct horse battery'],
    ['a random string', 'Xq7#vL2m!pR9'],
    ['the demo owner’s', 'velvet-orchid-2026'],
    ['the demo front desk’s', 'amber-comb-lantern'],
    ['a short local part inside', 'jo-likes-lantern-walks'],
    ['a word said twice, then more', 'lantern lantern glows'],
  ])('accepts %s', (_, password) => {
    expect(passwordWeakness(password, email.replace('olivia.owner', 'jo'))).toBeNull();
  });
});
