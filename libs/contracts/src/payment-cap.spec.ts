import { Decimal } from './money';
import { paymentToApply } from './payment-cap';

const d = (value: string): Decimal => new Decimal(value);

function applied(balance: string, owed: string, requested?: string): string {
  return paymentToApply(d(balance), d(owed), requested === undefined ? undefined : d(requested)).toFixed();
}

/** Every order of three distinct amounts, as [balance, owed, requested]. */
function orders(a: string, b: string, c: string): [string, string, string][] {
  return [
    [a, b, c],
    [a, c, b],
    [b, a, c],
    [b, c, a],
    [c, a, b],
    [c, b, a],
  ];
}

describe(paymentToApply.name, () => {
  it.each(orders('10.00', '20.00', '30.00'))(
    'applies the smallest of balance %s, owed %s and requested %s',
    (balance, owed, requested) => {
      expect(applied(balance, owed, requested)).toBe('10');
    },
  );

  it('never applies more than the balance', () => {
    expect(applied('5.00', '120.00', '50.00')).toBe('5');
  });

  it('never applies more than is owed', () => {
    expect(applied('500.00', '120.00', '200.00')).toBe('120');
  });

  it('never applies more than was requested', () => {
    expect(applied('500.00', '120.00', '50.00')).toBe('50');
  });

  it('caps at the smaller of balance and owed when nothing is requested', () => {
    expect(applied('500.00', '120.00')).toBe('120');
    expect(applied('80.00', '120.00')).toBe('80');
  });

  it('applies the whole amount when balance, owed and requested are equal', () => {
    expect(applied('42.42', '42.42', '42.42')).toBe('42.42');
  });

  it.each([
    ['0', '120.00', '50.00'],
    ['0', '120.00', undefined],
    ['0.00', '0.01', '0.01'],
  ])('applies nothing from a zero balance (%s, owed %s, requested %s)', (balance, owed, requested) => {
    expect(applied(balance, owed, requested)).toBe('0');
  });

  it('never applies a negative amount', () => {
    const result = paymentToApply(d('-5'), d('120'), d('50'));
    expect(result.isNegative()).toBe(false);
    expect(result.toFixed()).toBe('0');
  });

  it('compares exact decimals, with none of the error of a JavaScript number', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const balance = d('0.1').plus(d('0.2'));
    expect(paymentToApply(balance, d('0.30'), d('0.31')).toFixed()).toBe('0.3');
    expect(paymentToApply(d('0.30'), balance, d('0.31')).eq(d('0.3'))).toBe(true);
  });

  it('tells apart amounts that differ only in the last minor unit', () => {
    expect(applied('100.001', '100.002', '100.003')).toBe('100.001');
    expect(applied('999999999999999.99', '999999999999999.98')).toBe('999999999999999.98');
  });

  it('compares numerically, not as strings', () => {
    expect(applied('9.00', '10.00', '100.00')).toBe('9');
    expect(applied('100.00', '20.50', '3.00')).toBe('3');
  });
});
