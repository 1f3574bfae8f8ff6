import fc from 'fast-check';
import {
  acceptsNewCredit,
  balanceCardCurrencies,
  businessCurrenciesUnchosen,
  currenciesShownFor,
  currencySettingsProblems,
  currencySettingsRequestSchema,
  normalizedCurrencies,
  type BusinessCurrencies,
} from './business-currencies';
import { isSupportedCurrency } from './currency';

const known = ['AED', 'SAR', 'USD', 'EUR', 'JPY', 'KWD'];
const codeArb = fc.oneof(fc.constantFrom(...known), fc.constantFrom('XAU', 'ZZZ', 'aed', ''));
const settingsArb = fc.record({ defaultCurrency: codeArb, accepted: fc.array(codeArb, { maxLength: 6 }) });
const validArb: fc.Arbitrary<BusinessCurrencies> = fc
  .uniqueArray(fc.constantFrom(...known), { minLength: 1, maxLength: 6 })
  .chain((accepted) => fc.constantFrom(...accepted).map((defaultCurrency) => normalizedCurrencies({ defaultCurrency, accepted })));

describe(currencySettingsProblems.name, () => {
  it('accepts the settings a business has until it chooses', () => {
    expect(currencySettingsProblems(businessCurrenciesUnchosen)).toEqual([]);
  });

  it.each([
    [{ defaultCurrency: 'SAR', accepted: ['SAR', 'AED'] }, []],
    [{ defaultCurrency: 'SAR', accepted: ['AED'] }, ['default_not_accepted']],
    [{ defaultCurrency: 'AED', accepted: [] }, ['accepted_empty']],
    [{ defaultCurrency: 'XAU', accepted: ['XAU'] }, ['currency_not_supported', 'currency_not_supported']],
    [{ defaultCurrency: 'AED', accepted: ['AED', 'ZZZ'] }, ['currency_not_supported']],
  ])('judges %j as %j', (settings, codes) => {
    expect(currencySettingsProblems(settings).map((problem) => problem.code)).toEqual(codes);
  });

  it('agrees with a small model: valid exactly when every code is known, one is accepted and the default is among them', () => {
    fc.assert(
      fc.property(settingsArb, (settings) => {
        const valid =
          isSupportedCurrency(settings.defaultCurrency) &&
          settings.accepted.every(isSupportedCurrency) &&
          settings.accepted.length > 0 &&
          settings.accepted.includes(settings.defaultCurrency);
        expect(currencySettingsProblems(settings).length === 0).toBe(valid);
        expect(currencySettingsRequestSchema.safeParse(settings).success).toBe(valid);
      }),
    );
  });

  it('names the rule it breaks in the schema issue’s params', () => {
    const parsed = currencySettingsRequestSchema.safeParse({ defaultCurrency: 'SAR', accepted: ['AED'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => (issue as { params?: { code?: string } }).params?.code)).toEqual(['default_not_accepted']);
  });
});

describe(normalizedCurrencies.name, () => {
  it('keeps each accepted currency once, in code order, and the default among them', () => {
    fc.assert(
      fc.property(validArb, fc.array(fc.constantFrom(...known)), (settings, extra) => {
        const normal = normalizedCurrencies({ defaultCurrency: settings.defaultCurrency, accepted: [...extra.filter((c) => settings.accepted.includes(c)), ...settings.accepted] });
        expect(normal.accepted).toEqual([...new Set(settings.accepted)].sort());
        expect(normal.accepted).toContain(normal.defaultCurrency);
      }),
    );
  });
});

describe(acceptsNewCredit.name, () => {
  it('takes new credit exactly in the accepted currencies', () => {
    fc.assert(fc.property(validArb, fc.constantFrom(...known), (settings, currency) => {
      expect(acceptsNewCredit(settings, currency)).toBe(settings.accepted.includes(currency));
    }));
  });
});

describe(currenciesShownFor.name, () => {
  it('shows the default first, then every accepted or held currency once, and nothing else', () => {
    fc.assert(
      fc.property(validArb, fc.array(fc.constantFrom(...known), { maxLength: 6 }), (settings, held) => {
        const shown = currenciesShownFor(settings, held);
        expect(shown[0]).toBe(settings.defaultCurrency);
        expect(new Set(shown).size).toBe(shown.length);
        expect(new Set(shown)).toEqual(new Set([...settings.accepted, ...held]));
      }),
    );
  });

  it('keeps a currency the business no longer accepts while the client holds it', () => {
    expect(currenciesShownFor({ defaultCurrency: 'SAR', accepted: ['AED', 'SAR'] }, ['USD'])).toEqual(['SAR', 'AED', 'USD']);
    expect(currenciesShownFor({ defaultCurrency: 'SAR', accepted: ['AED', 'SAR'] }, [])).toEqual(['SAR', 'AED']);
  });
});

describe(balanceCardCurrencies.name, () => {
  it('shows a business that has not chosen its default and what the client holds, not every currency', () => {
    expect(balanceCardCurrencies(businessCurrenciesUnchosen, ['USD'])).toEqual(['AED', 'USD']);
    expect(balanceCardCurrencies({ defaultCurrency: 'SAR', accepted: ['AED', 'SAR'], chosen: true }, ['USD'])).toEqual(['SAR', 'AED', 'USD']);
  });
});
