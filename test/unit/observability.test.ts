import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { correlationIdOf, observability, observed } from '../../shared/adapters/observability/powertools.js';

/**
 * R-OPS-5: every deployed function runs inside Powertools: structured logs carrying the Lambda
 * context and a correlation id, EMF metrics (the business metrics a
 * handler adds, amounts per currency) flushed at the end of each invocation.
 */
const context = {
  functionName: 'relance-test-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ca-central-1:123456789012:function:relance-test-api',
  memoryLimitInMB: '512',
  awsRequestId: 'lambda-request-1',
  logGroupName: '/aws/lambda/relance-test-api',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

afterEach(() => {
  vi.restoreAllMocks();
});

/** What the handler wrote on stdout (logs and EMF), one JSON object per line. */
function captured(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.flatMap((call) =>
    String(call[0])
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

describe('R-OPS-5: Powertools around the handlers', () => {
  it('finds the correlation id of each kind of event', () => {
    expect(correlationIdOf({ requestContext: { requestId: 'api-req-1' } })).toBe('api-req-1');
    expect(correlationIdOf({ id: 'eb-event-1', source: 'aws.ses' })).toBe('eb-event-1');
    expect(correlationIdOf({ Records: [{ eventID: 'stream-1' }] })).toBe('stream-1');
    expect(correlationIdOf({ nothing: true })).toBeUndefined();
    expect(correlationIdOf(null)).toBeUndefined();
  });

  it('logs with the Lambda context and the correlation id, and flushes the metrics the handler added, amounts per currency', async () => {
    process.env.POWERTOOLS_DEV = 'false';
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const tools = observability('test');
    const handler = observed(
      middy<{ requestContext: { requestId: string } }, string>().handler(async () => {
        tools.logger.info('charging');
        tools.metrics.add('Charges');
        tools.metrics.add('ChargedAmount', 2500, 'CAD');
        return 'ok';
      }),
      tools,
    );

    expect(await handler({ requestContext: { requestId: 'api-req-7' } }, context)).toBe('ok');

    const lines = [...captured(stdout), ...captured(log), ...captured(info)];
    const entry = lines.find((l) => l.message === 'charging');
    expect(entry).toMatchObject({ level: 'INFO', service: 'relance-test', correlation_id: 'api-req-7', function_request_id: 'lambda-request-1' });
    const emf = lines.filter((l) => '_aws' in l);
    const names = emf.flatMap((l) => ((l._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics ?? []).map((m) => m.Name));
    expect(names).toEqual(expect.arrayContaining(['Charges', 'ChargedAmount']));
    expect(emf.find((l) => 'ChargedAmount' in l)).toMatchObject({ ChargedAmount: 2500, currency: 'CAD' });
  });
});
