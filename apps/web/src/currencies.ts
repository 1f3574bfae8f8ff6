import { businessCurrenciesUnchosen, type BusinessCurrenciesView } from '@storecredit/contracts';
import { useQuery } from '@tanstack/react-query';
import { currenciesQuery } from './queries';

/**
 * The business's default and accepted currencies, for forms to offer and start in. Until the answer arrives (or if it
 * fails) a form offers what a business that has not chosen works in; the gateway refuses new credit in any other.
 */
export function useBusinessCurrencies(): BusinessCurrenciesView {
  return useQuery(currenciesQuery).data ?? businessCurrenciesUnchosen;
}
