import fc from 'fast-check';
import { amountIntegerDigitsMax, type DigitSetting, type StaffLanguage } from '@storecredit/contracts';
import { errorWords } from './api';
import { applyPreferences, t } from './i18n';
import { formatDate, formatDateTime, formatTimeLeft } from './labels';
import { checkAmount, formatMoney, formatNumber, toAsciiDigits } from './money';

const arabicIndic = (text: string) => text.replace(/[0-9]/g, (digit) => String.fromCharCode(0x0660 + Number(digit))).replace('.', '\u066B');
/** Bidi marks Intl puts around Arabic amounts; invisible, so the specs compare without them. */
const visible = (text: string) => text.replace(/[\u200e\u200f\u061c\u2068\u2069]/g, '').replace(/[\u00a0\u202f]/g, ' ');

function inLanguage(language: StaffLanguage, digits: DigitSetting, run: () => void): void {
  applyPreferences({ language, digits });
  try {
    run();
  } finally {
    applyPreferences({ language: 'en', digits: 'latn' });
  }
}

describe('amounts typed in Arabic-Indic digits', () => {
  it('reads Arabic-Indic and Eastern Arabic-Indic digits and the Arabic separators as ASCII', () => {
    expect(toAsciiDigits('١٬٢٣٤٫٥٠')).toBe('1,234.50');
    expect(toAsciiDigits('۱۲۳۴۵۶۷۸۹۰')).toBe('1234567890');
    expect(toAsciiDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(toAsciiDigits('25.5')).toBe('25.5');
  });

  it('accepts an amount typed in Arabic-Indic digits and sends its ASCII wire value', () => {
    expect(checkAmount('٢٥٫٥', 'AED')).toEqual({ ok: true, value: '25.50' });
    expect(checkAmount('١٬٢٣٤٫٥٠', 'AED')).toEqual({ ok: true, value: '1234.50' });
    expect(checkAmount(' ١٠٠ ', 'KWD')).toEqual({ ok: true, value: '100.000' });
  });

  it('still refuses what is not an amount in either digit set', () => {
    expect(checkAmount('٢٥٫٥٥٥', 'AED').ok).toBe(false);
    expect(checkAmount('٢٥٫', 'AED').ok).toBe(false);
    expect(checkAmount('-٥', 'AED').ok).toBe(false);
    expect(checkAmount('٠', 'AED').ok).toBe(false);
  });

  it('decides an amount the same whichever digits it was typed in (against the ASCII model)', () => {
    const typed = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** BigInt(amountIntegerDigitsMax + 1) }), fc.option(fc.integer({ min: 0, max: 9999 }), { nil: undefined }), fc.nat(4));
    fc.assert(
      fc.property(typed, ([whole, fraction, width]) => {
        const ascii = fraction === undefined ? whole.toString() : `${whole}.${String(fraction).padStart(width, '0')}`;
        const answer = checkAmount(arabicIndic(ascii), 'AED');
        expect(answer).toEqual(checkAmount(ascii, 'AED'));
        if (answer.ok) expect(answer.value).toMatch(/^[0-9]+\.[0-9]{2}$/);
      }),
    );
  });

  it('reads back every amount as the app writes it, in either language and digit setting', () => {
    const settings = fc.constantFrom<[StaffLanguage, DigitSetting]>(['en', 'latn'], ['en', 'arab'], ['ar', 'latn'], ['ar', 'arab']);
    fc.assert(
      fc.property(settings, fc.bigInt({ min: 1n, max: 10n ** 12n }), ([language, digits], cents) => {
        const amount = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
        inLanguage(language, digits, () => expect(checkAmount(visible(formatNumber(amount, 'AED')), 'AED')).toEqual({ ok: true, value: amount }));
      }),
    );
  });
});

