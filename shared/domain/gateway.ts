import * as z from 'zod';

/**
 * R-PAY-1: an organisation's connection to its own Stripe account. The secrets themselves are
 * kept in the gateway secret store (encrypted with KMS) and never read back through the API;
 * the table keeps what staff may see: the mode, the kind of key and its last 4 characters.
 */
export const gatewayInput = z.strictObject({
  secretKey: z
    .string()
    .trim()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{16,240}$/, 'a Stripe secret or restricted key: sk_test_…, sk_live_…, rk_test_… or rk_live_…'),
  webhookSecret: z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,240}$/, "the signing secret of the organisation's Stripe webhook endpoint: whsec_…"),
});
export type GatewayInput = z.infer<typeof gatewayInput>;

export interface GatewayConnection {
  orgId: string;
  provider: 'stripe';
  mode: 'test' | 'live';
  keyKind: 'secret' | 'restricted';
  keyLast4: string;
  webhookSecretLast4: string;
  connectedAt: string;
  updatedAt: string;
  version: number;
}

/** The Stripe events the organisation's webhook endpoint must send (README, "Connect Stripe"). */
export const WEBHOOK_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.processing',
  'payment_intent.requires_action',
  'payment_intent.canceled',
  'charge.refunded',
  'charge.refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.closed',
  'checkout.session.completed',
  'setup_intent.succeeded',
  'payment_method.automatically_updated',
  'payment_method.detached',
] as const;

/** A processed webhook, kept 30 days (Stripe retries for 3): a second delivery is answered without acting. */
export interface WebhookReceipt {
  orgId: string;
  eventId: string;
  eventType: string;
  outcome: string;
  receivedAt: string;
}

/** Test or live, from the key's prefix (`sk_live_…`, `rk_test_…`). */
export function modeOfKey(secretKey: string): 'test' | 'live' {
  return /^(sk|rk)_live_/.test(secretKey) ? 'live' : 'test';
}
