import { acceptingEveryCurrency } from '../settings/business-currencies.fakes';
import { fakeAuditLog } from '../audit/audit.fakes';
import type { GiftCardDisplayStatus } from '@storecredit/contracts';
import { TestClock } from '@storecredit/testing';
import { FakeClientsRepository } from '../clients/clients.fakes';
import type { ClientsRepository } from '../clients/clients.repository';
import { ClientsService } from '../clients/clients.service';
import { appliedReply, fakeCommandPath, refusalOf, rejectedReply, staffPrincipal as principal } from '../commands/commands.fakes';
import type { GiftCardRow, GiftCardsRepository } from './gift-cards.repository';
import { GiftCardsService } from './gift-cards.service';
import { RedemptionThrottle } from './redemption-throttle';
import { FakeRedemptionThrottleRepository } from './redemption-throttle.fakes';
import type { RedemptionThrottleRepository } from './redemption-throttle.repository';

/** Cards by code and the list read; which rows match a status at an instant is SQL's part. */
class FakeGiftCardsRepository implements Pick<GiftCardsRepository, 'findCurrencyByCode' | 'cards'> {
  readonly currencyByCode = new Map<string, string>();
  rows: GiftCardRow[] = [];
  readonly reads: { now: Date; status?: GiftCardDisplayStatus; rowsMax: number }[] = [];

  async findCurrencyByCode(businessId: string, code: string): Promise<{ currency: string } | null> {
    const currency = businessId === principal.businessId ? this.currencyByCode.get(code) : undefined;
    return currency === undefined ? null : { currency };
  }

  async cards(_businessId: string, filter: { status?: GiftCardDisplayStatus }, now: Date, _after: unknown, rowsMax: number): Promise<GiftCardRow[]> {
    this.reads.push({ now, status: filter.status, rowsMax });
    return this.rows.slice(0, rowsMax);
  }
}

async function service() {
  const clientRows = new FakeClientsRepository();
  await clientRows.create(principal.businessId, { id: 'client-1', name: 'Layla' });
  const cards = new FakeGiftCardsRepository();
  cards.currencyByCode.set('K7QM-4RTX-9WPH-C3DV', 'AED');
  const counters = new FakeRedemptionThrottleRepository();
  const clock = new TestClock();
  const path = fakeCommandPath();
  const { audit, audited } = fakeAuditLog();
  const giftCards = new GiftCardsService(
    cards as unknown as GiftCardsRepository,
    new ClientsService(clientRows as unknown as ClientsRepository),
    path.submitter,
    new RedemptionThrottle(counters as unknown as RedemptionThrottleRepository),
    clock,
    audit,
    acceptingEveryCurrency(),
  );
  return { ...path, cards, counters, clock, giftCards, audited };
}

const address = '10.0.0.7';
const principalBucket = `principal:staff:${principal.id}`;

describe(GiftCardsService.name, () => {
  it('issues each card as a command of its own with a new code, 201 when all applied', async () => {
    const { giftCards, transport } = await service();
    const issued = await giftCards.issue(principal, { amount: '50.00', currency: 'AED', count: 3 }, undefined);
    expect(issued.httpStatus).toBe(201);
    const codes = issued.body.items.map((card) => card.code);
    expect(new Set(codes).size).toBe(3);
    expect(transport.sent.map((command) => command.type)).toEqual(['giftcard.issue', 'giftcard.issue', 'giftcard.issue']);
  });

  it('answers 202 when any card’s reply was late', async () => {
    const { giftCards, transport } = await service();
    transport.answer = (command) => (transport.sent.length === 2 ? null : appliedReply(command));
    expect((await giftCards.issue(principal, { amount: '50.00', currency: 'AED', count: 2 }, undefined)).httpStatus).toBe(202);
  });

  it('refuses an Idempotency-Key on issue: a retry would make new codes', async () => {
    const { giftCards, transport } = await service();
    expect(await refusalOf(giftCards.issue(principal, { amount: '50.00', currency: 'AED', count: 1 }, 'key-1'))).toEqual({
      code: 'invalid_request',
      details: { header: 'Idempotency-Key' },
    });
    expect(transport.sent).toEqual([]);
  });

  it('lists statuses as of the clock’s instant, the one the filter used', async () => {
    const { giftCards, cards, clock } = await service();
    clock.advance(365 * 24 * 3600_000);
    const row = { id: '0190a1b2-0000-7000-8000-00000000000a', last4: 'C3DV', amount: '50.00', currency: 'AED', status: 'active' as const };
    const stamps = { redeemed_at: null, redeemed_client_id: null, voided_at: null, created_at: new Date('2026-12-01T10:00:00Z') };
    cards.rows = [{ ...row, ...stamps, expires_at: new Date(Date.now() + 24 * 3600_000) }];
    const page = await giftCards.list(principal, { status: 'expired', limit: 10 });
    expect(page.items.map((card) => [card.status, card.voidable])).toEqual([['expired', true]]);
    expect(cards.reads).toMatchObject([{ status: 'expired', rowsMax: 11 }]);
    expect(cards.reads[0].now.getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600_000);
  });

  it('redeems into the card’s currency and forgives the attempt', async () => {
    const { giftCards, transport, counters } = await service();
    await giftCards.redeem(principal, 'client-1', { code: 'K7QM-4RTX-9WPH-C3DV', note: 'birthday' }, undefined, address);
    expect(transport.sent).toEqual([expect.objectContaining({ type: 'giftcard.redeem', clientId: 'client-1', currency: 'AED', note: 'birthday' })]);
    expect(counters.failures(principal.businessId, principalBucket)).toBe(0);
    expect(counters.failures(principal.businessId, 'business')).toBe(0);
  });

  it('counts a code that matches no card as a failed guess, and nothing else', async () => {
    const { giftCards, transport, counters } = await service();
    expect(await refusalOf(giftCards.redeem(principal, 'client-1', { code: 'AAAA-BBBB-CCCC-DDDD' }, undefined, address))).toEqual({ code: 'gift_card_not_found' });
    expect(counters.failures(principal.businessId, principalBucket)).toBe(1);
    expect(counters.failures(principal.businessId, 'business')).toBe(1);
    // An already redeemed card's code is a real code: a retried redemption must not lock its staff member out.
    transport.answer = (command) => rejectedReply(command, 'gift_card_already_redeemed');
    expect(await refusalOf(giftCards.redeem(principal, 'client-1', { code: 'K7QM-4RTX-9WPH-C3DV' }, undefined, address))).toMatchObject({
      code: 'gift_card_already_redeemed',
    });
    expect(counters.failures(principal.businessId, principalBucket)).toBe(1);
    expect(counters.failures(principal.businessId, 'business')).toBe(1);
  });

  it('refuses another business’s client before counting an attempt', async () => {
    const { giftCards, counters } = await service();
    expect(await refusalOf(giftCards.redeem({ ...principal, businessId: 'salon-2' }, 'client-1', { code: 'K7QM-4RTX-9WPH-C3DV' }, undefined, address))).toEqual({
      code: 'not_found',
    });
    expect(counters.windows.size).toBe(0);
  });
});
