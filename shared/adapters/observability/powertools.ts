import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { isRequestXRaySampled } from '@aws-lambda-powertools/commons/utils/env';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Metrics, MetricName } from '../../ports/metrics.js';

/**
 * R-OPS-5: Powertools for AWS Lambda around every deployed function — the Logger (structured,
 * with the Lambda context and a correlation id: the API request id, the EventBridge event id,
 * the Step Functions execution, the stream record's event id), Metrics (EMF, namespace
 * `Relance`, a cold-start metric) and the Tracer (X-Ray, the handler as a segment). Only the
 * Lambda entries (functions/*.ts) use it; the local cloud and the tests run the same handlers
 * without it.
 *
 * Issue 13: the Tracer is loaded on the first invocation X-Ray samples (`lazyTracing`), not at
 * init. An invocation X-Ray does not sample records nothing, so a container that only serves
 * those never loads it; the first sampled one pays its load once.
 */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** Middy middlewares, outermost first. */
  middlewares: MiddlewareObj[];
}

/** Where each kind of event carries the id that ties its log lines together. */
const CORRELATION_PATHS = ['requestContext.requestId', 'id', 'Records.0.eventID', 'executionArn', 'invoiceId', 'name'];

/** The correlation id of an event: the first of CORRELATION_PATHS it has (a dotted path; no JMESPath needed). */
export function correlationIdOf(event: unknown): string | undefined {
  for (const path of CORRELATION_PATHS) {
    let value: unknown = event;
    for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export function observability(service: string): Observability {
  const logger = new Logger({ serviceName: `relance-${service}` });
  const metrics = new PowertoolsMetrics({ namespace: 'Relance', serviceName: `relance-${service}` });
  const correlation: MiddlewareObj = {
    before: (request) => {
      const id = correlationIdOf(request.event);
      if (id) logger.appendKeys({ correlation_id: id });
    },
  };
  return {
    logger,
    metrics: {
      add: (name: MetricName, value = 1, currency?: string) => {
        if (currency) {
          // Amounts are per currency: one metric per currency, never a sum of two.
          const single = metrics.singleMetric();
          single.addDimension('currency', currency);
          single.addMetric(name, MetricUnit.Count, value);
        } else {
          metrics.addMetric(name, MetricUnit.Count, value);
        }
      },
    },
    middlewares: [
      injectLambdaContext(logger, { resetKeys: true }),
      correlation,
      logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }),
      lazyTracing(service),
    ],
  };
}

/**
 * The Tracer's middleware, loaded (tracing.ts) on the first invocation X-Ray samples and run for
 * sampled invocations only: an unsampled one would only make a subsegment nobody sends. Outside
 * Lambda there is no trace header, so the tests and the local cloud never load it.
 */
export function lazyTracing(service: string, sampled: () => boolean = isRequestXRaySampled): MiddlewareObj {
  let loaded: Promise<MiddlewareObj> | undefined;
  let invocations = 0;
  const traced = new WeakSet<Request>();
  const load = () => {
    loaded ??= import('./tracing.js').then((m) => m.tracingMiddleware(service, invocations > 1));
    return loaded;
  };
  return {
    before: async (request) => {
      invocations += 1;
      if (!sampled()) return;
      const tracing = await load();
      traced.add(request);
      await tracing.before?.(request);
    },
    // Only the invocations whose `before` opened a subsegment close one.
    after: async (request) => {
      if (traced.has(request)) await (await load()).after?.(request);
    },
    onError: async (request) => {
      if (traced.has(request)) await (await load()).onError?.(request);
    },
  };
}

/** Puts the observability middlewares around a middy handler (the Lambda entries call it). */
export function observed<H extends { use(middleware: MiddlewareObj): H }>(handler: H, tools: Observability): H {
  for (const middleware of tools.middlewares) handler.use(middleware);
  return handler;
}
