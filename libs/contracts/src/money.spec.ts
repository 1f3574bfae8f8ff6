import Decimal from 'decimal.js';
import { amountIntegerDigitsMax, formatAmount, minAmount, parseAmount, type AmountProblem } from './money';

function problemOf(raw: unknown, currency: string): AmountProblem | 'accepted' {
  const parsed = parseAmount(raw, currency);
  return parsed.ok ? 'accepted' : parsed.problem;
}

function valueOf(raw: unknown, currency: string): string {
  const parsed = parseAmount(raw, currency);
  if (!parsed.ok) throw new Error(`expected ${String(raw)} ${currency} to parse, got ${parsed.problem}`);
  return parsed.value.toFixed();
}

describe(parseAmount.name, () => {
  it.each([
    ['25.50', 'AED', '25.5'],
    ['25.5', 'AED', '25.5'],
    ['0.01', 'USD', '0.01'],
    ['19.99', 'EUR', '19.99'],
    ['1000', 'JPY', '1000'],
    ['1', 'JPY', '1'],
    ['1.250', 'KWD', '1.25'],
    ['0.001', 'KWD', '0.001'],
    ['12.345', 'BHD', '12.345'],
    ['0.005', 'OMR', '0.005'],
  ])('accepts %s %s within the currency scale', (raw, currency, expected) => {
    expect(valueOf(raw, currency)).toBe(expected);
  });

  it('keeps the exact value of an amount beyond the precision of a JavaScript number', () => {
    const raw = '999999999999999.99';
    expect(Number(raw).toFixed(2)).not.toBe(raw);
    expect(valueOf(raw, 'AED')).toBe(raw);
  });

  it.each([
    ['25.505', 'AED'],
    ['0.001', 'USD'],
    ['19.999', 'EUR'],
    ['1.5', 'JPY'],
    ['1000.1', 'JPY'],
    ['1.2345', 'KWD'],
    ['0.0001', 'BHD'],
    ['1.0001', 'OMR'],
  ])('refuses %s %s as too many decimals for the currency', (raw, currency) => {
    expect(problemOf(raw, currency)).toBe('too_many_decimals');
  });

  it('names the currency and its scale when it refuses an over-precise amount', () => {
    const parsed = parseAmount('25.505', 'AED');
    expect(parsed).toEqual({ ok: false, problem: 'too_many_decimals', message: 'AED amounts allow at most 2 decimal places' });
  });

  it.each(['0', '0.00', '0.000'])('refuses the zero amount %s', (raw) => {
    expect(problemOf(raw, 'KWD')).toBe('not_positive');
  });

  it.each([
    ['a negative amount', '-1'],
    ['a signed amount', '+1'],
    ['exponent notation', '1e3'],
    ['exponent notation with a decimal', '1.5E2'],
    ['a leading space', ' 1'],
    ['a trailing space', '1 '],
    ['a comma as decimal separator', '1,00'],
    ['a thousands separator', '1,000.00'],
    ['the empty string', ''],
    ['letters', 'abc'],
    ['a leading zero', '01.5'],
    ['a bare leading point', '.5'],
    ['a bare trailing point', '5.'],
    ['hexadecimal', '0x10'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['two points', '1.2.3'],
  ])('refuses %s as not a decimal string', (_, raw) => {
    expect(problemOf(raw, 'AED')).toBe('not_a_decimal_string');
  });

  it.each([
    ['a JavaScript number', 25.5],
    ['an integer number', 25],
    ['null', null],
    ['undefined', undefined],
    ['a Decimal', new Decimal('25.5')],
    ['an array', ['25.50']],
  ])('refuses %s: amounts are strings on the wire, never floats', (_, raw) => {
    expect(problemOf(raw, 'AED')).toBe('not_a_decimal_string');
  });

  it('accepts an amount with the maximum number of integer digits', () => {
    const raw = `${'9'.repeat(amountIntegerDigitsMax)}.99`;
    expect(valueOf(raw, 'AED')).toBe(raw);
  });

  it('refuses an amount with one integer digit too many', () => {
    expect(amountIntegerDigitsMax).toBe(15);
    expect(problemOf(`1${'0'.repeat(amountIntegerDigitsMax)}`, 'AED')).toBe('too_large');
    expect(problemOf(`1${'0'.repeat(amountIntegerDigitsMax)}.00`, 'AED')).toBe('too_large');
    expect(problemOf('9'.repeat(40), 'JPY')).toBe('too_large');
  });

  it.each(['XXX', 'ABC', 'XAU', 'XDR', 'aed', 'AE', ''])('refuses the unsupported currency "%s"', (currency) => {
    expect(problemOf('1.00', currency)).toBe('unsupported_currency');
  });
});

describe(formatAmount.name, () => {
  it.each([
    ['25.5', 'AED', '25.50'],
    ['25', 'USD', '25.00'],
    ['0', 'EUR', '0.00'],
    ['1000', 'JPY', '1000'],
    ['1.25', 'KWD', '1.250'],
    ['7', 'OMR', '7.000'],
    ['999999999999999.99', 'AED', '999999999999999.99'],
  ])('pads %s %s to the currency scale as %s', (value, currency, expected) => {
    expect(formatAmount(value, currency)).toBe(expected);
  });

  it('formats a Decimal without going through a JavaScript number', () => {
    expect(formatAmount(new Decimal('0.1').plus('0.2'), 'AED')).toBe('0.30');
  });

  it.each([
    ['25.505', 'AED'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
    ['0.001', 'USD'],
  ])('refuses to round %s %s', (value, currency) => {
    expect(() => formatAmount(value, currency)).toThrow(/more than \d decimals/);
  });

  it('refuses an unsupported currency', () => {
    expect(() => formatAmount('1', 'XXX')).toThrow('unsupported currency XXX');
  });
});

describe(minAmount.name, () => {
  const d = (value: string): Decimal => new Decimal(value);

  it('returns the single amount it is given', () => {
    expect(minAmount(d('5')).toFixed()).toBe('5');
  });

  it.each([
    [['1', '2', '3'], '1'],
    [['3', '1', '2'], '1'],
    [['2', '3', '1'], '1'],
    [['10.01', '10.001', '10.1'], '10.001'],
    [['0', '5'], '0'],
  ])('returns the smallest of %j wherever it stands', (values, expected) => {
    const [first, ...rest] = values.map(d);
    expect(minAmount(first, ...rest).toFixed()).toBe(expected);
  });

  it('compares as decimals, not as strings', () => {
    expect(minAmount(d('9'), d('10')).toFixed()).toBe('9');
    expect(minAmount(d('100'), d('20.5')).toFixed()).toBe('20.5');
  });
});

describe('Decimal arithmetic on balances', () => {
  it('keeps the cents of a balance beyond 20 significant digits', () => {
    const balance = new Decimal('1000000000000000000.00');
    expect(formatAmount(balance.plus('0.01'), 'AED')).toBe('1000000000000000000.01');
    expect(formatAmount(new Decimal('99999999999999999999999.99').minus('0.01'), 'AED')).toBe('99999999999999999999999.98');
  });
});
