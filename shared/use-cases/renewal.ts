import { addDays, type LocalDate, maxDate, minDate } from '../domain/calendar.js';
import { amountDue, nextBillingDate, periodEnd, termAt } from '../domain/billing.js';
import { deterministicId } from '../domain/ids.js';
import { type Invoice, openInvoice } from '../domain/invoice.js';
import { signLink } from '../domain/links.js';
import { billingScheduleOf, describePeriod, type Membership, type PlannedTimer, type Term } from '../domain/membership.js';
import type { AttemptPurpose } from '../domain/payment.js';
import { renewalPolicyOf } from '../domain/plan.js';
import { cardLastDay, endOfLocalDay, pastReminders, reminderDeadline, reminderKey, renewsAtTermEnd } from '../domain/timers.js';
import type { Deps } from '../deps.js';
import { startOfflineRun } from './dunning-run.js';
import { type MembershipChange, planInputs } from './membership-change.js';
import { autoRemind, renewFromNotice, sendNotice } from './notices.js';
import { requestCharge } from './payments.js';

/**
 * What each timer does when it falls due (R-REN-2…7, R-BIL-1, R-CAN-1). Each action changes
 * the membership so that its timer leaves the plan, and changes its status only through the
 * status table (R-MNY-7). Charges are payment attempts written in the same change (R-MNY-2),
 * keyed by deterministic invoice ids, so a retried action charges once.
 */
type ActDeps = Pick<Deps, 'linkKeys' | 'config' | 'clock'>;

export function act(deps: ActDeps, change: MembershipChange, timer: PlannedTimer): void {
  switch (timer.kind) {
    case 'termination':
      return terminate(change);
    case 'start':
      return activate(change);
    case 'term_end':
      return endTerm(change);
    case 'billing':
      return bill(change, timer.ref);
    case 'reminder':
      return remind(deps, change, timer);
    case 'card_expiry':
      return cardNotice(change, timer);
    case 'notice':
      return sendNotice(change);
    case 'notice_reminder':
      return autoRemind(change);
  }
}

/**
 * R-DUN-7, R-CAN-7, R-CAN-8: the card on file expires soon (or today): its owner and the
 * organisation are told, with the update-card link. A card replaced or updated since has other
 * notices in the plan (the key names the card and its expiry), so this one is no longer due;
 * the mail is also dropped at sending if the card changed meanwhile.
 */
function cardNotice(change: MembershipChange, timer: PlannedTimer): void {
  const m = change.membership;
  m.cardNoticesDone = [...(m.cardNoticesDone ?? []), timer.ref].slice(-8);
  const card = change.ctx.member.paymentMethod;
  if (!card) return;
  const days = Number(timer.ref.split(':').at(-1));
  const expiresOn = cardLastDay(card);
  const today = days === 0;
  const next = nextChargeOf(change);
  const { member, plan } = change.ctx;
  change.event('card_expiry_notice', { card: { brand: card.brand, last4: card.last4 }, expiresOn, days });
  change.emailMember('card_expiring', {
    memberName: member.name,
    planName: plan.name,
    card: { brand: card.brand, last4: card.last4 },
    expiresOn,
    today,
    nextChargeOn: next?.date ?? null,
    nextChargeAmount: next?.amount ?? null,
    updatePaymentUrl: change.link('update_payment'),
    cardRef: card.gatewayRef,
  });
  change.emailOrganisation('card_expiring_org', {
    memberName: member.name,
    memberEmail: member.email,
    planName: plan.name,
    card: { brand: card.brand, last4: card.last4 },
    expiresOn,
    today,
    membershipUrl: change.membershipUrl(),
    cardRef: card.gatewayRef,
  });
}

/** The next charge of the membership's plan: its next billing date (monthly) or renewal (upfront). */
function nextChargeOf(change: MembershipChange): { date: LocalDate; amount: Invoice['amount'] } | null {
  const m = change.membership;
  if (m.billing.cadence === 'monthly') return m.nextBillingDate ? { date: m.nextBillingDate, amount: m.billing.price } : null;
  return m.currentTerm.end ? { date: addDays(m.currentTerm.end, 1), amount: change.ctx.plan.price } : null;
}

function writeTerm(change: MembershipChange, term: Term, version: number): void {
  change.write({ kind: 'term', value: { ...term, orgId: change.orgId, version } });
}

function endCurrentTerm(change: MembershipChange): void {
  const current = change.term(change.membership.currentTerm.seq);
  if (current && current.status !== 'ended') writeTerm(change, { ...current, status: 'ended' }, current.version);
}

