import type { Request } from '@middy/core';
import { describe, expect, it, vi } from 'vitest';

/**
 * Issue 13: the Tracer (X-Ray SDK) stays out of the cold start. It is loaded on the first
 * invocation X-Ray samples, once, and runs around sampled invocations only.
 */
const made: { service: string; coldStartPassed: boolean; calls: string[] }[] = [];
vi.mock('../../shared/adapters/observability/tracing.js', () => ({
  tracingMiddleware: (service: string, coldStartPassed: boolean) => {
    const record = { service, coldStartPassed, calls: [] as string[] };
    made.push(record);
    return {
      before: async () => void record.calls.push('before'),
      after: async () => void record.calls.push('after'),
      onError: async () => void record.calls.push('onError'),
    };
  },
}));

const { lazyTracing } = await import('../../shared/adapters/observability/powertools.js');

const request = () => ({ event: {}, context: {}, response: null, error: null, internal: {} }) as unknown as Request;

describe('issue 13: lazy tracing', () => {
  it('never loads the Tracer for unsampled invocations; loads it once on the first sampled one, which is then not the cold start', async () => {
    let sampled = false;
    const middleware = lazyTracing('timer', () => sampled);
    const first = request();
    await middleware.before!(first);
    await middleware.after!(first);
    expect(made).toEqual([]);

    sampled = true;
    const second = request();
    await middleware.before!(second);
    await middleware.after!(second);
    const third = request();
    await middleware.before!(third);
    await middleware.onError!(third);
    expect(made).toEqual([{ service: 'timer', coldStartPassed: true, calls: ['before', 'after', 'before', 'onError'] }]);

    // An unsampled invocation after the load still opens and closes nothing.
    sampled = false;
    const fourth = request();
    await middleware.before!(fourth);
    await middleware.after!(fourth);
    expect(made[0]!.calls).toHaveLength(4);
  });
});
