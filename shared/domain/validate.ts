import type * as z from 'zod';
import { ValidationError } from './errors.js';

/** Parses `value` with `schema`; a failure becomes a ValidationError naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || undefined,
    message: issue.message,
  }));
  const first = details[0]!;
  const where = first.field ? `${first.field}: ` : '';
  throw new ValidationError(`invalid ${what}: ${where}${first.message}`, details.map((d) => (d.field ? d : { message: d.message })));
}
