import { query } from './api';

/**
 * The router's search as the address has it: `?type=a&type=b&from=2026-11-01`, a repeated key for a list, never the
 * router's default JSON (`?type=%5B%22a%22%5D`), so the app's addresses stay plain and the same as before.
 */

type SearchValue = string | string[];

export function parseSearch(text: string): Record<string, SearchValue> {
  const search: Record<string, SearchValue> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const had = search[key];
    search[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return search;
}

export function stringifySearch(search: Record<string, unknown>): string {
  const params: Record<string, string | string[] | undefined> = {};
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === 'string') params[key] = value;
    else if (Array.isArray(value)) params[key] = value.filter((one): one is string => typeof one === 'string');
  }
  return query(params);
}
