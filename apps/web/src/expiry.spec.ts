import { checkExpiry, localDate } from './expiry';

describe(checkExpiry.name, () => {
  it('leaves an empty day as credit that never expires', () => {
    expect(checkExpiry('')).toEqual({ ok: true, value: undefined });
  });

  it('lets credit be spent through the whole chosen day: it expires at the start of the next, in local time', () => {
    const tomorrow = localDate(1);
    const [year, month, day] = tomorrow.split('-').map(Number);
    expect(checkExpiry(tomorrow)).toEqual({ ok: true, value: new Date(year, month - 1, day + 1).toISOString() });
  });

  it('refuses today, a day before it and what is no date', () => {
    expect(checkExpiry(localDate())).toEqual({ ok: false });
    expect(checkExpiry(localDate(-3))).toEqual({ ok: false });
    expect(checkExpiry('soon')).toEqual({ ok: false });
  });
});
