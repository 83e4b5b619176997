import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Deps } from '../../shared/deps.js';
import { receiveGatewayWebhook } from '../../shared/use-cases/gateway.js';
import { httpErrors, json } from './http.js';

/** Stripe sends events of at most a few hundred KB; anything far larger is not Stripe. */
const MAX_BODY = 1024 * 1024;

/**
 * POST /webhooks/stripe/{orgId} (R-PAY-4): no token — the signature, checked with that
 * organisation's signing secret, is the authentication. 400 and nothing changed for anything
 * that does not verify; 200 once acted on (or already acted on: Stripe stops retrying).
 */
export function webhooksHandler(deps: Deps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(httpErrors())
    .handler(async (event) => {
      const match = /^\/webhooks\/stripe\/([^/]+)$/.exec(event.rawPath);
      if (event.requestContext.http.method !== 'POST' || !match) {
        return json(404, { error: { code: 'route_not_found', message: `no route ${event.requestContext.http.method} ${event.rawPath}`, details: [] } });
      }
      const raw = event.body ?? '';
      const payload = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (payload.length > MAX_BODY) return json(413, { error: { code: 'payload_too_large', message: 'the webhook body is larger than 1 MB', details: [] } });
      const orgId = match[1]!;
      const result = await receiveGatewayWebhook(deps, { orgId, payload, signature: event.headers['stripe-signature'] });
      console.info(JSON.stringify({ level: result.status === 200 ? 'info' : 'warn', msg: 'stripe webhook', orgId, status: result.status, outcome: result.outcome }));
      if (result.status === 400) return json(400, { error: { code: 'webhook_rejected', message: result.outcome, details: [] } });
      return json(200, { received: true, outcome: result.outcome });
    });
}
