import type * as z from 'zod';
import { ValidationError } from './errors.js';

/** Parses `value` with `schema`; a failure becomes a ValidationError naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || undefined,
    message: issue.message,
    ...reasonOf(issue),
  }));
  const first = details[0]!;
  const where = first.field ? `${first.field}: ` : '';
  throw new ValidationError(`invalid ${what}: ${where}${first.message}`, details.map(({ field, ...d }) => (field ? { field, ...d } : d)));
}

/**
 * A field problem as a stable code (the console words it in the admin's language, R-CON-2):
 * `required`, `invalid_type`, `too_small` / `too_big` (with the `limit`), `invalid_format`,
 * `invalid_value` (not one of the choices), `unknown_field`, or `invalid` (a rule of ours,
 * whose message says which).
 */
export function reasonOf(issue: z.core.$ZodIssue): { reason: string; limit?: number } {
  switch (issue.code) {
    case 'invalid_type':
      return { reason: /received undefined$/.test(issue.message) ? 'required' : 'invalid_type' };
    case 'too_small':
      return { reason: 'too_small', limit: Number(issue.minimum) };
    case 'too_big':
      return { reason: 'too_big', limit: Number(issue.maximum) };
    case 'invalid_format':
      return { reason: 'invalid_format' };
    case 'invalid_value':
    case 'invalid_union':
      return { reason: 'invalid_value' };
    case 'unrecognized_keys':
      return { reason: 'unknown_field' };
    default:
      return { reason: 'invalid' };
  }
}
