import { terminationAfterToday } from '../domain/billing.js';
import { addDays, daysBetween as calendarDaysBetween, type LocalDate, localDateOf, maxDate, minDate } from '../domain/calendar.js';
import {
  daysBetween,
  deadlineOf,
  type DunningRun,
  executionNameOf,
  type CardLog,
  type FinalAction,
  logged,
  nextRetryDay,
  OFFLINE_REMINDER_DAYS,
  type RecoveredBy,
  runTicks,
  type RunState,
} from '../domain/dunning.js';
import type { Invoice } from '../domain/invoice.js';
import { billingScheduleOf, type Membership } from '../domain/membership.js';
import type { PaymentAttempt } from '../domain/payment.js';
import type { Plan } from '../domain/plan.js';
import type { DunningOutlook, OfflinePaymentMethod } from '../ports/emails.js';
import type { MembershipChange } from './membership-change.js';

/**
 * The dunning run inside a membership change (R-DUN-1…6, R-DUN-9): starting one, what its
 * e-mails promise, and ending it. Everything here only adds writes and e-mails to the change, so
 * the run, the invoice and the membership always move together, in one transaction.
 */

/** Automatic payments: a failure of one of these starts a run (a member's own card payment does not). */
const AUTOMATIC: ReadonlySet<PaymentAttempt['purpose']> = new Set(['purchase', 'billing', 'renewal']);

/** Templates of the dunning series: never sent once their invoice is no longer owed. */
export const DUNNING_TEMPLATES: ReadonlySet<string> = new Set(['payment_failed', 'dunning_followup', 'dunning_final_warning', 'invoice_reminder', 'invoice']);

/**
 * The last day of service if the run ends in cancellation: the billing eve after `day`
 * (monthly), `day` itself (upfront: an unpaid term is not given away); never before the start of
 * a membership bought ahead (its unpaid first period is then its last).
 */
function cancellationDate(m: Membership, day: LocalDate): LocalDate {
  const date = m.billing.cadence === 'monthly' ? terminationAfterToday(billingScheduleOf(m), day, m.nextBillingDate) : maxDate(day, m.startDate);
  const floor = date < day ? day : date;
  return m.terminationDate !== null ? minDate(m.terminationDate, floor) : floor;
}

/** The day a downgrade takes effect: the next billing date after `day` (monthly), the next term's start (upfront). */
function downgradeDate(m: Membership, day: LocalDate): LocalDate {
  if (m.billing.cadence === 'monthly' && m.nextBillingDate !== null && m.nextBillingDate > day) return m.nextBillingDate;
  if (m.billing.cadence === 'upfront' && m.currentTerm.end !== null && m.currentTerm.end >= day) return addDays(m.currentTerm.end, 1);
  return addDays(day, 1);
}

/** What the member is told will happen if nothing is paid by the run's deadline (R-DUN-3). */
export function outlookOf(m: Membership, run: DunningRun, fallback: Plan | null): DunningOutlook {
  const deadline = deadlineOf(run);
  if (run.finalAction === 'cancel') return { finalAction: 'cancel', deadline, stopDate: cancellationDate(m, deadline), fallback: null };
  if (run.finalAction === 'downgrade' && fallback) {
    return { finalAction: 'downgrade', deadline, stopDate: downgradeDate(m, deadline), fallback: { planName: fallback.name, amount: fallback.price, cadence: fallback.billing.cadence } };
  }
  return { finalAction: 'leave_unpaid', deadline, stopDate: null, fallback: null };
}

export { cancellationDate, downgradeDate };

