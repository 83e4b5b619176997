import { nextBillingDate, termAt } from '../domain/billing.js';
import { maxDate } from '../domain/calendar.js';
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from '../domain/errors.js';
import { type Invoice, openInvoice } from '../domain/invoice.js';
import { ID_PATTERN } from '../domain/ids.js';
import { billingScheduleOf, describePeriod, type Membership } from '../domain/membership.js';
import {
  awaitingPayment,
  bulkInput,
  inProcess,
  type Notice,
  type NoticeBoard,
  NOTICE_BOARDS,
  noticeId,
  noticeInvoiceId,
  noticePatch,
  OPEN_STATUSES,
  refuseInput,
  withEntry,
} from '../domain/notice.js';
import { LIVE_STATUSES } from '../domain/status.js';
import { SYSTEM, type Actor } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import type { Page } from '../ports/store.js';
import type { Caller } from './context.js';
import { endRun, startOfflineRun } from './dunning-run.js';
import { requestRefund } from './payments.js';
import { commitChange, loadContext, MembershipChange, retryOnConflict } from './membership-change.js';
import { nextTerm } from './renewal.js';

/**
 * Renewal notices (SPEC §5, R-NOT-1…9; R-REN-5). Every change to a notice is a change of its
 * membership (MembershipChange): the notice, the next term, the invoice, the e-mails and the
 * re-planned timers are written in one transaction, guarded by the membership's version, so a
 * timer, a member's answer and a staff decision racing each other act once, in some order.
 */
type NoticeDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'linkKeys'>;

function entry(change: MembershipChange, type: string, data: Record<string, unknown> = {}, actor: Actor = change.actor) {
  return { at: change.now.toISOString(), type, actor, data };
}

function writeNotice(change: MembershipChange, notice: Notice): Notice {
  change.write({ kind: 'notice', value: notice });
  return notice;
}

// ───────────────────────── timers ─────────────────────────

/**
 * R-NOT-1, R-REN-5: the notice time of the current term (09:00, `sendDaysBefore` days before
 * its end). Mode "notice" (auto-renew off): the notice is e-mailed with its signed answer link.
 * Mode "invoice" (auto-renew on, Membri "Facture"): nothing is asked; the renewal is approved by
 * the system and its invoice e-mailed at once.
 */
