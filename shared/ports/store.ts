import type { CardLog, DunningRun, RunKind, RunState } from '../domain/dunning.js';
import type { DomainEventRecord } from '../domain/events.js';
import type { WebhookDelivery, WebhookEndpoint } from '../domain/webhook-out.js';
import type { GatewayConnection, WebhookReceipt } from '../domain/gateway.js';
import type { Invoice, InvoiceStatus } from '../domain/invoice.js';
import type { Member } from '../domain/member.js';
import type { Membership, MembershipStatus, Term } from '../domain/membership.js';
import type { PaymentAttempt } from '../domain/payment.js';
import type { Plan } from '../domain/plan.js';
import type { RefusalReason } from '../domain/refusal.js';
import type { Notice, NoticeBoard } from '../domain/notice.js';
import type { Locale } from '../domain/schema.js';
import type { Settings } from '../domain/settings.js';
import type { TimelineEvent } from '../domain/timeline.js';
import type { TemplateId } from './emails.js';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * An e-mail decided inside a transaction (transactional outbox, R-MNY-6): which template, with
 * what data, to whom. The mail worker renders and sends it after the commit, once.
 *
 *   pending ─▶ sending ─▶ sent
 *      ▲          ├──▶ pending   (SES refused for now: throttled, down; retried with backoff)
 *      │          ├──▶ unknown   (the answer was lost: SES's own Send event settles it, else it
 *      └──────────┘               is sent again once the event had time to arrive)
 *      any ─▶ dropped (its moment passed: `notAfter`) · failed (SES refuses it for good)
 */
export type MailStatus = 'pending' | 'sending' | 'unknown' | 'sent' | 'dropped' | 'failed';

export interface OutboxEmail {
  id: string;
  orgId: string;
  membershipId: string;
  template: TemplateId;
  data: Record<string, unknown>;
  locale: Locale;
  to: { name: string; email: string };
  audience: 'member' | 'organisation';
  /** Member mail: whose address it is (R-OPS-1 reads their delivery status with one read; absent in older mail). */
  memberId?: string;
  /** After this instant the mail is stale and is dropped instead of sent (a reminder after its deadline). */
  notAfter: string | null;
  /** R-LNK-4: the member's signed "manage my membership" link for the footer (member mail only; absent in older mail). */
  manageUrl?: string | null;
  status: MailStatus;
  tries: number;
  claimedAt: string | null;
  nextTryAt: string | null;
  lastError: string | null;
  /** Set when rendered for sending. */
  subject: string | null;
  sentAt: string | null;
  messageId: string | null;
  /** R-OPS-1: what SES reported after sending (bounce, complaint, delivery…); absent: nothing yet. */
  delivery?: MailDelivery | null;
  /** R-OPS-1: the staff notification written because this mail could not reach its member (once). */
  undeliverableNotice?: string | null;
  createdAt: string;
  version: number;
}

/** R-OPS-1: SES's word on a sent mail, from the configuration set's events. */
export interface MailDelivery {
  status: 'delayed' | 'delivered' | 'bounced' | 'rejected' | 'complained';
  at: string;
  /** `Permanent` / `Transient` (bounces), SES's sub-type and diagnostic, in SES's words. */
  detail: string | null;
  permanent: boolean;
}

/**
 * R-OPS-2: a sending identity (a domain or an address) an organisation asked SES to verify. SES
 * holds its status; this records that the organisation owns it.
 */
export interface SenderIdentity {
  orgId: string;
  /** The domain or address, lower case. */
  identity: string;
  type: 'domain' | 'email';
  createdAt: string;
  version: number;
}

/** What names one outbox e-mail or one payment attempt, as a stream record or a retry carries it. */
export interface WorkRef {
  orgId: string;
  membershipId: string;
  id: string;
}

/** R-MNY-1: the one live membership of a member on a plan. */
export interface MembershipClaim {
  orgId: string;
  memberId: string;
  planId: string;
  membershipId: string;
}