function newRun(change: MembershipChange, invoice: Invoice, spec: Pick<DunningRun, 'kind' | 'days' | 'finalAction' | 'fallbackPlanId' | 'startDay'>): DunningRun {
  const now = change.now.toISOString();
  return {
    orgId: change.orgId,
    invoiceId: invoice.id,
    membershipId: invoice.membershipId,
    memberId: invoice.memberId,
    ...spec,
    state: 'active',
    amount: invoice.amount,
    startedAt: now,
    ticksDone: 0,
    nextAt: null,
    attempts: [],
    lastDecline: null,
    emails: 0,
    followUps: 0,
    endedAt: null,
    endReason: null,
    recovered: null,
    outcome: null,
    executionName: executionNameOf(change.orgId, invoice.id, spec.kind),
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** Writes the run with its next tick's instant, as the step function will wait for it. */
export function writeRun(change: MembershipChange, run: DunningRun): DunningRun {
  const ticks = runTicks(run, change.ctx.settings.timeZone);
  const next = run.state === 'active' ? (ticks[run.ticksDone]?.at ?? null) : null;
  const value: DunningRun = { ...run, nextAt: next, updatedAt: change.now.toISOString() };
  change.write({ kind: 'dunning', value });
  return value;
}

/**
 * An automatic charge of an open invoice failed (R-DUN-1, R-DUN-3, R-DUN-5). The first failure
 * starts the run: e-mail 1 to the member, one notice to the organisation (R-CAN-7). A later
 * failure (a retry, a new card) is recorded on the run and gets the next follow-up, except the
 * last retry's: the final action follows it. `late`: the member was already told of this attempt.
 */
export function onChargeFailed(
  change: MembershipChange,
  invoice: Invoice,
  attempt: PaymentAttempt,
  stored: DunningRun | null,
  opts: { late: boolean; fallback: Plan | null; authenticateUrl: string | null; cardLog: CardLog | null },
): void {
  const failure = attempt.failure!;
  const now = change.now.toISOString();
  const card = attempt.paymentMethod;
  const { member, plan, settings } = change.ctx;
  const tz = settings.timeZone;
  let run = stored;
  if (run === null) {
    if (!AUTOMATIC.has(attempt.purpose) || opts.late) return;
    run = newRun(change, invoice, {
      kind: 'failed_payment',
      days: [...plan.dunning.retryDays],
      finalAction: plan.dunning.finalAction,
      fallbackPlanId: plan.dunning.fallbackPlanId,
      startDay: localDateOf(change.now, tz),
    });
    run = { ...run, attempts: card ? [{ at: attempt.createdAt, card, brand: attempt.card?.brand ?? 'unknown' }] : [], lastDecline: { code: failure.code, hard: failure.hard, at: now, card }, emails: 1 };
    run = writeRun(change, run);
    if (card) change.write({ kind: 'card_log', value: logged(opts.cardLog, { orgId: change.orgId, memberId: invoice.memberId, card }, attempt.createdAt) });
    const started = run;
    change.afterCommit.push(() => emitMetrics(started.orgId, started.amount.currency, [{ Name: 'DunningStarted', Unit: 'Count' }], { DunningStarted: 1 }));
    change.event('dunning_started', { invoiceId: invoice.id, executionName: run.executionName, retryDays: run.days, finalAction: run.finalAction, hard: failure.hard });
    const ticks = runTicks(run, tz);
    change.emailMember('payment_failed', {
      memberName: member.name,
      planName: plan.name,
      invoiceId: invoice.id,
      amount: invoice.amount,
      card: attempt.card ?? { brand: 'card', last4: '••••' },
      hardDecline: failure.hard,
      authenticateUrl: opts.authenticateUrl,
      nextRetryOn: failure.hard ? null : nextRetryDay(ticks, 0, tz),
      outlook: outlookOf(change.membership, run, opts.fallback),
      updatePaymentUrl: change.link('update_payment'),
    });
    change.emailOrganisation('payment_failed_org', {
      memberName: member.name,
      memberEmail: member.email,
      planName: plan.name,
      invoiceId: invoice.id,
      amount: invoice.amount,
      declineCode: failure.code,
      hardDecline: failure.hard,
      membershipUrl: change.membershipUrl(),
    });
    return;
  }
  if (run.state !== 'active') return;
  run = { ...run, lastDecline: { code: failure.code, hard: failure.hard, at: now, card } };
  const ticks = runTicks(run, tz);
  // The last retry failed: only the final action is left, and it says so itself.
  const finalNext = run.kind === 'failed_payment' && ticks[run.ticksDone]?.kind === 'final';
  if (opts.late || finalNext) {
    writeRun(change, run);
    return;
  }
  run = { ...run, emails: run.emails + 1, followUps: run.followUps + 1 };
  writeRun(change, run);
  sendFollowUp(change, run, invoice, { card: attempt.card, hard: failure.hard, code: failure.code, fallback: opts.fallback, authenticateUrl: opts.authenticateUrl });
}

/** R-DUN-3: follow-up number `run.followUps` (its text differs each time). The caller has counted it. */
export function sendFollowUp(
  change: MembershipChange,
  run: DunningRun,
  invoice: Invoice,
  d: { card: { brand: string; last4: string } | null; hard: boolean; code: string | null; fallback: Plan | null; authenticateUrl: string | null },
): void {
  if (run.kind === 'offline_invoice') return;
  const tz = change.ctx.settings.timeZone;
  const ticks = runTicks(run, tz);
  const cardOnFile = change.ctx.member.paymentMethod;
  // After a hard decline only a new card is tried: no retry date unless one was given since.
  const hardOnFile = d.hard && (cardOnFile === null || cardOnFile.gatewayRef === run.lastDecline?.card);
  change.emailMember('dunning_followup', {
    memberName: change.ctx.member.name,
    planName: change.ctx.plan.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    followUp: run.followUps,
    card: d.card,
    hardDecline: d.hard,
    declineCode: d.code,
    nextRetryOn: hardOnFile ? null : nextRetryDay(ticks, run.ticksDone, tz),
    outlook: outlookOf(change.membership, run, d.fallback),
    updatePaymentUrl: change.link('update_payment'),
    authenticateUrl: d.authenticateUrl,
  });
}

/**
 * Ends an active run: recovered (by a payment), lost (the final action), canceled (voided or
 * the membership ended). A recovered run sends one receipt.
 */
export function endRun(
  change: MembershipChange,
  run: DunningRun,
  state: Exclude<RunState, 'active'>,
  reason: string,
  recovered?: { by: RecoveredBy },
  outcome: FinalAction | null = null,
): DunningRun {
  const now = change.now.toISOString();
  const value: DunningRun = {
    ...run,
    state,
    outcome,
    endedAt: now,
    endReason: reason,
    recovered: recovered ? { by: recovered.by, amount: run.amount, afterRetries: Math.max(0, run.attempts.length - 1), days: daysBetween(run.startedAt, now) } : null,
  };
  change.event(state === 'recovered' ? 'dunning_recovered' : state === 'lost' ? 'dunning_lost' : 'dunning_canceled', {
    invoiceId: run.invoiceId,
    kind: run.kind,
    reason,
    ...(recovered ? { by: recovered.by } : {}),
    ...(outcome ? { outcome } : {}),
  });
  change.afterCommit.push(() => metric(run, state, value));
  return writeRun(change, value);
}

/**
 * The recovery figures as CloudWatch metrics (R-DUN-10), in the Embedded Metric Format: one log
 * line per run started or ended, which CloudWatch turns into metrics without an API call.
 */
function metric(run: DunningRun, state: RunState, value: DunningRun): void {
  if (run.kind !== 'failed_payment') return;
  const name = state === 'recovered' ? 'DunningRecovered' : state === 'lost' ? 'DunningLost' : 'DunningCanceled';
  const metrics: { Name: string; Unit: string }[] = [{ Name: name, Unit: 'Count' }];
  const values: Record<string, number> = { [name]: 1 };
  if (state === 'recovered') {
    metrics.push({ Name: 'DunningRecoveredAmount', Unit: 'None' }, { Name: 'DunningDaysToRecovery', Unit: 'None' });
    values.DunningRecoveredAmount = run.amount.amount;
    values.DunningDaysToRecovery = value.recovered?.days ?? 0;
  }
  emitMetrics(run.orgId, run.amount.currency, metrics, values);
}

export function emitMetrics(orgId: string, currency: string, metrics: { Name: string; Unit: string }[], values: Record<string, number>): void {
  console.info(
    JSON.stringify({
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'Relance', Dimensions: [['OrgId', 'Currency']], Metrics: metrics }] },
      OrgId: orgId,
      Currency: currency,
      ...values,
    }),
  );
}

