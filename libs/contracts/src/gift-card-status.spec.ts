import { giftCardDisplayStatus, isGiftCardExpired, isGiftCardVoidable, type GiftCardStatus } from './gift-card-status';

const now = new Date('2026-12-10T12:00:00.000Z');
const card = (status: GiftCardStatus, expiresAt: string | null) => ({ status, expiresAt });

describe(giftCardDisplayStatus.name, () => {
  it.each([
    ['active', null, 'active'],
    ['active', '2026-12-10T12:00:00.001Z', 'active'],
    ['active', '2026-12-10T12:00:00.000Z', 'expired'],
    ['active', '2026-12-09T00:00:00.000Z', 'expired'],
    ['redeemed', '2026-12-09T00:00:00.000Z', 'redeemed'],
    ['void', '2026-12-09T00:00:00.000Z', 'void'],
    ['redeemed', null, 'redeemed'],
    ['void', null, 'void'],
  ] as const)('shows a %s card expiring at %s as %s', (status, expiresAt, shown) => {
    expect(giftCardDisplayStatus(card(status, expiresAt), now)).toBe(shown);
  });

  it('takes the clock it is given, not the machine’s', () => {
    const expiresAt = new Date('2030-01-01T00:00:00.000Z');
    expect(giftCardDisplayStatus({ status: 'active', expiresAt }, new Date('2029-12-31T23:59:59.999Z'))).toBe('active');
    expect(giftCardDisplayStatus({ status: 'active', expiresAt }, expiresAt)).toBe('expired');
  });
});

describe(isGiftCardExpired.name, () => {
  it('reads a Date and an ISO string alike', () => {
    expect(isGiftCardExpired({ expiresAt: new Date('2026-12-10T11:59:59Z') }, now)).toBe(true);
    expect(isGiftCardExpired({ expiresAt: '2026-12-10T14:00:00+02:00' }, now)).toBe(true);
    expect(isGiftCardExpired({ expiresAt: '2026-12-10T14:00:01+02:00' }, now)).toBe(false);
  });
});

describe(isGiftCardVoidable.name, () => {
  it('voids an active card, expired or not, and never a redeemed or void one', () => {
    expect([isGiftCardVoidable(card('active', null)), isGiftCardVoidable(card('active', '2020-01-01T00:00:00Z'))]).toEqual([true, true]);
    expect([isGiftCardVoidable(card('redeemed', null)), isGiftCardVoidable(card('void', null))]).toEqual([false, false]);
  });
});
