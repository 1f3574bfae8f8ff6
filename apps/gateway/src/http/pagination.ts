import { ApiError } from './api-error';

export const pageSizeDefault = 25;
export const pageSizeMax = 100;

/** Keyset cursors: opaque base64url of the last row's sort key, so pages never scan an offset. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, length: number): (string | number)[] | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return values;
    }
  } catch {
    // Falls through to the error below: a cursor is either ours or invalid.
  }
  throw new ApiError('invalid_request', { parameter: 'cursor' }, 'The cursor is not valid');
}