export function sendNotice(change: MembershipChange): void {
  const m = change.membership;
  const { member, plan } = change.ctx;
  const term = nextTerm(m);
  const id = noticeId(m.id, m.currentTerm.seq);
  if (change.notice()?.id === id) return;
  const now = change.now.toISOString();
  const mode = member.autoRenew ? 'invoice' : 'notice';
  const notice: Notice = {
    id,
    orgId: m.orgId,
    membershipId: m.id,
    memberId: member.id,
    memberName: member.name,
    memberEmail: member.email,
    termSeq: m.currentTerm.seq,
    termEnd: m.currentTerm.end!,
    planName: plan.name,
    mode,
    status: 'sent',
    heldFrom: null,
    next: { planId: plan.id, planName: plan.name, price: plan.price, seq: term.seq, start: term.start, end: term.end, termMonths: m.billing.termMonths! },
    sentAt: now,
    mailed: false,
    lastContactAt: now,
    remindAfterDays: plan.renewal?.notice?.remindAfterDays ?? 7,
    autoReminded: false,
    reminders: 0,
    message: null,
    answeredAt: null,
    approvals: 0,
    approved: null,
    invoiceId: null,
    paidAt: null,
    refusal: null,
    timeline: [],
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
  m.notice = { id, termSeq: m.currentTerm.seq, heldPlanId: null };
  if (member.intervention.required) {
    // R-NOT-6: written for staff, who see it on the intervention board; nothing reaches the member yet.
    change.event('notice_held', { noticeId: id, mode, reason: member.intervention.reason });
    writeNotice(change, withEntry({ ...notice, status: 'intervention_required', heldFrom: 'sent' }, entry(change, 'held', { mode, reason: member.intervention.reason })));
    return;
  }
  deliver(change, notice);
}

/** The notice reaches the member: asked (mode notice), or invoiced at once (mode invoice). */
function deliver(change: MembershipChange, written: Notice): void {
  const now = change.now.toISOString();
  // The member's auto-renew flag as it is now decides the mode (R-REN-5).
  const mode = change.ctx.member.autoRenew ? 'invoice' : 'notice';
  const notice = withEntry({ ...written, mode, status: 'sent', heldFrom: null, mailed: true, lastContactAt: now, autoReminded: mode === 'invoice' }, entry(change, 'sent', { mode }));
  change.event('notice_sent', { noticeId: notice.id, mode: notice.mode, termEnd: notice.termEnd, next: { start: notice.next.start, end: notice.next.end } });
  if (notice.mode === 'invoice') {
    approve(change, notice, SYSTEM);
    return;
  }
  writeNotice(change, notice);
  emailNotice(change, notice, 0);
}

function emailNotice(change: MembershipChange, notice: Notice, reminder: number): void {
  change.emailMember('renewal_notice', {
    memberName: change.ctx.member.name,
    planName: notice.planName,
    termEnd: notice.termEnd,
    next: { planName: notice.next.planName, start: notice.next.start, end: notice.next.end, amount: notice.next.price },
    answerUrl: change.link('notice'),
    reminder,
    noticeId: notice.id,
  });
}

/** R-NOT-8: the one automatic reminder of a notice still unanswered after `remindAfterDays`. */
export function autoRemind(change: MembershipChange): void {
  const notice = change.notice();
  if (!notice || notice.autoReminded) return;
  if (notice.status !== 'sent') {
    writeNotice(change, { ...notice, autoReminded: true });
    return;
  }
  const reminders = notice.reminders + 1;
  writeNotice(change, withEntry({ ...notice, autoReminded: true, reminders, lastContactAt: change.now.toISOString() }, entry(change, 'reminded', { automatic: true, reminder: reminders })));
  change.event('notice_reminded', { noticeId: notice.id, automatic: true, reminder: reminders });
  emailNotice(change, notice, reminders);
}

// ───────────────────────── decisions ─────────────────────────

/** Why a notice cannot be approved now, or null. */
function approvalRefusal(m: Membership, notice: Notice): string | null {
  if (!LIVE_STATUSES.has(m.status) || m.currentTerm.seq !== notice.termSeq) return `its membership is ${m.status} and its term ended on ${notice.termEnd}; a renewal is approved while the term runs`;
  if (m.status === 'cancellation_requested') return 'the member asked to cancel: answer that request first';
  if (m.terminationDate !== null) return `the membership is cancelled from ${m.terminationDate}`;
  return null;
}

/**
 * R-NOT-4: the next term is created `pending` with its invoice, e-mailed with the pay-by-card link
 * and reminded by its own run (R-DUN-9). The term becomes active when the invoice is paid and
 * the current term ends. An approved term on another plan takes that plan's place for the member
 * now (R-MNY-1), so the renewal cannot collide later.
 */
function approve(change: MembershipChange, notice: Notice, actor: Actor): Notice {
  const refusal = approvalRefusal(change.membership, notice);
  if (refusal) throw new ConflictError('notice_not_approvable', `notice ${notice.id} cannot be approved: ${refusal}`);
  const m = change.membership;
  const approvals = notice.approvals + 1;
  const next = notice.next;
  if (next.planId !== m.planId && m.notice?.heldPlanId !== next.planId) {
    change.write({ kind: 'claim', value: { orgId: m.orgId, memberId: m.memberId, planId: next.planId, membershipId: m.id } });
    m.notice = { id: notice.id, termSeq: notice.termSeq, heldPlanId: next.planId };
  }
  let invoice: Invoice = openInvoice({
    id: noticeInvoiceId(notice, approvals),
    membership: m,
    amount: next.price,
    description: describePeriod(next.planName, next.start, next.end),
    periodStart: next.start,
    periodEnd: next.end,
    issueDate: change.today,
    dueDate: maxDate(change.today, next.start),
    now: change.now,
  });
  const free = invoice.amount.amount === 0;
  if (free) invoice = { ...invoice, status: 'paid', payment: { reference: 'none', paidAt: invoice.createdAt, method: 'recorded' } };
  change.write({ kind: 'invoice', value: invoice });
  change.event('invoice_issued', { invoiceId: invoice.id, amount: invoice.amount, periodStart: next.start, periodEnd: next.end });
  const existing = change.term(next.seq);
  change.write({
    kind: 'term',
    value: { membershipId: m.id, seq: next.seq, start: next.start, end: next.end, status: 'pending', invoiceId: invoice.id, createdAt: existing?.createdAt ?? change.now.toISOString(), orgId: m.orgId, version: existing?.version ?? 0 },
  });
  const approved = withEntry(
    {
      ...notice,
      status: 'approved',
      heldFrom: null,
      approvals,
      approved: { at: change.now.toISOString(), by: actor },
      invoiceId: invoice.id,
      paidAt: free ? change.now.toISOString() : null,
    },
    entry(change, 'approved', { invoiceId: invoice.id, amount: invoice.amount }, actor),
  );
  change.event('notice_approved', { noticeId: notice.id, invoiceId: invoice.id, by: actor.type });
  if (!free) {
    emailRenewalInvoice(change, invoice, next.planName, false);
    startOfflineRun(change, invoice);
  }
  return writeNotice(change, approved);
}

/** R-NOT-4, R-NOT-8: the renewal invoice to the member, with its pay-by-card link (R-DUN-9). */
function emailRenewalInvoice(change: MembershipChange, invoice: Invoice, planName: string, resent: boolean): void {
  change.emailMember('invoice', {
    memberName: change.ctx.member.name,
    planName,
    invoiceId: invoice.id,
    amount: invoice.amount,
    dueDate: invoice.dueDate,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    renewal: true,
    replyTo: change.ctx.settings.replyTo,
    payUrl: change.link('update_payment'),
    ...(resent ? { resent } : {}),
  });
}

/**
 * R-NOT-7 and refusal of an approved notice: its invoice is voided (its reminders stop) and its
 * pending term voided; the place an approved other plan held is given back.
 */
async function withdrawApproval(deps: Pick<Deps, 'store'>, change: MembershipChange, notice: Notice, why: string, options: { refundPaid: boolean } = { refundPaid: false }): Promise<void> {
  const m = change.membership;
  if (m.currentTerm.seq !== notice.termSeq) {
    throw new ConflictError('renewal_started', `notice ${notice.id}: the approved term started on ${notice.next.start}; record its payment, or cancel the membership`);
  }
  const [invoice, run] = await Promise.all([deps.store.getInvoice(m.orgId, notice.invoiceId!), deps.store.getRun(m.orgId, notice.invoiceId!)]);
  if (!invoice) throw new Error(`notice ${notice.id} names a missing invoice ${notice.invoiceId}`);
  if (invoice.status === 'paid' && !options.refundPaid) throw new ConflictError('renewal_paid', `invoice ${invoice.id} of notice ${notice.id} is paid; the renewal stands`);
  const now = change.now.toISOString();
  if (invoice.status === 'open' || invoice.status === 'paid') {
    // R-MNY-4: a renewal paid ahead for a term that will not come is given back.
    const refund = invoice.status === 'paid';
    let voided: Invoice = { ...invoice, status: 'void', credit: { amount: invoice.amount, at: now, refund }, updatedAt: now };
    if (refund) for (const payment of invoice.payments) voided = requestRefund(change, voided, payment, 'void_refund');
    change.write({ kind: 'invoice', value: voided });
    change.event('invoice_voided', { invoiceId: invoice.id, reason: why, refund });
  }
  if (run?.state === 'active') endRun(change, run, 'canceled', 'invoice_voided');
  const term = change.term(notice.next.seq);
  if (term && term.status === 'pending') change.write({ kind: 'term', value: { ...term, orgId: m.orgId, status: 'voided' } });
  const held = m.notice?.heldPlanId;
  if (held && held !== m.planId) {
    change.write({ kind: 'release', value: { orgId: m.orgId, memberId: m.memberId, planId: held, membershipId: m.id } });
    m.notice = { ...m.notice!, heldPlanId: null };
  }
}

/** R-NOT-5: the member does not renew: the membership ends at the current term's end; the member stays. */
async function refuse(deps: NoticeDeps, change: MembershipChange, notice: Notice, reason: { id: string; label: string }, note: string | null): Promise<Notice> {
  if (awaitingPayment(notice)) await withdrawApproval(deps, change, notice, 'renewal refused');
  else if (!OPEN_STATUSES.has(notice.status)) throw new ConflictError('notice_not_refusable', `notice ${notice.id} is ${notice.status}${notice.paidAt ? ' and paid' : ''}; it cannot be refused`);
  const m = change.membership;
  const refused = withEntry(
    { ...notice, status: 'refused', heldFrom: null, refusal: { reasonId: reason.id, label: reason.label, at: change.now.toISOString(), by: change.actor, note } },
    entry(change, 'refused', { reasonId: reason.id, label: reason.label }),
  );
  change.event('notice_refused', { noticeId: notice.id, reasonId: reason.id, lastDay: notice.termEnd });
  if (LIVE_STATUSES.has(m.status) && m.currentTerm.seq === notice.termSeq && change.today <= notice.termEnd) {
    change.emailMember('notice_refused', { memberName: change.ctx.member.name, planName: notice.planName, lastDay: notice.termEnd });
  }
  return writeNotice(change, refused);
}

/**
 * R-MNY-4, R-NOT-5: the membership will end before the renewed term would start (cancelled to a
 * date before it, or voided): its renewal cannot happen. The notice is closed as refused (no
 * reason: the membership's own end decided it); an approved one loses its invoice (refunded if
 * paid) and pending term first, so nothing is owed for a term after the end. Runs on every commit.
 */
export async function closeRenewalIfEnding(deps: Pick<Deps, 'store'>, change: MembershipChange): Promise<void> {
  const notice = change.notice();
  if (!notice || (!OPEN_STATUSES.has(notice.status) && notice.status !== 'approved')) return;
  const m = change.membership;
  if (m.currentTerm.seq !== notice.termSeq) {
    // The approved term has started: its invoice is the membership's own (a void of the
    // membership voided it). Only voiding the membership ends the renewal, and its notice.
    if (m.status !== 'voided') return;
  } else {
    // An unanswered notice whose membership simply expired stays for staff (the unanswered
    // boards, Membri's six-month advice); a cancellation or a void ends the renewal outright.
    const cancelled = m.cancellation !== null && m.terminationDate !== null && m.terminationDate < notice.next.start;
    const ending = m.status === 'voided' || cancelled || (notice.status === 'approved' && !LIVE_STATUSES.has(m.status));
    if (!ending) return;
    if (notice.status === 'approved') await withdrawApproval(deps, change, notice, 'membership ending', { refundPaid: true });
  }
  const label = `the membership ${m.status === 'voided' ? 'was voided' : `ends on ${m.terminationDate ?? notice.termEnd}`}`;
  change.event('notice_closed', { noticeId: notice.id, reason: label });
  writeNotice(change, withEntry({ ...notice, status: 'refused', heldFrom: null, refusal: { reasonId: null, label, at: change.now.toISOString(), by: change.actor, note: null } }, entry(change, 'closed', { reason: label })));
}

// ───────────────────────── payment and term end ─────────────────────────

/**
 * R-NOT-4: the renewal invoice was paid. Before the current term ends, the approved term waits
 * for it (the term end renews into it, active); after, the term that started awaiting payment
 * becomes active now (the caller clears the membership's past-due state).
 */
export function noticeInvoicePaid(change: MembershipChange, invoice: Invoice): void {
  const notice = change.notice();
  if (!notice || notice.invoiceId !== invoice.id || notice.paidAt !== null) return;
  writeNotice(change, withEntry({ ...notice, paidAt: change.now.toISOString() }, entry(change, 'paid', { invoiceId: invoice.id })));
  const m = change.membership;
  const term = change.term(notice.next.seq);
  if (term && term.status === 'pending' && m.currentTerm.seq === notice.next.seq) {
    change.write({ kind: 'term', value: { ...term, orgId: m.orgId, status: 'active' } });
    change.event('renewal_activated', { noticeId: notice.id, seq: term.seq, start: term.start, end: term.end });
  }
}

/**
 * R-NOT-4 at the current term's end, with an approved notice: the approved term follows, on its
 * plan and price. Paid: it is active. Not paid yet: it starts awaiting payment and the
 * membership is past due (access continues, R-DUN-11) until the invoice is paid; its reminders
 * run on (R-DUN-9).
 */
export function renewFromNotice(change: MembershipChange, endCurrentTerm: () => void): void {
  const m = change.membership;
  const notice = change.notice()!;
  const next = notice.next;
  change.apply('renew');
  endCurrentTerm();
  const term = change.term(next.seq);
  const paid = notice.paidAt !== null;
  if (next.planId !== m.planId) {
    change.write({ kind: 'release', value: { orgId: m.orgId, memberId: m.memberId, planId: m.planId, membershipId: m.id } });
    m.planId = next.planId;
    m.notice = { ...m.notice!, heldPlanId: null };
  }
  m.billing = { ...m.billing, price: next.price, termMonths: next.termMonths };
  m.currentTerm = { seq: next.seq, start: next.start, end: next.end };
  m.termAnchor = { date: next.start, seq: next.seq };
  m.renewal = null;
  m.lastInvoiceId = notice.invoiceId;
  m.nextBillingDate = nextBillingDate(billingScheduleOf(m), next.start);
  if (term) change.write({ kind: 'term', value: { ...term, orgId: m.orgId, status: paid ? 'active' : 'pending' } });
  change.event('term_renewed', { seq: next.seq, start: next.start, end: next.end, invoiceId: notice.invoiceId, paid, noticeId: notice.id });
  if (paid) {
    change.emailMember('renewal_confirmation', { memberName: change.ctx.member.name, planName: next.planName, newTermStart: next.start, newTermEnd: next.end, charged: null, cadence: 'upfront' });
  } else {
    if (!m.unpaidInvoiceIds.includes(notice.invoiceId!)) m.unpaidInvoiceIds = [...m.unpaidInvoiceIds, notice.invoiceId!];
    change.apply('payment_failed');
  }
}

/**
 * R-NOT-6: the member's intervention flag is mirrored on their open notice: raised, the notice
 * shows `intervention_required`; cleared, it returns to what it was. Answers whether it changed.
 */
export function syncIntervention(change: MembershipChange): boolean {
  const notice = change.notice();
  if (!notice) return false;
  const flagged = change.ctx.member.intervention.required;
  if (flagged && (notice.status === 'sent' || notice.status === 'change_requested')) {
    writeNotice(change, withEntry({ ...notice, status: 'intervention_required', heldFrom: notice.status }, entry(change, 'intervention_required', { reason: change.ctx.member.intervention.reason })));
    return true;
  }
  if (!flagged && notice.status === 'intervention_required') {
    const cleared = withEntry({ ...notice, status: notice.heldFrom ?? 'sent', heldFrom: null }, entry(change, 'intervention_cleared'));
    // Written while the member was flagged: it goes out now (or is invoiced, mode invoice), if the renewal can still happen.
    if (!notice.mailed && approvalRefusal(change.membership, notice) === null) deliver(change, cleared);
    else writeNotice(change, cleared);
    return true;
  }
  return false;
}

// ───────────────────────── the member's answer (R-NOT-2) ─────────────────────────

/** Whether the member may still answer: an open notice of the running term, not held for staff. */
export function answerable(change: Pick<MembershipChange, 'membership' | 'notice'>): Notice | null {
  const notice = change.notice();
  if (!notice || (notice.status !== 'sent' && notice.status !== 'change_requested')) return null;
  return approvalRefusal(change.membership, notice) === null ? notice : null;
}

/** The member accepts: the renewal is approved (R-NOT-2, R-NOT-4). */
export function acceptNotice(change: MembershipChange): Notice {
  const notice = answerable(change);
  if (!notice) throw new ConflictError('notice_not_answerable', 'this notice can no longer be answered');
  return approve(change, withEntry(notice, entry(change, 'accepted')), change.actor);
}

/** The member asks for changes with a message: staff are told; the notice waits for them. */
export function requestChanges(change: MembershipChange, message: string): Notice {
  const notice = answerable(change);
  if (!notice) throw new ConflictError('notice_not_answerable', 'this notice can no longer be answered');
  const { member } = change.ctx;
  const now = change.now.toISOString();
  const updated = withEntry({ ...notice, status: 'change_requested', message, answeredAt: now }, entry(change, 'change_requested', { message }));
  change.event('notice_change_requested', { noticeId: notice.id, message });
  change.emailMember('notice_change_received', { memberName: member.name, planName: notice.planName, message });
  change.emailOrganisation('notice_change_requested_org', {
    memberName: member.name,
    memberEmail: member.email,
    planName: notice.planName,
    termEnd: notice.termEnd,
    message,
    noticeUrl: `${change.membershipUrl().replace(/#\/memberships\/.*$/, '')}#/renewals/${notice.id}`,
  });
  return writeNotice(change, updated);
}

// ───────────────────────── staff (R-NOT-3…9) ─────────────────────────

async function findNotice(deps: Pick<Deps, 'store'>, caller: Caller, id: string): Promise<Notice> {
  const notice = ID_PATTERN.test(id) ? await deps.store.getNotice(caller.orgId, id) : null;
  if (!notice) throw new NotFoundError('renewal notice', id);
  return notice;
}

/**
 * One staff action on one notice, read fresh and committed with its membership; run again on a
 * concurrent change. `act` answers the notice as left, or null when there is nothing to do.
 */
async function onNotice(deps: NoticeDeps, caller: Caller, id: string, act: (change: MembershipChange, notice: Notice) => Promise<Notice | null> | Notice | null): Promise<{ notice: Notice; changed: boolean }> {
  return retryOnConflict(async () => {
    const stored = await findNotice(deps, caller, id);
    const ctx = await loadContext(deps, caller.orgId, stored.membershipId);
    if (ctx.notice?.id !== stored.id) throw new ConflictError('notice_superseded', `notice ${id} is not the membership's latest notice`);
    const change = new MembershipChange(deps, ctx, caller.actor);
    const result = await act(change, ctx.notice);
    if (result === null) return { notice: ctx.notice, changed: false };
    await commitChange(deps, change, { skipPastReminders: true });
    return { notice: { ...result, version: result.version + 1 }, changed: true };
  });
}

/** Input: a notice id. Output: the notice, approved. Idempotent: an approved notice is answered as it is. */
export async function approveNotice(deps: NoticeDeps, caller: Caller, id: string): Promise<{ notice: Notice; changed: boolean }> {
  return onNotice(deps, caller, id, (change, notice) => {
    if (notice.status === 'approved') return null;
    if (notice.status === 'refused') throw new ConflictError('notice_refused', `notice ${id} was refused; it cannot be approved`);
    return approve(change, notice, caller.actor);
  });
}

async function activeReason(deps: Pick<Deps, 'store'>, caller: Caller, reasonId: string): Promise<{ id: string; label: string }> {
  const reason = await deps.store.getRefusalReason(caller.orgId, reasonId);
  if (!reason || reason.retired) {
    throw new RuleViolationError('R-NOT-3', `refusal reason ${reasonId} ${reason ? 'is retired' : 'does not exist'}; pick one of GET /api/refusal-reasons`, [
      { field: 'reasonId', rule: 'R-NOT-3', message: reason ? 'retired' : 'unknown reason' },
    ]);
  }
  return { id: reason.id, label: reason.label };
}

/** One refusal, idempotent: a refused notice is answered as it is. */
function refuseOne(deps: NoticeDeps, caller: Caller, id: string, reason: { id: string; label: string }, note: string | null) {
  return onNotice(deps, caller, id, (change, notice) => (notice.status === 'refused' ? null : refuse(deps, change, notice, reason, note)));
}

/** Input: a notice id, `{ reasonId, note? }`. Output: the notice, refused. Idempotent. */
export async function refuseNotice(deps: NoticeDeps, caller: Caller, id: string, body: unknown): Promise<{ notice: Notice; changed: boolean }> {
  const input = parseInput(refuseInput, body);
  const reason = await activeReason(deps, caller, input.reasonId);
  return refuseOne(deps, caller, id, reason, input.note ?? null);
}

/**
 * R-NOT-7: an approved, unpaid notice goes back to `sent`: its invoice is voided, its pending term
 * too; staff edit the offer and approve again, which issues a new invoice.
 */
export async function resetNotice(deps: NoticeDeps, caller: Caller, id: string): Promise<{ notice: Notice; changed: boolean }> {
  return onNotice(deps, caller, id, async (change, notice) => {
    if (OPEN_STATUSES.has(notice.status)) return null;
    if (!awaitingPayment(notice)) throw new ConflictError('notice_not_resettable', `notice ${id} is ${notice.status}${notice.paidAt ? ' and paid' : ''}; only an approved, unpaid notice can be reset`);
    await withdrawApproval(deps, change, notice, 'notice reset');
    change.event('notice_reset', { noticeId: id, invoiceId: notice.invoiceId });
    return writeNotice(change, withEntry({ ...notice, status: 'sent', approved: null, invoiceId: null }, entry(change, 'reset', { voidedInvoiceId: notice.invoiceId })));
  });
}

/**
 * R-NOT-8: staff send the notice again (a reminder with a fresh answer link), or, once approved
 * and unpaid, its invoice again.
 */
export async function remindNotice(deps: NoticeDeps, caller: Caller, id: string): Promise<{ notice: Notice; changed: boolean }> {
  return onNotice(deps, caller, id, async (change, notice) => {
    const now = change.now.toISOString();
    if (awaitingPayment(notice)) {
      const invoice = await deps.store.getInvoice(caller.orgId, notice.invoiceId!);
      if (!invoice || invoice.status !== 'open') throw new ConflictError('invoice_not_open', `invoice ${notice.invoiceId} is ${invoice?.status ?? 'missing'}`);
      change.event('invoice_resent', { invoiceId: invoice.id });
      emailRenewalInvoice(change, invoice, notice.next.planName, true);
      return writeNotice(change, withEntry({ ...notice, lastContactAt: now }, entry(change, 'invoice_resent', { invoiceId: invoice.id })));
    }
    if (notice.status === 'intervention_required') throw new ConflictError('intervention_required', `the member of notice ${id} is flagged for intervention (R-NOT-6): clear the flag first`);
    if (!answerable(change)) throw new ConflictError('notice_not_answerable', `notice ${id} is ${notice.status}; its membership is ${change.membership.status}: there is nothing to remind`);
    const reminders = notice.reminders + 1;
    change.event('notice_reminded', { noticeId: id, automatic: false, reminder: reminders });
    emailNotice(change, notice, reminders);
    return writeNotice(change, withEntry({ ...notice, reminders, lastContactAt: now }, entry(change, 'reminded', { automatic: false, reminder: reminders })));
  });
}

/** R-NOT-7, R-NOT-2: staff change the offered term (plan, price) of an open notice. */
export async function editNotice(deps: NoticeDeps, caller: Caller, id: string, body: unknown): Promise<{ notice: Notice; changed: boolean }> {
  const patch = parseInput(noticePatch, body);
  const plan = patch.planId ? await deps.store.getPlan(caller.orgId, patch.planId) : null;
  if (patch.planId && !plan) throw new NotFoundError('plan', patch.planId);
  if (plan && (plan.billing.cadence !== 'upfront' || plan.termMonths === undefined)) {
    throw new RuleViolationError('R-NOT-7', `plan ${plan.id} is not billed upfront by term; a renewal term needs one`, [{ field: 'planId', rule: 'R-NOT-7', message: 'needs an upfront plan with a term' }]);
  }
  return onNotice(deps, caller, id, (change, notice) => {
    if (!OPEN_STATUSES.has(notice.status)) throw new ConflictError('notice_not_editable', `notice ${id} is ${notice.status}; reset it first (R-NOT-7)`);
    const target = plan ?? null;
    const price = patch.price ?? (target ? target.price : notice.next.price);
    const currency = target ? target.price.currency : notice.next.price.currency;
    if (price.currency !== currency) {
      throw new ValidationError(`price.currency must be ${currency}, the plan's currency`, [{ field: 'price.currency', message: `must be ${currency}` }]);
    }
    const termMonths = target ? target.termMonths! : notice.next.termMonths;
    const next = {
      ...notice.next,
      ...(target ? { planId: target.id, planName: target.name } : {}),
      price,
      termMonths,
      end: termAt(notice.next.start, termMonths, 0).end,
    };
    change.event('notice_edited', { noticeId: id, next });
    return writeNotice(change, withEntry({ ...notice, next }, entry(change, 'edited', { planId: next.planId, price, end: next.end })));
  });
}

export interface BulkResult {
  id: string;
  ok: boolean;
  status?: string;
  changed?: boolean;
  error?: { code: string; message: string };
}

/**
 * R-NOT-3: approve or refuse up to 100 notices in one request: one result per id, in the order
 * given (a repeated id once). Each is its own decision: one refused does not stop the others, and
 * doing it again changes nothing.
 */
export async function bulkNotices(deps: NoticeDeps, caller: Caller, body: unknown): Promise<{ results: BulkResult[] }> {
  const input = parseInput(bulkInput, body);
  const reason = input.action === 'refuse' ? await activeReason(deps, caller, input.reasonId) : null;
  const results: BulkResult[] = [];
  for (const id of [...new Set(input.ids)]) {
    try {
      const out =
        input.action === 'approve'
          ? await approveNotice(deps, caller, id)
          : await refuseOne(deps, caller, id, reason!, input.note ?? null);
      results.push({ id, ok: true, status: out.notice.status, changed: out.changed });
    } catch (error) {
      if (!(error instanceof ConflictError) && !(error instanceof NotFoundError) && !(error instanceof RuleViolationError)) throw error;
      results.push({ id, ok: false, error: { code: error instanceof ConflictError ? error.code : error instanceof NotFoundError ? 'not_found' : 'rule_violation', message: error.message } });
    }
  }
  return { results };
}

export async function getNotice(deps: Pick<Deps, 'store'>, caller: Caller, id: string): Promise<Notice> {
  return findNotice(deps, caller, id);
}

/** R-NOT-9: one dashboard, newest first, a page at a time: one Query. */
export async function listBoard(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, query: { board?: string | undefined; limit?: number; cursor?: string | undefined }): Promise<Page<Notice>> {
  const board = (query.board ?? 'active') as NoticeBoard;
  if (!NOTICE_BOARDS.includes(board)) {
    throw new ValidationError(`board must be one of ${NOTICE_BOARDS.join(', ')}`, [{ field: 'board', message: `one of ${NOTICE_BOARDS.join(', ')}` }]);
  }
  return deps.store.listNotices(caller.orgId, board, deps.clock.now(), { limit: query.limit ?? 25, cursor: query.cursor });
}

/** A dashboard row (R-NOT-9): the notice without its timeline (the "to remind" index projects no more). */
export function noticeRowView(n: Notice) {
  return {
    id: n.id,
    membershipId: n.membershipId,
    memberId: n.memberId,
    memberName: n.memberName,
    memberEmail: n.memberEmail,
    planName: n.planName,
    termEnd: n.termEnd,
    mode: n.mode,
    status: n.status,
    sentAt: n.sentAt,
    lastContactAt: n.lastContactAt,
    reminders: n.reminders,
    message: n.message,
    answeredAt: n.answeredAt,
    next: n.next,
    approved: n.approved,
    invoiceId: n.invoiceId,
    paidAt: n.paidAt,
    refusal: n.refusal,
  };
}

/** A notice as the API answers it: its row, whether it is still in process, and its timeline. */
export function noticeView(n: Notice) {
  return { ...noticeRowView(n), inProcess: inProcess(n), timeline: n.timeline, version: n.version };
}
