import type { DomainEventRecord } from '../../../domain/events.js';
import type { WorkRef } from '../../../ports/store.js';
import { type Item, membershipPk } from './keys.js';

/**
 * R-EVT-1: a domain event's outbox item, in its membership's partition (`DEVT#<id>`), written in
 * the change's transaction. Once published it expires after 30 days through the table's TTL.
 */
export const DOMAIN_EVENT_PREFIX = 'DEVT#';
export const DOMAIN_EVENT_RETENTION_SECONDS = 30 * 86_400;
export const domainEventKey = (ref: WorkRef) => ({ pk: membershipPk(ref.orgId, ref.membershipId), sk: `${DOMAIN_EVENT_PREFIX}${ref.id}` });
export const domainEventItem = (e: DomainEventRecord): Item => ({
  ...domainEventKey(e),
  entity: 'domain_event',
  ...e,
});
