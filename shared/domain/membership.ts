import * as z from 'zod';
import { addDays, type LocalDate } from './calendar.js';
import { amountDue, type BillingSchedule, nextBillingDate, periodEnd, termAt } from './billing.js';
import { type Invoice, openInvoice } from './invoice.js';
import type { Plan } from './plan.js';
import { entityId, localDate, type Money } from './schema.js';

/** One member on one plan (SPEC §1, §8.1). */
export const MEMBERSHIP_STATUSES = [
  'active',
  'pending',
  'past_due',
  'cancellation_requested',
  'cancel_scheduled',
  'expired',
  'terminated',
  'voided',
] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export { LIVE_STATUSES } from './status.js';

export const membershipInput = z.strictObject({
  memberId: entityId('mbr'),
  planId: entityId('pln'),
  startDate: localDate.optional(),
});
export type MembershipInput = z.infer<typeof membershipInput>;

export type TermStatus = 'active' | 'pending' | 'ended' | 'voided';

export interface Term {
  membershipId: string;
  seq: number;
  start: LocalDate;
  end: LocalDate | null;
  status: TermStatus;
  invoiceId: string | null;
  createdAt: string;
}

export type TimerKind = 'start' | 'reminder' | 'term_end' | 'billing' | 'termination' | 'card_expiry' | 'notice' | 'notice_reminder';

/** One entry of a membership's timer plan; `name` is the deterministic schedule name. */
export interface PlannedTimer {
  kind: TimerKind;
  at: string;
  name: string;
  /** What the timer is about, e.g. the reminder offset in days or the billing date. */
  ref: string;
}

/**
 * The billing terms a membership was sold on, copied from the plan at the start of each term so
 * that editing a plan never rewrites the calendar or the price of a term already sold.
 */
export interface BillingTerms {
  price: Money;
  cadence: 'monthly' | 'upfront';
  anchor: BillingSchedule['anchor'];
  termMonths: number | null;
}

export interface Cancellation {
  /** `system`: the dunning run's final action (R-DUN-6). */
  by: 'admin' | 'member' | 'system';
  requestedAt: string;
  /** For an admin cancellation, the month picked (`YYYY-MM`). */
  month: string | null;
  reason: string | null;
  decidedAt: string | null;
  decision: 'scheduled' | 'declined' | null;
  /** The status a pending request returns to when the admin declines it. */
  previousStatus: MembershipStatus | null;
}

export interface Membership {
  id: string;
  orgId: string;
  memberId: string;
  planId: string;
  status: MembershipStatus;
  startDate: LocalDate;
  /** False until the start date is reached (a membership bought ahead of its start). */
  started: boolean;
  billing: BillingTerms;
  /**
   * Terms are counted from here: term `seq + j` is `[anchor + j × termMonths, …)`, clamped on the
   * anchor's day. It starts at the membership start and moves when an admin moves a term end.
   */
  termAnchor: { date: LocalDate; seq: number };
  currentTerm: { seq: number; start: LocalDate; end: LocalDate | null };
  nextBillingDate: LocalDate | null;
  terminationDate: LocalDate | null;
  /** Reminders already handled (sent, or skipped because their instant had passed): `termSeq:days`. */
  remindersDone: string[];
  /** R-DUN-7: card-expiry notices already handled (`<card>:<expiry>:<days>`); absent on older memberships. */
  cardNoticesDone?: string[];
  /** A member's one-click renewal of the current term (confirmation policy, R-REN-4). */
  renewal: { termSeq: number; confirmedAt: string } | null;
  /** Cancellation state (R-CAN-*): who asked, when, and what was decided. */
  cancellation: Cancellation | null;
  /** The timer plan: every future timer, earliest first. Only the first one is armed. */
  timers: PlannedTimer[];
  /** The schedule that exists in EventBridge Scheduler right now, if any. */
  armed: { name: string; at: string } | null;
  /**
   * R-NOT-1: the latest renewal notice (policy notice) and, while its approved term changes plan,
   * the plan whose place it holds for the member (R-MNY-1), given back if the membership ends first.
   */
  notice?: { id: string; termSeq: number; heldPlanId: string | null } | null;
  /** The membership's latest invoice: the only one that can void it (R-CAN-6). */
  lastInvoiceId: string | null;
  /** Invoices whose automatic payment failed and that are still unpaid (`past_due` while any). */
  unpaidInvoiceIds: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
  /** When the membership entered its status (absent on memberships not changed since issue 13: `updatedAt` stands in). */
  statusChangedAt?: string;
  /** The version of its plan its timers were last planned with (issue 13: an older cached copy is not used). */
  planVersion?: number;
}

