import { z } from 'zod';
import { isSupportedCurrency, supportedCurrencies } from './currency';

/**
 * The currencies a business works in: a default (what a new top-up, gift card or sale starts in) and the list it
 * accepts for new credit. Accepting is about new money only: a wallet in a currency the business stopped accepting
 * keeps its balance, which can still be seen, spent, deducted, refunded and reversed (README, "Business currencies").
 */
export interface BusinessCurrencies {
  defaultCurrency: string;
  /** In code order, no duplicates, never empty, always holding the default. */
  accepted: string[];
}

/** GET /api/settings/currencies: the settings, and whether the business chose them. */
export interface BusinessCurrenciesView extends BusinessCurrencies {
  chosen: boolean;
}

/**
 * What a business works in until it chooses: AED by default, and new credit in any wallet currency, as before a
 * business could choose, so upgrading refuses nothing that worked the day before.
 */
export const businessCurrenciesUnchosen: Readonly<BusinessCurrenciesView> = Object.freeze({
  defaultCurrency: 'AED',
  accepted: [...supportedCurrencies],
  chosen: false,
});

/** A business accepts at most this many currencies (a list a person chooses from, not a catalogue). */
export const acceptedCurrenciesMax = 20;

/** The stable codes of a currency settings change the gateway refuses, one per rule. */
export type CurrencySettingsProblemCode = 'currency_not_supported' | 'default_not_accepted' | 'accepted_empty';

export interface CurrencySettingsProblem {
  code: CurrencySettingsProblemCode;
  path: (string | number)[];
  message: string;
}

/** Why these settings cannot be stored: each code a wallet currency, at least one accepted, the default among them. */
export function currencySettingsProblems(settings: { defaultCurrency: string; accepted: readonly string[] }): CurrencySettingsProblem[] {
  const problems: CurrencySettingsProblem[] = [];
  if (!isSupportedCurrency(settings.defaultCurrency)) {
    problems.push({ code: 'currency_not_supported', path: ['defaultCurrency'], message: `${settings.defaultCurrency} is not an ISO 4217 currency the ledger knows` });
  }
  settings.accepted.forEach((code, index) => {
    if (!isSupportedCurrency(code)) problems.push({ code: 'currency_not_supported', path: ['accepted', index], message: `${code} is not an ISO 4217 currency the ledger knows` });
  });
  if (settings.accepted.length === 0) {
    problems.push({ code: 'accepted_empty', path: ['accepted'], message: 'accept at least one currency' });
  } else if (!settings.accepted.includes(settings.defaultCurrency)) {
    problems.push({ code: 'default_not_accepted', path: ['defaultCurrency'], message: 'the default currency must be one of the accepted currencies' });
  }
  return problems;
}

/**
 * PUT /api/settings/currencies. Each rule's issue carries its stable code in `params.code`; the gateway answers with
 * the first issue's code (api-exception.filter.ts), the web app's form shows the messages.
 */
export const currencySettingsRequestSchema = z
  .strictObject({
    defaultCurrency: z.string().max(8),
    accepted: z.array(z.string().max(8)).max(acceptedCurrenciesMax),
  })
  .superRefine((settings, ctx) => {
    for (const problem of currencySettingsProblems(settings)) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, params: { code: problem.code } });
    }
  });

export type CurrencySettingsRequest = z.input<typeof currencySettingsRequestSchema>;

/** Settings as stored and answered: the accepted list without duplicates, in code order. */
export function normalizedCurrencies(settings: { defaultCurrency: string; accepted: readonly string[] }): BusinessCurrencies {
  return { defaultCurrency: settings.defaultCurrency, accepted: [...new Set(settings.accepted)].sort() };
}

/**
 * Whether new credit (a top-up, a gift card, a bonus rule) may be made in this currency. Spending, deducting,
 * refunding and reversing are never asked: they move money the client already holds.
 */
export function acceptsNewCredit(settings: BusinessCurrencies, currency: string): boolean {
  return settings.accepted.includes(currency);
}

/**
 * The currencies to show for a client: the accepted ones and every one the client still holds something in
 * (balance or held not zero), the default first, then in code order. A currency neither accepted nor held is not shown.
 */
export function currenciesShownFor(settings: BusinessCurrencies, held: readonly string[]): string[] {
  const rest = [...new Set([...settings.accepted, ...held])].filter((code) => code !== settings.defaultCurrency).sort();
  return [settings.defaultCurrency, ...rest];
}

/**
 * The currencies of a client's balance card: those shown for the client (currenciesShownFor); a business that has not
 * chosen shows its default and what the client holds, not every currency it would take.
 */
export function balanceCardCurrencies(settings: BusinessCurrenciesView, held: readonly string[]): string[] {
  return currenciesShownFor(settings.chosen ? settings : { defaultCurrency: settings.defaultCurrency, accepted: [settings.defaultCurrency] }, held);
}
