import { acceptingEveryCurrency } from './business-currencies.fakes';
import { fakeAuditLog } from '../audit/audit.fakes';
import { refusalOf, staffPrincipal } from '../commands/commands.fakes';
import type { BonusRuleChange, BonusRuleRow, CreditSettingsRow, SettingsRepository } from './settings.repository';
import { normalizedTiers, SettingsService } from './settings.service';

const owner = { ...staffPrincipal, name: 'Olivia Owner', permissions: [...staffPrincipal.permissions, 'settings.manage' as const] };

/** The bonus_rule and credit_settings tables in memory, keyed as they are (business first). */
class FakeSettingsRepository implements Pick<SettingsRepository, keyof SettingsRepository> {
  readonly rules = new Map<string, BonusRuleRow>();
  readonly credit = new Map<string, CreditSettingsRow>();

  async bonusRules(businessId: string): Promise<BonusRuleRow[]> {
    return [...this.rules.entries()].filter(([key]) => key.startsWith(`${businessId}/`)).map(([, row]) => row);
  }

  async putBonusRule(businessId: string, currency: string, change: BonusRuleChange): Promise<BonusRuleRow> {
    const key = `${businessId}/${currency}`;
    const row: BonusRuleRow = {
      currency,
      tiers: change.tiers,
      expires_in_days: change.expiresInDays,
      version: (this.rules.get(key)?.version ?? 0) + 1,
      updated_by: change.updatedBy,
      updated_by_name: 'Olivia Owner',
      updated_at: new Date('2026-12-02T09:00:00Z'),
    };
    this.rules.set(key, row);
    return row;
  }

  async creditSettings(businessId: string): Promise<CreditSettingsRow | null> {
    return this.credit.get(businessId) ?? null;
  }

  async putCreditSettings(businessId: string, refundGraceDays: number, updatedBy: string): Promise<CreditSettingsRow> {
    const row = { refund_grace_days: refundGraceDays, updated_by: updatedBy, updated_by_name: 'Olivia Owner', updated_at: new Date('2026-12-02T09:00:00Z') };
    this.credit.set(businessId, row);
    return row;
  }
}

function service() {
  const repository = new FakeSettingsRepository();
  const { audit, audited } = fakeAuditLog();
  return { repository, audited, settings: new SettingsService(repository as unknown as SettingsRepository, audit, acceptingEveryCurrency()) };
}

describe(SettingsService.name, () => {
  it('stores the tiers lowest first, in the currency’s decimals, one version after another, by the caller', async () => {
    const { settings } = service();
    const first = await settings.putBonusRules(owner, 'AED', { tiers: [{ minAmount: '1000', percent: '10.50' }, { minAmount: '500', fixed: '25' }], expiresInDays: 90 });
    expect(first).toEqual({
      currency: 'AED',
      tiers: [
        { minAmount: '500.00', fixed: '25.00' },
        { minAmount: '1000.00', percent: '10.5' },
      ],
      expiresInDays: 90,
      version: 1,
      updatedAt: '2026-12-02T09:00:00.000Z',
      updatedBy: `staff:${owner.id}`,
      updatedByName: 'Olivia Owner',
    });
    const second = await settings.putBonusRules(owner, 'AED', { tiers: [{ minAmount: '200', percent: '5' }], expiresInDays: null });
    expect(second).toMatchObject({ version: 2, tiers: [{ minAmount: '200.00', percent: '5' }], expiresInDays: null });
  });

  it('refuses tiers finer than the currency allows, naming each tier, and stores nothing', async () => {
    const { repository, settings } = service();
    expect(await refusalOf(settings.putBonusRules(owner, 'JPY', { tiers: [{ minAmount: '1000.5', percent: '5' }, { minAmount: '5000', fixed: '0.5' }], expiresInDays: null }))).toEqual({
      code: 'invalid_amount',
      details: {
        issues: [
          { path: 'tiers.0.minAmount', message: 'JPY amounts allow at most 0 decimal places' },
          { path: 'tiers.1.fixed', message: 'JPY amounts allow at most 0 decimal places' },
        ],
      },
    });
    expect(repository.rules.size).toBe(0);
  });

  it('clears a currency’s bonus as a new version with no tiers and no expiry', async () => {
    const { settings } = service();
    await settings.putBonusRules(owner, 'KWD', { tiers: [{ minAmount: '10', fixed: '1.5' }], expiresInDays: 30 });
    expect(await settings.clearBonusRules(owner, 'KWD')).toMatchObject({ currency: 'KWD', tiers: [], expiresInDays: null, version: 2 });
  });

  it('shows a business only its own rules', async () => {
    const { settings } = service();
    await settings.putBonusRules(owner, 'AED', { tiers: [{ minAmount: '100', percent: '5' }], expiresInDays: null });
    expect((await settings.bonusRules({ ...owner, businessId: 'salon-2' })).items).toEqual([]);
    expect((await settings.bonusRules(owner)).items.map((rule) => rule.currency)).toEqual(['AED']);
  });

  it('answers the default grace period until the business sets one', async () => {
    const { settings } = service();
    expect(await settings.creditSettings(owner)).toEqual({ refundGraceDays: 30, isDefault: true, updatedAt: null, updatedByName: null });
    await settings.putCreditSettings(owner, 45);
    expect(await settings.creditSettings(owner)).toEqual({ refundGraceDays: 45, isDefault: false, updatedAt: '2026-12-02T09:00:00.000Z', updatedByName: 'Olivia Owner' });
    expect((await settings.creditSettings({ ...owner, businessId: 'salon-2' })).isDefault).toBe(true);
  });
});

describe(normalizedTiers.name, () => {
  it('keeps exactly the field a tier uses', () => {
    expect(normalizedTiers([{ minAmount: '1.5', percent: '12.50' }], 'KWD')).toEqual([{ minAmount: '1.500', percent: '12.5' }]);
  });
});