/** A plan edit re-plans every live membership of the plan, a page at a time (R-REN-9). */
export interface ReplanJob {
  orgId: string;
  planId: string;
  /** The plan version the job re-plans for; a newer edit replaces the job. */
  planVersion: number;
  cursor: string | null;
  processed: number;
  status: 'running' | 'done';
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * One write of a transaction. Versioned entities carry the version they were read at (0 for a
 * new one); the write succeeds only if the stored version still matches (optimistic concurrency)
 * and stores version + 1. Events and link uses are append-only: writing an id twice fails.
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
  | { kind: 'attempt'; value: PaymentAttempt }
  | { kind: 'link_use'; value: LinkUse }
  /** Takes the member's place on the plan; fails with MembershipExistsError when it is taken. */
  | { kind: 'claim'; value: MembershipClaim }
  /** Gives the place back (the membership left the live statuses). */
  | { kind: 'release'; value: MembershipClaim }
  /** Writes nothing; the transaction fails unless the plan is still at this version. */
  | { kind: 'plan_check'; orgId: string; planId: string; version: number }
  | { kind: 'job'; value: ReplanJob }
  | { kind: 'gateway'; value: GatewayConnection }
  /** A processed gateway webhook; writing the same event twice fails. */
  | { kind: 'webhook_receipt'; value: WebhookReceipt }
  /** R-DUN-1: the run of one invoice (version 0: a new run; a second run of the invoice fails). */
  | { kind: 'dunning'; value: DunningRun }
  /** R-CON-3: memberships counted by status, a shard at a time (`delta` is +1 or −1). */
  | { kind: 'status_count'; value: StatusCount }
  /** R-CON-3: one of a member's search keys (written again when the name or e-mail changes). */
  | { kind: 'member_search'; value: MemberSearchKey }
  /** R-CON-3: a search key the member no longer has. */
  | { kind: 'member_search_delete'; value: Pick<MemberSearchKey, 'orgId' | 'memberId' | 'key'> }
  /** R-NOT-1: a renewal notice (version 0: the notice of its membership's term, written once). */
  | { kind: 'notice'; value: Notice }
  /** R-NOT-3: one of the organisation's refusal reasons. */
  | { kind: 'refusal_reason'; value: RefusalReason }
  /** R-DUN-2: the attempts a card saw in collection (version 0: the first). */
  | { kind: 'card_log'; value: CardLog }
  /** R-DUN-4, R-DUN-7: a member's card changed; the worker pays their open invoices at once and re-plans card notices. */
  | { kind: 'card_change'; value: CardChange }
  /** R-EVT-1: a domain event to publish (outbox item, written once in its change's transaction). */
  | { kind: 'domain_event'; value: DomainEventRecord }
  /** R-OPS-2: a sending identity the organisation owns (version 0: claimed once). */
  | { kind: 'identity'; value: SenderIdentity }
  /** R-EVT-1: the organisation's outbound webhook (versioned; `url: null` once removed). */
  | { kind: 'webhook_endpoint'; value: WebhookEndpoint }
  /** R-EVT-1: one event's delivery to the webhook (version 0: written once per event). */
  | { kind: 'webhook_delivery'; value: WebhookDelivery }
  /** R-PRV-1: an existing timeline event rewritten without the erased member's personal data (the one exception to append-only). */
  | { kind: 'event_redact'; value: TimelineEvent & { orgId: string; membershipId: string } };

/**
 * R-CON-3: one change of a shard of the organisation's counts of memberships by status. A count
 * is the sum of its shards; a change picks a shard at random, so concurrent changes rarely
 * touch the same item.
 */
export interface StatusCount {
  orgId: string;
  status: MembershipStatus;
  shard: number;
  delta: number;
}

/** R-CON-3: a member found by a search key, with what a result list shows. */
export interface MemberSearchKey {
  orgId: string;
  memberId: string;
  /** A normalised key (shared/domain/search.ts). */
  key: string;
  name: string;
  email: string;
}

/** A member's card was saved, replaced, updated by the card account updater, or removed. */
export interface CardChange {
  id: string;
  orgId: string;
  memberId: string;
  /** The card on file after the change (null: removed). */
  gatewayRef: string | null;
  reason: 'saved' | 'updated' | 'removed';
  at: string;
}

/** A single-use link that was used (R-LNK-3); writing the same link twice fails. */
export interface LinkUse {
  orgId: string;
  membershipId: string;
  jti: string;
  purpose: string;
  usedAt: string;
}

/** What a change to a membership reads: the membership and its latest terms, by key. */
export interface MembershipState {
  membership: Membership;
  /** The latest terms, newest first (the current one and a confirmed next one, if any). */
  terms: (Term & { version: number })[];
}

/**
 * How much of each list a membership's record shows: the latest, whatever its age (issue 13).
 * Each list is one Query that stays under 4 KB, half a read unit eventually consistent; the
 * whole of a list is paged at `/api/memberships/{id}/{list}`.
 */
export const RECORD_LIMITS = { terms: 4, invoices: 3, timeline: 6 } as const;

/** The lists of a membership that are read a page at a time, newest first. */
export type MembershipList = 'terms' | 'invoices' | 'timeline' | 'emails';

/** A membership as staff read it: the membership with the latest of its terms, invoices and timeline. */
export interface MembershipRecord extends MembershipState {
  /** Newest first. */
  invoices: Invoice[];
  /** Newest first. */
  timeline: TimelineEvent[];
  /** Whether a list holds more than the record shows (it may say so when it holds exactly as many). */
  more: Record<Exclude<MembershipList, 'emails'>, boolean>;
}

/**
 * Issue 13: a read that may be answered from what this process read less than `maxAgeMs` ago
 * (a warm container's copy). Without it, a read is strongly consistent. This process's own
 * writes of the item, and any write conflict, forget the copy.
 */
export interface ReadOptions {
  maxAgeMs?: number;
}

export interface Store {
  getSettings(orgId: string, options?: ReadOptions): Promise<Settings | null>;
  getPlan(orgId: string, planId: string, options?: ReadOptions): Promise<Plan | null>;
  listPlans(orgId: string): Promise<Plan[]>;
  getMember(orgId: string, memberId: string): Promise<Member | null>;
  /** The members of these ids that exist, in any order: one BatchGetItem for up to 100 ids. */
  getMembers(orgId: string, memberIds: string[]): Promise<Member[]>;
  /** Newest first. */
  listMembers(orgId: string, page: PageRequest): Promise<Page<Member>>;
  /** R-CON-3: the organisation's memberships by status (every status, zeros included): one Query on its count shards. */
  membershipCounts(orgId: string): Promise<Record<MembershipStatus, number>>;
  /** R-CON-3: the search keys starting with `prefix` (normalised), in key order: one Query. */
  searchMembers(orgId: string, prefix: string, page: PageRequest): Promise<Page<MemberSearchKey>>;
  /** Strongly consistent unless `consistent: false`. */
  getMembership(orgId: string, membershipId: string, options?: { consistent?: boolean }): Promise<Membership | null>;
  getMembershipState(orgId: string, membershipId: string): Promise<MembershipState | null>;
  /**
   * The membership with its latest terms (oldest first), invoices and timeline (newest first):
   * four reads at once, each bounded by RECORD_LIMITS. `consistent: false` reads them eventually
   * consistently, at half the read units (a plain GET); the default reads strongly, so a caller
   * sees its own change. `membership`: the membership as the caller holds it (it has just written
   * it), not read again.
   */
  getMembershipRecord(orgId: string, membershipId: string, options?: { consistent?: boolean; membership?: Membership }): Promise<MembershipRecord | null>;
  /** One page of a membership's terms, invoices, timeline or e-mails, newest first (one Query, eventually consistent). */
  listTermsOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<Term & { version: number }>>;
  listInvoicesOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<Invoice>>;
  listTimelineOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<TimelineEvent>>;
  listEmailsOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<OutboxEmail>>;
  /** Active and history, newest first; voided memberships are not listed (R-CAN-6). */
  listMembershipsOfMember(orgId: string, memberId: string, page: PageRequest): Promise<Page<Membership>>;
  listMembershipsByStatus(orgId: string, status: MembershipStatus, page: PageRequest): Promise<Page<Membership>>;
  /** Ids of the live memberships of a plan (a sparse index: they leave it when they stop being live). */
  listLiveMembershipsOfPlan(orgId: string, planId: string, page: PageRequest): Promise<Page<string>>;
  getInvoice(orgId: string, invoiceId: string): Promise<Invoice | null>;
  /** Oldest due date first. */
  listInvoicesByStatus(orgId: string, status: InvoiceStatus, page: PageRequest): Promise<Page<Invoice>>;
  getLinkUse(orgId: string, membershipId: string, jti: string): Promise<LinkUse | null>;
  getAttempt(ref: WorkRef): Promise<PaymentAttempt | null>;
  getMail(ref: WorkRef): Promise<OutboxEmail | null>;
  getJob(orgId: string, planId: string): Promise<ReplanJob | null>;
  getGateway(orgId: string): Promise<GatewayConnection | null>;
  getWebhookReceipt(orgId: string, eventId: string): Promise<WebhookReceipt | null>;
  getRun(orgId: string, invoiceId: string): Promise<DunningRun | null>;
  /** Runs of one kind in one state, newest first (a sparse index). */
  listRuns(orgId: string, kind: RunKind, state: RunState, page: PageRequest): Promise<Page<DunningRun>>;
  /** Every run of one kind in one state started in [from, to) (ISO instants), oldest first. */
  runsStartedBetween(orgId: string, kind: RunKind, state: RunState, from: string, to: string): Promise<DunningRun[]>;
  getCardLog(orgId: string, memberId: string, card: string): Promise<CardLog | null>;
  /** The organisation's refusal reasons (at most MAX_REFUSAL_REASONS), oldest first. */
  listRefusalReasons(orgId: string): Promise<RefusalReason[]>;
  getRefusalReason(orgId: string, id: string): Promise<RefusalReason | null>;
  getNotice(orgId: string, id: string): Promise<Notice | null>;
  /** R-NOT-9: one dashboard, newest first (one Query on a sparse index; `now` bounds the time-based boards). */
  listNotices(orgId: string, board: NoticeBoard, now: Date, page: PageRequest): Promise<Page<Notice>>;
  /** R-OPS-2: the organisation's sending identities (a handful), oldest first: one Query. */
  listIdentities(orgId: string): Promise<SenderIdentity[]>;
  /** The member's active runs (a sparse index: a handful at most). */
  activeRunsOfMember(orgId: string, memberId: string): Promise<DunningRun[]>;
  /** R-PRV-1: the ids of every membership of a member, voided ones included: one Query per page of 100 (a member has few). */
  membershipIdsOfMember(orgId: string, memberId: string): Promise<string[]>;
  /** R-PRV-1: every timeline event and outbox e-mail of one membership (its item collection: two paged Queries). */
  membershipHistory(orgId: string, membershipId: string): Promise<{ events: (TimelineEvent & { orgId: string; membershipId: string })[]; outbox: OutboxEmail[] }>;
  /** R-PRV-2: members created in [from, to) (ISO instants), oldest first: one Query on gsi1 by the id's time. */
  membersCreatedBetween(orgId: string, from: string, to: string, page: PageRequest): Promise<Page<Member>>;
  /** R-PRV-2: memberships of one status last changed in [from, to) (ISO instants), oldest first: one Query on gsi2. */
  membershipsChangedBetween(orgId: string, status: MembershipStatus, from: string, to: string, page: PageRequest): Promise<Page<Membership>>;
  /** R-PRV-2: invoices of one status due in [from, to] (calendar dates), oldest first: one Query on gsi2. */
  invoicesDueBetween(orgId: string, status: InvoiceStatus, from: string, to: string, page: PageRequest): Promise<Page<Invoice>>;
  /** Writes all or nothing; throws ConcurrencyError when a version or uniqueness check fails. */
  commit(writes: Write[]): Promise<void>;
  /**
   * Takes up an attempt for a worker: one not yet sent, or one whose worker's lease lapsed.
   * Answers the attempt as taken (tries + 1), or null when another worker holds it or it is settled.
   */
  claimAttempt(ref: WorkRef, now: Date, leaseMs: number): Promise<PaymentAttempt | null>;
  /** Takes up an e-mail to send: pending, a lapsed `sending`, or an `unknown` one due again. */
  claimMail(ref: WorkRef, now: Date, leaseMs: number): Promise<OutboxEmail | null>;
  /** R-EVT-1: a domain event's outbox item (`id` is the event id). */
  getDomainEvent(ref: WorkRef): Promise<DomainEventRecord | null>;
  /** Several outbox events, strongly consistent, in the order asked (null for one that is gone). */
  getDomainEvents(refs: WorkRef[]): Promise<(DomainEventRecord | null)[]>;
  /** R-EVT-1: marks it published, conditionally (false: it already was). */
  markDomainEventPublished(ref: WorkRef, at: Date): Promise<boolean>;
  /** R-EVT-1: the organisation's outbound webhook (one GetItem). */
  getWebhookEndpoint(orgId: string): Promise<WebhookEndpoint | null>;
  /** R-EVT-1: one event's webhook delivery (`id` is the event id). */
  getWebhookDelivery(ref: WorkRef): Promise<WebhookDelivery | null>;
  /** R-EVT-1: takes up a delivery: pending and due, or `delivering` with a lapsed lease (tries + 1); null otherwise. */
  claimWebhookDelivery(ref: WorkRef, now: Date, leaseMs: number): Promise<WebhookDelivery | null>;
  /** SES's own record that it accepted the mail (its Send event): the mail is sent, whatever a worker thought. */
  markMailSent(ref: WorkRef, messageId: string, at: Date): Promise<boolean>;
}

/** The value as it is stored after a successful commit of `value`. */
export function committed<T extends { version: number }>(value: T): T {
  return { ...value, version: value.version + 1 };
}
