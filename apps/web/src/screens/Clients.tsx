import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice, Loading } from '../components/Notice';
import { useDebounced } from '../hooks';
import { allItems, clientSearchQuery } from '../queries';
import { Link } from '@tanstack/react-router';
import { useSession } from '../session';

const searchDelayMs = 250;

/** The client list and its search; the route keeps the search in the address (`onSearch`), so Back returns to it. */
export function Clients({ initialQ = '', onSearch }: { initialQ?: string; onSearch?: (q: string) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const [text, setText] = useState(initialQ);
  const q = useDebounced(text.trim(), searchDelayMs);
  // The list stays on screen while the next search loads.
  const list = useInfiniteQuery({ ...clientSearchQuery(q), placeholderData: keepPreviousData, enabled: session.can('balance.view') });

  const latestOnSearch = useRef(onSearch);
  latestOnSearch.current = onSearch;
  useEffect(() => latestOnSearch.current?.(q), [q]);

  if (!session.can('balance.view')) {
    return (
      <>
        <h1 tabIndex={-1}>{t('clients.title')}</h1>
        <p>{t('clients.cannotView')}</p>
      </>
    );
  }

  const clients = allItems(list.data?.pages);
  const retry = () => void (list.isFetchNextPageError ? list.fetchNextPage() : list.refetch());
  return (
    <>
      <div className="section-head">
        <h1 tabIndex={-1}>{t('clients.title')}</h1>
        {session.can('balance.add') ? (
          <Link to="/clients/new" className="button button-primary">
            {t('clients.add')}
          </Link>
        ) : null}
      </div>
      <form role="search" className="search-bar" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="client-search">{t('clients.search')}</label>
        <input
          id="client-search"
          type="search"
          placeholder={t('clients.searchPlaceholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
        />
      </form>
      <ErrorNotice error={list.error} onRetry={retry} />
      {list.isPending ? <Loading label={t('clients.loading')} /> : null}
      {list.isSuccess && !list.isPlaceholderData && clients.length === 0 ? <p className="empty">{q ? t('clients.noMatch', { q }) : t('clients.none')}</p> : null}
      {clients.length > 0 ? (
        <ul className="client-list" aria-label={t('clients.list')} aria-busy={list.isFetching}>
          {clients.map((client) => (
            <li key={client.id}>
              <Link to="/clients/$clientId" params={{ clientId: client.id }} className="client-row">
                <span className="client-name">{client.name}</span>
                <span className="client-contact"><bdi dir="ltr">{[client.phone, client.email].filter(Boolean).join(' · ') || client.externalId || ''}</bdi></span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {list.hasNextPage && !list.isError ? (
        <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? t('common.loading') : t('clients.more')}
        </button>
      ) : null}
    </>
  );
}
