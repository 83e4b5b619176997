import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * The Powertools Tracer and its middleware, in a chunk of their own (powertools.ts imports this
 * module on the first sampled invocation): the Tracer pulls the X-Ray SDK, cls-hooked and semver
 * (~110 KB minified), whose evaluation was the largest part of a cold start after the AWS SDK.
 *
 * `new Tracer()` patches `http`/`https` globally, so every call the handler makes from then on
 * — the AWS SDK's included — is a subsegment of the invocation's trace. (`captureAWSv3Client`
 * would add the SDK operation's own metadata, but it must wrap a client when it is made; the
 * DynamoDB client is made at init, so it would bring the X-Ray SDK back into every cold start.)
 */
export function tracingMiddleware(service: string, coldStartPassed: boolean): MiddlewareObj {
  const tracer = new LateTracer({ serviceName: `relance-${service}` });
  if (coldStartPassed) tracer.passColdStart();
  return captureLambdaHandler(tracer, { captureResponse: false });
}

/** A Tracer made after the first invocation: its ColdStart annotation must then say false. */
class LateTracer extends Tracer {
  passColdStart(): void {
    this.getColdStart();
  }
}
