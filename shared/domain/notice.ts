import * as z from 'zod';
import { addDays, type LocalDate, localDateOf, zonedInstant } from './calendar.js';
import { deterministicId } from './ids.js';
import { entityId, money, type Money } from './schema.js';
import type { Actor } from './timeline.js';

/**
 * Renewal notices (SPEC §5, Membri's "avis de renouvellement"). A notice is its own record, one
 * per membership and term: it asks the member whether they renew, and staff decide. It does not
 * define the membership; an approval creates the next term (pending) and its invoice, and the
 * term becomes active when the invoice is paid and the current term ends (R-NOT-4).
 *
 *   sent ──member accepts / staff approve──▶ approved ──paid──▶ (renewed at the old end)
 *    │ ▲                                         │
 *    │ └──────────── staff reset (R-NOT-7) ◀─────┘
 *    ├──member asks for changes──▶ change_requested ──staff approve / refuse──▶ …
 *    ├──staff flag the member (R-NOT-6)──▶ intervention_required ──flag cleared──▶ back
 *    └──staff refuse (reason, R-NOT-3)──▶ refused (the membership ends at the term end, R-NOT-5)
 *
 * Mode `invoice` (the member's auto-renew flag is on, Membri "Facture"): no question is asked;
 * the notice is approved by the system at its sending time and the invoice goes out at once.
 */
export const NOTICE_STATUSES = ['sent', 'change_requested', 'approved', 'refused', 'intervention_required'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

export type NoticeMode = 'notice' | 'invoice';

/** The term a notice offers: staff may change its plan and price before approving (R-NOT-7). */
export interface NoticeTerm {
  planId: string;
  planName: string;
  price: Money;
  /** Its length: the end is `start + termMonths` (the plan's, or the plan staff picked). */
  termMonths: number;
  seq: number;
  start: LocalDate;
  end: LocalDate;
}

export interface NoticeEntry {
  at: string;
  type: string;
  actor: Actor;
  data: Record<string, unknown>;
}

export interface Notice {
  id: string;
  orgId: string;
  membershipId: string;
  memberId: string;
  /** The member's name and e-mail when the notice was last written, for the dashboards. */
  memberName: string;
  memberEmail: string;
  /** The current term the notice renews, and its last day. */
  termSeq: number;
  termEnd: LocalDate;
  planName: string;
  mode: NoticeMode;
  status: NoticeStatus;
  /** R-NOT-6: the status to return to when staff clear the member's intervention flag. */
  heldFrom: NoticeStatus | null;
  next: NoticeTerm;
  /** When the notice was written (the dashboards' "sent" instant). */
  sentAt: string;
  /** Whether it reached the member: false while it waits for staff (R-NOT-6: written for a flagged member). */
  mailed: boolean;
  /** The last time the member was written to about it (the notice or a reminder). */
  lastContactAt: string;
  /** Frozen from the plan: days without an answer before a reminder (R-NOT-8). */
  remindAfterDays: number;
  /** R-NOT-8: the one automatic reminder was handled (sent, or moot). */
  autoReminded: boolean;
  /** Reminders sent so far (automatic and by staff). */
  reminders: number;
  /** R-NOT-2: the member's request for changes. */
  message: string | null;
  answeredAt: string | null;
  /** Approvals so far: each one issues its own invoice (a reset voids the previous one). */
  approvals: number;
  approved: { at: string; by: Actor } | null;
  invoiceId: string | null;
  paidAt: string | null;
  /** Staff's refusal with its reason (R-NOT-3), or the membership's own end (reasonId null: cancelled, voided). */
  refusal: { reasonId: string | null; label: string; at: string; by: Actor; note: string | null } | null;
  /** Newest last, bounded (TIMELINE_LIMIT): what happened to the notice. */
  timeline: NoticeEntry[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const TIMELINE_LIMIT = 50;

export function noticeId(membershipId: string, termSeq: number): string {
  return deterministicId('ntc', membershipId, 'notice', termSeq);
}

/** The id of the invoice of the `approval`-th approval: deterministic, so a retried approval issues one invoice. */
export function noticeInvoiceId(notice: Pick<Notice, 'id'>, approval: number): string {
  return deterministicId('inv', notice.id, 'approval', approval);
}

/** Statuses in which the member's answer or the staff's decision is still awaited. */
export const OPEN_STATUSES: ReadonlySet<NoticeStatus> = new Set(['sent', 'change_requested', 'intervention_required']);

/** Approved, invoiced, and the invoice not paid yet (R-NOT-9 "accepted but unpaid"). */
export function awaitingPayment(n: Pick<Notice, 'status' | 'invoiceId' | 'paidAt'>): boolean {
  return n.status === 'approved' && n.invoiceId !== null && n.paidAt === null;
}

/** Still in the renewal process (R-NOT-9 "all active renewals"): open, or approved and unpaid. */
export function inProcess(n: Pick<Notice, 'status' | 'invoiceId' | 'paidAt'>): boolean {
  return OPEN_STATUSES.has(n.status) || awaitingPayment(n);
}

/** The instant an unanswered notice joins the "to remind" board: its last contact + remindAfterDays. */
export function remindAt(n: Pick<Notice, 'lastContactAt' | 'remindAfterDays'>): string {
  return new Date(Date.parse(n.lastContactAt) + n.remindAfterDays * 86_400_000).toISOString();
}

/** R-NOT-8: the automatic reminder: 09:00 organisation time, `remindAfterDays` days after the notice's day. */
export function autoReminderInstant(n: Pick<Notice, 'sentAt' | 'remindAfterDays'>, timeZone: string): Date {
  return zonedInstant(addDays(localDateOf(new Date(n.sentAt), timeZone), n.remindAfterDays), '09:00', timeZone);
}

export function withEntry(n: Notice, entry: NoticeEntry): Notice {
  return { ...n, timeline: [...n.timeline, entry].slice(-TIMELINE_LIMIT), updatedAt: entry.at };
}

/** R-NOT-9: the dashboards. */
export const NOTICE_BOARDS = ['to-remind', 'change-requests', 'unanswered-7d', 'intervention', 'unanswered-6m', 'accepted-unpaid', 'active'] as const;
export type NoticeBoard = (typeof NOTICE_BOARDS)[number];


/** The most notices one bulk request acts on (R-NOT-3). */
export const MAX_BULK = 100;

export const refuseInput = z.strictObject({
  reasonId: entityId('rsn'),
  note: z.string().trim().min(1).max(1000).optional(),
});

export const bulkInput = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('approve'), ids: z.array(entityId('ntc')).min(1).max(MAX_BULK) }),
  z.strictObject({ action: z.literal('refuse'), ids: z.array(entityId('ntc')).min(1).max(MAX_BULK), reasonId: entityId('rsn'), note: z.string().trim().min(1).max(1000).optional() }),
]);

/** R-NOT-7, R-NOT-2: staff edit the offered term before approving: another plan, another price. */
export const noticePatch = z
  .strictObject({ planId: entityId('pln'), price: money })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'the patch changes nothing: name planId or price' });
