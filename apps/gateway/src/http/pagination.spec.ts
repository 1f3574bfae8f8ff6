import { ApiError } from './api-error';
import { decodeCursor, encodeCursor, pageOf } from './pagination';

const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const at = '2026-11-01T10:00:00.000Z';
const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof ApiError ? error.code : 'thrown';
  }
}

describe(decodeCursor.name, () => {
  it('reads back what encodeCursor wrote', () => {
    expect(decodeCursor(encodeCursor([at, id]), ['timestamp', 'uuid'])).toEqual([at, id]);
    expect(decodeCursor(encodeCursor(['ana', 'client-1']), ['text', 'text'])).toEqual(['ana', 'client-1']);
  });

  it('answers no cursor with null', () => {
    expect(decodeCursor(undefined, ['text'])).toBeNull();
    expect(decodeCursor('', ['text'])).toBeNull();
  });

  it.each([
    ['text', 'not-a-cursor'],
    ['base64 of junk', Buffer.from([0xff, 0x00, 0x80]).toString('base64url')],
    ['an object', forged({ at, id })],
    ['too few parts', forged([at])],
    ['a number for a time', forged([Date.parse(at), id])],
    ['an impossible date', forged(['2026-02-30T00:00:00.000Z', id])],
    ['a month 13', forged(['2026-13-45T00:00:00.000Z', id])],
    ['year zero', forged(['0000-01-01T00:00:00.000Z', id])],
    ['a six-digit year', forged(['+275760-09-13T00:00:00.000Z', id])],
    ['a date without time', forged(['2026-11-01', id])],
    ['a malformed uuid', forged([at, `${id}0`])],
    ['NUL in text', forged(['a\u0000', id])],
  ])('refuses %s with invalid_cursor', (_, cursor) => {
    expect(codeOf(() => decodeCursor(cursor, ['timestamp', 'uuid']))).toBe('invalid_cursor');
  });

  it('refuses NUL in a text part', () => {
    expect(codeOf(() => decodeCursor(forged(['a\u0000b', 'c']), ['text', 'text']))).toBe('invalid_cursor');
  });

  it('refuses half a surrogate pair in a text part (PostgreSQL text cannot hold it)', () => {
    expect(codeOf(() => decodeCursor(forged(['\ud800', 'a']), ['text', 'text']))).toBe('invalid_cursor');
    expect(decodeCursor(forged(['\ud83d\ude00', 'a']), ['text', 'text'])).toEqual(['\ud83d\ude00', 'a']);
  });
});

describe(pageOf.name, () => {
  const rows = ['a', 'b', 'c'].map((name) => ({ name, id: `id-${name}` }));
  const page = (read: typeof rows, limit: number) => pageOf(read, limit, (row) => [row.name, row.id], (row) => row.name.toUpperCase());

  it('keeps the extra row out of the page and points the next cursor at the last row shown', () => {
    const first = page(rows, 2);
    expect(first.items).toEqual(['A', 'B']);
    expect(decodeCursor(first.nextCursor ?? undefined, ['text', 'text'])).toEqual(['b', 'id-b']);
  });

  it('has no next cursor on the last page', () => {
    expect(page(rows.slice(0, 2), 2)).toEqual({ items: ['A', 'B'], nextCursor: null });
    expect(page([], 2)).toEqual({ items: [], nextCursor: null });
  });
});
