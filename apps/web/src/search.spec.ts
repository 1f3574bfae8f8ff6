import { parseSearch, stringifySearch } from './search';

describe('the router search in the address', () => {
  it('writes a list as a repeated key and leaves out what is empty, as the app always has', () => {
    expect(stringifySearch({ type: ['balance_added', 'balance_deducted'], from: '2026-11-01', to: undefined, q: '' })).toBe(
      '?type=balance_added&type=balance_deducted&from=2026-11-01',
    );
    expect(stringifySearch({})).toBe('');
  });

  it('reads a repeated key as a list and a single one as a string, whatever it looks like', () => {
    expect(parseSearch('?type=balance_added&type=balance_deducted&q=Nadia%20M')).toEqual({ type: ['balance_added', 'balance_deducted'], q: 'Nadia M' });
    expect(parseSearch('?q=123&r=%5B1%5D')).toEqual({ q: '123', r: '[1]' });
  });

  it('reads back what it wrote', () => {
    const search = { type: ['refund_credit', 'used_for_payment'], from: '2026-01-31' };
    expect(parseSearch(stringifySearch(search))).toEqual(search);
  });
});
