import { useEffect, useState } from 'react';
import { get, query, type Client, type Page } from '../api';
import { ErrorNotice, Loading } from '../components/Notice';
import { useDebounced, useLoad } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

export const clientPageSize = 25;
const searchDelayMs = 250;

export function searchClients(q: string, cursor?: string | null): Promise<Page<Client>> {
  return get<Page<Client>>(`/api/clients${query({ q, cursor, limit: String(clientPageSize) })}`);
}

export function Clients() {
  const session = useSession();
  const { params } = useLocation();
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text.trim(), searchDelayMs);
  const first = useLoad(() => searchClients(q), [q]);
  const [more, setMore] = useState<{ items: Client[]; nextCursor: string | null; loading: boolean; error: unknown }>({
    items: [],
    nextCursor: null,
    loading: false,
    error: null,
  });

  // The search lives in the address, so Back returns to the same list.
  useEffect(() => navigate(`/clients${query({ q })}`, { replace: true }), [q]);
  useEffect(() => setMore({ items: [], nextCursor: first.data?.nextCursor ?? null, loading: false, error: null }), [first.data]);

  const loadMore = async () => {
    if (!more.nextCursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    try {
      const page = await searchClients(q, more.nextCursor);
      setMore((m) => ({ items: [...m.items, ...page.items], nextCursor: page.nextCursor, loading: false, error: null }));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error }));
    }
  };

  if (!session.can('balance.view')) {
    return (
      <>
        <h1 tabIndex={-1}>Clients</h1>
        <p>Your account cannot view client balances. Ask the owner for the balance.view permission.</p>
      </>
    );
  }

  const clients = [...(first.data?.items ?? []), ...more.items];
  return (
    <>
      <div className="section-head">
        <h1 tabIndex={-1}>Clients</h1>
        {session.can('balance.add') ? (
          <Link href="/clients/new" className="button button-primary">
            Add client
          </Link>
        ) : null}
      </div>
      <form role="search" className="search-bar" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="client-search">Search clients</label>
        <input
          id="client-search"
          type="search"
          placeholder="Name, phone or email"
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
        />
      </form>
      <ErrorNotice error={first.error} onRetry={first.reload} />
      {first.loading && !first.data ? <Loading label="Loading clients…" /> : null}
      {first.data && clients.length === 0 ? <p className="empty">{q ? `No clients match “${q}”.` : 'No clients yet.'}</p> : null}
      {clients.length > 0 ? (
        <ul className="client-list" aria-label="Clients" aria-busy={first.loading}>
          {clients.map((client) => (
            <li key={client.id}>
              <Link href={`/clients/${encodeURIComponent(client.id)}`} className="client-row">
                <span className="client-name">{client.name}</span>
                <span className="client-contact">{[client.phone, client.email].filter(Boolean).join(' · ') || client.externalId || ''}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorNotice error={more.error} onRetry={loadMore} />
      {more.nextCursor ? (
        <button type="button" className="button" onClick={loadMore} disabled={more.loading}>
          {more.loading ? 'Loading…' : 'Show more clients'}
        </button>
      ) : null}
    </>
  );
}
