import { checkBonusDraft, type TierDraft } from './bonus-form';

const draft = (minAmount: string, kind: TierDraft['kind'], value: string, key = 1): TierDraft => ({ key, minAmount, kind, value });

describe(checkBonusDraft.name, () => {
  it('sends the tiers as the contract writes amounts, and no expiry for an empty number of days', () => {
    expect(checkBonusDraft([draft('1,000', 'percent', '10'), draft('500', 'fixed', '20', 2)], '', 'AED')).toMatchObject({
      body: {
        tiers: [
          { minAmount: '1000.00', percent: '10' },
          { minAmount: '500.00', fixed: '20.00' },
        ],
        expiresInDays: null,
      },
      daysProblem: null,
    });
  });

  it('names each field’s problem in the app’s words and sends nothing', () => {
    const checked = checkBonusDraft([draft('abc', 'percent', '120'), draft('500', 'fixed', '0.005', 2), draft('500.00', 'percent', '5', 3)], '0', 'AED');
    expect(checked.body).toBeNull();
    expect(checked.tierProblems).toEqual([
      { minAmount: 'Use digits and a decimal point only', value: 'A percentage more than 0 and at most 100, up to two decimals' },
      { value: 'AED allows at most 2 decimals' },
      { minAmount: 'Two tiers cannot start at the same amount' },
    ]);
    expect(checked.daysProblem).toBe('Whole days from 1 to 3650');
  });

  it('keeps the tiers that are right for the preview while another is still wrong', () => {
    const checked = checkBonusDraft([draft('100', 'fixed', '5'), draft('', 'percent', '', 2)], '30', 'JPY');
    expect(checked.validTiers).toEqual([{ minAmount: '100', fixed: '5' }]);
    expect(checked.body).toBeNull();
  });

  it('refuses decimals in a currency that has none', () => {
    expect(checkBonusDraft([draft('100.5', 'fixed', '5')], '', 'JPY').tierProblems).toEqual([{ minAmount: 'JPY amounts have no decimals' }]);
  });
});