function terminate(change: MembershipChange): void {
  const m = change.membership;
  change.apply('terminate');
  endCurrentTerm(change);
  change.event('membership_terminated', { terminationDate: m.terminationDate });
}

/**
 * The start date is reached: the first term begins; a cancellation made meanwhile stays in
 * force. Reminders whose instant passed while it waited are skipped, not sent late (R-REN-6).
 */
function activate(change: MembershipChange): void {
  const m = change.membership;
  change.apply('start');
  const first = change.term(m.currentTerm.seq);
  if (first && first.status === 'pending') writeTerm(change, { ...first, status: 'active' }, first.version);
  m.started = true;
  for (const key of pastReminders(m, planInputs(change.ctx), change.now)) if (!m.remindersDone.includes(key)) m.remindersDone.push(key);
  change.event('membership_activated', { startDate: m.startDate, status: m.status });
}

/** The term after the current one, counted from the term anchor. */
export function nextTerm(m: Membership): { seq: number; start: LocalDate; end: LocalDate } {
  const months = m.billing.termMonths;
  if (months === null) throw new Error(`membership ${m.id} has no term length`);
  const seq = m.currentTerm.seq + 1;
  return { seq, ...termAt(m.termAnchor.date, months, seq - m.termAnchor.seq) };
}

function endTerm(change: MembershipChange): void {
  const policy = renewalPolicyOf(change.ctx.plan);
  if (!renewsAtTermEnd(change.membership, policy, planInputs(change.ctx, change.notice()))) expire(change);
  else if (policy === 'notice') renewFromNotice(change, () => endCurrentTerm(change));
  else renew(change);
}

/**
 * R-REN-2, R-REN-4 (no click): the membership expires and, per R-CAN-1, terminates on its
 * billing eve — or earlier, if a cancellation date before that was set: an unrenewed expiry
 * ends the membership whatever later cancellation date was set (R-MNY-4).
 */
function expire(change: MembershipChange): void {
  const m = change.membership;
  const end = m.currentTerm.end!;
  change.apply('expire');
  endCurrentTerm(change);
  const eve = m.billing.cadence === 'monthly' && m.nextBillingDate !== null ? maxDate(end, addDays(m.nextBillingDate, -1)) : end;
  m.terminationDate = m.terminationDate === null ? eve : minDate(m.terminationDate, eve);
  change.event('membership_expired', { termEnd: end, terminationDate: m.terminationDate });
  change.emailMember('expired', { memberName: change.ctx.member.name, planName: change.ctx.plan.name, termEnd: end });
}

/**
 * R-REN-3, R-REN-4 (clicked): the next full term starts. An upfront plan charges the term to
 * the card on file (the confirmation with the new expiry date follows the payment), or e-mails
 * a renewal invoice when there is none; a monthly plan keeps billing monthly. The new term
 * takes the plan's current price.
 */
function renew(change: MembershipChange): void {
  const m = change.membership;
  const { member, plan } = change.ctx;
  change.apply('renew');
  const term = nextTerm(m);
  endCurrentTerm(change);
  const existing = change.term(term.seq);
  m.billing = { ...m.billing, price: plan.price };
  m.currentTerm = term;
  m.renewal = null;
  let invoiceId: string | null = null;
  const clickedEarlier = existing !== undefined;
  if (m.billing.cadence === 'upfront') {
    // A clicked renewal was confirmed at the click; its charge is billed as usual, with no second e-mail.
    const invoice = issueAndCharge(change, {
      id: deterministicId('inv', m.id, 'term', term.seq),
      amount: m.billing.price,
      periodStart: term.start,
      periodEnd: term.end,
      renewal: true,
      purpose: clickedEarlier ? 'billing' : 'renewal',
    });
    invoiceId = invoice.id;
    m.nextBillingDate = nextBillingDate(billingScheduleOf(m), term.start);
  }
  writeTerm(change, { membershipId: m.id, seq: term.seq, start: term.start, end: term.end, status: 'active', invoiceId, createdAt: existing?.createdAt ?? change.now.toISOString() }, existing?.version ?? 0);
  change.event('term_renewed', { seq: term.seq, start: term.start, end: term.end, invoiceId });
  if (!clickedEarlier && m.billing.cadence === 'monthly') {
    change.emailMember('renewal_confirmation', {
      memberName: member.name,
      planName: plan.name,
      newTermStart: term.start,
      newTermEnd: term.end,
      charged: null,
      cadence: m.billing.cadence,
    });
  }
}

