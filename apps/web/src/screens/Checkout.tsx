import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { Client, Wallet, WalletResult } from '../api';
import { useCommand } from '../command';
import { CommandNotices, ErrorNotice, Loading } from '../components/Notice';
import { useDebounced } from '../hooks';
import { checkoutPaymentRequestSchema, supportedCurrencies } from '@storecredit/contracts';
import { checkAmount, defaultCurrency, formatMoney, greaterThan, paymentCap, subtract, toScale } from '../money';
import { t as translate } from '../i18n';
import { useSession } from '../session';
import { balanceChanged, balancesQuery, clientSearchQuery } from '../queries';

export const clientMatchesShownMax = 6;

function newSaleId(): string {
  return `demo-sale-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

interface Paid {
  result: WalletResult;
  owed: string;
}

/** A demo sale: pick a client and a total; the Customer Balance tile pays part or all of it from store credit. */
export function Checkout() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [client, setClient] = useState<Client | null>(null);
  const [total, setTotal] = useState('');
  const [currency, setCurrency] = useState(defaultCurrency);
  const [saleId, setSaleId] = useState(newSaleId);
  const [paid, setPaid] = useState<Paid | null>(null);
  const ids = { total: useId(), totalHelp: useId(), currency: useId() };
  const totalCheck = checkAmount(total, currency);

  const newSale = () => {
    setClient(null);
    setTotal('');
    setPaid(null);
    setSaleId(newSaleId());
  };

  if (!can('balance.view')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('checkout.title')}</h1>
        <p>{t('checkout.cannotView')}</p>
      </>
    );
  }

  return (
    <>
      <h1 tabIndex={-1}>{t('checkout.title')}</h1>
      <p className="muted">{t('checkout.intro', { saleId })}</p>
      <div className="checkout">
        <section className="card" aria-labelledby="sale-title">
          <h2 id="sale-title">{t('checkout.sale')}</h2>
          <ClientPicker client={client} onPick={setClient} disabled={paid !== null} />
          <div className="field-row">
            <div className="field field-amount">
              <label htmlFor={ids.total}>{t('checkout.total')}</label>
              <input
                id={ids.total}
                inputMode="decimal"
                autoComplete="off"
                value={total}
                disabled={paid !== null}
                onChange={(e) => setTotal(e.target.value)}
                aria-invalid={total !== '' && !totalCheck.ok}
                aria-describedby={ids.totalHelp}
              />
              <p id={ids.totalHelp} className={total !== '' && !totalCheck.ok ? 'field-error' : 'field-help'} aria-live="polite">
                {total !== '' && !totalCheck.ok ? totalCheck.message : t('checkout.totalHelp')}
              </p>
            </div>
            <div className="field field-currency">
              <label htmlFor={ids.currency}>{t('common.currency')}</label>
              <select id={ids.currency} value={currency} disabled={paid !== null} onChange={(e) => setCurrency(e.target.value)}>
                {supportedCurrencies.map((code) => (
                  <option key={code}>{code}</option>
                ))}
              </select>
            </div>
          </div>
        </section>
        {paid ? (
          <Receipt paid={paid} onNewSale={newSale} />
        ) : client && totalCheck.ok ? (
          <BalancePayment key={client.id} client={client} currency={currency} owed={totalCheck.value} saleId={saleId} onPaid={setPaid} />
        ) : null}
      </div>
    </>
  );
}

function ClientPicker({ client, onPick, disabled }: { client: Client | null; onPick: (client: Client | null) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 250);
  const matches = useInfiniteQuery({ ...clientSearchQuery(q), enabled: q !== '', placeholderData: keepPreviousData });
  if (client) {
    return (
      <div className="picked-client">
        <span>
          <Trans t={t} i18nKey="checkout.picked" values={{ name: client.name }} components={{ strong: <strong /> }} />
        </span>
        {disabled ? null : (
          <button type="button" className="button button-quiet" onClick={() => onPick(null)}>
            {t('checkout.changeClient')}
          </button>
        )}
      </div>
    );
  }
  const found = q === '' ? [] : (matches.data?.pages[0]?.items.slice(0, clientMatchesShownMax) ?? []);
  return (
    <div className="field">
      <label htmlFor="checkout-client">{t('checkout.client')}</label>
      <input id="checkout-client" type="search" placeholder={t('checkout.clientPlaceholder')} autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
      <ErrorNotice error={matches.error} onRetry={() => void matches.refetch()} />
      {q !== '' && matches.isSuccess && !matches.isPlaceholderData && found.length === 0 ? <p className="muted">{t('checkout.noMatch')}</p> : null}
      {found.length > 0 ? (
        <ul className="picker-list" aria-label={t('checkout.matches')}>
          {found.map((match) => (
            <li key={match.id}>
              <button
                type="button"
                className="picker-option"
                onClick={() => {
                  setText('');
                  onPick(match);
                }}
              >
                <span className="client-name">{match.name}</span>
                <span className="client-contact">{[match.phone, match.email].filter(Boolean).join(' · ')}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface PaymentProps {
  client: Client;
  currency: string;
  owed: string;
  saleId: string;
  onPaid: (paid: Paid) => void;
}

function BalancePayment({ client, currency, owed, saleId, onPaid }: PaymentProps) {
  const { t } = useTranslation();
  const wallets = useQuery(balancesQuery(client.id));
  if (wallets.error) return <ErrorNotice error={wallets.error} onRetry={() => void wallets.refetch()} />;
  if (!wallets.data) return <Loading label={t('checkout.checkingBalance')} />;
  const wallet = wallets.data.find((w) => w.currency === currency && w.hasBalance);
  if (!wallet) {
    return (
      <p className="notice notice-info" role="status">
        {t('checkout.noCredit', { name: client.name, currency, amount: formatMoney(owed, currency) })}
      </p>
    );
  }
  return <BalanceTile wallet={wallet} client={client} owed={owed} saleId={saleId} onPaid={onPaid} />;
}

function capReason(available: string, owed: string): string {
  if (available === owed) return translate('checkout.cappedAtBoth');
  return greaterThan(owed, available) ? translate('checkout.cappedAtBalance') : translate('checkout.cappedAtOwed');
}

function BalanceTile({ wallet, client, owed, saleId, onPaid }: { wallet: Wallet; client: Client; owed: string; saleId: string; onPaid: (paid: Paid) => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const currency = wallet.currency;
  const available = toScale(wallet.balance, currency);
  const cap = paymentCap(available, owed, currency);
  const [applied, setApplied] = useState(cap);
  const [edited, setEdited] = useState(false);
  const [hint, setHint] = useState<string | null>(null);
  const command = useCommand<WalletResult>(balanceChanged(client.id));
  const ids = { applied: useId(), help: useId() };

  // A new total moves the amount with it until the person types their own; theirs is still capped.
  useEffect(() => {
    setApplied((current) => {
      const check = checkAmount(current, currency);
      if (!edited || (check.ok && greaterThan(check.value, cap))) return cap;
      return current;
    });
    command.formChanged();
  }, [cap]);

  const check = checkAmount(applied, currency);
  const amount = check.ok ? check.value : null;

  const edit = (value: string) => {
    setEdited(true);
    command.formChanged();
    const typed = checkAmount(value, currency);
    if (typed.ok && greaterThan(typed.value, cap)) {
      setApplied(cap);
      setHint(capReason(available, owed));
    } else {
      setApplied(value);
      setHint(null);
    }
  };

  const pay = async () => {
    if (amount === null || command.busy) return;
    const body = checkoutPaymentRequestSchema.parse({ clientId: client.id, currency, saleId, amountOwed: owed, amountRequested: amount, saleAmount: owed });
    const result = await command.run('/api/checkout/payments', body);
    if (result) onPaid({ result, owed });
  };

  return (
    <section className="card balance-tile" aria-labelledby="tile-title">
      <h2 id="tile-title">{t('checkout.tile')}</h2>
      <dl className="tile-figures">
        <div>
          <dt>{t('checkout.available')}</dt>
          <dd className="amount-in">{formatMoney(available, currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.owed')}</dt>
          <dd>{formatMoney(owed, currency)}</dd>
        </div>
      </dl>
      <div className="field">
        <label htmlFor={ids.applied}>{t('checkout.apply', { currency })}</label>
        <input
          id={ids.applied}
          inputMode="decimal"
          autoComplete="off"
          value={applied}
          onChange={(e) => edit(e.target.value)}
          aria-invalid={!check.ok}
          aria-describedby={ids.help}
        />
        <p id={ids.help} className={!check.ok ? 'field-error' : 'field-help'} aria-live="polite">
          {!check.ok ? check.message : (hint ?? t('checkout.atMost', { amount: formatMoney(cap, currency) }))}
        </p>
      </div>
      <dl className="tile-figures">
        <div>
          <dt>{t('checkout.balanceAfter')}</dt>
          <dd>{formatMoney(amount === null ? available : subtract(available, amount, currency), currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.stillToPay')}</dt>
          <dd>{formatMoney(amount === null ? owed : subtract(owed, amount, currency), currency)}</dd>
        </div>
      </dl>
      <CommandNotices command={command} onRetry={pay} />
      {can('checkout.pay') ? (
        <button type="button" className="button button-primary button-block" onClick={pay} disabled={amount === null || command.busy}>
          {command.busy ? t('checkout.paying') : amount === null ? t('checkout.pay') : t('checkout.payAmount', { amount: formatMoney(amount, currency) })}
        </button>
      ) : (
        <p className="muted">{t('checkout.cannotPay')}</p>
      )}
    </section>
  );
}

function Receipt({ paid, onNewSale }: { paid: Paid; onNewSale: () => void }) {
  const { t } = useTranslation();
  const { result } = paid;
  const stillOwed = result.amountStillOwed ?? subtract(paid.owed, result.amount, result.currency);
  return (
    <section className="card receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title" tabIndex={-1}>
        {t('checkout.paymentTaken')}
      </h2>
      <p role="status">
        <Trans t={t} i18nKey="checkout.paid" values={{ amount: formatMoney(result.amount, result.currency) }} components={{ strong: <strong /> }} />
      </p>
      <dl className="tile-figures">
        <div>
          <dt>{t('checkout.remainingDue')}</dt>
          <dd className="remaining-due">{formatMoney(stillOwed, result.currency)}</dd>
        </div>
        <div>
          <dt>{t('checkout.balanceNow')}</dt>
          <dd>{formatMoney(result.balanceAfter, result.currency)}</dd>
        </div>
      </dl>
      <button type="button" className="button" onClick={onNewSale}>
        {t('checkout.newSale')}
      </button>
    </section>
  );
}
