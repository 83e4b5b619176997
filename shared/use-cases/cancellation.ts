import * as z from 'zod';
import {
  billingDateOnOrBefore,
  isBillingDate,
  nextBillingDate,
  terminationAfterFinalBilling,
  terminationAfterToday,
  terminationForMonth,
} from '../domain/billing.js';
import { addDays, type LocalDate, minDate } from '../domain/calendar.js';
import { ConflictError, NotFoundError, RuleViolationError, UnprocessableError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { billingScheduleOf, type Membership } from '../domain/membership.js';
import { allows } from '../domain/status.js';
import { localDate } from '../domain/schema.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import type { MembershipRecord } from '../ports/store.js';
import type { Caller } from './context.js';
import { commitChange, loadContext, MembershipChange, recordAfter } from './membership-change.js';
import { endRun } from './dunning-run.js';
import { requestRefund } from './payments.js';

/**
 * Cancellation (R-CAN-1…8): by an admin for a month, by a member from a signed link
 * (immediately or by request), the admin's answer to a request, and voiding from the last
 * invoice.
 */
type CancelDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'linkKeys'>;

/**
 * The last billing date on or before the termination date that is still to be invoiced (the
 * last invoice), or null when none is: billing dates before `nextBillingDate` are invoiced
 * already, including the start date of a membership bought ahead of its start.
 */
function lastBillingDate(m: Membership, terminationDate: LocalDate): LocalDate | null {
  const last = billingDateOnOrBefore(billingScheduleOf(m), terminationDate);
  return last !== null && m.nextBillingDate !== null && last >= m.nextBillingDate ? last : null;
}

/** The record of a membership a request left unchanged: its history read, the membership as just read (not again). */
async function unchangedRecord(deps: Pick<Deps, 'store'>, membership: Membership): Promise<MembershipRecord> {
  return (await deps.store.getMembershipRecord(membership.orgId, membership.id, { membership }))!;
}

const adminCancelInput = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM' }).nullable(),
});

/**
 * Input: the caller, the membership id, `{ month: "YYYY-MM" }`.
 * Output: the membership record.
 * Steps: R-CAN-2 termination date for the month; R-CAN-3 a set date can only move earlier;
 * status cancel_scheduled, timers re-planned (a termination timer; nothing billed or reminded
 * after it); R-CAN-4 the account owner is e-mailed.
 */
export async function cancelByAdmin(deps: CancelDeps, caller: Caller, membershipId: string, body: unknown): Promise<MembershipRecord> {
  const input = parseInput(adminCancelInput, body);
  const ctx = await loadContext(deps, caller.orgId, membershipId);
  const change = new MembershipChange(deps, ctx, caller.actor);
  const m = change.membership;
  const outcome = adminCancellationOutcome(change, input.month);
  if (outcome.unchanged) return unchangedRecord(deps, ctx.state.membership);
  const { terminationDate, previous } = outcome;
  const moved = previous !== null;
  change.apply('cancel');
  m.terminationDate = terminationDate;
  m.cancellation = { by: 'admin', requestedAt: change.now.toISOString(), month: input.month, reason: null, decidedAt: change.now.toISOString(), decision: 'scheduled', previousStatus: null };
  change.event(moved ? 'cancellation_moved_earlier' : 'cancellation_scheduled', { month: input.month, terminationDate, previous });
  change.emailMember('cancellation_by_admin', {
    memberName: ctx.member.name,
    planName: ctx.plan.name,
    terminationDate,
    lastBillingDate: outcome.lastBillingDate,
  });
  return recordAfter(deps, await commitChange(deps, change, { skipPastReminders: true }));
}

/**
 * Input: the caller, the membership id, `{ month }` (a query string).
 * Output: what `POST …/cancel { month }` would do, changing nothing (the console confirms it
 * first): the termination date, the last billing date still to come, the date it replaces; or
 * the same refusal the POST would answer.
 */
export async function previewAdminCancellation(deps: CancelDeps, caller: Caller, membershipId: string, query: unknown) {
  const input = parseInput(adminCancelInput, query, 'query string');
  const ctx = await loadContext(deps, caller.orgId, membershipId);
  const change = new MembershipChange(deps, ctx, caller.actor);
  const outcome = adminCancellationOutcome(change, input.month);
  return { month: input.month, terminationDate: outcome.terminationDate, lastBillingDate: outcome.lastBillingDate, previousTerminationDate: outcome.previous, unchanged: outcome.unchanged };
}

