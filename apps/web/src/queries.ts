import { focusManager, infiniteQueryOptions, QueryClient, queryOptions, type QueryKey } from '@tanstack/react-query';
import type { AuditItem, BusinessCurrenciesView, EntryType, LiabilityReport } from '@storecredit/contracts';
import { ApiError, get, query, type BalancePayment, type Sale, type BonusRule, type Client, type CreditSettings, type Entry, type GiftCard, type Hold, type Me, type Page, type Wallet, type ApiKey, type StaffMember } from './api';

/**
 * The server's data as TanStack Query caches it: one key per thing the screens show, so a command that changes a
 * client's balance invalidates that client's balances and transactions and nothing else.
 */

export const clientPageSize = 25;
export const historyPageSize = 25;
export const recentEntriesMax = 5;

export interface HistoryFilter {
  types: EntryType[];
  from: string;
  to: string;
}

export interface AuditFilter {
  action: string;
}

export interface GiftCardFilter {
  status: string;
  last4: string;
}

export const queryKeys = {
  me: ['me'] as const,
  clientSearches: ['clients'] as const,
  clientSearch: (q: string) => ['clients', q] as const,
  /** Everything shown about one client: a prefix of the keys below. */
  client: (clientId: string) => ['client', clientId] as const,
  clientDetail: (clientId: string) => ['client', clientId, 'detail'] as const,
  balances: (clientId: string) => ['client', clientId, 'balances'] as const,
  /** The recent entries and every history filter: all of them change with the balance. */
  transactions: (clientId: string) => ['client', clientId, 'transactions'] as const,
  recent: (clientId: string) => ['client', clientId, 'transactions', 'recent'] as const,
  history: (clientId: string, filter: HistoryFilter) => ['client', clientId, 'transactions', 'history', filter] as const,
  /** Every list of the client's holds. */
  holds: (clientId: string) => ['client', clientId, 'holds'] as const,
  activeHolds: (clientId: string) => ['client', clientId, 'holds', 'active'] as const,
  /** The client's balance payments with what refunds may still return. */
  payments: (clientId: string) => ['client', clientId, 'payments'] as const,
  sales: ['sales'] as const,
  sale: (saleId: string) => ['sales', saleId] as const,
  giftCards: ['gift-cards'] as const,
  giftCardList: (filter: GiftCardFilter) => ['gift-cards', filter] as const,
  bonusRules: ['settings', 'bonus-rules'] as const,
  creditSettings: ['settings', 'credit'] as const,
  currencies: ['settings', 'currencies'] as const,
  liability: (filter: ReportFilter) => ['reports', 'liability', filter] as const,
  audit: (filter: AuditFilter) => ['audit', filter] as const,
  staff: ['staff'] as const,
  apiKeys: ['api-keys'] as const,
} satisfies Record<string, QueryKey | ((...args: never[]) => QueryKey)>;

/** What a balance command (add, deduct, redeem, pay) changes: the client's balances and every list of its entries. */
export function balanceChanged(clientId: string): QueryKey[] {
  return [queryKeys.balances(clientId), queryKeys.transactions(clientId)];
}

/** What a hold, capture or release changes: the balances (held, available), the entries (a capture) and the holds. */
export function holdsChanged(clientId: string): QueryKey[] {
  return [...balanceChanged(clientId), queryKeys.holds(clientId)];
}

/** What a refund changes: the balances, the entries, the payments' and the sales' refundable amounts. */
export function refundChanged(clientId: string): QueryKey[] {
  return [...balanceChanged(clientId), queryKeys.payments(clientId), queryKeys.sales];
}

const clientPath = (clientId: string) => `/api/clients/${encodeURIComponent(clientId)}`;

