/**
 * CSV cells a spreadsheet opens safely. A cell of text someone typed (a note, a reference id, a name) that begins with
 * `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula (CSV injection, OWASP); it gets a leading
 * `'`, which spreadsheets show as text. Amounts are not text: they are written as plain decimal numbers, a leading
 * minus included, so a spreadsheet sums them; that they are numbers is checked, never assumed.
 */
const formulaStart = /^[=+\-@\t\r]/;
const decimalNumber = /^-?\d+(\.\d+)?$/;

export function textCell(value: string | null): string {
  if (value === null) return '';
  return formulaStart.test(value) ? `'${value}` : value;
}

export function amountCell(value: string): string {
  if (!decimalNumber.test(value)) throw new Error(`not a decimal amount: ${JSON.stringify(value)}`);
  return value;
}
