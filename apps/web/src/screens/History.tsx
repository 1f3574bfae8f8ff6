import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, type TouchEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Entry, WalletResult } from '../api';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { entryTypes, reversibleEntryTypes, type EntryType } from '@storecredit/contracts';
import { bonusTierLabel, entryTypeLabel, formatDateTime, lotSourceLabel, referenceLabel } from '../labels';
import { formatMoney, isPositive, sameAmount } from '../money';
import { allItems, historyCsvPath, historyQuery, type HistoryFilter } from '../queries';
import { actorLabel, useSession } from '../session';
import { ClientHeader } from './ClientProfile';
import { ReverseDialog } from './ReverseDialog';

/** How far a finger must pull down at the top of the page to refresh. */
export const pullToRefreshPx = 70;

/** The full history; the route keeps the filter in the address (`onFilter`). */
export function History({ clientId, filter, onFilter }: { clientId: string; filter: HistoryFilter; onFilter: (next: HistoryFilter) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const { me } = session;
  const rangeProblem = filter.from && filter.to && filter.from > filter.to ? t('history.rangeProblem') : null;
  const history = useInfiniteQuery({ ...historyQuery(clientId, filter), enabled: rangeProblem === null });
  const rows = {
    items: allItems(history.data?.pages),
    loading: history.isFetching,
    loaded: history.isSuccess || rangeProblem !== null,
    more: history.hasNextPage,
  };
  // Refresh, pull-to-refresh and coming back to the tab fetch the pages on screen again; the command that changed the
  // balance invalidated them already.
  const refresh = useCallback(() => void history.refetch(), [history.refetch]);
  const loadMore = useCallback(() => {
    if (history.hasNextPage && !history.isFetching) void history.fetchNextPage();
  }, [history.hasNextPage, history.isFetching, history.fetchNextPage]);

  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !rows.more || rows.loading) return;
    // A fresh observer after every page: it reports at once if the end of the list is still in view.
    const observer = new IntersectionObserver((seen) => seen.some((s) => s.isIntersecting) && loadMore(), { rootMargin: '200px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [rows.more, rows.loading, loadMore]);

  const pull = usePullToRefresh(refresh);
  const filtered = filter.types.length > 0 || filter.from !== '' || filter.to !== '';
  const [reversing, setReversing] = useState<Entry | null>(null);
  const [reversed, setReversed] = useState<string | null>(null);
  const canReverse = session.can('balance.reverse');

  return (
    <div onTouchStart={pull.start} onTouchMove={pull.move} onTouchEnd={pull.end}>
      <ClientHeader clientId={clientId} />
      {pull.distance > 0 ? (
        <p className="pull-hint" style={{ height: pull.distance }} aria-hidden="true">
          {pull.distance >= pullToRefreshPx ? t('history.releaseToRefresh') : t('history.pullToRefresh')}
        </p>
      ) : null}
      <Filters filter={filter} onChange={onFilter} />
      {rangeProblem ? (
        <p className="notice notice-error" role="alert">
          {rangeProblem}
        </p>
      ) : null}
      <div className="history-toolbar">
        <h2>{t('history.title')}</h2>
        <p className="muted" aria-live="polite">
          {rows.loaded ? t(rows.more ? 'history.countMore' : 'history.count', { count: rows.items.length }) : ''}
        </p>
        <button type="button" className="button" onClick={refresh} disabled={rows.loading}>
          {t('history.refresh')}
        </button>
        <a className="button" href={historyCsvPath(clientId, filter)} download title={t('history.exportCsvHint')}>
          {t('history.exportCsv')}
        </a>
      </div>
      <SuccessNotice message={reversed} />
      {rows.items.length > 0 ? (
        <HistoryTable
          entries={rows.items}
          actor={(entry) => actorLabel(entry, me)}
          onReverse={
            canReverse
              ? (entry) => {
                  setReversed(null);
                  setReversing(entry);
                }
              : undefined
          }
        />
      ) : null}
      {reversing ? (
        <ReverseDialog
          clientId={clientId}
          entry={reversing}
          onClose={() => setReversing(null)}
          onApplied={(result: WalletResult) => {
            setReversing(null);
            setReversed(t('reverse.done', { balance: formatMoney(result.balanceAfter, result.currency) }));
          }}
        />
      ) : null}
      {rows.loaded && rows.items.length === 0 && !history.error && !rangeProblem ? (
        <p className="empty">{filtered ? t('history.noMatch') : t('history.none')}</p>
      ) : null}
      <ErrorNotice error={history.error} onRetry={history.isFetchNextPageError ? loadMore : refresh} />
      {rows.loading ? <Loading label={rows.items.length > 0 ? t('history.loadingMore') : t('history.loading')} /> : null}
      <div ref={sentinel} className="sentinel" />
      {rows.more && !rows.loading && !history.error ? (
        <button type="button" className="button" onClick={loadMore}>
          {t('history.loadMore')}
        </button>
      ) : null}
      {rows.loaded && !rows.more && rows.items.length > 0 ? <p className="muted end-of-list">{t('history.end')}</p> : null}
    </div>
  );
}

function Filters({ filter, onChange }: { filter: HistoryFilter; onChange: (next: HistoryFilter) => void }) {
  const { t } = useTranslation();
  const active = filter.types.length + (filter.from ? 1 : 0) + (filter.to ? 1 : 0);
  const [open] = useState(() => active > 0 || window.matchMedia('(min-width: 720px)').matches);
  const toggle = (type: EntryType, on: boolean) =>
    onChange({ ...filter, types: on ? [...filter.types, type] : filter.types.filter((t) => t !== type) });
  return (
    <details className="filters" open={open}>
      <summary>{active > 0 ? t('history.filtersActive', { count: active }) : t('history.filters')}</summary>
      <form className="filters-body" onSubmit={(e) => e.preventDefault()}>
        <fieldset className="type-filter">
          <legend>{t('history.type')}</legend>
          {entryTypes.map((type) => (
            <label key={type} className="chip">
              <input type="checkbox" checked={filter.types.includes(type)} onChange={(e) => toggle(type, e.target.checked)} />
              {entryTypeLabel(type)}
            </label>
          ))}
        </fieldset>
        <div className="date-range">
          <div className="field">
            <label htmlFor="history-from">{t('history.from')}</label>
            <input id="history-from" type="date" value={filter.from} onChange={(e) => onChange({ ...filter, from: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="history-to">{t('history.to')}</label>
            <input id="history-to" type="date" value={filter.to} onChange={(e) => onChange({ ...filter, to: e.target.value })} />
          </div>
          <button type="button" className="button button-quiet" onClick={() => onChange({ types: [], from: '', to: '' })} disabled={active === 0}>
            {t('history.clearFilters')}
          </button>
        </div>
      </form>
    </details>
  );
}

const reversible = new Set<EntryType>(reversibleEntryTypes);

/** Where an entry's credit came from or went: the lot a credit created, the lots a debit drew from, its tier or reversal. */
function EntryLots({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  const money = (amount: string) => formatMoney(amount, entry.currency);
  const lines: string[] = [];
  for (const lot of entry.lots ?? []) {
    const parts: string[] = [t('history.lotCreated', { source: lotSourceLabel(lot.source) })];
    if (lot.restoredFrom) parts.push(t('history.lotRestored'));
    if (lot.expiresAt) parts.push(t('history.lotExpires', { date: formatDateTime(lot.expiresAt) }));
    if (!sameAmount(lot.remaining, lot.amount)) parts.push(t('history.lotLeft', { amount: money(lot.remaining) }));
    lines.push(parts.join(' · '));
  }
  const drawn = entry.allocations ?? [];
  if (drawn.length > 0) {
    lines.push(t('history.drewFrom', { parts: drawn.map((one) => t('history.drewPart', { source: lotSourceLabel(one.source), amount: money(one.amount) })).join(', ') }));
  }
  if (entry.bonusTier) lines.push(t('history.bonusTier', { tier: bonusTierLabel(entry.bonusTier, entry.currency, formatMoney) }));
  if (entry.reversesEntryId) lines.push(t('history.reversal'));
  if (lines.length === 0 && !entry.reversedByEntryId) return null;
  return (
    <span className="entry-lots">
      {entry.reversedByEntryId ? <span className="badge badge-danger">{t('history.reversed')}</span> : null}
      {lines.map((line) => (
        <span key={line} className="muted">
          {line}
        </span>
      ))}
    </span>
  );
}

function HistoryTable({ entries, actor, onReverse }: { entries: Entry[]; actor: (entry: Entry) => string; onReverse?: (entry: Entry) => void }) {
  const { t } = useTranslation();
  // The column names label each cell too: on a phone the table is a list of cards (styles.css shows data-label).
  const column = {
    occurredAt: t('history.column.occurredAt'),
    type: t('history.column.type'),
    amount: t('history.column.amount'),
    balanceAfter: t('history.column.balanceAfter'),
    reference: t('history.column.reference'),
    note: t('history.column.note'),
    by: t('history.column.by'),
    actions: t('history.column.actions'),
  };
  return (
    <table className="history-table">
      <caption className="visually-hidden">{t('history.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{column.occurredAt}</th>
          <th scope="col">{column.type}</th>
          <th scope="col" className="numeric">
            {column.amount}
          </th>
          <th scope="col" className="numeric">
            {column.balanceAfter}
          </th>
          <th scope="col">{column.reference}</th>
          <th scope="col">{column.note}</th>
          <th scope="col">{column.by}</th>
          {onReverse ? <th scope="col">{column.actions}</th> : null}
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td data-label={column.occurredAt}>
              <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>
            </td>
            <td data-label={column.type}>
              <span className="entry-type-cell">
                {entryTypeLabel(entry.type)}
                <EntryLots entry={entry} />
              </span>
            </td>
            <td data-label={column.amount} className={`numeric ${isPositive(entry.amount) ? 'amount-in' : 'amount-out'}`}>
              {formatMoney(entry.amount, entry.currency, { signed: true })}
            </td>
            <td data-label={column.balanceAfter} className="numeric">
              {formatMoney(entry.balanceAfter, entry.currency)}
            </td>
            <td data-label={column.reference}>{referenceLabel(entry)}</td>
            <td data-label={column.note}>{entry.note ?? ''}</td>
            <td data-label={column.by}>{actor(entry)}</td>
            {onReverse ? (
              <td data-label={column.actions}>
                {reversible.has(entry.type) && !entry.reversedByEntryId ? (
                  <button
                    type="button"
                    className="button button-quiet"
                    onClick={() => onReverse(entry)}
                    aria-label={t('history.reverseOne', { type: entryTypeLabel(entry.type), amount: formatMoney(entry.amount.replace(/^-/, ''), entry.currency) })}
                  >
                    {t('history.reverse')}
                  </button>
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Pull down at the top of the page to refresh, as on a phone's own lists. */
function usePullToRefresh(refresh: () => void) {
  const startY = useRef<number | null>(null);
  const [distance, setDistance] = useState(0);
  return {
    distance,
    start: (event: TouchEvent) => {
      startY.current = window.scrollY <= 0 ? event.touches[0].clientY : null;
    },
    move: (event: TouchEvent) => {
      if (startY.current === null) return;
      setDistance(Math.max(0, Math.min(120, event.touches[0].clientY - startY.current)));
    },
    end: () => {
      if (distance >= pullToRefreshPx) refresh();
      startY.current = null;
      setDistance(0);
    },
  };
}
