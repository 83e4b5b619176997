import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { errorResponse } from '../../shared/adapters/http/errors.js';

export type HttpResult = { statusCode: number; body: unknown; headers?: Record<string, string> };

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/** A versioned resource answers with its version as a strong ETag for If-Match. */
export function withEtag<T extends { version: number }>(statusCode: number, body: T): APIGatewayProxyResultV2 {
  return json(statusCode, body, { etag: `"${body.version}"` });
}

/**
 * Turns a thrown error into the SPEC §8 error body. Unexpected errors are logged with the
 * request id and answered as a generic 500, never with their message.
 */
export function httpErrors<E extends { requestContext?: { requestId?: string } }>(): MiddlewareObj<E, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const { statusCode, body } = errorResponse(request.error);
      if (statusCode === 500) {
        console.error(JSON.stringify({ level: 'error', requestId: request.event.requestContext?.requestId, error: String(request.error), stack: (request.error as Error)?.stack }));
      }
      request.response = json(statusCode, body);
    },
  };
}
