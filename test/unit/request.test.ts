import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { callerOf, expectedVersion, GROUPS_CLAIM, groupsOf, jsonBody, pageOf, requireOwner } from '../../shared/adapters/http/request.js';
import { ForbiddenError, ValidationError } from '../../shared/domain/errors.js';
import { apiEvent } from '../support/fuzz.js';

const list = (query: Record<string, string> | undefined, extra?: Record<string, z.ZodType>) =>
  pageOf(apiEvent({ method: 'GET', path: '/api/members', ...(query ? { query } : {}) }, 'club'), extra);

function field(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.details[0]?.field ?? '(none)';
    throw error;
  }
  return undefined;
}

describe('query strings and headers of the admin API', () => {
  it('SPEC §8: limit defaults to 25 and takes 1 to 100 written in digits', () => {
    expect(list(undefined)).toEqual({ limit: 25 });
    expect(list({ limit: '1' })).toEqual({ limit: 1 });
    expect(list({ limit: '100', cursor: 'abc' })).toEqual({ limit: 100, cursor: 'abc' });
  });

  it('SPEC §8: a huge, negative, fractional, hexadecimal, padded or repeated limit is 400 naming limit', () => {
    for (const limit of ['1e309', '1e2', '-1', '0', '101', '1.5', '0x10', ' 5', '5,6', '', 'NaN', '9'.repeat(400), '٣']) {
      expect(field(() => list({ limit })), limit).toBe('limit');
    }
  });

  it('SPEC §8: an unknown, repeated or array-valued parameter is 400', () => {
    expect(field(() => list({ foo: '1' }))).toBe('(none)');
    expect(field(() => list({ cursor: 'x'.repeat(2049) }))).toBe('cursor');
    expect(field(() => list({ status: 'open,paid' }, { status: z.enum(['open', 'paid']) }))).toBe('status');
    expect(field(() => list({ limit: ['1', '2'] as unknown as string }))).toBe('limit');
  });

  it('SPEC §8: If-Match is a quoted version of at most 15 digits', () => {
    const withIfMatch = (value: string) => expectedVersion(apiEvent({ method: 'PUT', path: '/api/settings', headers: { 'if-match': value } }, 'club'));
    expect(withIfMatch('"3"')).toBe(3);
    expect(withIfMatch('W/"12"')).toBe(12);
    for (const value of ['3', '"-1"', '"1e3"', '*', '""', `"${'9'.repeat(16)}"`]) expect(field(() => withIfMatch(value)), value).toBe('If-Match');
  });
});

describe('roles from Cognito groups (R-CON-5)', () => {
  const withGroups = (groups: string | undefined) => {
    const event = apiEvent({ method: 'GET', path: '/api/members' }, 'club');
    const claims = event.requestContext.authorizer.jwt.claims as Record<string, string>;
    if (groups === undefined) delete claims[GROUPS_CLAIM];
    else claims[GROUPS_CLAIM] = groups;
    return event;
  };

  it('R-CON-5: reads the groups claim as the HTTP API authorizer passes it, and as JSON, a list or one name', () => {
    expect(groupsOf('[owners staff]')).toEqual(['owners', 'staff']);
    expect(groupsOf('["staff"]')).toEqual(['staff']);
    expect(groupsOf('owners,staff')).toEqual(['owners', 'staff']);
    expect(groupsOf('staff')).toEqual(['staff']);
    expect(groupsOf('[]')).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
    expect(callerOf(withGroups('[staff]')).roles).toEqual(['staff']);
    expect(callerOf(withGroups('[owners other]')).roles).toEqual(['owners']);
  });

  it('R-CON-5: a user in neither group is refused (403), and only owners pass requireOwner', () => {
    for (const groups of [undefined, '[]', '[readers]']) expect(() => callerOf(withGroups(groups)), String(groups)).toThrow(ForbiddenError);
    expect(() => requireOwner(callerOf(withGroups('[staff]')))).toThrow(ForbiddenError);
    expect(() => requireOwner(callerOf(withGroups('[staff owners]')))).not.toThrow();
  });
});

describe('JSON bodies', () => {
  const body = (text: string) => jsonBody({ body: text });
  const refusal = (text: string) => {
    try {
      body(text);
    } catch (error) {
      return error;
    }
    throw new Error(`${text} was accepted`);
  };

  it('refuses half a surrogate pair anywhere (a 400 naming the field), and takes whole pairs', () => {
    for (const [text, field] of [
      ['{"name":"L\\ud800a"}', 'name'],
      ['{"paymentMethod":{"token":"\\udc00"}}', 'paymentMethod.token'],
      ['{"labels":["ok","\\ud83d"]}', 'labels[1]'],
      ['{"\\ud800":1}', '\ud800'],
      ['"\\ud800"', '(body)'],
    ] as const) {
      const error = refusal(text);
      expect(error, text).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details, text).toEqual([{ field, message: 'is not well-formed Unicode (a lone surrogate)' }]);
    }
    expect(body('{"name":"L\\ud83d\\ude00a","city":"Montréal"}')).toEqual({ name: 'L😀a', city: 'Montréal' });
  });
});
