import type { z } from 'zod';

/** What the contract's schema says about a form's body: the value to send, or the first problem of each field. */
export type BodyCheck<T> = { ok: true; value: T } | { ok: false; problems: Partial<Record<string, FieldProblem>> };

/** A field's problem by the schema's issue code (too_small, too_big, invalid_format...); the words are the form's. */
export interface FieldProblem {
  code: string;
}

/**
 * Validates a form's body with the request schema from libs/contracts (the one the gateway holds it to), so the form
 * refuses before sending what the gateway would refuse after.
 */
export function checkBody<S extends z.ZodType>(schema: S, body: unknown): BodyCheck<z.output<S>> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems: Partial<Record<string, FieldProblem>> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    problems[field] ??= { code: issue.code };
  }
  return { ok: false, problems };
}
