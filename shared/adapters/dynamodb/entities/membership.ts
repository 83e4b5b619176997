import type { Membership, MembershipStatus, Term } from '../../../domain/membership.js';
import type { PaymentAttempt } from '../../../domain/payment.js';
import { LIVE_STATUSES } from '../../../domain/status.js';
import type { TimelineEvent } from '../../../domain/timeline.js';
import type { LinkUse, MembershipClaim, OutboxEmail, WorkRef } from '../../../ports/store.js';
import { type Item, memberPk, membershipPk } from './keys.js';

/**
 * A membership's item collection holds the membership, its terms, its timeline, its outbox, its
 * payment attempts and its used links. Changes read the membership and its latest terms by key;
 * staff views read the latest of each kind, so no read grows with the membership's age.
 */
export const membershipKey = (orgId: string, id: string) => ({ pk: membershipPk(orgId, id), sk: 'MEMBERSHIP' });

/** Memberships of a member, newest first: gsi1 before issue 13 (voided ones left it, R-CAN-6); read for items not yet migrated. */
export const membershipsOfMember = (orgId: string, memberId: string) => `ORG#${orgId}#MBR#${memberId}#MS`;
/** Memberships by status (gsi5, keys only), the latest to enter it first. */
export const membershipsByStatus = (orgId: string, status: MembershipStatus) => `ORG#${orgId}#MS#STATUS#${status}`;
/** Live memberships of a plan (gsi3, sparse: only live ones), for re-planning after a plan edit. */
export const liveMembershipsOfPlan = (orgId: string, planId: string) => `ORG#${orgId}#PLAN#${planId}#LIVE`;

/**
 * R-PRV-1: every membership of a member, voided ones included (gsi4, keys and `id` only): what an
 * erase walks. gsi1 drops voided memberships (R-CAN-6), so it cannot serve.
 */
export const allMembershipsOfMember = (orgId: string, memberId: string) => `ORG#${orgId}#MBR#${memberId}#ALLMS`;

/**
 * Issue 13: a membership is in no index that projects its attributes, so a write that leaves its
 * status (and plan) alone writes no index at all. Its member's memberships are gsi4 (keys, id and
 * status); by status, gsi5 (keys only), sorted by the instant the status began.
 */
export const membershipItem = (m: Membership): Item => ({
  ...membershipKey(m.orgId, m.id),
  entity: 'membership',
  gsi4pk: allMembershipsOfMember(m.orgId, m.memberId),
  gsi4sk: m.id,
  gsi5pk: membershipsByStatus(m.orgId, m.status),
  gsi5sk: `${m.statusChangedAt ?? m.updatedAt}#${m.id}`,
  ...(LIVE_STATUSES.has(m.status) ? { gsi3pk: liveMembershipsOfPlan(m.orgId, m.planId), gsi3sk: m.id } : {}),
  ...m,
});

export const TERM_PREFIX = 'TERM#';
export const termItem = (t: Term & { orgId: string; version: number }): Item => ({
  pk: membershipPk(t.orgId, t.membershipId),
  sk: `${TERM_PREFIX}${String(t.seq).padStart(4, '0')}`,
  entity: 'term',
  ...t,
});

export const EVENT_PREFIX = 'EVT#';
export const eventItem = (e: TimelineEvent & { orgId: string; membershipId: string }): Item => ({
  pk: membershipPk(e.orgId, e.membershipId),
  sk: `${EVENT_PREFIX}${e.at}#${e.id}`,
  entity: 'event',
  ...e,
});

/** Sent e-mails are kept 400 days for support, then expire through the table's TTL. */
export const OUTBOX_RETENTION_SECONDS = 400 * 86_400;

/** Outbox ids are time-sortable, so the latest e-mails are one Query. */
export const OUTBOX_PREFIX = 'OUT#';
export const outboxKey = (e: WorkRef) => ({ pk: membershipPk(e.orgId, e.membershipId), sk: `${OUTBOX_PREFIX}${e.id}` });
export const outboxItem = (e: OutboxEmail): Item => ({
  ...outboxKey(e),
  entity: 'outbox',
  ...(e.status === 'sent' && e.sentAt ? { expiresAt: Math.floor(Date.parse(e.sentAt) / 1000) + OUTBOX_RETENTION_SECONDS } : {}),
  ...e,
});

export const ATTEMPT_PREFIX = 'PAY#';
export const attemptKey = (a: WorkRef) => ({ pk: membershipPk(a.orgId, a.membershipId), sk: `${ATTEMPT_PREFIX}${a.id}` });
export const attemptItem = (a: PaymentAttempt): Item => ({ ...attemptKey(a), entity: 'attempt', ...a });

export const linkUseKey = (orgId: string, membershipId: string, jti: string) => ({ pk: membershipPk(orgId, membershipId), sk: `LINK#${jti}` });
export const linkUseItem = (u: LinkUse): Item => ({ ...linkUseKey(u.orgId, u.membershipId, u.jti), entity: 'link_use', ...u });

/** R-MNY-1: one item per (member, plan), naming its live membership; a conditional write takes it. */
export const claimKey = (c: Pick<MembershipClaim, 'orgId' | 'memberId' | 'planId'>) => ({ pk: memberPk(c.orgId, c.memberId), sk: `PLAN#${c.planId}` });
