import { getRouteApi } from '@tanstack/react-router';
import { Reports } from './Reports';

const route = getRouteApi('/reports');

/** The /reports route's screen (router.tsx loads this module lazily): the address keeps the day and the currency. */
export function ReportsRoute() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return (
    <Reports
      filter={{ asOf: search.asOf ?? '', currency: search.currency ?? '' }}
      onFilter={(next) => void navigate({ search: { asOf: next.asOf || undefined, currency: next.currency || undefined }, replace: true, resetScroll: false })}
    />
  );
}
