import type { BusinessCurrenciesService } from './business-currencies.service';

/** A business that has not chosen its currencies: new credit in any currency is taken. */
export function acceptingEveryCurrency(): BusinessCurrenciesService {
  return { requireAccepted: async () => undefined } as unknown as BusinessCurrenciesService;
}
