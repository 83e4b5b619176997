import { addDays, type LocalDate, maxDate } from '../domain/calendar.js';
import { amountDue, nextBillingDate, periodEnd, termAt } from '../domain/billing.js';
import { deterministicId } from '../domain/ids.js';
import { type Invoice, openInvoice } from '../domain/invoice.js';
import { signLink } from '../domain/links.js';
import { billingScheduleOf, describePeriod, type Membership, type PlannedTimer, type Term } from '../domain/membership.js';
import { renewalPolicyOf } from '../domain/plan.js';
import { endOfLocalDay, reminderKey } from '../domain/timers.js';
import type { Deps } from '../deps.js';
import { chargeCard } from './charges.js';
import type { MembershipChange } from './membership-change.js';

/**
 * What each timer does when it falls due (R-REN-2…7, R-BIL-1, R-CAN-1). Each action changes
 * the membership so that its timer leaves the plan; charges carry idempotency keys derived
 * from deterministic invoice ids, so a retried action charges once.
 */
type ActDeps = Pick<Deps, 'payments' | 'linkKeys' | 'config' | 'newId' | 'clock'>;

export async function act(deps: ActDeps, change: MembershipChange, timer: PlannedTimer, due: PlannedTimer[]): Promise<void> {
  switch (timer.kind) {
    case 'termination':
      return terminate(change);
    case 'start':
      return activate(change);
    case 'term_end':
      return endTerm(deps, change);
    case 'billing':
      return bill(deps, change, timer.ref);
    case 'reminder':
      return remind(deps, change, Number(timer.ref), due);
  }
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
  endCurrentTerm(change);
  m.status = 'terminated';
  change.event('membership_terminated', { terminationDate: m.terminationDate });
}

/** The start date is reached: the first term begins; a cancellation made meanwhile stays in force. */
function activate(change: MembershipChange): void {
  const m = change.membership;
  const first = change.term(m.currentTerm.seq);
  if (first && first.status === 'pending') writeTerm(change, { ...first, status: 'active' }, first.version);
  m.started = true;
  if (m.status === 'pending') m.status = 'active';
  change.event('membership_activated', { startDate: m.startDate, status: m.status });
}

/** The term after the current one, counted from the term anchor. */
export function nextTerm(m: Membership): { seq: number; start: LocalDate; end: LocalDate } {
  const months = m.billing.termMonths;
  if (months === null) throw new Error(`membership ${m.id} has no term length`);
  const seq = m.currentTerm.seq + 1;
  return { seq, ...termAt(m.termAnchor.date, months, seq - m.termAnchor.seq) };
}

async function endTerm(deps: ActDeps, change: MembershipChange): Promise<void> {
  const m = change.membership;
  const policy = renewalPolicyOf(change.ctx.plan);
  const renews = policy === 'automatic' || (policy === 'confirmation' && m.renewal?.termSeq === m.currentTerm.seq);
  if (renews) await renew(deps, change);
  else expire(change);
}

/** R-REN-2, R-REN-4 (no click): the membership expires and, per R-CAN-1, terminates on its billing eve. */
function expire(change: MembershipChange): void {
  const m = change.membership;
  const end = m.currentTerm.end!;
  endCurrentTerm(change);
  m.status = 'expired';
  m.terminationDate = m.billing.cadence === 'monthly' && m.nextBillingDate !== null ? maxDate(end, addDays(m.nextBillingDate, -1)) : end;
  change.event('membership_expired', { termEnd: end, terminationDate: m.terminationDate });
  change.emailMember('expired', { memberName: change.ctx.member.name, planName: change.ctx.plan.name, termEnd: end });
}

/**
 * R-REN-3, R-REN-4 (clicked): the next full term starts. An upfront plan charges the term to
 * the card on file, or e-mails a renewal invoice when there is none; a monthly plan keeps
 * billing monthly. The new term takes the plan's current price.
 */
