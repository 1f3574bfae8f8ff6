import {
  bonusFor,
  bonusTiersMax,
  creditSettingsRequestSchema,
  Decimal,
  refundGraceDaysMax,
  currenciesShownFor,
  type BonusTierRule,
} from '@storecredit/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { checkBonusDraft, draftOf, newTierKey, type BonusDraftCheck, type TierDraft } from '../bonus-form';
import { del, put, type BonusRule, type CreditSettings } from '../api';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { bonusTierLabel, formatDateTime } from '../labels';
import { useBusinessCurrencies } from '../currencies';
import { checkAmount, formatMoney, toAsciiDigits } from '../money';
import { bonusRulesQuery, creditSettingsQuery, queryKeys } from '../queries';
import { useSession } from '../session';
import { CurrencySettingsSection } from './CurrencySettings';

/** The business's settings: bonus tiers per currency and the grace period of credit given back (settings.manage). */
export function Settings() {
  const { t } = useTranslation();
  const session = useSession();
  if (!session.can('settings.manage')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('settings.title')}</h1>
        <p>{t('settings.cannotManage')}</p>
      </>
    );
  }
  return (
    <div className="settings">
      <h1 tabIndex={-1}>{t('settings.title')}</h1>
      <CurrencySettingsSection />
      <BonusRules />
      <CreditSettingsForm />
    </div>
  );
}

