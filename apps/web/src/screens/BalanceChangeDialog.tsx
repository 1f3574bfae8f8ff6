import { useId, useMemo, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { Wallet, WalletResult } from '../api';
import { useCommand } from '../command';
import { Dialog } from '../components/Dialog';
import { CommandNotices } from '../components/Notice';
import { useQuery } from '@tanstack/react-query';
import {
  balanceAddRequestSchema,
  balanceChangeRequestSchema,
  bonusFor,
  Decimal,
  noteLengthMax,
  referenceTypes,
  currenciesShownFor,
  type BonusTierRule,
  type BusinessCurrencies,
  type ReferenceType,
} from '@storecredit/contracts';
import { bonusTierLabel, referenceTypeLabel } from '../labels';
import { balanceChanged, bonusRulesQuery } from '../queries';
import { checkExpiry, localDate } from '../expiry';
import { useBusinessCurrencies } from '../currencies';
import { checkAmount, checkWithinAvailable, formatMoney, isPositive } from '../money';

interface Props {
  mode: 'add' | 'deduct';
  clientId: string;
  wallets: Wallet[];
  onClose: () => void;
  onApplied: (result: WalletResult) => void;
}

/**
 * Currencies offered: a deduction from any wallet with balance that holds leave, accepted or not (it is the client's
 * money); an addition only in a currency the business accepts, its default first.
 */
function currenciesFor(mode: Props['mode'], wallets: Wallet[], settings: BusinessCurrencies): string[] {
  if (mode === 'deduct') return wallets.filter((w) => isPositive(w.available)).map((w) => w.currency);
  return currenciesShownFor(settings, []);
}

/** The currency a dialog starts in: a deduction's first wallet; an addition's accepted wallet with balance, else the default. */
function firstCurrency(mode: Props['mode'], wallets: Wallet[], currencies: readonly string[], settings: BusinessCurrencies): string {
  if (mode === 'deduct') return currencies[0] ?? settings.defaultCurrency;
  return wallets.find((w) => w.hasBalance && currencies.includes(w.currency))?.currency ?? settings.defaultCurrency;
}

export function BalanceChangeDialog({ mode, clientId, wallets, onClose, onApplied }: Props) {
  const { t } = useTranslation();
  const settings = useBusinessCurrencies();
  const currencies = useMemo(() => currenciesFor(mode, wallets, settings), [mode, wallets, settings]);
  // Until a person picks one, the dialog follows the business's settings (they may arrive after it opens).
  const [picked, setCurrency] = useState<string | null>(null);
  const currency = picked ?? firstCurrency(mode, wallets, currencies, settings);
  const [amount, setAmount] = useState('');
  const [touched, setTouched] = useState(false);
  const [note, setNote] = useState('');
  const [referenceType, setReferenceType] = useState<ReferenceType>('manual');
  const [expiresOn, setExpiresOn] = useState('');
  const command = useCommand<WalletResult>(balanceChanged(clientId));
  const ids = { amount: useId(), amountHelp: useId(), note: useId(), currency: useId(), reference: useId(), expiry: useId(), expiryHelp: useId() };
  // The tiers, to say what a paid top-up earns before it is sent (the ledger decides what it grants).
  const rules = useQuery({ ...bonusRulesQuery, enabled: mode === 'add' });

  const wallet = wallets.find((w) => w.currency === currency);
  const typed = checkAmount(amount, currency);
  const check = mode === 'deduct' && wallet ? checkWithinAvailable(typed, wallet.available, currency) : typed;
  const showProblem = touched && !check.ok;
  const expiry = mode === 'add' ? checkExpiry(expiresOn) : { ok: true as const, value: undefined };
  const tiers = rules.data?.find((rule) => rule.currency === currency)?.tiers ?? [];
  const title = mode === 'add' ? t('client.addBalance') : t('client.deductBalance');

  const change = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    command.formChanged();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void apply();
  };

  const apply = async () => {
    setTouched(true);
    if (!check.ok || !expiry.ok || command.busy) return;
    // The amount is the contract's parseAmount's to decide (above); the body as a whole is held to the request schema.
    const change = { amount: check.value, currency, referenceType, ...(note.trim() ? { note: note.trim() } : {}) };
    const body =
      mode === 'add'
        ? balanceAddRequestSchema.parse({ ...change, ...(expiry.value ? { expiresAt: expiry.value } : {}) })
        : balanceChangeRequestSchema.parse(change);
    const result = await command.run(`/api/clients/${encodeURIComponent(clientId)}/balance/${mode}`, body);
    if (result) onApplied(result);
  };

  return (
    <Dialog title={title} onClose={onClose} busy={command.busy}>
      <form onSubmit={submit} noValidate className="dialog-form">
        {mode === 'deduct' && wallet ? (
          <p className="muted">
            <Trans t={t} i18nKey="balanceChange.available" values={{ amount: formatMoney(wallet.available, wallet.currency) }} components={{ strong: <strong /> }} />
          </p>
        ) : null}
        <div className="field-row">
          <div className="field field-amount">
            <label htmlFor={ids.amount}>{t('common.amount')}</label>
            <input
              id={ids.amount}
              data-autofocus
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(e) => {
                change(setAmount)(e.target.value);
                setTouched(true);
              }}
              aria-invalid={showProblem}
              aria-describedby={ids.amountHelp}
            />
            <p id={ids.amountHelp} className={showProblem ? 'field-error' : 'field-help'} aria-live="polite">
              {showProblem && !check.ok ? check.message : t('balanceChange.amountHelp', { currency })}
            </p>
          </div>
          <div className="field field-currency">
            <label htmlFor={ids.currency}>{t('common.currency')}</label>
            <select id={ids.currency} value={currency} onChange={(e) => change(setCurrency)(e.target.value)}>
              {currencies.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor={ids.reference}>{t('balanceChange.referenceType')}</label>
          <select id={ids.reference} value={referenceType} onChange={(e) => change(setReferenceType)(e.target.value as ReferenceType)}>
            {referenceTypes.map((type) => (
              <option key={type} value={type}>
                {referenceTypeLabel(type)}
              </option>
            ))}
          </select>
        </div>
        {mode === 'add' && referenceType === 'payment' ? <BonusHint tiers={tiers} amount={check.ok ? check.value : null} currency={currency} /> : null}
        {mode === 'add' ? (
          <div className="field">
            <label htmlFor={ids.expiry}>
              {t('balanceChange.expiresOn')} <span className="muted">{t('common.optional')}</span>
            </label>
            <input
              id={ids.expiry}
              type="date"
              min={localDate(1)}
              value={expiresOn}
              onChange={(e) => change(setExpiresOn)(e.target.value)}
              aria-invalid={!expiry.ok}
              aria-describedby={ids.expiryHelp}
            />
            <p id={ids.expiryHelp} className={expiry.ok ? 'field-help' : 'field-error'} aria-live="polite">
              {expiry.ok ? t('balanceChange.expiresHelp') : t('balanceChange.expiryInPast')}
            </p>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.note}>
            {t('common.note')} <span className="muted">{t('common.optional')}</span>
          </label>
          <textarea id={ids.note} rows={2} maxLength={noteLengthMax} value={note} onChange={(e) => change(setNote)(e.target.value)} />
        </div>
        <CommandNotices command={command} onRetry={apply} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className={`button ${mode === 'add' ? 'button-primary' : 'button-danger'}`} disabled={command.busy || (touched && !check.ok) || !expiry.ok}>
            {command.busy ? t('common.saving') : check.ok ? t(mode === 'add' ? 'balanceChange.add' : 'balanceChange.deduct', { amount: formatMoney(check.value, currency) }) : title}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** What a paid top-up will earn by the business's tiers (the contract's bonusFor), or from what amount it would. */
function BonusHint({ tiers, amount, currency }: { tiers: readonly BonusTierRule[]; amount: string | null; currency: string }) {
  const { t } = useTranslation();
  if (tiers.length === 0) return null;
  const bonus = amount === null ? null : bonusFor(tiers, amount, currency);
  if (bonus) {
    return (
      <p className="notice notice-info bonus-hint" role="status">
        <span>
          <Trans
            t={t}
            i18nKey="balanceChange.bonusHint"
            values={{ bonus: formatMoney(bonus.amount, currency), tier: bonusTierLabel(bonus.tier, currency, formatMoney) }}
            components={{ strong: <strong /> }}
          />
        </span>
      </p>
    );
  }
  const lowest = [...tiers].sort((a, b) => new Decimal(a.minAmount).comparedTo(b.minAmount))[0];
  return (
    <p className="muted bonus-hint" role="status">
      {t('balanceChange.bonusNext', { amount: formatMoney(lowest.minAmount, currency), tier: bonusTierLabel(lowest, currency, formatMoney) })}
    </p>
  );
}