/** R-CAN-2, R-CAN-3: what an admin cancellation for `month` does, or the refusal (409, 422). */
function adminCancellationOutcome(
  change: MembershipChange,
  month: string | null,
): { terminationDate: LocalDate; lastBillingDate: LocalDate | null; previous: LocalDate | null; unchanged: boolean } {
  const m = change.membership;
  change.require('cancel');
  const input = { month };
  if (input.month === null) {
    if (m.terminationDate !== null) {
      throw new ConflictError('cancellation_date_locked', `R-CAN-3: the cancellation date ${m.terminationDate} cannot be removed; it can only be moved earlier`, [
        { field: 'month', rule: 'R-CAN-3', message: 'a cancellation date cannot be cleared' },
      ]);
    }
    throw new ConflictError('nothing_to_clear', `membership ${m.id} has no cancellation date`);
  }
  const result = terminationForMonth(billingScheduleOf(m), input.month, change.today, m.nextBillingDate);
  if ('reason' in result) {
    const message =
      result.reason === 'month_in_past'
        ? `${input.month} is in the past; pick ${change.today.slice(0, 7)} or later`
        : result.reason === 'billing_date_passed'
          ? `the first billing date on or after ${input.month}-01 (${result.billingDate}) has passed; pick a later month`
          : result.reason === 'already_invoiced'
            ? `the first billing date on or after ${input.month}-01 (${result.billingDate}) is already invoiced; pick a later month, or void the membership from its invoice (R-CAN-6)`
            : `the membership has no billing date on or after ${input.month}-01`;
    throw new RuleViolationError('R-CAN-2', message, [{ field: 'month', rule: 'R-CAN-2', message }]);
  }
  if (m.terminationDate !== null && result.terminationDate > m.terminationDate) {
    throw new ConflictError('cancellation_date_locked', `R-CAN-3: the membership already terminates on ${m.terminationDate}; a cancellation date can only be moved earlier, not to ${result.terminationDate}`, [
      { field: 'month', rule: 'R-CAN-3', message: `must give a termination date before ${m.terminationDate}` },
    ]);
  }
  return {
    terminationDate: result.terminationDate,
    lastBillingDate: lastBillingDate(m, result.terminationDate),
    previous: m.terminationDate,
    unchanged: result.terminationDate === m.terminationDate,
  };
}

/** Whether a member may cancel from a link now, and what would happen (R-CAN-5). */
export function memberCancellationOutlook(change: Pick<MembershipChange, 'membership' | 'ctx' | 'today'>):
  | { allowed: true; mode: 'immediate' | 'request'; terminationDate: LocalDate | null }
  | { allowed: false } {
  const m = change.membership;
  const mode = change.ctx.plan.cancellation.memberMode;
  if (m.terminationDate !== null) {
    // Already cancelled to a later date: an immediate cancellation may still bring it earlier (R-CAN-3).
    const earlier = terminationAfterToday(billingScheduleOf(m), change.today, m.nextBillingDate);
    return mode === 'immediate' && allows(m.status, 'cancel') && earlier < m.terminationDate ? { allowed: true, mode, terminationDate: earlier } : { allowed: false };
  }
  const event = mode === 'immediate' ? 'cancel' : 'request_cancellation';
  if (!allows(m.status, event) || m.status === 'cancellation_requested') return { allowed: false };
  return { allowed: true, mode, terminationDate: mode === 'immediate' ? terminationAfterToday(billingScheduleOf(m), change.today, m.nextBillingDate) : null };
}

/**
 * R-CAN-5, R-CAN-7: a member cancels from a signed link. Immediate: no further charge, the
 * membership terminates on the billing eve; the member and the organisation are e-mailed.
 * By request: status cancellation_requested; the organisation is e-mailed, the member gets an
 * acknowledgement. The caller commits.
 */
export function cancelByMember(change: MembershipChange, reason: string | null): 'immediate' | 'request' {
  const outlook = memberCancellationOutlook(change);
  if (!outlook.allowed) throw new ConflictError('membership_not_cancellable', 'this membership can no longer be cancelled from this link');
  const m = change.membership;
  const { member, plan } = change.ctx;
  const now = change.now.toISOString();
  if (outlook.mode === 'immediate') {
    const terminationDate = outlook.terminationDate!;
    change.apply('cancel');
    m.terminationDate = terminationDate;
    m.cancellation = { by: 'member', requestedAt: now, month: null, reason, decidedAt: now, decision: 'scheduled', previousStatus: null };
    change.event('cancelled_by_member', { terminationDate, reason });
    change.emailMember('cancellation_confirmed_member', { memberName: member.name, planName: plan.name, terminationDate });
    change.emailOrganisation('cancellation_notice_org', {
      memberName: member.name,
      memberEmail: member.email,
      planName: plan.name,
      terminationDate,
      reason,
      membershipUrl: change.membershipUrl(),
    });
    return 'immediate';
  }
  m.cancellation = { by: 'member', requestedAt: now, month: null, reason, decidedAt: null, decision: null, previousStatus: null };
  change.apply('request_cancellation');
  change.event('cancellation_requested', { reason });
  change.emailOrganisation('cancellation_request_org', {
    memberName: member.name,
    memberEmail: member.email,
    planName: plan.name,
    requestedOn: change.today,
    reason,
    membershipUrl: change.membershipUrl(),
  });
  change.emailMember('cancellation_request_received', { memberName: member.name, planName: plan.name });
  return 'request';
}

