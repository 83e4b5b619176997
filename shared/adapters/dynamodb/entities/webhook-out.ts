import type { WebhookDelivery, WebhookEndpoint } from '../../../domain/webhook-out.js';
import type { WorkRef } from '../../../ports/store.js';
import { type Item, membershipPk, orgPk } from './keys.js';

/** R-EVT-1: the organisation's outbound webhook, one item in its partition (`sk = WEBHOOK`). */
export const webhookKey = (orgId: string) => ({ pk: orgPk(orgId), sk: 'WEBHOOK' });
export const webhookItem = (w: WebhookEndpoint): Item => ({ ...webhookKey(w.orgId), entity: 'webhook_endpoint', ...w });

/**
 * R-EVT-1: one event's delivery to the webhook, next to its event in the membership's partition
 * (`WHD#<eventId>`); the stream brings its insert to the worker. Settled deliveries expire after
 * 30 days through the table's TTL.
 */
export const WEBHOOK_DELIVERY_PREFIX = 'WHD#';
export const WEBHOOK_DELIVERY_RETENTION_SECONDS = 30 * 86_400;
export const webhookDeliveryKey = (ref: WorkRef) => ({ pk: membershipPk(ref.orgId, ref.membershipId), sk: `${WEBHOOK_DELIVERY_PREFIX}${ref.id}` });
export const webhookDeliveryItem = (d: WebhookDelivery): Item => {
  const settled = d.status === 'delivered' || d.status === 'failed' || d.status === 'cancelled';
  return {
    ...webhookDeliveryKey(d),
    entity: 'webhook_delivery',
    ...d,
    ...(settled ? { expiresAt: Math.floor(Date.parse(d.deliveredAt ?? d.createdAt) / 1000) + WEBHOOK_DELIVERY_RETENTION_SECONDS } : {}),
  };
};
