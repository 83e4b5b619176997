import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Metrics, MetricName } from '../../ports/metrics.js';

/**
 * R-OPS-5: Powertools for AWS Lambda around every deployed function — the Logger (structured,
 * with the Lambda context and a correlation id: the API request id, the EventBridge event id,
 * the Step Functions execution, the stream record's event id), Metrics (EMF, namespace
 * `Relance`, a cold-start metric) and the Tracer (X-Ray, the handler as a segment). Only the
 * Lambda entries (functions/*.ts) use it; the local cloud and the tests run the same handlers
 * without it.
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
  const tracer = new Tracer({ serviceName: `relance-${service}` });
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
      captureLambdaHandler(tracer, { captureResponse: false }),
    ],
  };
}

/** Puts the observability middlewares around a middy handler (the Lambda entries call it). */
export function observed<H extends { use(middleware: MiddlewareObj): H }>(handler: H, tools: Observability): H {
  for (const middleware of tools.middlewares) handler.use(middleware);
  return handler;
}
