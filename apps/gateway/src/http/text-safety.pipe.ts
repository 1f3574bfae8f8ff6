import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

/** Half of a UTF-16 surrogate pair, or NUL: PostgreSQL text cannot hold them. */
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const depthMax = 8;

/**
 * Refuses, for every route at once, path parameters, query values and body strings that PostgreSQL could not
 * store or compare (NUL, unpaired surrogates): a clear 400 instead of a database error.
 */
@Injectable()
export class TextSafetyPipe implements PipeTransform {
  transform<T>(value: T): T {
    const problem = findUnstorable(value, depthMax);
    if (problem !== null) {
      throw new ApiError('invalid_request', { field: problem || '(value)' }, 'Text must not contain NUL characters or broken Unicode');
    }
    return value;
  }
}

function findUnstorable(value: unknown, depth: number, path = ''): string | null {
  if (typeof value === 'string') return unstorable.test(value) ? path : null;
  if (depth === 0 || value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (unstorable.test(key)) return at;
    const found = findUnstorable(item, depth - 1, at);
    if (found !== null) return found;
  }
  return null;
}
