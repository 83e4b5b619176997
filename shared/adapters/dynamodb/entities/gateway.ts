import type { GatewayConnection, WebhookReceipt } from '../../../domain/gateway.js';
import { type Item, orgPk } from './keys.js';

export const gatewayKey = (orgId: string) => ({ pk: orgPk(orgId), sk: 'GATEWAY' });

export const gatewayItem = (g: GatewayConnection): Item => ({ ...gatewayKey(g.orgId), entity: 'gateway', ...g });

export const webhookReceiptKey = (orgId: string, eventId: string) => ({ pk: orgPk(orgId), sk: `WEBHOOK#${eventId}` });

/** Receipts expire 30 days after they were written (the table's TTL attribute). */
const RECEIPT_DAYS = 30;

export const webhookReceiptItem = (r: WebhookReceipt): Item => ({
  ...webhookReceiptKey(r.orgId, r.eventId),
  entity: 'webhook_receipt',
  ...r,
  expiresAt: Math.floor(Date.parse(r.receivedAt) / 1000) + RECEIPT_DAYS * 86_400,
});
