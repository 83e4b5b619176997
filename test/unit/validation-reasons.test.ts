import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import { parseInput } from '../../shared/domain/validate.js';

/**
 * R-CON-2: the API keeps its codes and English messages; each field problem also carries a
 * stable `reason` (and the `limit` crossed), which the console words in the admin's language.
 */
const schema = z.strictObject({
  name: z.string().trim().min(2).max(5),
  email: z.email(),
  count: z.number().int(),
  kind: z.enum(['a', 'b']),
  code: z.string().regex(/^[A-Z]{2}$/, { message: 'must be a region code such as QC' }).optional(),
});

function detailsOf(value: unknown) {
  try {
    parseInput(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details;
  }
  throw new Error('expected a validation error');
}

describe('validation details carry a reason (R-CON-2)', () => {
  it('names a missing field required and a wrong type invalid_type', () => {
    const details = detailsOf({ name: 'Léa', email: 'lea@example.org', kind: 'a', count: 'three' });
    expect(details).toEqual([expect.objectContaining({ field: 'count', reason: 'invalid_type' })]);
    expect(detailsOf({ name: 'Léa', email: 'lea@example.org', kind: 'a' })).toEqual([expect.objectContaining({ field: 'count', reason: 'required' })]);
  });

  it('gives the limit a value crossed', () => {
    expect(detailsOf({ name: 'L', email: 'lea@example.org', kind: 'a', count: 1 })).toEqual([expect.objectContaining({ field: 'name', reason: 'too_small', limit: 2 })]);
    expect(detailsOf({ name: 'Léa Tremblay', email: 'lea@example.org', kind: 'a', count: 1 })).toEqual([expect.objectContaining({ field: 'name', reason: 'too_big', limit: 5 })]);
  });

  it('tells a bad format, a value outside the choices, an unknown field and a rule of ours apart', () => {
    const details = detailsOf({ name: 'Léa', email: 'lea', kind: 'c', count: 1, code: 'Quebec', extra: true });
    expect(details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'email', reason: 'invalid_format' }),
        expect.objectContaining({ field: 'kind', reason: 'invalid_value' }),
        expect.objectContaining({ reason: 'unknown_field' }),
        expect.objectContaining({ field: 'code', reason: 'invalid_format', message: 'must be a region code such as QC' }),
      ]),
    );
  });
});
