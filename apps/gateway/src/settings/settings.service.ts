import { Injectable } from '@nestjs/common';
import { bonusTierProblems, Decimal, formatAmount, refundGraceDaysDefault, type BonusTierRule } from '@storecredit/contracts';
import { AuditLog } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { actorLabel } from '../balances/actor-label';
import { ApiError } from '../http/api-error';
import { BusinessCurrenciesService } from './business-currencies.service';
import { SettingsRepository, type BonusRuleRow, type CreditSettingsRow } from './settings.repository';

export interface BonusRulesChange {
  tiers: BonusTierRule[];
  expiresInDays: number | null;
}

export interface BonusRuleView {
  currency: string;
  /** Lowest minAmount first; amounts in the currency's decimals. The highest tier a top-up reaches applies, alone. */
  tiers: BonusTierRule[];
  /** Days a bonus lasts; null: it never expires. */
  expiresInDays: number | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
  updatedByName: string;
}

export interface CreditSettingsView {
  refundGraceDays: number;
  /** Whether the business has not chosen: the contract's refundGraceDaysDefault applies. */
  isDefault: boolean;
  updatedAt: string | null;
  updatedByName: string | null;
}

/** The business's bonus rules per currency and its credit settings. */
@Injectable()
export class SettingsService {
  constructor(
    private readonly settings: SettingsRepository,
    private readonly audit: AuditLog,
    private readonly currencies: BusinessCurrenciesService,
  ) {}

  async bonusRules(principal: Principal): Promise<{ items: BonusRuleView[] }> {
    return { items: (await this.settings.bonusRules(principal.businessId)).map(bonusRuleView) };
  }

  /**
   * Sets the currency's tiers (the request schema checked their shape; the currency's decimals are checked here, as
   * only the path names the currency). An empty list of tiers ends the bonus, and is kept as a version of the rule.
   */
  async putBonusRules(principal: Principal, currency: string, change: BonusRulesChange, address: string | null = null): Promise<BonusRuleView> {
    // A bonus is new credit: ending one (no tiers) is always allowed, so a currency taken off the list can lose its bonus.
    if (change.tiers.length > 0) await this.currencies.requireAccepted(principal, currency);
    return this.writeBonusRules(principal, currency, change, address, 'bonus_rules_changed');
  }

  clearBonusRules(principal: Principal, currency: string, address: string | null = null): Promise<BonusRuleView> {
    return this.writeBonusRules(principal, currency, { tiers: [], expiresInDays: null }, address, 'bonus_rules_removed');
  }

  private async writeBonusRules(
    principal: Principal,
    currency: string,
    change: BonusRulesChange,
    address: string | null,
    action: 'bonus_rules_changed' | 'bonus_rules_removed',
  ): Promise<BonusRuleView> {
    const problems = bonusTierProblems(change.tiers, currency);
    if (problems.length > 0) {
      throw new ApiError('invalid_amount', { issues: problems }, problems.map((problem) => `${problem.path}: ${problem.message}`).join('; '));
    }
    const row = await this.settings.putBonusRule(principal.businessId, currency, {
      tiers: normalizedTiers(change.tiers, currency),
      expiresInDays: change.tiers.length === 0 ? null : change.expiresInDays,
      updatedBy: updatedBy(principal),
    });
    const view = bonusRuleView(row);
    await this.audit.record({
      action,
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'settings', id: `bonus-rules:${currency}` },
      details: { currency, tiers: view.tiers, expiresInDays: view.expiresInDays, version: view.version },
    });
    return view;
  }

  async creditSettings(principal: Principal): Promise<CreditSettingsView> {
    return creditSettingsView(await this.settings.creditSettings(principal.businessId));
  }

  async putCreditSettings(principal: Principal, refundGraceDays: number, address: string | null = null): Promise<CreditSettingsView> {
    const view = creditSettingsView(await this.settings.putCreditSettings(principal.businessId, refundGraceDays, updatedBy(principal)));
    await this.audit.record({
      action: 'credit_settings_changed',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'settings', id: 'credit' },
      details: { refundGraceDays },
    });
    return view;
  }
}

/** Who changed a setting, spelled as ledger entries spell an actor, so one query names both. */
function updatedBy(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}

/**
 * Tiers as stored and shown: lowest first, amounts in the currency's decimals ("500" is "500.00"), a percentage
 * without trailing zeros, and only the field a tier uses.
 */
export function normalizedTiers(tiers: readonly BonusTierRule[], currency: string): BonusTierRule[] {
  return [...tiers]
    .sort((a, b) => new Decimal(a.minAmount).comparedTo(b.minAmount))
    .map((tier) => ({
      minAmount: formatAmount(tier.minAmount, currency),
      ...(tier.percent !== undefined ? { percent: new Decimal(tier.percent).toFixed() } : { fixed: formatAmount(tier.fixed as string, currency) }),
    }));
}

function bonusRuleView(row: BonusRuleRow): BonusRuleView {
  return {
    currency: row.currency,
    tiers: row.tiers,
    expiresInDays: row.expires_in_days,
    version: row.version,
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
    updatedByName: actorLabel(row.updated_by, row.updated_by_name),
  };
}

function creditSettingsView(row: CreditSettingsRow | null): CreditSettingsView {
  if (row === null) return { refundGraceDays: refundGraceDaysDefault, isDefault: true, updatedAt: null, updatedByName: null };
  return {
    refundGraceDays: row.refund_grace_days,
    isDefault: false,
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedByName: actorLabel(row.updated_by, row.updated_by_name),
  };
}
