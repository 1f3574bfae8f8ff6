import { entryTypes, type EntryType } from '@storecredit/contracts';
import { createRootRoute, createRoute, createRouter, lazyRouteComponent, Link, redirect } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { App } from './App';
import { Audit } from './screens/Audit';
import { Checkout } from './screens/Checkout';
import { parseSearch, stringifySearch } from './search';
import { ClientForm } from './screens/ClientForm';
import { ClientProfile } from './screens/ClientProfile';
import { Clients } from './screens/Clients';
import { GiftCards } from './screens/GiftCards';
import { History } from './screens/History';
import { Refunds } from './screens/Refunds';
import { Settings } from './screens/Settings';
import { Staff } from './screens/Staff';

/**
 * The app's routes (TanStack Router, code-based): typed paths, params and search, so a link to a route that does
 * not exist or without its params fails the type check. The root route is the sign-in gate and the signed-in shell
 * (App); each screen is a route whose component reads its params and search and hands them to the screen.
 */

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

export interface ReportsSearch {
  asOf?: string;
  currency?: string;
}

function reportsSearch(search: Record<string, unknown>): ReportsSearch {
  const asOf = text(search.asOf);
  const currency = text(search.currency);
  return { asOf: asOf && /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? asOf : undefined, currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined };
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

export interface RefundsSearch {
  clientId?: string;
  saleId?: string;
}

const refundsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/refunds',
  validateSearch: (search: Record<string, unknown>): RefundsSearch => ({ clientId: text(search.clientId), saleId: text(search.saleId) }),
  component: function RefundsRoute() {
    const { clientId, saleId } = refundsRoute.useSearch();
    const navigate = refundsRoute.useNavigate();
    // The sale and the client live in the address, so Back and a reload show the same figures.
    return <Refunds clientId={clientId} saleId={saleId} onSearch={(next) => void navigate({ search: next, resetScroll: false })} />;
  },
});

const checkoutRoute = createRoute({ getParentRoute: () => rootRoute, path: '/checkout', component: Checkout });
const giftCardsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/gift-cards', component: GiftCards });
const settingsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/settings', component: Settings });
const auditRoute = createRoute({ getParentRoute: () => rootRoute, path: '/audit', component: Audit });
const staffRoute = createRoute({ getParentRoute: () => rootRoute, path: '/staff', component: Staff });
// Loaded when first visited: the report's charting library stays out of the bundle every other screen loads.
const reportsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reports',
  validateSearch: reportsSearch,
  component: lazyRouteComponent(() => import('./screens/ReportsRoute'), 'ReportsRoute'),
});

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
  refundsRoute,
  giftCardsRoute,
  settingsRoute,
  reportsRoute,
  auditRoute,
  staffRoute,
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
