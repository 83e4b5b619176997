import type { DomainEvent } from './events.js';

/**
 * R-EVT-1: an organisation's outbound webhook (one per organisation): every domain event is
 * POSTed to `url`, signed per the Standard Webhooks scheme. The signing secret is not here: it
 * lives in SSM Parameter Store (a SecureString), named by `secretId` so a warm worker knows when
 * the secret it cached was replaced.
 */
export interface WebhookEndpoint {
  orgId: string;
  /** null: removed (DELETE /api/webhook); deliveries still pending are cancelled. */
  url: string | null;
  /** Changes with every new secret (PUT, rotate). */
  secretId: string;
  /** The secret's last 4 characters, shown to staff to tell secrets apart. */
  secretHint: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 *   pending ─▶ delivering ─▶ delivered (2xx)
 *      ▲           ├──▶ pending (any other answer, a timeout, a redirect: tried again with backoff)
 *      └───────────┘──▶ failed  (still not delivered 24 h after the event was published)
 *   pending ─▶ cancelled (the webhook was removed before it was delivered)
 */
export type WebhookDeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed' | 'cancelled';

/** One domain event to POST to the organisation's webhook; `id` is the event's id (= `webhook-id`). */
export interface WebhookDelivery {
  id: string;
  orgId: string;
  membershipId: string;
  event: DomainEvent;
  status: WebhookDeliveryStatus;
  tries: number;
  claimedAt: string | null;
  nextTryAt: string | null;
  /** What the last try got: `HTTP 500`, `timeout`, `redirect 302 (not followed)`… */
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  version: number;
}

/** A delivery is given up this long after it was created (then `failed`). */
export const WEBHOOK_DELIVERY_WINDOW_MS = 24 * 60 * 60_000;
/** How long one POST may take. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
