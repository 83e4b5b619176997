import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { routes } from '../../functions/handlers/api.js';
import { ID_PATH_PARAMS } from '../../shared/adapters/http/request.js';
import { Router } from '../../shared/adapters/http/router.js';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.js';
import { deterministicId, newId } from '../../shared/domain/ids.js';

const memberId = newId('mbr', new Date('2027-01-15T12:00:00Z'));
const router = () =>
  new Router<string>().add('GET', '/api/members/{memberId}', 'get-member').add('GET', '/api/members/{memberId}/memberships', 'memberships-of-member').add('POST', '/api/invoices/{invoiceId}/void', 'void');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('Router', () => {
  it('SPEC §8: hands a handler the decoded ids of its path', () => {
    const invoiceId = deterministicId('inv', 'ms_x', 'bill', '2027-02-01');
    expect(router().match('GET', `/api/members/${memberId}/memberships`)).toEqual({ handler: 'memberships-of-member', params: { memberId } });
    expect(router().match('POST', `/api/invoices/${encodeURIComponent(invoiceId)}/void`)).toEqual({ handler: 'void', params: { invoiceId } });
  });

  it('SPEC §8: another method on a known path is method_not_allowed, an unknown path is null', () => {
    expect(router().match('DELETE', `/api/members/${memberId}`)).toBe('method_not_allowed');
    expect(router().match('DELETE', '/api/members/%')).toBe('method_not_allowed');
    expect(router().match('GET', `/api/members/${memberId}/x`)).toBeNull();
  });

  it('SPEC §8: a path parameter that is not the id shape is 404 not_found, repeating at most 64 characters of it', () => {
    for (const value of ['a'.repeat(3000), '..', '%2E%2E', `ms_${memberId.slice(4)}`, memberId.toLowerCase(), `${memberId}%0A`, '%00', '%F0%9F%98%80']) {
      const error = thrown(() => router().match('GET', `/api/members/${value}`));
      expect(error, value).toBeInstanceOf(NotFoundError);
      expect((error as Error).message.length, value).toBeLessThan(100);
    }
    expect((thrown(() => router().match('GET', `/api/members/${'a'.repeat(3000)}`)) as Error).message).toBe(`member ${'a'.repeat(64)}… does not exist`);
  });

  it('SPEC §8: a path parameter with malformed percent-encoding is 400 naming the parameter', () => {
    for (const value of ['%', '%zz', '%E0%A4%A', '%ED%A0%80', '%FF']) {
      const error = thrown(() => router().match('GET', `/api/members/${value}/memberships`));
      expect(error, value).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual([{ field: 'memberId', message: 'malformed percent-encoding' }]);
    }
  });

  it('refuses at construction a {param} without a validator, a malformed segment and a repeated parameter', () => {
    expect(() => new Router().add('GET', '/api/renewals/{renewalId}', 'x')).toThrow(/no validator for path parameter \{renewalId\}/);
    expect(() => new Router().add('GET', '/api/x/{memberId', 'x')).toThrow(/malformed segment/);
    expect(() => new Router().add('GET', '/api/{memberId}/{memberId}', 'x')).toThrow(/appears twice/);
    expect(() => new Router().add('GET', '/api/toString/{toString}', 'x')).toThrow(/no validator/);
  });

  it('takes other validators when given', () => {
    const tokens = new Router<string>({ token: { entity: 'link', schema: z.string().regex(/^[a-z]+$/) } }).add('GET', '/l/{token}', 'link');
    expect(tokens.match('GET', '/l/abc')).toEqual({ handler: 'link', params: { token: 'abc' } });
    expect(thrown(() => tokens.match('GET', '/l/ABC'))).toBeInstanceOf(NotFoundError);
    expect(() => tokens.add('GET', '/x/{memberId}', 'x')).toThrow(/no validator/);
  });

  it('SPEC §8: every path parameter of the admin API is an id with a validator', () => {
    const names = routes.list().flatMap((r) => [...r.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(Object.keys(ID_PATH_PARAMS)));
  });
});
