import { keepPreviousData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { post, waitForCommand, type GiftCard } from '../api';
import { Dialog } from '../components/Dialog';
import { ErrorNotice, Loading } from '../components/Notice';
import { useCommand } from '../command';
import { useDebounced } from '../hooks';
import { currenciesShownFor, giftCardDisplayStatuses, giftCardLast4Schema, giftCardsPerIssueMax, issueGiftCardsRequestSchema } from '@storecredit/contracts';
import { checkBody } from '../forms';
import { formatDate, giftCardStatusLabel, groupCode } from '../labels';
import { useBusinessCurrencies } from '../currencies';
import { checkAmount, formatMoney } from '../money';
import { allItems, giftCardsQuery, queryKeys } from '../queries';
import { useSession } from '../session';

interface IssuedCard {
  code: string;
  commandId: string;
  status: 'applied' | 'pending';
  statusUrl?: string;
  result?: { giftCardId: string; last4: string };
}

export function GiftCards() {
  const { t } = useTranslation();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [issued, setIssued] = useState<IssuedCard[] | null>(null);
  const refreshList = useCallback(() => void queryClient.invalidateQueries({ queryKey: queryKeys.giftCards }), [queryClient]);
  if (!can('giftcard.manage')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('giftCards.title')}</h1>
        <p>{t('giftCards.cannotManage')}</p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>{t('giftCards.title')}</h1>
      <div className="gift-cards">
        <IssueForm
          onIssued={(cards) => {
            setIssued(cards);
            refreshList();
          }}
        />
        {issued ? <NewCodes cards={issued} onDone={() => setIssued(null)} onSettled={refreshList} /> : null}
        <CardList />
      </div>
    </>
  );
}

function endOfDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year, month - 1, day, 23, 59, 59).toISOString();
}

function IssueForm({ onIssued }: { onIssued: (cards: IssuedCard[]) => void }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState('');
  // Cards are new credit: only the accepted currencies, the business's default first until a person picks one.
  const settings = useBusinessCurrencies();
  const [picked, setCurrency] = useState<string | null>(null);
  const currency = picked ?? settings.defaultCurrency;
  const [count, setCount] = useState('1');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ids = { amount: useId(), amountHelp: useId(), currency: useId(), count: useId(), expires: useId() };
  const amountCheck = checkAmount(amount, currency);
  const countValue = count.trim() === '' ? Number.NaN : Number(count);
  // The amount is the contract's parseAmount's to decide (checkAmount); the rest of the body, the request schema's.
  const checked = checkBody(issueGiftCardsRequestSchema, {
    amount: amountCheck.ok ? amountCheck.value : amount,
    currency,
    count: countValue,
    ...(expires ? { expiresAt: endOfDay(expires) } : {}),
  });
  const countOk = checked.ok || !checked.problems.count;
  const today = new Date().toISOString().slice(0, 10);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!amountCheck.ok || !checked.ok || busy) return;
    setBusy(true);
    setError(null);
    try {
      // No Idempotency-Key: each issue makes new codes, and the gateway refuses a retried issue.
      const { body } = await post<{ items: IssuedCard[] }>('/api/gift-cards', checked.value);
      onIssued(body.items);
      setAmount('');
      setCount('1');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card issue-form" onSubmit={submit} noValidate aria-labelledby="issue-title">
      <h2 id="issue-title">{t('giftCards.issueTitle')}</h2>
      <div className="field-row">
        <div className="field field-amount">
          <label htmlFor={ids.amount}>{t('common.amount')}</label>
          <input
            id={ids.amount}
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-invalid={amount !== '' && !amountCheck.ok}
            aria-describedby={ids.amountHelp}
          />
          <p id={ids.amountHelp} className={amount !== '' && !amountCheck.ok ? 'field-error' : 'field-help'} aria-live="polite">
            {amount !== '' && !amountCheck.ok ? amountCheck.message : t('giftCards.amountHelp')}
          </p>
        </div>
        <div className="field field-currency">
          <label htmlFor={ids.currency}>{t('common.currency')}</label>
          <select id={ids.currency} value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {currenciesShownFor(settings, []).map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.count}>{t('giftCards.count')}</label>
          <input
            id={ids.count}
            type="number"
            min={1}
            max={giftCardsPerIssueMax}
            value={count}
            onChange={(e) => setCount(e.target.value)}
            aria-invalid={!countOk}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.expires}>
            {t('giftCards.expires')} <span className="muted">{t('common.optional')}</span>
          </label>
          <input id={ids.expires} type="date" min={today} value={expires} onChange={(e) => setExpires(e.target.value)} />
        </div>
      </div>
      {!countOk ? <p className="field-error">{t('giftCards.countProblem', { max: giftCardsPerIssueMax })}</p> : null}
      <ErrorNotice error={error} />
      <button type="submit" className="button button-primary" disabled={busy || !amountCheck.ok || !countOk}>
        {busy ? t('giftCards.issuing') : countOk && countValue > 1 ? t('giftCards.issueMany', { count: countValue }) : t('giftCards.issueOne')}
      </button>
    </form>
  );
}