function BonusRules() {
  const { t } = useTranslation();
  const rules = useQuery(bonusRulesQuery);
  const [chosen, setChosen] = useState<string | null>(null);
  // Kept here: a save brings a new version, which starts the editor again (its key), and the message must outlive that.
  const [saved, setSaved] = useState<string | null>(null);
  const id = useId();
  // Until someone picks one, the first currency with tiers (else the default) is shown.
  const business = useBusinessCurrencies();
  const currency = chosen ?? rules.data?.find((rule) => rule.tiers.length > 0)?.currency ?? business.defaultCurrency;
  // New bonuses only in accepted currencies; a currency with tiers stays offered, so its bonus can be ended.
  const offered = currenciesShownFor(business, [...(rules.data ?? []).filter((one) => one.tiers.length > 0).map((one) => one.currency), currency]);
  const rule = rules.data?.find((one) => one.currency === currency);
  return (
    <section className="card settings-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('settings.bonusTitle')}</h2>
      <p className="muted">{t('settings.bonusIntro')}</p>
      <ErrorNotice error={rules.error} onRetry={() => void rules.refetch()} />
      {rules.isPending ? <Loading /> : null}
      {rules.data ? (
        <>
          <div className="field settings-currency">
            <label htmlFor={`${id}-currency`}>{t('settings.currency')}</label>
            <select
              id={`${id}-currency`}
              value={currency}
              onChange={(event) => {
                setChosen(event.target.value);
                setSaved(null);
              }}
            >
              {offered.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
          </div>
          {/* A new rule version (saved here or elsewhere) starts the form again from what is stored. */}
          <BonusEditor key={`${currency}:${rule?.version ?? 0}`} currency={currency} rule={rule} onSaved={setSaved} />
          <SuccessNotice message={saved} />
        </>
      ) : null}
    </section>
  );
}

function BonusEditor({ currency, rule, onSaved }: { currency: string; rule: BonusRule | undefined; onSaved: (message: string | null) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<TierDraft[]>(() => (rule?.tiers ?? []).map(draftOf));
  const [days, setDays] = useState(rule?.expiresInDays === null || rule === undefined ? '' : String(rule.expiresInDays));
  const [tried, setTried] = useState(false);
  const id = useId();
  const checked = checkBonusDraft(drafts, days, currency);
  const path = `/api/settings/bonus-rules/${encodeURIComponent(currency)}`;

  const save = useMutation({
    mutationFn: (body: NonNullable<BonusDraftCheck['body']> | null) => (body === null ? del<BonusRule>(path) : put<BonusRule>(path, body)),
    onSuccess: (answer, body) => {
      onSaved(body === null || body.tiers.length === 0 ? t('settings.cleared', { currency }) : t('settings.saved', { currency, version: answer.body.version }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.bonusRules });
    },
  });

  const change = (next: TierDraft[]) => {
    setDrafts(next);
    onSaved(null);
    save.reset();
  };
  const update = (key: number, patch: Partial<TierDraft>) => change(drafts.map((draft) => (draft.key === key ? { ...draft, ...patch } : draft)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (checked.body && !save.isPending) save.mutate(checked.body);
  };
  const shown = (problem: string | undefined | null, value: string) => (problem && (tried || value.trim() !== '') ? problem : null);

  return (
    <form onSubmit={submit} noValidate className="bonus-editor" aria-label={t('settings.tiers')}>
      <h3>{t('settings.tiers')}</h3>
      {drafts.length === 0 ? <p className="muted">{t('settings.noTiers', { currency })}</p> : null}
      <ol className="tier-list">
        {drafts.map((draft, index) => {
          const n = index + 1;
          const problems = checked.tierProblems[index] ?? {};
          const minProblem = shown(problems.minAmount, draft.minAmount);
          const valueProblem = shown(problems.value, draft.value);
          const ids = { min: `${id}-min-${draft.key}`, kind: `${id}-kind-${draft.key}`, value: `${id}-value-${draft.key}` };
          return (
            <li key={draft.key} className="tier-row" aria-label={t('settings.tier', { n })}>
              <div className="field">
                <label htmlFor={ids.min}>{t('settings.minAmount')}</label>
                <input
                  id={ids.min}
                  inputMode="decimal"
                  autoComplete="off"
                  value={draft.minAmount}
                  onChange={(event) => update(draft.key, { minAmount: event.target.value })}
                  aria-invalid={minProblem !== null}
                  aria-describedby={`${ids.min}-help`}
                />
                <p id={`${ids.min}-help`} className={minProblem ? 'field-error' : 'field-help'}>
                  {minProblem ?? currency}
                </p>
              </div>
              <div className="field">
                <label htmlFor={ids.kind}>{t('settings.kind')}</label>
                <select id={ids.kind} value={draft.kind} onChange={(event) => update(draft.key, { kind: event.target.value as TierDraft['kind'] })}>
                  <option value="percent">{t('settings.kindPercent')}</option>
                  <option value="fixed">{t('settings.kindFixed')}</option>
                </select>
              </div>
              <div className="field">
                <label htmlFor={ids.value}>{draft.kind === 'percent' ? t('settings.percent') : t('settings.fixed', { currency })}</label>
                <input
                  id={ids.value}
                  inputMode="decimal"
                  autoComplete="off"
                  value={draft.value}
                  onChange={(event) => update(draft.key, { value: event.target.value })}
                  aria-invalid={valueProblem !== null}
                  aria-describedby={valueProblem ? `${ids.value}-help` : undefined}
                />
                {valueProblem ? (
                  <p id={`${ids.value}-help`} className="field-error">
                    {valueProblem}
                  </p>
                ) : null}
              </div>
              <button type="button" className="button button-quiet tier-remove" onClick={() => change(drafts.filter((one) => one.key !== draft.key))}>
                <span aria-hidden="true">×</span>
                <span className="visually-hidden">{t('settings.removeTier', { n })}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {checked.listProblem && tried ? <p className="field-error">{checked.listProblem}</p> : null}
      <button
        type="button"
        className="button"
        onClick={() => change([...drafts, { key: newTierKey(), minAmount: '', kind: 'percent', value: '' }])}
        disabled={drafts.length >= bonusTiersMax}
      >
        {t('settings.addTier')}
      </button>
      <div className="field settings-days">
        <label htmlFor={`${id}-days`}>{t('settings.expiresInDays')}</label>
        <input
          id={`${id}-days`}
          inputMode="numeric"
          autoComplete="off"
          value={days}
          onChange={(event) => {
            setDays(event.target.value);
            onSaved(null);
          }}
          aria-invalid={shown(checked.daysProblem, days) !== null}
          aria-describedby={`${id}-days-help`}
        />
        <p id={`${id}-days-help`} className={shown(checked.daysProblem, days) ? 'field-error' : 'field-help'}>
          {shown(checked.daysProblem, days) ?? t('settings.expiresHelp')}
        </p>
      </div>
      <BonusPreview tiers={checked.validTiers} currency={currency} />
      {tried && !checked.body ? (
        <p className="field-error" role="alert">
          {t('settings.fixProblems')}
        </p>
      ) : null}
      <ErrorNotice error={save.error} />
      {rule && rule.tiers.length > 0 ? (
        <p className="muted settings-version">{t('settings.version', { version: rule.version, date: formatDateTime(rule.updatedAt), name: rule.updatedByName })}</p>
      ) : null}
      <div className="form-actions">
        {rule && rule.tiers.length > 0 ? (
          <button type="button" className="button button-danger" disabled={save.isPending} onClick={() => save.mutate(null)}>
            {t('settings.clearAll', { currency })}
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? t('settings.saving') : t('settings.save', { currency })}
        </button>
      </div>
    </form>
  );
}

/** What the tiers give, by the contract's bonusFor: at each tier's threshold, and for an amount the person tries. */
function BonusPreview({ tiers, currency }: { tiers: BonusTierRule[]; currency: string }) {
  const { t } = useTranslation();
  const [trial, setTrial] = useState('');
  const id = useId();
  const tried = checkAmount(trial, currency);
  const line = (amount: string) => {
    const bonus = bonusFor(tiers, amount, currency);
    const words = { amount: formatMoney(amount, currency) };
    return bonus ? t('settings.previewLine', { ...words, bonus: formatMoney(bonus.amount, currency) }) : t('settings.previewNone', words);
  };
  if (tiers.length === 0) return null;
  return (
    <div className="bonus-preview" aria-labelledby={`${id}-title`} role="group">
      <h3 id={`${id}-title`}>{t('settings.preview')}</h3>
      <ul aria-live="polite">
        {/* Only tiers whose amounts the contract accepted reach here, so they compare as decimals. */}
        {[...tiers]
          .sort((a, b) => new Decimal(a.minAmount).comparedTo(b.minAmount))
          .map((tier) => (
            <li key={`${tier.minAmount}`}>
              {line(tier.minAmount)} <span className="muted">({bonusTierLabel(tier, currency, formatMoney)})</span>
            </li>
          ))}
        {tried.ok ? <li className="bonus-trial">{line(tried.value)}</li> : null}
      </ul>
      <div className="field">
        <label htmlFor={`${id}-try`}>{t('settings.tryAmount')}</label>
        <input id={`${id}-try`} inputMode="decimal" autoComplete="off" value={trial} onChange={(event) => setTrial(event.target.value)} />
      </div>
    </div>
  );
}

function CreditSettingsForm() {
  const { t } = useTranslation();
  const settings = useQuery(creditSettingsQuery);
  const id = useId();
  return (
    <section className="card settings-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('settings.creditTitle')}</h2>
      <p className="muted">{t('settings.creditIntro')}</p>
      <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />
      {settings.isPending ? <Loading /> : null}
      {/* Started once from what is stored; a save keeps what was typed (and its message) on screen. */}
      {settings.data ? <GraceDays settings={settings.data} /> : null}
    </section>
  );
}

function GraceDays({ settings }: { settings: CreditSettings }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [days, setDays] = useState(String(settings.refundGraceDays));
  const [saved, setSaved] = useState<string | null>(null);
  const id = useId();
  const parsed = creditSettingsRequestSchema.safeParse({ refundGraceDays: /^\d+$/.test(toAsciiDigits(days).trim()) ? Number(toAsciiDigits(days).trim()) : Number.NaN });
  const save = useMutation({
    mutationFn: (body: { refundGraceDays: number }) => put<CreditSettings>('/api/settings/credit', body),
    onSuccess: (answer) => {
      setSaved(t('settings.creditSaved', { days: answer.body.refundGraceDays }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.creditSettings });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (parsed.success && !save.isPending) save.mutate(parsed.data);
  };
  const problem = parsed.success ? null : t('settings.graceProblem', { max: refundGraceDaysMax });
  return (
    <form onSubmit={submit} noValidate>
      <div className="field settings-days">
        <label htmlFor={`${id}-grace`}>{t('settings.refundGraceDays')}</label>
        <input
          id={`${id}-grace`}
          inputMode="numeric"
          autoComplete="off"
          value={days}
          onChange={(event) => {
            setDays(event.target.value);
            setSaved(null);
            save.reset();
          }}
          aria-invalid={problem !== null}
          aria-describedby={`${id}-grace-help`}
        />
        <p id={`${id}-grace-help`} className={problem ? 'field-error' : 'field-help'}>
          {problem ?? (settings.isDefault ? t('settings.graceDefault', { days: settings.refundGraceDays }) : '')}
        </p>
      </div>
      <ErrorNotice error={save.error} />
      <SuccessNotice message={saved} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending || problem !== null}>
          {save.isPending ? t('settings.saving') : t('settings.saveCredit')}
        </button>
      </div>
    </form>
  );
}
