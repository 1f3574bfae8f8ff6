import { bonusFor, bonusRulesRequestSchema } from './bonus';

describe('bonusFor', () => {
  const tiers = [
    { minAmount: '500.00', percent: '5' },
    { minAmount: '1000.00', percent: '10' },
    { minAmount: '100.00', fixed: '2.50' },
  ];

  it('applies the highest tier a top-up reaches, alone', () => {
    expect(bonusFor(tiers, '99.99', 'AED')).toBeNull();
    expect(bonusFor(tiers, '100.00', 'AED')).toEqual({ amount: '2.50', tier: tiers[2] });
    expect(bonusFor(tiers, '999.99', 'AED')?.amount).toBe('49.99');
    expect(bonusFor(tiers, '1000.00', 'AED')).toEqual({ amount: '100.00', tier: tiers[1] });
  });

  it("rounds a percentage down to the currency's decimals, and gives nothing when that is zero", () => {
    expect(bonusFor([{ minAmount: '1', percent: '33.3' }], '1.234', 'KWD')?.amount).toBe('0.410');
    expect(bonusFor([{ minAmount: '1', percent: '5' }], '19', 'JPY')).toBeNull();
    expect(bonusFor([{ minAmount: '1', percent: '5' }], '20', 'JPY')?.amount).toBe('1');
  });
});

describe('bonusRulesRequestSchema', () => {
  it('refuses a fixed bonus above the top-up that earns it, tiers starting at the same amount, and percentages outside (0, 100]', () => {
    const problems = (tiers: unknown[]) => bonusRulesRequestSchema.safeParse({ tiers }).error?.issues.map((issue) => issue.message) ?? [];
    expect(problems([{ minAmount: '100.00', fixed: '1000.00' }])).toEqual(['a fixed bonus cannot be more than the top-up that earns it (minAmount)']);
    expect(problems([{ minAmount: '100.00', fixed: '100.00' }])).toEqual([]);
    expect(problems([{ minAmount: '100', percent: '5' }, { minAmount: '100.00', percent: '6' }])).toEqual(['two tiers cannot start at the same amount']);
    expect(problems([{ minAmount: '100', percent: '0' }])).toEqual(['must be more than 0 and at most 100']);
    expect(problems([{ minAmount: '100', percent: '100.01' }])).toHaveLength(1);
  });
});