/** R-BIL-1: a monthly billing date: invoice the period and charge it. */
function bill(change: MembershipChange, date: LocalDate): void {
  const m = change.membership;
  change.apply('bill');
  const schedule = billingScheduleOf(m);
  issueAndCharge(change, {
    id: deterministicId('inv', m.id, 'bill', date),
    amount: amountDue(schedule, m.billing.price, date),
    periodStart: date,
    periodEnd: periodEnd(schedule, date),
    renewal: false,
    purpose: 'billing',
  });
  m.nextBillingDate = nextBillingDate(schedule, date);
}

/**
 * Issues an invoice due today and writes the charge of the card on file (R-MNY-2). Without a
 * card, the invoice is e-mailed with its pay-by-card link (the renewal invoice of R-REN-3, or a
 * monthly instalment) and reminded by a run of its own (R-DUN-9).
 */
export function issueAndCharge(
  change: MembershipChange,
  spec: { id: string; amount: Invoice['amount']; periodStart: LocalDate; periodEnd: LocalDate | null; renewal: boolean; purpose: AttemptPurpose },
): Invoice {
  const { member, plan, settings } = change.ctx;
  let invoice = openInvoice({
    id: spec.id,
    amount: spec.amount,
    periodStart: spec.periodStart,
    periodEnd: spec.periodEnd,
    membership: change.membership,
    description: describePeriod(plan.name, spec.periodStart, spec.periodEnd),
    issueDate: change.today,
    dueDate: change.today,
    now: change.now,
  });
  change.membership.lastInvoiceId = invoice.id;
  change.event('invoice_issued', { invoiceId: invoice.id, amount: invoice.amount, periodStart: spec.periodStart, periodEnd: spec.periodEnd });
  if (invoice.amount.amount === 0) {
    invoice = { ...invoice, status: 'paid', payment: { reference: 'none', paidAt: invoice.createdAt, method: 'recorded' } };
  }
  change.write({ kind: 'invoice', value: invoice });
  if (member.paymentMethod) return requestCharge(change, invoice, spec.purpose);
  if (invoice.status === 'open') {
    change.emailMember('invoice', {
      memberName: member.name,
      planName: plan.name,
      invoiceId: invoice.id,
      amount: invoice.amount,
      dueDate: invoice.dueDate,
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      renewal: spec.renewal,
      replyTo: settings.replyTo,
      payUrl: change.link('update_payment'),
    });
    // R-DUN-9: its own reminders, with the pay-by-card link, until it is paid.
    startOfflineRun(change, invoice);
  }
  return invoice;
}

/**
 * R-REN-6, R-REN-7: one reminder, at 09:00 on `end − days`, to an opted-in member. A reminder
 * acted on after its deadline (the next, closer reminder, or the term end) is skipped; its mail
 * carries the same deadline, so the mail worker drops it rather than send it stale (R-MNY-6).
 */
function remind(deps: ActDeps, change: MembershipChange, timer: PlannedTimer): void {
  const m = change.membership;
  const { member, plan, settings } = change.ctx;
  const days = Number(timer.ref);
  m.remindersDone.push(reminderKey(m.currentTerm.seq, days));
  const end = m.currentTerm.end!;
  const tz = settings.timeZone;
  const deadline = reminderDeadline(end, days, plan.renewal?.reminderDays ?? [], tz);
  if (change.now >= deadline || !member.communicationsOptIn) {
    change.event('reminder_skipped', { days, reason: member.communicationsOptIn ? `its deadline ${deadline.toISOString()} has passed` : 'communications opt-in is off' });
    return;
  }
  const next = nextTerm(m);
  const policy = renewalPolicyOf(plan);
  const link = (purpose: 'renew' | 'cancel') =>
    `${deps.config.PUBLIC_BASE_URL}/l/${signLink(deps.linkKeys, {
      purpose,
      orgId: m.orgId,
      membershipId: m.id,
      exp: Math.floor(endOfLocalDay(end, tz).getTime() / 1000),
    })}`;
  const common = { memberName: member.name, planName: plan.name, termEnd: end, newTermEnd: next.end, amount: plan.price, cadence: m.billing.cadence };
  if (policy === 'automatic') {
    const card = member.paymentMethod;
    change.emailMember(
      'reminder_automatic',
      { ...common, renewalDate: next.start, cardOnFile: card ? { brand: card.brand, last4: card.last4 } : null, cancelUrl: link('cancel') },
      { notAfter: deadline },
    );
  } else if (policy === 'confirmation') {
    change.emailMember('reminder_confirmation', { ...common, renewUrl: link('renew') }, { notAfter: deadline });
  }
  change.event('reminder_sent', { days, policy, termEnd: end });
}