/** The codes, shown this once: the server keeps only a hash and the last four characters. */
function NewCodes({ cards, onDone, onSettled }: { cards: IssuedCard[]; onDone: () => void; onSettled: () => void }) {
  const { t } = useTranslation();
  const [settled, setSettled] = useState<Partial<Record<string, 'applied' | 'rejected'>>>({});
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    for (const card of cards.filter((c) => c.status === 'pending')) {
      waitForCommand(card.statusUrl ?? `/api/commands/${encodeURIComponent(card.commandId)}`, card.commandId).then(
        () => setSettled((s) => ({ ...s, [card.commandId]: 'applied' })),
        () => setSettled((s) => ({ ...s, [card.commandId]: 'rejected' })),
      );
    }
  }, [cards]);
  useEffect(() => {
    if (Object.keys(settled).length > 0) onSettled();
  }, [settled, onSettled]);

  const copy = async () => {
    await navigator.clipboard.writeText(cards.map((c) => groupCode(c.code)).join('\n')).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <section className="card new-codes" aria-labelledby="codes-title">
      <h2 id="codes-title">{t('giftCards.newCodes')}</h2>
      <p className="notice notice-warning">{t('giftCards.shownOnce')}</p>
      <ul className="code-list">
        {cards.map((card) => {
          const state = settled[card.commandId] ?? card.status;
          return (
            <li key={card.commandId}>
              <code className="gift-code">{groupCode(card.code)}</code>
              {state === 'pending' ? <span className="badge badge-pending">{t('giftCards.pending')}</span> : null}
              {state === 'rejected' ? <span className="badge badge-danger">{t('giftCards.notIssued')}</span> : null}
            </li>
          );
        })}
      </ul>
      <div className="actions">
        {navigator.clipboard ? (
          <button type="button" className="button" onClick={copy}>
            {copied ? t('giftCards.copied') : t('giftCards.copy')}
          </button>
        ) : null}
        <button type="button" className="button button-primary" onClick={onDone}>
          {t('giftCards.hideCodes')}
        </button>
      </div>
    </section>
  );
}

