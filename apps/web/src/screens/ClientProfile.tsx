import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { Entry, Page, Wallet, WalletResult } from '../api';
import { ErrorNotice, Loading } from '../components/Notice';
import { balancesQuery, clientQuery, recentQuery } from '../queries';
import { entryTypeLabel, formatDate, formatDateTime } from '../labels';
import { balanceCardCurrencies, Decimal } from '@storecredit/contracts';
import { useBusinessCurrencies } from '../currencies';
import { formatMoney, formatNumber, isPositive, sameAmount } from '../money';
import { Link } from '@tanstack/react-router';
import { actorLabel, useSession } from '../session';
import { BalanceChangeDialog } from './BalanceChangeDialog';
import { ActiveHolds } from './Holds';
import { RedeemDialog } from './RedeemDialog';

/** The client's name and contact, and the Balance and History tabs (the router marks the current one). */
export function ClientHeader({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const client = useQuery(clientQuery(clientId));
  return (
    <>
      <p className="breadcrumb">
        <Link to="/clients" activeOptions={{ exact: true }}>
          {t('client.back')}
        </Link>
      </p>
      <ErrorNotice error={client.error} onRetry={() => void client.refetch()} />
      <h1 tabIndex={-1}>{client.data?.name ?? (client.isPending ? t('client.placeholderName') : clientId)}</h1>
      {client.data ? <p className="muted contact"><bdi dir="ltr">{[client.data.phone, client.data.email].filter(Boolean).join(' · ')}</bdi></p> : null}
      {client.data && (session.can('balance.add') || session.can('refund.credit')) ? (
        <p className="header-actions">
          {session.can('balance.add') ? (
            <Link to="/clients/$clientId/edit" params={{ clientId }}>
              {t('client.edit')}
            </Link>
          ) : null}
          {session.can('refund.credit') ? (
            <Link to="/refunds" search={{ clientId }}>
              {t('refunds.clientAction')}
            </Link>
          ) : null}
        </p>
      ) : null}
      <nav className="tabs" aria-label={t('client.tabs')}>
        <Link to="/clients/$clientId" params={{ clientId }} className="tab" activeOptions={{ exact: true }}>
          {t('client.balanceTab')}
        </Link>
        <Link to="/clients/$clientId/history" params={{ clientId }} className="tab" activeOptions={{ exact: true, includeSearch: false }}>
          {t('client.historyTab')}
        </Link>
      </nav>
    </>
  );
}

type Open = null | 'add' | 'deduct' | 'redeem';

/** A change's success message and the balance it names, shown only while that is the balance on screen. */
interface Done {
  text: string;
  currency: string;
  balanceAfter: string;
  /** When it was applied: only balances fetched after that can say it is no longer true. */
  at: number;
}

function doneStillTrue(done: Done, wallets: Wallet[]): boolean {
  const wallet = wallets.find((w) => w.currency === done.currency);
  return wallet !== undefined && sameAmount(wallet.balance, done.balanceAfter);
}

export function ClientProfile({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const wallets = useQuery(balancesQuery(clientId));
  const currencies = useBusinessCurrencies();
  const recent = useQuery(recentQuery(clientId));
  const [open, setOpen] = useState<Open>(null);
  const [done, setDone] = useState<Done | null>(null);
  const deductReasonId = useId();

  // The balances and entries are fetched again after a change here (the command invalidates them) and when the
  // person comes back to the tab (another desk may have changed them: see queries.ts).
  // Once the balance shown is not the one the message names (a change here or elsewhere), the message goes for good.
  useEffect(() => {
    if (done && wallets.data && wallets.dataUpdatedAt > done.at && !doneStillTrue(done, wallets.data)) setDone(null);
  }, [done, wallets.data, wallets.dataUpdatedAt]);
  // The next action replaces the last one's message.
  const start = (which: Exclude<Open, null>) => {
    setDone(null);
    setOpen(which);
  };

  if (!session.can('balance.view')) {
    return <p>{t('client.cannotView')}</p>;
  }
  const list = wallets.data ?? [];
  // The accepted currencies and any the client still holds something in, never another (contracts: balanceCardCurrencies).
  const held = list.filter((w) => !new Decimal(w.balance).isZero() || !new Decimal(w.held).isZero()).map((w) => w.currency);
  const shown: Wallet[] = balanceCardCurrencies(currencies, held).map(
    (currency) => list.find((w) => w.currency === currency) ?? { currency, balance: '0', held: '0', available: '0', hasBalance: false },
  );
  // A deduction takes from what holds leave (the ledger checks it against available too).
  const canDeduct = list.some((w) => isPositive(w.available));
  const allOnHold = !canDeduct && list.some((w) => w.hasBalance);

  return (
    <>
      <ClientHeader clientId={clientId} />
      <section aria-labelledby="balance-title" className="balance-section">
        <h2 id="balance-title" className="visually-hidden">
          {t('client.balance')}
        </h2>
        <ErrorNotice error={wallets.error} onRetry={() => void wallets.refetch()} />
        {wallets.isPending ? <Loading label={t('client.loadingBalance')} /> : null}
        {wallets.data ? (
          <ul className="balance-cards" aria-busy={wallets.isFetching}>
            {shown.map((wallet) => (
              <BalanceCard key={wallet.currency} wallet={wallet} />
            ))}
          </ul>
        ) : null}
        <div className="actions" role="group" aria-label={t('client.actions')}>
          {session.can('balance.add') ? (
            <button type="button" className="button button-primary" onClick={() => start('add')} disabled={!wallets.data}>
              {t('client.addBalance')}
            </button>
          ) : null}
          {session.can('balance.deduct') ? (
            <button
              type="button"
              className="button"
              onClick={() => start('deduct')}
              disabled={!canDeduct}
              aria-describedby={canDeduct ? undefined : deductReasonId}
            >
              {t('client.deductBalance')}
            </button>
          ) : null}
          {session.can('giftcard.redeem') ? (
            <button type="button" className="button" onClick={() => start('redeem')}>
              {t('client.redeemGiftCard')}
            </button>
          ) : null}
        </div>
        {session.can('balance.deduct') && wallets.data && !canDeduct ? (
          <p id={deductReasonId} className="muted action-reason">
            {allOnHold ? t('client.deductOffHeld') : t('client.deductOff')}
          </p>
        ) : null}
        {done ? (
          <p className="notice notice-success" role="status">
            {done.text}
          </p>
        ) : null}
      </section>
      {session.can('checkout.pay') ? <ActiveHolds clientId={clientId} /> : null}
      <RecentEntries clientId={clientId} recent={recent} />
      {open === 'add' || open === 'deduct' ? (
        <BalanceChangeDialog
          mode={open}
          clientId={clientId}
          wallets={list}
          onClose={() => setOpen(null)}
          onApplied={(result: WalletResult) => {
            setOpen(null);
            const words = { amount: formatMoney(result.amount, result.currency), balance: formatMoney(result.balanceAfter, result.currency) };
            const text =
              open === 'deduct'
                ? t('client.deducted', words)
                : result.bonus
                  ? t('client.addedWithBonus', { ...words, bonus: formatMoney(result.bonus.amount, result.currency) })
                  : t('client.added', words);
            setDone({ text, currency: result.currency, balanceAfter: result.balanceAfter, at: Date.now() });
          }}
        />
      ) : null}
      {open === 'redeem' ? <RedeemDialog clientId={clientId} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

function BalanceCard({ wallet }: { wallet: Wallet }) {
  const { t } = useTranslation();
  const positive = isPositive(wallet.balance);
  return (
    <li className={`balance-card ${positive ? 'is-positive' : 'is-empty'}`} data-currency={wallet.currency}>
      <span className="balance-amount">
        <span className="balance-currency">{wallet.currency}</span> {formatNumber(wallet.balance, wallet.currency)}
      </span>
      {isPositive(wallet.held) ? (
        <span className="balance-held">
          <Trans
            t={t}
            i18nKey="client.availableOnHold"
            values={{ available: formatMoney(wallet.available, wallet.currency), held: formatMoney(wallet.held, wallet.currency) }}
            components={{ part: <span className="nowrap" /> }}
          />
        </span>
      ) : null}
      {wallet.expiringSoon && isPositive(wallet.expiringSoon.amount) && wallet.expiringSoon.firstExpiresAt ? (
        <span className="balance-expiring">
          {t('client.expiringSoon', { amount: formatMoney(wallet.expiringSoon.amount, wallet.currency), date: formatDate(wallet.expiringSoon.firstExpiresAt) })}
        </span>
      ) : null}
      <span className={`badge ${positive ? 'badge-positive' : 'badge-neutral'}`}>{positive ? t('client.hasBalance') : t('client.noBalance')}</span>
    </li>
  );
}

function RecentEntries({ clientId, recent }: { clientId: string; recent: UseQueryResult<Page<Entry>> }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const entries = recent.data?.items ?? [];
  return (
    <section aria-labelledby="recent-title" className="recent">
      <div className="section-head">
        <h2 id="recent-title">{t('client.recent')}</h2>
        <Link to="/clients/$clientId/history" params={{ clientId }}>
          {t('client.fullHistory')}
        </Link>
      </div>
      <ErrorNotice error={recent.error} onRetry={() => void recent.refetch()} />
      {recent.data && entries.length === 0 ? <p className="empty">{t('client.noTransactions')}</p> : null}
      {entries.length > 0 ? (
        <ul className="entry-list">
          {entries.map((entry) => (
            <li key={entry.id} className="entry-row">
              <span className="entry-main">
                <span className="entry-type">
                  {entryTypeLabel(entry.type)}
                  {entry.reversedByEntryId ? <span className="badge badge-danger entry-badge">{t('history.reversed')}</span> : null}
                </span>
                <span className="muted">
                  <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time> · {actorLabel(entry, me)}
                  {entry.note ? ` · ${entry.note}` : ''}
                </span>
              </span>
              <span className={`entry-amount ${isPositive(entry.amount) ? 'amount-in' : 'amount-out'}`}>
                {formatMoney(entry.amount, entry.currency, { signed: true })}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