describe('money and dates by language and digits', () => {
  it('keeps English with Latin digits exactly as before', () => {
    expect(formatMoney('1234.5', 'AED')).toBe('AED 1,234.50');
    expect(formatMoney('-5.5', 'AED', { signed: true })).toBe('−AED 5.50');
    expect(formatNumber('1234.5', 'AED')).toBe('1,234.50');
  });

  it('writes Arabic amounts as the UAE does, in Latin digits by default and Arabic-Indic by choice', () => {
    inLanguage('ar', 'latn', () => {
      expect(visible(formatMoney('1234.5', 'AED'))).toBe('1,234.50 د.إ.');
      expect(visible(formatMoney('25.5', 'AED', { signed: true }))).toBe('+25.50 د.إ.');
      expect(visible(formatMoney('-5', 'AED', { signed: true }))).toBe('-5.00 د.إ.');
      expect(formatNumber('0.001', 'AED')).toBe('0.001');
    });
    inLanguage('ar', 'arab', () => {
      expect(visible(formatMoney('1234.5', 'AED'))).toBe('١٬٢٣٤٫٥٠ د.إ.');
      expect(formatNumber('12.5', 'KWD')).toBe('١٢٫٥٠٠');
    });
    inLanguage('en', 'arab', () => expect(visible(formatMoney('1234.5', 'AED'))).toBe('١٬٢٣٤٫٥٠ AED'));
  });

  it('never rounds an amount, however long, in any setting', () => {
    inLanguage('ar', 'latn', () => expect(formatNumber('123456789012345678.125', 'AED')).toBe('123,456,789,012,345,678.125'));
  });

  it('writes dates in the language and digits chosen', () => {
    const at = '2026-12-01T10:00:00Z';
    inLanguage('ar', 'latn', () => {
      expect(formatDate(at)).toMatch(/2026/);
      expect(formatDateTime(at)).toMatch(/ديسمبر|12/);
    });
    inLanguage('ar', 'arab', () => {
      expect(formatDate(at)).toMatch(/٢٠٢٦/);
      expect(formatDate(at)).not.toMatch(/[0-9]/);
    });
  });

  it('writes a countdown in the digits chosen', () => {
    inLanguage('ar', 'arab', () => expect(formatTimeLeft(15 * 60 * 1000)).toBe('١٥:٠٠'));
    inLanguage('ar', 'latn', () => expect(formatTimeLeft(15 * 60 * 1000)).toBe('15:00'));
  });

  it('isolates each value inside Arabic sentences, so an amount or id keeps its order', () => {
    inLanguage('ar', 'latn', () => expect(t('holds.forSale', { saleId: 'S-1' })).toBe('البيع \u2068S-1\u2069'));
    expect(t('holds.forSale', { saleId: 'S-1' })).toBe('Sale S-1');
  });

  it('uses Arabic plural forms', () => {
    inLanguage('ar', 'latn', () => {
      expect(t('history.count', { count: 1 })).toBe('عملية واحدة');
      expect(t('history.count', { count: 2 })).toBe('عمليتان');
      expect(visible(t('history.count', { count: 3 }))).toBe('3 عمليات');
      expect(visible(t('history.count', { count: 11 }))).toBe('11 عملية');
    });
  });
});

describe(errorWords.name, () => {
  it('shows English the server’s own sentence, and the app’s words for the codes it explains', () => {
    expect(errorWords('gift_card_not_found', 'Gift card not found')).toBe('Gift card not found');
    expect(errorWords('insufficient_balance', 'Insufficient balance')).toMatch(/on hold/);
  });

  it('shows Arabic the text for the code, and for an unknown code a general Arabic sentence, never the server’s English', () => {
    inLanguage('ar', 'latn', () => {
      expect(errorWords('gift_card_not_found', 'Gift card not found')).toBe('بطاقة الهدية غير موجودة');
      expect(errorWords('insufficient_balance', 'Insufficient balance')).toMatch(/^الرصيد المتاح غير كافٍ/);
      const unknown = errorWords('brand_new_code', 'Something in English');
      expect(unknown).not.toMatch(/Something in English/);
      expect(unknown).toMatch(/رفض الخادم/);
      expect(unknown).toContain('brand_new_code');
    });
  });
});