/** The signed-in staff member, or null when no one is signed in (the gateway answers 401). */
export const meQuery = queryOptions({
  queryKey: queryKeys.me,
  queryFn: async (): Promise<Me | null> => {
    try {
      return await get<Me>('/api/auth/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  // Signing in and out set it; the gateway's 401 on any other request signs out (api.ts).
  staleTime: Infinity,
  refetchOnWindowFocus: false,
});

export function searchClients(q: string, cursor?: string | null, signal?: AbortSignal): Promise<Page<Client>> {
  return get<Page<Client>>(`/api/clients${query({ q, cursor, limit: String(clientPageSize) })}`, { signal });
}

export const clientSearchQuery = (q: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.clientSearch(q),
    queryFn: ({ pageParam, signal }) => searchClients(q, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export const clientQuery = (clientId: string) =>
  queryOptions({
    queryKey: queryKeys.clientDetail(clientId),
    queryFn: ({ signal }) => get<Client>(clientPath(clientId), { signal }),
  });

export const balancesQuery = (clientId: string) =>
  queryOptions({
    queryKey: queryKeys.balances(clientId),
    queryFn: ({ signal }) => get<{ items: Wallet[] }>(`${clientPath(clientId)}/balances`, { signal }).then((page) => page.items),
  });

export const recentQuery = (clientId: string) =>
  queryOptions({
    queryKey: queryKeys.recent(clientId),
    queryFn: ({ signal }) => get<Page<Entry>>(`${clientPath(clientId)}/transactions${query({ limit: String(recentEntriesMax) })}`, { signal }),
  });

/** The client's active holds, newest first (the gateway asks for checkout.pay). */
export const activeHoldsQuery = (clientId: string) =>
  queryOptions({
    queryKey: queryKeys.activeHolds(clientId),
    queryFn: ({ signal }) => get<{ items: Hold[] }>(`${clientPath(clientId)}/holds${query({ status: 'active' })}`, { signal }).then((page) => page.items),
  });

export const paymentPageSize = 25;

/** The client's balance payments, newest first, a page at a time (the gateway asks for refund.credit). */
export const paymentsQuery = (clientId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.payments(clientId),
    queryFn: ({ pageParam, signal }) =>
      get<Page<BalancePayment>>(`${clientPath(clientId)}/payments${query({ cursor: pageParam, limit: String(paymentPageSize) })}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

/** A sale with what refunds of it may still return (the gateway asks for refund.credit). */
export const saleQuery = (saleId: string) =>
  queryOptions({
    queryKey: queryKeys.sale(saleId),
    queryFn: ({ signal }) => get<Sale>(`/api/sales/${encodeURIComponent(saleId)}`, { signal }),
  });

/** A date input's "2026-11-25" as the start of that day in the salon's (the browser's) time zone. */
function startOfDay(date: string, plusDays = 0): string {
  return new Date(startOfDayMs(date, plusDays)).toISOString();
}

function startOfDayMs(date: string, plusDays: number): number {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year, month - 1, day + plusDays).getTime();
}

export function historyQueryString(filter: HistoryFilter, cursor: string | null): string {
  return query({
    type: filter.types,
    from: filter.from ? startOfDay(filter.from) : undefined,
    // "To" includes the whole day: the API's `to` is exclusive.
    to: filter.to ? startOfDay(filter.to, 1) : undefined,
    cursor,
    limit: String(historyPageSize),
  });
}

/**
 * The history's CSV download, with the filters on screen (the same `from` / `to` as the pages, no paging): a plain link,
 * which the session cookie authorises like any page of the app.
 */
export function historyCsvPath(clientId: string, filter: HistoryFilter): string {
  return `${clientPath(clientId)}/transactions.csv${query({
    type: filter.types,
    from: filter.from ? startOfDay(filter.from) : undefined,
    to: filter.to ? startOfDay(filter.to, 1) : undefined,
  })}`;
}

export const historyQuery = (clientId: string, filter: HistoryFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.history(clientId, filter),
    queryFn: ({ pageParam, signal }) => get<Page<Entry>>(`${clientPath(clientId)}/transactions${historyQueryString(filter, pageParam)}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    // A filter left and come back to starts again at the newest page, not with every page scrolled through before.
    gcTime: 0,
  });

export const giftCardsQuery = (filter: GiftCardFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.giftCardList(filter),
    queryFn: ({ pageParam, signal }) => get<Page<GiftCard>>(`/api/gift-cards${query({ ...filter, cursor: pageParam })}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export const auditQuery = (filter: AuditFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.audit(filter),
    queryFn: ({ pageParam, signal }) => get<Page<AuditItem>>(`/api/audit${query({ action: filter.action, cursor: pageParam })}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

/** The business's staff, and its API keys (staff.manage). */
export const staffQuery = queryOptions({
  queryKey: queryKeys.staff,
  queryFn: ({ signal }) => get<{ items: StaffMember[] }>('/api/staff', { signal }).then((page) => page.items),
});

export const apiKeysQuery = queryOptions({
  queryKey: queryKeys.apiKeys,
  queryFn: ({ signal }) => get<{ items: ApiKey[] }>('/api/api-keys', { signal }).then((page) => page.items),
});

/** The business's bonus tiers per currency (settings.manage or balance.add may read them). */
export const bonusRulesQuery = queryOptions({
  queryKey: queryKeys.bonusRules,
  queryFn: ({ signal }) => get<{ items: BonusRule[] }>('/api/settings/bonus-rules', { signal }).then((page) => page.items),
});

export const creditSettingsQuery = queryOptions({
  queryKey: queryKeys.creditSettings,
  queryFn: ({ signal }) => get<CreditSettings>('/api/settings/credit', { signal }),
});
/**
 * The business's default and accepted currencies (any signed-in member may read them): what every form offers and
 * starts in. They change rarely, so they stay fresh for a minute.
 */
export const currenciesQuery = queryOptions({
  queryKey: queryKeys.currencies,
  queryFn: ({ signal }) => get<BusinessCurrenciesView>('/api/settings/currencies', { signal }),
  staleTime: 60_000,
});

/** The liability report's choices as the address keeps them: a day ("2026-11-30", empty for now) and a currency (empty for all). */
export interface ReportFilter {
  asOf: string;
  currency: string;
}

/** The end of the chosen day in the salon's (the browser's) time zone; the gateway reads a later moment as now. */
function reportQueryString(filter: ReportFilter): string {
  return query({ asOf: filter.asOf ? new Date(startOfDayMs(filter.asOf, 1) - 1).toISOString() : undefined, currency: filter.currency || undefined });
}

export const liabilityQuery = (filter: ReportFilter) =>
  queryOptions({
    queryKey: queryKeys.liability(filter),
    queryFn: ({ signal }) => get<LiabilityReport>(`/api/reports/liability${reportQueryString(filter)}`, { signal }),
  });

export function liabilityCsvPath(filter: ReportFilter): string {
  return `/api/reports/liability.csv${reportQueryString(filter)}`;
}

/** Every page of an infinite query, in order, without an entry a later page repeats (new entries shift the pages). */
export function allItems<T extends { id: string }>(pages: readonly Page<T>[] | undefined): T[] {
  const seen = new Set<string>();
  const items: T[] = [];
  for (const item of (pages ?? []).flatMap((page) => page.items)) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    items.push(item);
  }
  return items;
}

/**
 * Another tab, or another desk, may have changed a balance while this one was in the background: the cached data
 * is fetched again when the tab becomes visible and when the window gets focus (switching windows leaves both visible).
 */
function refetchOnReturn(): void {
  focusManager.setEventListener((handleFocus) => {
    const returned = () => handleFocus();
    window.addEventListener('visibilitychange', returned);
    window.addEventListener('focus', returned);
    return () => {
      window.removeEventListener('visibilitychange', returned);
      window.removeEventListener('focus', returned);
    };
  });
}

export function createQueryClient(): QueryClient {
  refetchOnReturn();
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A failed load shows at once with "Try again" (and a lost connection says so) instead of retrying unseen.
        retry: false,
        // Money on screen is fetched again whenever the screen mounts or the person comes back.
        staleTime: 0,
        refetchOnWindowFocus: true,
        refetchOnReconnect: true,
      },
      mutations: { retry: false },
    },
  });
}
