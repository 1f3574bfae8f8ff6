/** Today plus `days` as a date input writes it ("2026-12-31"), in the salon's (the browser's) time zone. */
export function localDate(days = 0): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * A chosen expiry day: the credit can be spent through the end of that day, so it expires at the start of the next
 * one in the salon's time zone. Empty: it never expires. Today or earlier is refused here (the ledger refuses an
 * expiry in the past too).
 */
export function checkExpiry(day: string): { ok: true; value: string | undefined } | { ok: false } {
  if (day === '') return { ok: true, value: undefined };
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date || day <= localDate()) return { ok: false };
  return { ok: true, value: new Date(year, month - 1, date + 1).toISOString() };
}