function requireRequest(m: Membership): void {
  if (m.status !== 'cancellation_requested' || m.cancellation === null || m.cancellation.decision !== null) {
    throw new ConflictError('no_cancellation_request', `membership ${m.id} has no cancellation request waiting for a decision (status ${m.status})`);
  }
}

const confirmInput = z.strictObject({ finalBillingDate: localDate });

/**
 * Input: the caller, the membership id, `{ finalBillingDate }` — the last billing date to
 * invoice, one of the membership's billing dates, not before its current (last invoiced)
 * period's. A renewal or charge held while the request waited (R-MNY-7) is not invoiced, so
 * staff can still end the membership with the current term, even once its end has passed.
 * Output: the membership record.
 * Steps: R-CAN-5 the membership terminates on the eve of the next billing date after it;
 * R-CAN-8 the account owner is e-mailed the decision.
 */
export async function confirmCancellationRequest(deps: CancelDeps, caller: Caller, membershipId: string, body: unknown): Promise<MembershipRecord> {
  const { finalBillingDate } = parseInput(confirmInput, body);
  const ctx = await loadContext(deps, caller.orgId, membershipId);
  const change = new MembershipChange(deps, ctx, caller.actor);
  const m = change.membership;
  requireRequest(m);
  const schedule = billingScheduleOf(m);
  // The current period is the last one invoiced: a charge held while the request waited is not.
  const lastInvoicedOn = m.nextBillingDate === null ? change.today : addDays(m.nextBillingDate, -1);
  const current = billingDateOnOrBefore(schedule, minDate(lastInvoicedOn, change.today)) ?? m.currentTerm.start;
  const refuse = (message: string) => new RuleViolationError('R-CAN-5', message, [{ field: 'finalBillingDate', rule: 'R-CAN-5', message }]);
  if (!isBillingDate(schedule, finalBillingDate)) {
    const next = nextBillingDate(schedule, finalBillingDate);
    throw refuse(`${finalBillingDate} is not one of the membership's billing dates${next ? ` (the next one is ${next})` : ''}`);
  }
  if (finalBillingDate < current) throw refuse(`the final billing date cannot be before the current period's billing date ${current}`);
  const terminationDate = terminationAfterFinalBilling(schedule, finalBillingDate, change.today);
  change.apply('accept_request');
  m.terminationDate = terminationDate;
  m.cancellation = { ...m.cancellation!, decidedAt: change.now.toISOString(), decision: 'scheduled', previousStatus: null };
  change.event('cancellation_request_accepted', { finalBillingDate, terminationDate });
  change.emailMember('cancellation_request_accepted', {
    memberName: ctx.member.name,
    planName: ctx.plan.name,
    finalBillingDate: finalBillingDate > change.today ? finalBillingDate : null,
    terminationDate,
  });
  return recordAfter(deps, await commitChange(deps, change, { skipPastReminders: true }));
}

const declineInput = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

/** R-CAN-5: the admin declines a request; the membership goes on as before and the member is told. */
export async function declineCancellationRequest(deps: CancelDeps, caller: Caller, membershipId: string, body: unknown): Promise<MembershipRecord> {
  const { reason } = parseInput(declineInput, body ?? {});
  const ctx = await loadContext(deps, caller.orgId, membershipId);
  const change = new MembershipChange(deps, ctx, caller.actor);
  const m = change.membership;
  requireRequest(m);
  change.apply('decline_request');
  m.cancellation = { ...m.cancellation!, decidedAt: change.now.toISOString(), decision: 'declined', previousStatus: null };
  change.event('cancellation_request_declined', { reason: reason ?? null });
  change.emailMember('cancellation_request_declined', { memberName: ctx.member.name, planName: ctx.plan.name, reason: reason ?? null });
  return recordAfter(deps, await commitChange(deps, change, { skipPastReminders: true }));
}

const voidInput = z.strictObject({ refund: z.boolean() });