async function renew(deps: ActDeps, change: MembershipChange): Promise<void> {
  const m = change.membership;
  const { member, plan } = change.ctx;
  const term = nextTerm(m);
  endCurrentTerm(change);
  const existing = change.term(term.seq);
  m.billing = { ...m.billing, price: plan.price };
  m.currentTerm = term;
  m.renewal = null;
  const base = { memberName: member.name, planName: plan.name, newTermStart: term.start, newTermEnd: term.end, cadence: m.billing.cadence };
  let invoiceId: string | null = null;
  let charged: { amount: Invoice['amount']; brand: string; last4: string } | null = null;
  if (m.billing.cadence === 'upfront') {
    const invoice = await issueAndCharge(deps, change, {
      id: deterministicId('inv', m.id, 'term', term.seq),
      amount: m.billing.price,
      periodStart: term.start,
      periodEnd: term.end,
      renewal: true,
    });
    invoiceId = invoice.id;
    m.nextBillingDate = nextBillingDate(billingScheduleOf(m), term.start);
    if (invoice.status === 'paid' && member.paymentMethod) charged = { amount: invoice.amount, brand: member.paymentMethod.brand, last4: member.paymentMethod.last4 };
  }
  writeTerm(change, { membershipId: m.id, seq: term.seq, start: term.start, end: term.end, status: 'active', invoiceId, createdAt: existing?.createdAt ?? change.now.toISOString() }, existing?.version ?? 0);
  change.event('term_renewed', { seq: term.seq, start: term.start, end: term.end, invoiceId });
  const clickedEarlier = existing !== undefined;
  if (!clickedEarlier && (m.billing.cadence === 'monthly' || charged !== null)) {
    change.emailMember('renewal_confirmation', { ...base, charged });
  }
}

/** R-BIL-1: a monthly billing date: invoice the period and charge it. */
async function bill(deps: ActDeps, change: MembershipChange, date: LocalDate): Promise<void> {
  const m = change.membership;
  const schedule = billingScheduleOf(m);
  await issueAndCharge(deps, change, {
    id: deterministicId('inv', m.id, 'bill', date),
    amount: amountDue(schedule, m.billing.price, date),
    periodStart: date,
    periodEnd: periodEnd(schedule, date),
    renewal: false,
  });
  m.nextBillingDate = nextBillingDate(schedule, date);
}

/**
 * Issues an invoice due today and charges the card on file (see chargeCard). Without a card,
 * the invoice is e-mailed: the renewal invoice of R-REN-3, or a monthly instalment.
 */
export async function issueAndCharge(
  deps: ActDeps,
  change: MembershipChange,
  spec: { id: string; amount: Invoice['amount']; periodStart: LocalDate; periodEnd: LocalDate | null; renewal: boolean },
): Promise<Invoice> {
  const { member, plan, settings } = change.ctx;
  let invoice = openInvoice({
    ...spec,
    membership: change.membership,
    description: describePeriod(plan.name, spec.periodStart, spec.periodEnd),
    issueDate: change.today,
    dueDate: change.today,
    now: change.now,
  });
  change.event('invoice_issued', { invoiceId: invoice.id, amount: invoice.amount, periodStart: spec.periodStart, periodEnd: spec.periodEnd });
  if (invoice.amount.amount === 0) {
    invoice = { ...invoice, status: 'paid', payment: { chargeId: 'none', paidAt: invoice.createdAt, method: 'recorded' } };
  }
  change.write({ kind: 'invoice', value: invoice });
  if (member.paymentMethod) return chargeCard(deps, change, invoice, 1);
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
    });
  }
  return invoice;
}

/**
 * R-REN-6, R-REN-7: one reminder, at 09:00 on `end − days`, to an opted-in member. When
 * several are due at once (a late delivery), only the one closest to the term end is sent.
 */
async function remind(deps: ActDeps, change: MembershipChange, days: number, due: PlannedTimer[]): Promise<void> {
  const m = change.membership;
  const { member, plan } = change.ctx;
  m.remindersDone.push(reminderKey(m.currentTerm.seq, days));
  const closer = due.some((t) => t.kind === 'reminder' && Number(t.ref) < days);
  if (closer || !member.communicationsOptIn) {
    change.event('reminder_skipped', { days, reason: closer ? 'superseded by a later reminder' : 'communications opt-in is off' });
    return;
  }
  const end = m.currentTerm.end!;
  const next = nextTerm(m);
  const policy = renewalPolicyOf(plan);
  const link = (purpose: 'renew' | 'cancel') =>
    `${deps.config.PUBLIC_BASE_URL}/l/${signLink(deps.linkKeys, {
      purpose,
      orgId: m.orgId,
      membershipId: m.id,
      exp: Math.floor(endOfLocalDay(end, change.ctx.settings.timeZone).getTime() / 1000),
    })}`;
  const common = { memberName: member.name, planName: plan.name, termEnd: end, newTermEnd: next.end, amount: plan.price, cadence: m.billing.cadence };
  if (policy === 'automatic') {
    const card = member.paymentMethod;
    change.emailMember('reminder_automatic', {
      ...common,
      renewalDate: next.start,
      cardOnFile: card ? { brand: card.brand, last4: card.last4 } : null,
      cancelUrl: link('cancel'),
    });
  } else if (policy === 'confirmation') {
    change.emailMember('reminder_confirmation', { ...common, renewUrl: link('renew') });
  }
  change.event('reminder_sent', { days, policy, termEnd: end });
}