export function billingTermsOf(plan: Pick<Plan, 'price' | 'billing' | 'termMonths'>): BillingTerms {
  return { price: plan.price, cadence: plan.billing.cadence, anchor: plan.billing.anchor, termMonths: plan.termMonths ?? null };
}

/**
 * The membership's billing calendar. Monthly plans bill from the start date; upfront plans bill
 * at each term start, so their calendar follows the term anchor.
 */
export function billingScheduleOf(membership: Pick<Membership, 'billing' | 'startDate'> & { termAnchor?: Membership['termAnchor'] }): BillingSchedule {
  const { cadence, anchor, termMonths } = membership.billing;
  const startDate = cadence === 'upfront' && membership.termAnchor ? membership.termAnchor.date : membership.startDate;
  return { cadence, anchor, startDate, termMonths: termMonths ?? undefined };
}

export interface NewMembership {
  membership: Membership;
  term: Term;
  /** The first invoice; none for a free plan. */
  invoice: Invoice | null;
}

/**
 * A new membership: its first term, its next billing date and the invoice for its first
 * billing period, issued today and due on the start date.
 */
export function startMembership(args: {
  id: string;
  invoiceId: string;
  orgId: string;
  memberId: string;
  plan: Plan;
  startDate: LocalDate;
  today: LocalDate;
  now: Date;
}): NewMembership {
  const { plan, startDate } = args;
  const nowIso = args.now.toISOString();
  const billing = billingTermsOf(plan);
  const schedule = billingScheduleOf({ billing, startDate });
  const termEnd = billing.termMonths === null ? null : termAt(startDate, billing.termMonths, 0).end;
  const amount = amountDue(schedule, billing.price, startDate);
  const firstPeriodEnd = plan.billing.cadence === 'upfront' ? termEnd : periodEnd(schedule, startDate);
  const invoice =
    amount.amount === 0
      ? null
      : openInvoice({
          id: args.invoiceId,
          membership: { id: args.id, orgId: args.orgId, memberId: args.memberId },
          amount,
          description: describePeriod(plan.name, startDate, firstPeriodEnd),
          periodStart: startDate,
          periodEnd: firstPeriodEnd,
          issueDate: args.today,
          dueDate: startDate,
          now: args.now,
        });
  return {
    membership: {
      id: args.id,
      orgId: args.orgId,
      memberId: args.memberId,
      planId: plan.id,
      status: startDate > args.today ? 'pending' : 'active',
      startDate,
      started: startDate <= args.today,
      billing,
      termAnchor: { date: startDate, seq: 1 },
      currentTerm: { seq: 1, start: startDate, end: termEnd },
      nextBillingDate: nextBillingDate(schedule, startDate),
      terminationDate: null,
      remindersDone: [],
      renewal: null,
      cancellation: null,
      timers: [],
      armed: null,
      lastInvoiceId: invoice?.id ?? null,
      unpaidInvoiceIds: [],
      version: 0,
      createdAt: nowIso,
      updatedAt: nowIso,
    },
    term: {
      membershipId: args.id,
      seq: 1,
      start: startDate,
      end: termEnd,
      status: startDate > args.today ? 'pending' : 'active',
      invoiceId: invoice?.id ?? null,
      createdAt: nowIso,
    },
    invoice,
  };
}

export function describePeriod(planName: string, start: LocalDate, end: LocalDate | null): string {
  return end === null ? `${planName} from ${start}` : `${planName} ${start} to ${end}`;
}

/** The latest start date accepted: a year ahead. */
export function latestStartDate(today: LocalDate): LocalDate {
  return addDays(today, 366);
}