function CardList() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('');
  const [last4Text, setLast4Text] = useState('');
  const last4 = useDebounced(last4Text.trim().toUpperCase(), 250);
  const last4Ok = last4 === '' || giftCardLast4Schema.safeParse(last4).success;
  const [voiding, setVoiding] = useState<GiftCard | null>(null);
  const list = useInfiniteQuery({ ...giftCardsQuery({ status, last4 }), enabled: last4Ok, placeholderData: keepPreviousData });
  const cards = last4Ok ? allItems(list.data?.pages) : [];
  // The column names label each cell too: on a phone the table is a list of cards (styles.css shows data-label).
  const column = {
    card: t('giftCards.column.card'),
    amount: t('giftCards.column.amount'),
    status: t('giftCards.column.status'),
    issued: t('giftCards.column.issued'),
    expires: t('giftCards.column.expires'),
    actions: t('giftCards.column.actions'),
  };

  return (
    <section className="card card-list" aria-labelledby="list-title">
      <h2 id="list-title">{t('giftCards.listTitle')}</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor="card-status">{t('giftCards.status')}</label>
          <select id="card-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('giftCards.allStatuses')}</option>
            {giftCardDisplayStatuses.map((value) => (
              <option key={value} value={value}>
                {giftCardStatusLabel(value)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="card-last4">{t('giftCards.last4')}</label>
          <input
            id="card-last4"
            type="search"
            maxLength={4}
            autoComplete="off"
            autoCapitalize="characters"
            value={last4Text}
            onChange={(e) => setLast4Text(e.target.value)}
            aria-invalid={!last4Ok}
          />
        </div>
      </div>
      {!last4Ok ? <p className="field-error">{t('giftCards.last4Problem')}</p> : null}
      <ErrorNotice error={list.error} onRetry={() => void (list.isFetchNextPageError ? list.fetchNextPage() : list.refetch())} />
      {list.isPending && last4Ok ? <Loading label={t('giftCards.loading')} /> : null}
      {list.isSuccess && !list.isPlaceholderData && cards.length === 0 && last4Ok ? <p className="empty">{t('giftCards.noMatch')}</p> : null}
      {cards.length > 0 ? (
        <table className="cards-table">
          <thead>
            <tr>
              <th scope="col">{column.card}</th>
              <th scope="col" className="numeric">
                {column.amount}
              </th>
              <th scope="col">{column.status}</th>
              <th scope="col">{column.issued}</th>
              <th scope="col">{column.expires}</th>
              <th scope="col">
                <span className="visually-hidden">{column.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cards.map((card) => (
              <tr key={card.id} data-last4={card.last4}>
                <td data-label={column.card}>
                  <code>•••• {card.last4}</code>
                </td>
                <td data-label={column.amount} className="numeric">
                  {formatMoney(card.amount, card.currency)}
                </td>
                <td data-label={column.status}>
                  <span className={`badge badge-${card.status}`}>{giftCardStatusLabel(card.status)}</span>
                </td>
                <td data-label={column.issued}>{formatDate(card.issuedAt)}</td>
                <td data-label={column.expires}>{card.expiresAt ? formatDate(card.expiresAt) : t('giftCards.never')}</td>
                <td data-label="">
                  {card.voidable ? (
                    <button type="button" className="button button-quiet" onClick={() => setVoiding(card)} aria-label={t('giftCards.voidCard', { last4: card.last4 })}>
                      {t('giftCards.void')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {last4Ok && list.hasNextPage && !list.isError ? (
        <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? t('common.loading') : t('giftCards.more')}
        </button>
      ) : null}
      {voiding ? (
        <VoidDialog
          card={voiding}
          onClose={() => setVoiding(null)}
          onVoided={() => setVoiding(null)}
        />
      ) : null}
    </section>
  );
}

function VoidDialog({ card, onClose, onVoided }: { card: GiftCard; onClose: () => void; onVoided: () => void }) {
  const { t } = useTranslation();
  const command = useCommand<unknown>([queryKeys.giftCards]);
  const confirm = async () => {
    const result = await command.run(`/api/gift-cards/${encodeURIComponent(card.id)}/void`, {});
    if (result !== null) onVoided();
  };
  return (
    <Dialog title={t('giftCards.voidTitle', { last4: card.last4 })} onClose={onClose} busy={command.busy}>
      <div className="dialog-form">
        <p>
          <Trans
            t={t}
            i18nKey="giftCards.voidWarning"
            values={{ amount: formatMoney(card.amount, card.currency), last4: card.last4 }}
            components={{ strong: <strong /> }}
          />
        </p>
        <ErrorNotice error={command.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy} data-autofocus>
            {t('giftCards.keep')}
          </button>
          <button type="button" className="button button-danger" onClick={confirm} disabled={command.busy}>
            {command.busy ? t('giftCards.voiding') : t('giftCards.confirmVoid')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