/** R-CAN-6: the invoice, its membership and a change, if voiding it (with refund or not) is allowed; else the refusal. */
async function voidable(deps: CancelDeps, caller: Caller, invoiceId: string, refund: boolean) {
  const invoice = await deps.store.getInvoice(caller.orgId, invoiceId);
  if (!invoice) throw new NotFoundError('invoice', invoiceId);
  if (invoice.status === 'void') throw new ConflictError('invoice_already_void', `invoice ${invoiceId} is already void`);
  if (invoice.status === 'uncollectible') throw new ConflictError('invoice_uncollectible', `invoice ${invoiceId} is uncollectible and cannot be voided`);
  const ctx = await loadContext(deps, caller.orgId, invoice.membershipId);
  const change = new MembershipChange(deps, ctx, caller.actor);
  change.require('void');
  if (change.membership.lastInvoiceId !== invoiceId) {
    throw new ConflictError('not_last_invoice', `only the membership's last invoice (${change.membership.lastInvoiceId ?? 'none'}) can void it (R-CAN-6)`);
  }
  if (refund && invoice.status !== 'paid') {
    throw new UnprocessableError('nothing_to_refund', `invoice ${invoiceId} is ${invoice.status}, so there is no payment to refund; void it with refund false`, [
      { field: 'refund', message: 'the invoice was not paid' },
    ]);
  }
  return { invoice, ctx, change };
}

/**
 * Input: the caller, an invoice id, `{ refund: "true" | "false" }` (a query string).
 * Output: what `POST …/void` would do, changing nothing: the membership voided with it, the
 * amount refunded; or the POST's own refusal.
 */
export async function previewVoid(deps: CancelDeps, caller: Caller, invoiceId: string, query: unknown) {
  const { refund } = parseInput(z.strictObject({ refund: z.enum(['true', 'false']) }), query, 'query string');
  const { invoice, change } = await voidable(deps, caller, invoiceId, refund === 'true');
  const refunded = refund === 'true' ? invoice.payments.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + p.amount.amount, 0) : 0;
  return {
    invoiceId,
    membershipId: invoice.membershipId,
    membershipStatus: { from: change.membership.status, to: 'voided' as const },
    refund: refund === 'true',
    refunded: { amount: refunded, currency: invoice.amount.currency },
  };
}

/**
 * Input: the caller, an invoice id, `{ refund }`.
 * Output: the voided invoice.
 * Steps (R-CAN-6): only the membership's last invoice, open or paid, of a membership that may
 * be voided (R-MNY-7: a voided one accepts nothing); void and credit it; when asked, write the
 * refund of its card payment as a payment attempt in the same transaction, so the refund is made
 * only once the void has committed (R-MNY-3); the membership loses its privileges at once
 * (status voided: out of the member's lists, its timers cancelled, its place on the plan given
 * back); the account owner is e-mailed. The transaction has the same few items whatever the
 * membership's age. A charge of the invoice still in flight is canceled before it is sent, or
 * refunded when it succeeds (R-MNY-4).
 */
export async function voidInvoice(deps: CancelDeps, caller: Caller, invoiceId: string, body: unknown): Promise<Invoice> {
  const { refund } = parseInput(voidInput, body);
  const { invoice, ctx, change } = await voidable(deps, caller, invoiceId, refund);
  const run = await deps.store.getRun(caller.orgId, invoiceId);
  const m = change.membership;
  const now = change.now.toISOString();
  change.apply('void');
  m.terminationDate = null;
  m.unpaidInvoiceIds = [];
  let voided: Invoice = { ...invoice, status: 'void', openAttemptId: invoice.openAttemptId, credit: { amount: invoice.amount, at: now, refund }, updatedAt: now };
  if (refund) for (const payment of invoice.payments) voided = requestRefund(change, voided, payment, 'void_refund');
  change.write({ kind: 'invoice', value: voided });
  // Its dunning run (or reminders) ends with it: nothing more is asked of the member.
  if (run?.state === 'active') endRun(change, run, 'canceled', 'invoice_voided');
  // The latest terms say voided; older ones are shown voided through the membership's status.
  for (const term of ctx.state.terms) {
    if (term.status !== 'voided') change.write({ kind: 'term', value: { ...term, status: 'voided', orgId: m.orgId } });
  }
  const refunded = refund ? invoice.amount : null;
  change.event('membership_voided', { invoiceId, refund, refunded });
  change.emailMember('membership_voided', { memberName: ctx.member.name, planName: ctx.plan.name, invoiceId, amount: invoice.amount, refunded });
  await commitChange(deps, change, { skipPastReminders: true });
  return (await deps.store.getInvoice(caller.orgId, invoiceId))!;
}
