import { bonusExpiresInDaysMax, bonusRulesRequestSchema, bonusTierProblems, bonusTiersMax, type BonusTierRule } from '@storecredit/contracts';
import { t } from './i18n';
import { checkAmount, toAsciiDigits } from './money';

/** The settings screen's bonus tiers form: what a person typed, checked by the contract before it is sent. */

export interface TierDraft {
  key: number;
  minAmount: string;
  kind: 'percent' | 'fixed';
  value: string;
}

let nextTierKey = 1;

/** A key for a tier row of the form, unique while the page lives. */
export function newTierKey(): number {
  return nextTierKey++;
}

export function draftOf(tier: BonusTierRule): TierDraft {
  return { key: newTierKey(), minAmount: tier.minAmount, kind: tier.percent !== undefined ? 'percent' : 'fixed', value: tier.percent ?? tier.fixed ?? '' };
}

type TierProblems = Partial<Record<'minAmount' | 'value', string>>;

export interface BonusDraftCheck {
  /** The body to send, when every field is right. */
  body: { tiers: BonusTierRule[]; expiresInDays: number | null } | null;
  tierProblems: TierProblems[];
  daysProblem: string | null;
  listProblem: string | null;
  /** The tiers that are right so far, for the preview. */
  validTiers: BonusTierRule[];
}

/**
 * What the form holds, checked by the contract: each amount by parseAmount in the currency's decimals (checkAmount),
 * the whole by bonusRulesRequestSchema and bonusTierProblems, the same checks the gateway makes. Only the words are the
 * form's.
 */
export function checkBonusDraft(drafts: readonly TierDraft[], days: string, currency: string): BonusDraftCheck {
  const tierProblems: TierProblems[] = drafts.map(() => ({}));
  const tiers = drafts.map((draft, index): BonusTierRule => {
    const min = checkAmount(draft.minAmount, currency);
    if (!min.ok) tierProblems[index].minAmount = min.message;
    if (draft.kind === 'fixed') {
      const fixed = checkAmount(draft.value, currency);
      if (!fixed.ok) tierProblems[index].value = fixed.message;
      return { minAmount: min.ok ? min.value : draft.minAmount.trim(), fixed: fixed.ok ? fixed.value : draft.value.trim() };
    }
    return { minAmount: min.ok ? min.value : draft.minAmount.trim(), percent: toAsciiDigits(draft.value).trim() };
  });
  const dayText = toAsciiDigits(days).trim();
  const expiresInDays = dayText === '' ? null : /^\d+$/.test(dayText) ? Number(dayText) : Number.NaN;
  const parsed = bonusRulesRequestSchema.safeParse({ tiers, expiresInDays });
  let daysProblem: string | null = null;
  let listProblem: string | null = null;
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [field, index, part] = issue.path;
    if (field === 'expiresInDays') daysProblem = t('settings.daysProblem', { max: bonusExpiresInDaysMax });
    else if (field === 'tiers' && typeof index === 'number') {
      const problems = tierProblems[index];
      if (part === 'minAmount') problems.minAmount ??= t('settings.duplicateMin');
      else problems.value ??= t('settings.percentProblem');
    } else if (field === 'tiers') listProblem = t('settings.tooManyTiers', { max: bonusTiersMax });
  }
  for (const problem of bonusTierProblems(tiers, currency)) {
    const [, index, part] = problem.path.split('.');
    const problems = tierProblems[Number(index)];
    if (part === 'minAmount') problems.minAmount ??= problem.message;
    else problems.value ??= problem.message;
  }
  const validTiers = tiers.filter((_, index) => Object.keys(tierProblems[index]).length === 0);
  const ok = parsed.success && !daysProblem && !listProblem && validTiers.length === tiers.length;
  return { body: ok ? { tiers, expiresInDays } : null, tierProblems, daysProblem, listProblem, validTiers };
}
