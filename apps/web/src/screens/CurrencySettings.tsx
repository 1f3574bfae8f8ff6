import {
  currencySettingsProblems,
  normalizedCurrencies,
  supportedCurrencies,
  type BusinessCurrencies,
  type BusinessCurrenciesView,
} from '@storecredit/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { put } from '../api';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { currenciesQuery, queryKeys } from '../queries';

/** Settings › Currencies: the default and the accepted list (settings.manage). */
export function CurrencySettingsSection() {
  const { t } = useTranslation();
  const settings = useQuery(currenciesQuery);
  const id = useId();
  return (
    <section className="card settings-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('currencies.title')}</h2>
      <p className="muted">{t('currencies.intro')}</p>
      <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />
      {settings.isPending ? <Loading /> : null}
      {settings.data ? <CurrenciesForm settings={settings.data} /> : null}
    </section>
  );
}

/** Started once from what is stored; a business that has not chosen starts from its default alone, not every currency. */
function CurrenciesForm({ settings }: { settings: BusinessCurrenciesView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState<BusinessCurrencies>(() =>
    settings.chosen ? settings : { defaultCurrency: settings.defaultCurrency, accepted: [settings.defaultCurrency] },
  );
  const offered = supportedCurrencies.filter((code) => !draft.accepted.includes(code));
  const [adding, setAdding] = useState(offered[0] ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  // The contract's rules, so the form says what the gateway would refuse before it is sent.
  const [problem] = currencySettingsProblems(draft);
  const save = useMutation({
    mutationFn: (body: BusinessCurrencies) => put<BusinessCurrenciesView>('/api/settings/currencies', body),
    onSuccess: (answer) => {
      setSaved(t('currencies.saved', { currency: answer.body.defaultCurrency, accepted: answer.body.accepted.join(', ') }));
      void queryClient.invalidateQueries({ queryKey: queryKeys.currencies });
    },
  });
  const change = (next: BusinessCurrencies) => {
    setDraft(normalizedCurrencies(next));
    setSaved(null);
    save.reset();
  };
  const accept = () => {
    if (!adding || draft.accepted.includes(adding)) return;
    change({ ...draft, accepted: [...draft.accepted, adding] });
    setAdding(offered.find((code) => code !== adding) ?? '');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problem === undefined && !save.isPending) save.mutate(draft);
  };
  return (
    <form onSubmit={submit} noValidate aria-describedby={`${id}-help`}>
      <p id={`${id}-help`} className="field-help">
        {settings.chosen ? '' : t('currencies.unchosen')}
      </p>
      <div className="field settings-currency">
        <label htmlFor={`${id}-default`}>{t('currencies.default')}</label>
        <select id={`${id}-default`} value={draft.defaultCurrency} onChange={(event) => change({ ...draft, defaultCurrency: event.target.value })}>
          {draft.accepted.map((code) => (
            <option key={code}>{code}</option>
          ))}
        </select>
      </div>
      <fieldset className="field">
        <legend>{t('currencies.accepted')}</legend>
        <ul className="currency-list">
          {draft.accepted.map((code) => (
            <li key={code}>
              <code>{code}</code>{' '}
              <button
                type="button"
                className="button"
                aria-label={t('currencies.remove', { currency: code })}
                disabled={draft.accepted.length === 1}
                onClick={() => {
                  const accepted = draft.accepted.filter((one) => one !== code);
                  change({ defaultCurrency: draft.defaultCurrency === code ? (accepted[0] ?? code) : draft.defaultCurrency, accepted });
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <div className="field-row">
          <div className="field settings-currency">
            <label htmlFor={`${id}-add`}>{t('currencies.addLabel')}</label>
            <select id={`${id}-add`} value={adding} onChange={(event) => setAdding(event.target.value)}>
              {offered.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
          </div>
          <button type="button" className="button" onClick={accept} disabled={!adding}>
            {t('currencies.add')}
          </button>
        </div>
      </fieldset>
      {problem ? <p className="field-error">{t(`currencies.problems.${problem.code}`)}</p> : null}
      <ErrorNotice error={save.error} />
      <SuccessNotice message={saved} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending || problem !== undefined}>
          {save.isPending ? t('currencies.saving') : t('currencies.save')}
        </button>
      </div>
    </form>
  );
}