/**
 * An invoice was paid (R-DUN-4): its active run ends recovered, and the member gets one
 * receipt. Answers whether a run was ended (the caller sends no other confirmation then).
 */
export function onInvoicePaid(
  change: MembershipChange,
  invoice: Invoice,
  run: DunningRun | null,
  by: RecoveredBy,
  payment: { method: 'card' | OfflinePaymentMethod; card: { brand: string; last4: string } | null; reference: string | null; paidOn: LocalDate },
): boolean {
  if (run === null || run.state !== 'active') return false;
  endRun(change, run, 'recovered', by === 'staff' ? 'paid_by_staff' : 'paid', { by });
  change.emailMember('payment_receipt', {
    memberName: change.ctx.member.name,
    planName: change.ctx.plan.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    paidOn: payment.paidOn,
    method: payment.method,
    card: payment.card,
    reference: payment.reference,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
  });
  return true;
}

/**
 * R-DUN-9: an invoice issued to a member without a card on file gets its own reminders, with
 * the pay-by-card link, from a run of its own (no retries: nothing can be charged).
 */
export function startOfflineRun(change: MembershipChange, invoice: Invoice): void {
  const run = newRun(change, invoice, {
    kind: 'offline_invoice',
    days: daysAfter(invoice.dueDate, localDateOf(change.now, change.ctx.settings.timeZone)),
    finalAction: null,
    fallbackPlanId: null,
    startDay: localDateOf(change.now, change.ctx.settings.timeZone),
  });
  writeRun(change, run);
  change.event('invoice_reminders_started', { invoiceId: invoice.id, executionName: run.executionName, days: run.days });
}

/** Reminder offsets from `today`: OFFLINE_REMINDER_DAYS after the due date (at least a day from now). */
function daysAfter(dueDate: LocalDate, today: LocalDate): number[] {
  const base = Math.max(0, calendarDaysBetween(today, dueDate));
  return OFFLINE_REMINDER_DAYS.map((d) => Math.max(1, base + d));
}
