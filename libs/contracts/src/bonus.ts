import { z } from 'zod';
import { currencyScale, isSupportedCurrency } from './currency';
import { Decimal, formatAmount, parseAmount } from './money';

/** Tiers a business may set per currency, and how long its bonus credit may last. */
export const bonusTiersMax = 10;
export const bonusExpiresInDaysMax = 3650;
/** How long credit given back by a refund or reversal lasts when its first expiry has passed: the business sets it. */
export const refundGraceDaysDefault = 30;
export const refundGraceDaysMax = 365;

const percentPattern = /^(0|[1-9][0-9]{0,2})(\.[0-9]{1,2})?$/;

/** A tier: a paid top-up of at least minAmount earns `percent` of it (up to two decimals, at most 100) or `fixed`. */
export const bonusTierRequestSchema = z
  .strictObject({
    minAmount: z.string().max(40),
    percent: z.string().regex(percentPattern, 'must be a percentage such as "5" or "12.5"').optional(),
    fixed: z.string().max(40).optional(),
  })
  .superRefine((tier, ctx) => {
    if ((tier.percent === undefined) === (tier.fixed === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['percent'], message: 'give exactly one of percent or fixed' });
    }
    if (tier.percent !== undefined && percentPattern.test(tier.percent) && (new Decimal(tier.percent).lte(0) || new Decimal(tier.percent).gt(100))) {
      ctx.addIssue({ code: 'custom', path: ['percent'], message: 'must be more than 0 and at most 100' });
    }
  });

/**
 * PUT /api/settings/bonus-rules/:currency: the business's bonus tiers for one currency (an empty list: no bonus),
 * and the days a bonus lasts (null: it never expires). The highest tier a top-up reaches applies, alone.
 */
export const bonusRulesRequestSchema = z
  .strictObject({
    tiers: z.array(bonusTierRequestSchema).max(bonusTiersMax),
    expiresInDays: z.number().int().min(1).max(bonusExpiresInDaysMax).nullable().default(null),
  })
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.tiers.forEach((tier, index) => {
      if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(tier.minAmount) || new Decimal(tier.minAmount).lte(0)) {
        ctx.addIssue({ code: 'custom', path: ['tiers', index, 'minAmount'], message: 'must be an amount greater than zero, such as "500.00"' });
        return;
      }
      if (tier.fixed !== undefined && /^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(tier.fixed) && new Decimal(tier.fixed).gt(tier.minAmount)) {
        ctx.addIssue({ code: 'custom', path: ['tiers', index, 'fixed'], message: 'a fixed bonus cannot be more than the top-up that earns it (minAmount)' });
      }
      const key = new Decimal(tier.minAmount).toFixed();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['tiers', index, 'minAmount'], message: 'two tiers cannot start at the same amount' });
      seen.add(key);
    });
  });

/** PUT /api/settings/credit: the business's credit settings. */
export const creditSettingsRequestSchema = z.strictObject({
  refundGraceDays: z.number().int().min(1).max(refundGraceDaysMax),
});

export type BonusRulesRequest = z.input<typeof bonusRulesRequestSchema>;
export type CreditSettingsRequest = z.input<typeof creditSettingsRequestSchema>;

export interface BonusTierRule {
  minAmount: string;
  percent?: string;
  fixed?: string;
}

/** Checks the tiers' amounts against the currency (its decimals); the gateway refuses a rule set that fails. */
export function bonusTierProblems(tiers: readonly BonusTierRule[], currency: string): { path: string; message: string }[] {
  if (!isSupportedCurrency(currency)) return [{ path: 'currency', message: 'must be an ISO 4217 currency code such as AED' }];
  const problems: { path: string; message: string }[] = [];
  tiers.forEach((tier, index) => {
    const min = parseAmount(tier.minAmount, currency);
    if (!min.ok) problems.push({ path: `tiers.${index}.minAmount`, message: min.message });
    if (tier.fixed !== undefined) {
      const fixed = parseAmount(tier.fixed, currency);
      if (!fixed.ok) problems.push({ path: `tiers.${index}.fixed`, message: fixed.message });
    }
  });
  return problems;
}

/**
 * The bonus a paid top-up earns: the highest tier whose minAmount it reaches; a percentage is rounded down to the
 * currency's decimals (a bonus is never rounded up into credit nobody granted). Zero or no tier: no bonus.
 */
export function bonusFor(tiers: readonly BonusTierRule[], amount: Decimal.Value, currency: string): { amount: string; tier: BonusTierRule } | null {
  const topUp = new Decimal(amount);
  const reached = tiers.filter((tier) => topUp.gte(tier.minAmount)).sort((a, b) => new Decimal(b.minAmount).comparedTo(a.minAmount));
  const tier = reached[0];
  if (!tier) return null;
  const bonus =
    tier.percent !== undefined
      ? topUp.times(tier.percent).dividedBy(100).toDecimalPlaces(currencyScale(currency), Decimal.ROUND_DOWN)
      : new Decimal(tier.fixed as string);
  if (bonus.lte(0)) return null;
  return { amount: formatAmount(bonus, currency), tier };
}
