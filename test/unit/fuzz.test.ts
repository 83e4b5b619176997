import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../shared/adapters/http/request.js';
import { adminRoutes, fuzzAdminApi, fuzzRequests } from '../support/fuzz.js';

const spec = (status: number) => ({ statusCode: status, body: JSON.stringify({ error: { code: 'x', message: 'm', details: [] } }) });

describe('the admin API fuzzer (test/support/fuzz.ts)', () => {
  it('makes the same requests for the same seed, other requests for another', () => {
    const one = fuzzRequests({ count: 50, seed: 7 });
    expect(fuzzRequests({ count: 50, seed: 7 })).toEqual(one);
    expect(fuzzRequests({ count: 50, seed: 8 })).not.toEqual(one);
  });

  it('aims at every admin route and every kind of malformation', () => {
    const requests = fuzzRequests({ count: 2000, seed: 1 });
    const kinds = new Set(requests.map((r) => r.kind.replace(/:.*/, '')));
    expect([...kinds].sort()).toEqual(['body', 'if-match', 'method', 'path-param', 'query', 'unknown-path']);
    for (const route of adminRoutes()) {
      const pattern = new RegExp(`^${route.template.replace(/\{\w+\}/g, '[^/]+')}$`);
      expect(requests.some((r) => pattern.test(r.path)), route.template).toBe(true);
    }
  });

  it('reports a 5xx, a thrown invoke and a 4xx without the SPEC error shape', async () => {
    const invoke = async (event: ApiEvent): Promise<APIGatewayProxyResultV2> => {
      if (event.rawPath.includes('%')) return spec(500);
      if (event.requestContext.http.method === 'DELETE') throw new Error('boom');
      if (event.queryStringParameters) return { statusCode: 400, body: '{"message":"Bad"}' };
      return spec(404);
    };
    const report = await fuzzAdminApi({ invoke, count: 300, seed: 3 });
    expect(report.total).toBe(300);
    expect(report.serverErrors.length).toBeGreaterThan(0);
    expect(report.serverErrors.every((f) => f.request.path.includes('%') || f.request.method === 'DELETE')).toBe(true);
    expect(report.byStatus.threw).toBeGreaterThan(0);
    expect(report.badErrorBodies.length).toBeGreaterThan(0);
    expect(Object.values(report.byStatus).reduce((a, b) => a + b, 0)).toBe(300);
  });
});
