import { entryTypes, type EntryType } from '@storecredit/contracts';
import { createRootRoute, createRoute, createRouter, Link, redirect } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { query } from './api';
import { App } from './App';
import { Checkout } from './screens/Checkout';
import { ClientForm } from './screens/ClientForm';
import { ClientProfile } from './screens/ClientProfile';
import { Clients } from './screens/Clients';
import { GiftCards } from './screens/GiftCards';
import { History } from './screens/History';

/**
 * The app's routes (TanStack Router, code-based): typed paths, params and search, so a link to a route that does
 * not exist or without its params fails the type check. The root route is the sign-in gate and the signed-in shell
 * (App); each screen is a route whose component reads its params and search and hands them to the screen.
 */

type SearchValue = string | string[];

/** The search as the address has it: `?type=a&type=b`, a repeated key for a list, never JSON. */
export function parseSearch(text: string): Record<string, SearchValue> {
  const search: Record<string, SearchValue> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const had = search[key];
    search[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return search;
}

export function stringifySearch(search: Record<string, unknown>): string {
  const params: Record<string, string | string[] | undefined> = {};
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === 'string') params[key] = value;
    else if (Array.isArray(value)) params[key] = value.filter((one): one is string => typeof one === 'string');
  }
  return query(params);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const known = new Set<string>(entryTypes);

export interface ClientsSearch {
  q?: string;
}

export interface HistorySearch {
  type?: EntryType[];
  from?: string;
  to?: string;
}

function historySearch(search: Record<string, unknown>): HistorySearch {
  const types = [search.type].flat().filter((one): one is EntryType => typeof one === 'string' && known.has(one));
  return { type: types.length > 0 ? types : undefined, from: text(search.from), to: text(search.to) };
}

const rootRoute = createRootRoute({ component: App });

const homeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/clients', replace: true });
  },
});

const clientsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/clients',
  validateSearch: (search: Record<string, unknown>): ClientsSearch => ({ q: text(search.q) }),
  component: function ClientsRoute() {
    const { q } = clientsRoute.useSearch();
    const navigate = clientsRoute.useNavigate();
    // The search lives in the address, so Back returns to the same list.
    return <Clients initialQ={q ?? ''} onSearch={(next) => void navigate({ search: { q: next || undefined }, replace: true, resetScroll: false })} />;
  },
});

const newClientRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/clients/new',
  component: ClientForm,
});

const clientRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/clients/$clientId',
  component: function ClientRoute() {
    const { clientId } = clientRoute.useParams();
    return <ClientProfile clientId={clientId} />;
  },
});

const editClientRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/clients/$clientId/edit',
  component: function EditClientRoute() {
    const { clientId } = editClientRoute.useParams();
    return <ClientForm key={clientId} clientId={clientId} />;
  },
});

const historyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/clients/$clientId/history',
  validateSearch: historySearch,
  component: function HistoryRoute() {
    const { clientId } = historyRoute.useParams();
    const search = historyRoute.useSearch();
    const navigate = historyRoute.useNavigate();
    const filter = { types: search.type ?? [], from: search.from ?? '', to: search.to ?? '' };
    return (
      <History
        clientId={clientId}
        filter={filter}
        onFilter={(next) =>
          void navigate({ search: { type: next.types, from: next.from || undefined, to: next.to || undefined }, replace: true, resetScroll: false })
        }
      />
    );
  },
});

const checkoutRoute = createRoute({ getParentRoute: () => rootRoute, path: '/checkout', component: Checkout });
const giftCardsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/gift-cards', component: GiftCards });

const notFoundRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '$',
  component: function NotFound() {
    const { t } = useTranslation();
    return (
      <>
        <h1 tabIndex={-1}>{t('app.notFound')}</h1>
        <p>
          <Link to="/clients">{t('app.toClientList')}</Link>
        </p>
      </>
    );
  },
});

const routeTree = rootRoute.addChildren([
  homeRoute,
  clientsRoute,
  newClientRoute,
  clientRoute,
  editClientRoute,
  historyRoute,
  checkoutRoute,
  giftCardsRoute,
  notFoundRoute,
]);

export function createAppRouter() {
  return createRouter({ routeTree, parseSearch, stringifySearch });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
