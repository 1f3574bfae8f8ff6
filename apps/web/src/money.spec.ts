import { amountIntegerDigitsMax } from '@storecredit/contracts';
import { checkAmount, checkAtMost, checkWithinAvailable, formatMoney, paymentCap, subtract } from './money';

describe('web money', () => {
  it('formats each currency with its own decimals and the code beside the amount', () => {
    expect(formatMoney('1234.5', 'AED')).toBe('AED 1,234.50');
    expect(formatMoney('5000', 'JPY')).toBe('JPY 5,000');
    expect(formatMoney('12.5', 'KWD')).toBe('KWD 12.500');
    expect(formatMoney('0', 'AED')).toBe('AED 0.00');
  });

  it('signs history amounts with a plus or a true minus, never rounding', () => {
    expect(formatMoney('25.50', 'AED', { signed: true })).toBe('+AED 25.50');
    expect(formatMoney('-5.5', 'AED', { signed: true })).toBe('−AED 5.50');
    expect(formatMoney('0.001', 'AED')).toBe('AED 0.001');
  });

  it('shows every currency with the contract’s ISO 4217 decimals, not only the common ones', () => {
    expect(['BHD', 'OMR', 'CLP', 'ISK', 'MGA', 'CHF'].map((currency) => formatMoney('7', currency))).toEqual([
      'BHD 7.000',
      'OMR 7.000',
      'CLP 7',
      'ISK 7',
      'MGA 7.00',
      'CHF 7.00',
    ]);
  });

  it('shows an amount in a code the contract does not know as it came, without a crash', () => {
    expect(formatMoney('12.5', 'XAU')).toBe('XAU 12.5');
  });

  it('accepts a positive amount within the currency’s decimals and scales it for the wire', () => {
    expect(checkAmount('25.5', 'AED')).toEqual({ ok: true, value: '25.50' });
    expect(checkAmount(' 1,000 ', 'JPY')).toEqual({ ok: true, value: '1000' });
    expect(checkAmount('.125', 'KWD')).toEqual({ ok: true, value: '0.125' });
    expect(checkAmount('007.5', 'AED')).toEqual({ ok: true, value: '7.50' });
  });

  it('takes amounts up to the contract’s integer digits', () => {
    const largest = '9'.repeat(amountIntegerDigitsMax);
    expect(checkAmount(largest, 'AED')).toEqual({ ok: true, value: `${largest}.00` });
    expect(checkAmount(`${largest}9`, 'AED')).toEqual({ ok: false, message: 'Amount is too large' });
  });

  it.each([
    ['', 'AED', 'Enter an amount'],
    ['abc', 'AED', 'Use digits and a decimal point only'],
    ['-5', 'AED', 'Use digits and a decimal point only'],
    ['1e3', 'AED', 'Use digits and a decimal point only'],
    ['12.', 'AED', 'Add the digits after the decimal point'],
    ['0', 'AED', 'Amount must be more than zero'],
    ['0.00', 'AED', 'Amount must be more than zero'],
    ['.', 'AED', 'Use digits and a decimal point only'],
    ['1.2.3', 'AED', 'Use digits and a decimal point only'],
    ['10.555', 'AED', 'AED allows at most 2 decimals'],
    ['1.5', 'JPY', 'JPY amounts have no decimals'],
    ['1.2345', 'KWD', 'KWD allows at most 3 decimals'],
    ['1234567890123456', 'AED', 'Amount is too large'],
    ['10', 'XAU', 'XAU is not a currency a wallet can hold'],
  ])('refuses %j in %s: %s', (input, currency, message) => {
    expect(checkAmount(input, currency)).toEqual({ ok: false, message });
  });

  it('caps a checkout payment at the smaller of the balance and the amount owed', () => {
    expect(paymentCap('40.00', '100.00', 'AED')).toBe('40.00');
    expect(paymentCap('150.00', '30.00', 'AED')).toBe('30.00');
    expect(paymentCap('0.00', '30.00', 'AED')).toBe('0.00');
    expect(paymentCap('5000', '1200', 'JPY')).toBe('1200');
    expect(subtract('150.00', '30', 'AED')).toBe('120.00');
  });
});

describe(checkWithinAvailable.name, () => {
  it('refuses a deduction above the available balance, naming the balance', () => {
    expect(checkWithinAvailable(checkAmount('100000', 'AED'), '175.00', 'AED')).toEqual({ ok: false, message: 'More than the available AED 175.00' });
    expect(checkWithinAvailable(checkAmount('175.01', 'AED'), '175', 'AED')).toEqual({ ok: false, message: 'More than the available AED 175.00' });
  });

  it('lets the whole available balance and less through', () => {
    expect(checkWithinAvailable(checkAmount('175', 'AED'), '175.00', 'AED')).toEqual({ ok: true, value: '175.00' });
    expect(checkWithinAvailable(checkAmount('0.01', 'AED'), '175.00', 'AED')).toEqual({ ok: true, value: '0.01' });
  });

  it('keeps the typing problem when the amount is not valid at all', () => {
    expect(checkWithinAvailable(checkAmount('abc', 'AED'), '175.00', 'AED')).toEqual({ ok: false, message: 'Use digits and a decimal point only' });
  });
});

describe(checkAtMost.name, () => {
  const tooMuch = () => 'too much';
  it('refuses one minor unit above the most shown, and lets the most itself through', () => {
    expect(checkAtMost(checkAmount('17.51', 'AED'), '17.50', tooMuch)).toEqual({ ok: false, message: 'too much' });
    expect(checkAtMost(checkAmount('17.5', 'AED'), '17.50', tooMuch)).toEqual({ ok: true, value: '17.50' });
    expect(checkAtMost(checkAmount('1', 'KWD'), '0.999', tooMuch)).toEqual({ ok: false, message: 'too much' });
  });

  it('keeps the typing problem of an amount that is not valid at all', () => {
    expect(checkAtMost(checkAmount('', 'AED'), '5.00', tooMuch).ok).toBe(false);
    expect(checkAtMost(checkAmount('1.001', 'AED'), '5.00', tooMuch)).toEqual({ ok: false, message: 'AED allows at most 2 decimals' });
  });
});
