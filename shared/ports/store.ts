import type { Invoice, InvoiceStatus } from '../domain/invoice.js';
import type { Member } from '../domain/member.js';
import type { Membership, MembershipStatus, Term } from '../domain/membership.js';
import type { Plan } from '../domain/plan.js';
import type { Settings } from '../domain/settings.js';
import type { TimelineEvent } from '../domain/timeline.js';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An e-mail decided inside a transaction and sent after it commits (transactional outbox). */
export interface OutboxEmail {
  id: string;
  orgId: string;
  membershipId: string;
  template: string;
  to: string[];
  from: { name: string; email: string };
  replyTo: string[];
  subject: string;
  html: string;
  text: string;
  status: 'pending' | 'sending' | 'sent';
  claimedAt: string | null;
  sentAt: string | null;
  messageId: string | null;
  createdAt: string;
  version: number;
}

/**
 * One write of a transaction. Versioned entities carry the version they were read at (0 for a
 * new one); the write succeeds only if the stored version still matches (optimistic concurrency)
 * and stores version + 1. Events and e-mails are append-only: writing an id twice fails.
 */
export type Write =
  | { kind: 'settings'; value: Settings }
  | { kind: 'plan'; value: Plan }
  | { kind: 'member'; value: Member }
  | { kind: 'membership'; value: Membership }
  | { kind: 'term'; value: Term & { orgId: string; version: number } }
  | { kind: 'invoice'; value: Invoice }
  | { kind: 'event'; value: TimelineEvent & { orgId: string; membershipId: string } }
  | { kind: 'outbox'; value: OutboxEmail }
  | { kind: 'link_use'; value: LinkUse };

/** A single-use link that was used (R-LNK-3); writing the same link twice fails. */
export interface LinkUse {
  orgId: string;
  membershipId: string;
  jti: string;
  purpose: string;
  usedAt: string;
}

export interface MembershipRecord {
  membership: Membership;
  terms: (Term & { version: number })[];
  invoices: Invoice[];
  /** Newest first. */
  timeline: TimelineEvent[];
  outbox: OutboxEmail[];
  linkUses: LinkUse[];
}

export interface Store {
  getSettings(orgId: string): Promise<Settings | null>;
  getPlan(orgId: string, planId: string): Promise<Plan | null>;
  listPlans(orgId: string): Promise<Plan[]>;
  getMember(orgId: string, memberId: string): Promise<Member | null>;
  /** Newest first. */
  listMembers(orgId: string, page: PageRequest): Promise<Page<Member>>;
  getMembership(orgId: string, membershipId: string): Promise<Membership | null>;
  getMembershipRecord(orgId: string, membershipId: string): Promise<MembershipRecord | null>;
  /** Active and history, newest first; voided memberships are not listed (R-CAN-6). */
  listMembershipsOfMember(orgId: string, memberId: string, page: PageRequest): Promise<Page<Membership>>;
  listMembershipsByStatus(orgId: string, status: MembershipStatus, page: PageRequest): Promise<Page<Membership>>;
  getInvoice(orgId: string, invoiceId: string): Promise<Invoice | null>;
  /** Oldest due date first. */
  listInvoicesByStatus(orgId: string, status: InvoiceStatus, page: PageRequest): Promise<Page<Invoice>>;
  /** Writes all or nothing; throws ConcurrencyError when a version or uniqueness check fails. */
  commit(writes: Write[]): Promise<void>;
  /** Claims a pending (or abandoned) outbox e-mail for sending; false if another sender has it. */
  claimOutbox(email: OutboxEmail, now: Date, leaseMs: number): Promise<boolean>;
  markOutboxSent(email: OutboxEmail, messageId: string, now: Date): Promise<void>;
}

/** The value as it is stored after a successful commit of `value`. */
export function committed<T extends { version: number }>(value: T): T {
  return { ...value, version: value.version + 1 };
}
