import { DecimalType } from '@mikro-orm/core';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { ExactDecimalType } from './exact-decimal.type';

describe(ExactDecimalType.name, () => {
  const exact = new ExactDecimalType();

  it('sees a one-cent change of a balance beyond the precision of a double', () => {
    // Since MikroORM 7 the base type compares through its platform (set by the ORM at discovery).
    const base = Object.assign(new DecimalType(), { platform: new PostgreSqlPlatform() });
    expect(base.compareValues('2999999999999999.97', '2999999999999999.96')).toBe(true);
    expect(exact.compareValues('2999999999999999.97', '2999999999999999.96')).toBe(false);
    expect(exact.compareValues('100000000000000.01', '100000000000000.02')).toBe(false);
  });

  it('treats the same amount written with another scale as unchanged', () => {
    expect(exact.compareValues('25.50', '25.5')).toBe(true);
    expect(exact.compareValues('0', '0.00')).toBe(true);
  });
});
