import { amountCell, textCell } from './spreadsheet-cells';

describe('spreadsheet cells', () => {
  it.each(['=HYPERLINK("http://x.example","click")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])('guards text that a spreadsheet would run: %j', (text) => {
    expect(textCell(text)).toBe(`'${text}`);
  });

  it('leaves other text, and empty cells, as they are', () => {
    expect(textCell('Birthday top-up = 10%')).toBe('Birthday top-up = 10%');
    expect(textCell("'quoted")).toBe("'quoted");
    expect(textCell('')).toBe('');
    expect(textCell(null)).toBe('');
  });

  it('writes amounts as numbers, a debit’s minus included, and refuses anything that is not one', () => {
    expect(amountCell('-25.50')).toBe('-25.50');
    expect(amountCell('1000')).toBe('1000');
    expect(() => amountCell('=1+1')).toThrow('not a decimal amount');
    expect(() => amountCell('-')).toThrow('not a decimal amount');
  });
});
