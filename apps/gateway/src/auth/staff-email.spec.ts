import { normalStaffEmail } from './staff-email';

describe(normalStaffEmail.name, () => {
  it.each([
    ['upper case', 'Tina.Irving@Demo.Salon', 'tina.irving@demo.salon'],
    ['spaces around', '  tina@demo.salon ', 'tina@demo.salon'],
    ['full-width letters', 'ｔｉｎａ@demo.salon', 'tina@demo.salon'],
    ['a dotted capital I, kept apart from i', 'tİna@demo.salon', 'ti\u0307na@demo.salon'],
  ])('spells %s one way', (_, email, normal) => {
    expect(normalStaffEmail(email)).toBe(normal);
    expect(normalStaffEmail(normal)).toBe(normal);
  });
});
