import { ApiError } from './api-error';

export const pageSizeDefault = 25;
export const pageSizeMax = 100;

/** What one position of a keyset cursor holds, checked before it reaches SQL. */
export type CursorPart = 'text' | 'timestamp' | 'uuid';
type CursorValues<T extends readonly CursorPart[]> = { [K in keyof T]: string };

/** Exactly what encodeCursor writes for a row's time (Date#toISOString), years 1 to 9999 as PostgreSQL reads them. */
const isoTimestamp = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Half of a UTF-16 surrogate pair, which no UTF-8 text (PostgreSQL's) can hold. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isPart: Record<CursorPart, (value: unknown) => boolean> = {
  // PostgreSQL text cannot hold NUL or half a surrogate pair; anything else is a position in the ordering.
  text: (value) => typeof value === 'string' && !value.includes('\u0000') && !loneSurrogate.test(value),
  timestamp: (value) => typeof value === 'string' && isoTimestamp.test(value) && isRealDate(value),
  uuid: (value) => typeof value === 'string' && uuid.test(value),
};

/** 2026-02-30 matches the pattern but is no day; it reads back as another one. */
function isRealDate(iso: string): boolean {
  const time = Date.parse(iso);
  return !Number.isNaN(time) && new Date(time).toISOString() === iso;
}

/** Keyset cursors: opaque base64url of the last row's sort key, so pages never scan an offset. */
export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The sort key a cursor carries, each part of the kind the list sorts on; null without a cursor. A cursor is
 * either one we wrote or forged: anything else (other types, bad dates, another list's cursor) is a 400.
 */
export function decodeCursor<const T extends readonly CursorPart[]>(cursor: string | undefined, parts: T): CursorValues<T> | null {
  if (cursor === undefined || cursor === '') return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (Array.isArray(values) && values.length === parts.length && parts.every((part, i) => isPart[part](values[i]))) {
    return values as CursorValues<T>;
  }
  throw new ApiError('invalid_cursor', { parameter: 'cursor' });
}

/** A page of results and the cursor to the next page (null on the last). */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/**
 * The page of `limit` rows out of the `limit + 1` a query read past the cursor: the extra row only says that a next
 * page exists, and the next cursor is the sort key of the page's last row.
 */
export function pageOf<Row, Item>(rows: readonly Row[], limit: number, sortKeyOf: (row: Row) => readonly string[], view: (row: Row) => Item): Page<Item> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((row) => view(row)), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(sortKeyOf(last)) : null };
}
