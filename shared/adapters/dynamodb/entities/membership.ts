import type { Membership, MembershipStatus, Term } from '../../../domain/membership.js';
import type { TimelineEvent } from '../../../domain/timeline.js';
import type { LinkUse, OutboxEmail } from '../../../ports/store.js';
import { type Item, membershipPk } from './keys.js';

/**
 * A membership's item collection holds the membership, its terms, its timeline and its outbox,
 * so reading it whole is one Query.
 */
export const membershipKey = (orgId: string, id: string) => ({ pk: membershipPk(orgId, id), sk: 'MEMBERSHIP' });

/** Memberships of a member, newest first (gsi1, sparse: a voided membership leaves it, R-CAN-6). */
export const membershipsOfMember = (orgId: string, memberId: string) => `ORG#${orgId}#MBR#${memberId}#MS`;
/** Memberships by status (gsi2), most recently changed first. */
export const membershipsByStatus = (orgId: string, status: MembershipStatus) => `ORG#${orgId}#MS#STATUS#${status}`;

export const membershipItem = (m: Membership): Item => ({
  ...membershipKey(m.orgId, m.id),
  entity: 'membership',
  ...(m.status === 'voided' ? {} : { gsi1pk: membershipsOfMember(m.orgId, m.memberId), gsi1sk: m.id }),
  gsi2pk: membershipsByStatus(m.orgId, m.status),
  gsi2sk: `${m.updatedAt}#${m.id}`,
  ...m,
});

export const termItem = (t: Term & { orgId: string; version: number }): Item => ({
  pk: membershipPk(t.orgId, t.membershipId),
  sk: `TERM#${String(t.seq).padStart(4, '0')}`,
  entity: 'term',
  ...t,
});

export const eventItem = (e: TimelineEvent & { orgId: string; membershipId: string }): Item => ({
  pk: membershipPk(e.orgId, e.membershipId),
  sk: `EVT#${e.at}#${e.id}`,
  entity: 'event',
  ...e,
});

/** Sent e-mails are kept 400 days for support, then expire through the table's TTL. */
export const OUTBOX_RETENTION_SECONDS = 400 * 86_400;

export const outboxKey = (e: Pick<OutboxEmail, 'orgId' | 'membershipId' | 'id'>) => ({
  pk: membershipPk(e.orgId, e.membershipId),
  sk: `OUT#${e.id}`,
});

export const outboxItem = (e: OutboxEmail): Item => ({ ...outboxKey(e), entity: 'outbox', ...e });

export const linkUseItem = (u: LinkUse): Item => ({
  pk: membershipPk(u.orgId, u.membershipId),
  sk: `LINK#${u.jti}`,
  entity: 'link_use',
  ...u,
});
