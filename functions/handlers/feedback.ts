import middy from '@middy/core';
import type { Deps } from '../../shared/deps.js';
import type { SesEventDetail } from '../../shared/use-cases/deliverability.js';
import { recordSesEvent } from '../../shared/use-cases/mail.js';

/**
 * SES's events for the configuration set, delivered by EventBridge (`source: aws.ses`):
 * - `Email Sent` (Send) settles an e-mail whose answer was lost (R-MNY-6);
 * - `Email Bounced` (Bounce), `Email Complaint Received` (Complaint), `Email Rejected` (Reject),
 *   `Email Delivered` (Delivery), `Email Delivery Delayed` (DeliveryDelay) record a delivery
 *   status on the sent mail and on the member's address, and tell staff of a renewal, notice or
 *   dunning mail that cannot reach its member (R-OPS-1).
 * EventBridge delivers at least once: the same event twice acts once. An error (the table
 * unreachable) is thrown, so EventBridge retries, then the rule's dead-letter queue keeps it.
 */
interface SesEvent {
  id?: string;
  source?: string;
  'detail-type'?: string;
  detail?: SesEventDetail;
}

export function feedbackHandler(deps: Deps) {
  return middy<SesEvent, { result: string }>().handler(async (event) => {
    const result = event.source === 'aws.ses' && event.detail ? await recordSesEvent(deps, event.detail) : 'ignored';
    const ref = event.detail?.mail?.tags?.['relance-mail']?.[0] ?? null;
    console.info(JSON.stringify({ level: 'info', msg: 'ses event', id: event.id, type: event['detail-type'], eventType: event.detail?.eventType, emailId: ref, result }));
    return { result };
  });
}
