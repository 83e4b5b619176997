/** Stripe's error answers: `{ error: { type, code, decline_code, message, param, … } }` with its status codes. */

import type { Json } from './types.js';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Json;
  payment_method?: Json;
}

/**
 * A refusal. Thrown by a handler before it changed anything: such answers are not saved for an
 * `Idempotency-Key` (Stripe saves only requests whose endpoint started executing).
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

/** 400 invalid_request_error about one parameter. */
export function invalidParam(param: string, message: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    param,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
  });
}

/** 404 for an id in the path; 400 with the param named for an id in the body (what Stripe does). */
export function noSuch(kind: string, id: string, param: string, inPath: boolean): StripeApiError {
  return new StripeApiError(inPath ? 404 : 400, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${kind}: '${id}'`,
    param,
  });
}

/** 400 for an action the object's state does not allow. */
export function unexpectedState(code: string, message: string, param?: string): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', code, doc_url: docUrl(code), message, ...(param ? { param } : {}) });
}
