import { keepPreviousData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { post, waitForCommand, type GiftCard } from '../api';
import { Dialog } from '../components/Dialog';
import { ErrorNotice, Loading } from '../components/Notice';
import { useCommand } from '../command';
import { useDebounced } from '../hooks';
import { giftCardDisplayStatuses, giftCardsPerIssueMax, supportedCurrencies } from '@storecredit/contracts';
import { formatDate, giftCardStatusLabels, groupCode } from '../labels';
import { checkAmount, defaultCurrency, formatMoney } from '../money';
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
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [issued, setIssued] = useState<IssuedCard[] | null>(null);
  const refreshList = useCallback(() => void queryClient.invalidateQueries({ queryKey: queryKeys.giftCards }), [queryClient]);
  if (!can('giftcard.manage')) {
    return (
      <>
        <h1 tabIndex={-1}>Gift cards</h1>
        <p>Your account cannot manage gift cards.</p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>Gift cards</h1>
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
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(defaultCurrency);
  const [count, setCount] = useState('1');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ids = { amount: useId(), amountHelp: useId(), currency: useId(), count: useId(), expires: useId() };
  const amountCheck = checkAmount(amount, currency);
  const countValue = Number.parseInt(count, 10);
  const countOk = /^\d+$/.test(count) && countValue >= 1 && countValue <= giftCardsPerIssueMax;
  const today = new Date().toISOString().slice(0, 10);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!amountCheck.ok || !countOk || busy) return;
    setBusy(true);
    setError(null);
    try {
      // No Idempotency-Key: each issue makes new codes, and the gateway refuses a retried issue.
      const { body } = await post<{ items: IssuedCard[] }>('/api/gift-cards', {
        amount: amountCheck.value,
        currency,
        count: countValue,
        ...(expires ? { expiresAt: endOfDay(expires) } : {}),
      });
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
      <h2 id="issue-title">Issue gift cards</h2>
      <div className="field-row">
        <div className="field field-amount">
          <label htmlFor={ids.amount}>Amount</label>
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
            {amount !== '' && !amountCheck.ok ? amountCheck.message : 'Value of each card'}
          </p>
        </div>
        <div className="field field-currency">
          <label htmlFor={ids.currency}>Currency</label>
          <select id={ids.currency} value={currency} onChange={(e) => setCurrency(e.target.value)}>
            {supportedCurrencies.map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.count}>How many</label>
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
            Expires <span className="muted">(optional)</span>
          </label>
          <input id={ids.expires} type="date" min={today} value={expires} onChange={(e) => setExpires(e.target.value)} />
        </div>
      </div>
      {!countOk ? <p className="field-error">Issue between 1 and {giftCardsPerIssueMax} cards at a time.</p> : null}
      <ErrorNotice error={error} />
      <button type="submit" className="button button-primary" disabled={busy || !amountCheck.ok || !countOk}>
        {busy ? 'Issuing…' : countOk && countValue > 1 ? `Issue ${countValue} cards` : 'Issue card'}
      </button>
    </form>
  );
}

/** The codes, shown this once: the server keeps only a hash and the last four characters. */
function NewCodes({ cards, onDone, onSettled }: { cards: IssuedCard[]; onDone: () => void; onSettled: () => void }) {
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
      <h2 id="codes-title">New gift card codes</h2>
      <p className="notice notice-warning">Write these down or copy them now: they are shown only once.</p>
      <ul className="code-list">
        {cards.map((card) => {
          const state = settled[card.commandId] ?? card.status;
          return (
            <li key={card.commandId}>
              <code className="gift-code">{groupCode(card.code)}</code>
              {state === 'pending' ? <span className="badge badge-pending">Pending</span> : null}
              {state === 'rejected' ? <span className="badge badge-danger">Not issued</span> : null}
            </li>
          );
        })}
      </ul>
      <div className="actions">
        {navigator.clipboard ? (
          <button type="button" className="button" onClick={copy}>
            {copied ? 'Copied' : 'Copy codes'}
          </button>
        ) : null}
        <button type="button" className="button button-primary" onClick={onDone}>
          Done, hide codes
        </button>
      </div>
    </section>
  );
}

function CardList() {
  const [status, setStatus] = useState('');
  const [last4Text, setLast4Text] = useState('');
  const last4 = useDebounced(last4Text.trim().toUpperCase(), 250);
  const last4Ok = last4 === '' || /^[0-9A-Z]{4}$/.test(last4);
  const [voiding, setVoiding] = useState<GiftCard | null>(null);
  const list = useInfiniteQuery({ ...giftCardsQuery({ status, last4 }), enabled: last4Ok, placeholderData: keepPreviousData });
  const cards = last4Ok ? allItems(list.data?.pages) : [];

  return (
    <section className="card card-list" aria-labelledby="list-title">
      <h2 id="list-title">Issued gift cards</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor="card-status">Status</label>
          <select id="card-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {giftCardDisplayStatuses.map((value) => (
              <option key={value} value={value}>
                {giftCardStatusLabels[value]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="card-last4">Last four characters</label>
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
      {!last4Ok ? <p className="field-error">Enter exactly four letters or digits.</p> : null}
      <ErrorNotice error={list.error} onRetry={() => void (list.isFetchNextPageError ? list.fetchNextPage() : list.refetch())} />
      {list.isPending && last4Ok ? <Loading label="Loading gift cards…" /> : null}
      {list.isSuccess && !list.isPlaceholderData && cards.length === 0 && last4Ok ? <p className="empty">No gift cards match.</p> : null}
      {cards.length > 0 ? (
        <table className="cards-table">
          <thead>
            <tr>
              <th scope="col">Card</th>
              <th scope="col" className="numeric">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Issued</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {cards.map((card) => (
              <tr key={card.id} data-last4={card.last4}>
                <td data-label="Card">
                  <code>•••• {card.last4}</code>
                </td>
                <td data-label="Amount" className="numeric">
                  {formatMoney(card.amount, card.currency)}
                </td>
                <td data-label="Status">
                  <span className={`badge badge-${card.status}`}>{giftCardStatusLabels[card.status]}</span>
                </td>
                <td data-label="Issued">{formatDate(card.issuedAt)}</td>
                <td data-label="Expires">{card.expiresAt ? formatDate(card.expiresAt) : 'Never'}</td>
                <td data-label="">
                  {card.voidable ? (
                    <button type="button" className="button button-quiet" onClick={() => setVoiding(card)} aria-label={`Void card ending ${card.last4}`}>
                      Void
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
          {list.isFetchingNextPage ? 'Loading…' : 'Show more cards'}
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
  const command = useCommand<unknown>([queryKeys.giftCards]);
  const confirm = async () => {
    const result = await command.run(`/api/gift-cards/${encodeURIComponent(card.id)}/void`, {});
    if (result !== null) onVoided();
  };
  return (
    <Dialog title={`Void card ending ${card.last4}?`} onClose={onClose} busy={command.busy}>
      <div className="dialog-form">
        <p>
          The {formatMoney(card.amount, card.currency)} card ending <strong>{card.last4}</strong> will no longer be redeemable. This cannot be
          undone.
        </p>
        <ErrorNotice error={command.error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={command.busy} data-autofocus>
            Keep card
          </button>
          <button type="button" className="button button-danger" onClick={confirm} disabled={command.busy}>
            {command.busy ? 'Voiding…' : 'Void card'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
