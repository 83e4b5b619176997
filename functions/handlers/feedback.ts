import middy from '@middy/core';
import type { Deps } from '../../shared/deps.js';
import { recordSesEvent } from '../../shared/use-cases/mail.js';

/**
 * SES's events for the configuration set, delivered by EventBridge (`source: aws.ses`). A Send
 * event settles an e-mail whose answer was lost (R-MNY-6); bounces and complaints are for the
 * operations work (R-OPS-1) and are only logged here.
 */
interface SesEvent {
  source?: string;
  'detail-type'?: string;
  detail?: { eventType?: string; mail?: { messageId?: string; timestamp?: string; tags?: Record<string, string[]> } };
}

export function feedbackHandler(deps: Deps) {
  return middy<SesEvent, { result: string }>().handler(async (event) => {
    const result = event.source === 'aws.ses' && event.detail ? await recordSesEvent(deps, event.detail) : 'ignored';
    console.info(JSON.stringify({ level: 'info', msg: 'ses event', type: event['detail-type'], eventType: event.detail?.eventType, result }));
    return { result };
  });
}
