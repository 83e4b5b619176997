import * as z from 'zod';
import { type CardLog, type DunningRun, logged, runTicks, type Tick, withinNetworkCaps } from '../domain/dunning.js';
import { MembershipExistsError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { billingTermsOf } from '../domain/membership.js';
import type { Plan } from '../domain/plan.js';
import { LIVE_STATUSES } from '../domain/status.js';
import { SYSTEM } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { cancellationDate, downgradeDate, endRun, outlookOf, sendFollowUp, writeRun } from './dunning-run.js';
import { commitChange, loadContext, MembershipChange, retryOnConflict } from './membership-change.js';
import { executeAttempt, requestCharge } from './payments.js';

/**
 * The steps of the dunning state machine (R-DUN-1…6, R-DUN-9). The state machine only waits;
 * each step acts on the run's next tick when it is due and answers when the one after is:
 *
 *   retry    charge the open invoice again (not after a hard decline of the same card, nor
 *            beyond the card network's caps); its failure sends the next follow-up
 *   warning  the final warning, with the exact date service stops
 *   final    once the last retry's outcome is known: the plan's final action
 *   reminder an offline invoice's reminder with its pay-by-card link
 *
 * A tick is acted on once: the run records the ticks done in the same transaction as what the
 * tick did, so a step delivered twice (a Step Functions retry, a replayed execution) finds it
 * done and answers the same next instant. A run that ended (paid, voided) ends the execution.
 */
const stepInput = z.object({
  action: z.enum(['plan', 'attempt']),
  run: z.object({ orgId: z.string().min(1), invoiceId: z.string().min(1) }),
  step: z.object({ attempt: z.number().int().min(0).optional() }).passthrough().optional(),
  executionName: z.string().optional(),
});

export interface DunningStep {
  done: boolean;
  nextAttemptAt: string | null;
  /** The tick the next step acts on (the run's ticks done so far). */
  attempt: number;
  outcome: 'waiting' | 'acted' | 'recovered' | 'lost' | 'canceled' | 'reminders_sent' | 'invoice_gone';
}

type DunDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'payments' | 'linkKeys'>;

/** How long a step waits for an outcome the gateway has not given yet (the payment worker is on it). */
const OUTCOME_WAIT_MS = 15 * 60_000;
/** A wake-up this early is not early: the scheduler's and the wait's precision. */
const EARLY_MS = 60_000;

export async function dunningStep(deps: DunDeps, input: unknown): Promise<DunningStep> {
  const { action, run: ref, step } = parseInput(stepInput, input, 'dunning step');
  let run = await deps.store.getRun(ref.orgId, ref.invoiceId);
  if (!run) return { done: true, nextAttemptAt: null, attempt: 0, outcome: 'invoice_gone' };
  const settings = await deps.store.getSettings(ref.orgId);
  if (!settings) return { done: true, nextAttemptAt: null, attempt: run.ticksDone, outcome: 'invoice_gone' };
  const ticks = runTicks(run, settings.timeZone);
  if (action === 'attempt' && run.state === 'active') {
    const tick = ticks[run.ticksDone];
    const wanted = step?.attempt ?? run.ticksDone;
    if (tick && tick.index <= wanted && Date.parse(tick.at) - EARLY_MS <= deps.clock.now().getTime()) {
      const result = await actOn(deps, run, tick);
      if (result === 'later') return { done: false, nextAttemptAt: new Date(deps.clock.now().getTime() + OUTCOME_WAIT_MS).toISOString(), attempt: tick.index, outcome: 'waiting' };
      run = (await deps.store.getRun(ref.orgId, ref.invoiceId)) ?? run;
    }
  }
  return answer(run, ticks, deps.clock.now());
}

function answer(run: DunningRun, ticks: Tick[], now: Date): DunningStep {
  if (run.state !== 'active') return { done: true, nextAttemptAt: null, attempt: run.ticksDone, outcome: run.state };
  const next = ticks[run.ticksDone];
  if (!next) return { done: true, nextAttemptAt: null, attempt: run.ticksDone, outcome: 'reminders_sent' };
  const at = Date.parse(next.at) > now.getTime() ? next.at : now.toISOString();
  return { done: false, nextAttemptAt: at, attempt: next.index, outcome: 'acted' };
}

/**
 * Acts on one due tick. Answers 'later' when it must wait for a payment outcome still unknown.
 */
async function actOn(deps: DunDeps, run: DunningRun, tick: Tick): Promise<'done' | 'later'> {
  // An attempt of the invoice still in flight is settled first (R-MNY-2): never two at once.
  const invoice = await deps.store.getInvoice(run.orgId, run.invoiceId);
  if (invoice?.openAttemptId) {
    await executeAttempt(deps, { orgId: run.orgId, membershipId: run.membershipId, id: invoice.openAttemptId });
    const again = await deps.store.getInvoice(run.orgId, run.invoiceId);
    if (again?.openAttemptId) return 'later';
  }
  let fallback = run.fallbackPlanId ? await deps.store.getPlan(run.orgId, run.fallbackPlanId) : null;
  // A downgrade needs the member's place on the fallback plan: if another live membership holds
  // it, the run leaves the invoice unpaid instead (found before the change, which then plans the
  // timers of the plan it keeps).
  if (tick.kind === 'final' && run.finalAction === 'downgrade' && fallback && (await holdsPlan(deps, run, fallback.id))) fallback = null;
  let charge: string | null;
  try {
    charge = await inTick(deps, run, tick, async (change, current, invoice) => {
      const card = change.ctx.member.paymentMethod;
      const cardLog = tick.kind === 'retry' && card ? await deps.store.getCardLog(run.orgId, run.memberId, card.gatewayRef) : null;
      return decide(change, current, invoice, tick, { fallback, cardLog });
    });
  } catch (error) {
    // The fallback plan's place is taken (the member already has a membership on it): leave it unpaid instead.
    if (!(error instanceof MembershipExistsError)) throw error;
    charge = await inTick(deps, run, tick, async (change, current, invoice) => {
      change.event('dunning_downgrade_refused', { invoiceId: invoice.id, fallbackPlanId: run.fallbackPlanId, reason: 'the member already has a membership on the fallback plan' });
      leaveUnpaid(change, { ...current, ticksDone: tick.index + 1 }, invoice);
      return null;
    });
  }
  if (charge) await executeAttempt(deps, { orgId: run.orgId, membershipId: run.membershipId, id: charge });
  return 'done';
}

/** Whether another live membership of the run's member is on `planId`. */
async function holdsPlan(deps: DunDeps, run: DunningRun, planId: string): Promise<boolean> {
  const { items } = await deps.store.listMembershipsOfMember(run.orgId, run.memberId, { limit: 100 });
  return items.some((m) => m.id !== run.membershipId && m.planId === planId && LIVE_STATUSES.has(m.status));
}

/**
 * Runs `decide` in a change of the run's membership, from a fresh read, unless the tick was
 * acted on meanwhile (then nothing); commits; answers what `decide` answered (a charge to make).
 */
async function inTick(
  deps: DunDeps,
  run: DunningRun,
  tick: Tick,
  decide: (change: MembershipChange, current: DunningRun, invoice: Invoice) => Promise<string | null>,
): Promise<string | null> {
  return retryOnConflict(async () => {
    const [ctx, current, invoice] = await Promise.all([
      loadContext(deps, run.orgId, run.membershipId),
      deps.store.getRun(run.orgId, run.invoiceId),
      deps.store.getInvoice(run.orgId, run.invoiceId),
    ]);
    if (!current || current.state !== 'active' || current.ticksDone !== tick.index || !invoice) return null;
    const change = new MembershipChange(deps, ctx, SYSTEM);
    const charge = await decide(change, current, invoice);
    await commitChange(deps, change, { skipPastReminders: true });
    return charge;
  });
}

/** Decides one tick inside a change; answers the id of a charge to carry out after the commit. */
function decide(change: MembershipChange, run: DunningRun, invoice: Invoice, tick: Tick, extra: { fallback: Plan | null; cardLog: CardLog | null }): string | null {
  const m = change.membership;
  const done = { ...run, ticksDone: tick.index + 1 };
  if (invoice.status === 'void') {
    endRun(change, done, 'canceled', 'invoice_voided');
    return null;
  }
  if (invoice.status !== 'open') {
    endRun(change, done, invoice.status === 'paid' ? 'recovered' : 'lost', `invoice_${invoice.status}`, invoice.status === 'paid' ? { by: 'staff' } : undefined);
    return null;
  }
  if (!LIVE_STATUSES.has(m.status)) {
    endRun(change, done, 'canceled', `membership_${m.status}`);
    return null;
  }
  switch (tick.kind) {
    case 'reminder':
      remind(change, done, invoice, tick.n);
      return null;
    case 'warning':
      warn(change, done, invoice, extra.fallback);
      return null;
    case 'final':
      applyFinalAction(change, done, invoice, extra.fallback);
      return null;
    case 'retry':
      return retry(change, done, invoice, tick, extra);
  }
}

function retry(change: MembershipChange, run: DunningRun, invoice: Invoice, tick: Tick, extra: { fallback: Plan | null; cardLog: CardLog | null }): string | null {
  const card = change.ctx.member.paymentMethod;
  const last = tick.n === run.days.length;
  let skip: string | null = null;
  if (!card) skip = 'no_card';
  else if (run.lastDecline?.hard && run.lastDecline.card === card.gatewayRef) skip = 'hard_decline';
  else {
    // R-DUN-2: the caps count the card's attempts across all the member's invoices (its log).
    const cap = withinNetworkCaps(card.brand, extra.cardLog?.attempts ?? [], change.now);
    if (!cap.ok) skip = `network_cap: ${cap.rule}`;
  }
  if (skip !== null) {
    change.event('dunning_retry_skipped', { invoiceId: invoice.id, retry: tick.n, reason: skip });
    // The member is asked again for a new card, except after the last retry: the final action follows.
    const next = last ? run : { ...run, emails: run.emails + 1, followUps: run.followUps + 1 };
    writeRun(change, next);
    if (!last) {
      sendFollowUp(change, next, invoice, {
        card: card ? { brand: card.brand, last4: card.last4 } : null,
        hard: skip === 'hard_decline' || skip === 'no_card',
        code: run.lastDecline?.code ?? null,
        fallback: extra.fallback,
        authenticateUrl: null,
      });
    }
    return null;
  }
  const requested = requestCharge(change, invoice, 'retry');
  if (requested === invoice) {
    writeRun(change, run);
    return null;
  }
  const at = change.now.toISOString();
  writeRun(change, { ...run, attempts: [...run.attempts, { at, card: card!.gatewayRef, brand: card!.brand }] });
  change.write({ kind: 'card_log', value: logged(extra.cardLog, { orgId: change.orgId, memberId: run.memberId, card: card!.gatewayRef }, at) });
  change.event('dunning_retry', { invoiceId: invoice.id, retry: tick.n, attemptId: requested.openAttemptId });
  return requested.openAttemptId;
}

function warn(change: MembershipChange, run: DunningRun, invoice: Invoice, fallback: Plan | null): void {
  const next = { ...run, emails: run.emails + 1 };
  writeRun(change, next);
  const card = change.ctx.member.paymentMethod;
  change.event('dunning_final_warning', { invoiceId: invoice.id });
  change.emailMember('dunning_final_warning', {
    memberName: change.ctx.member.name,
    planName: change.ctx.plan.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    card: card ? { brand: card.brand, last4: card.last4 } : null,
    outlook: outlookOf(change.membership, next, fallback),
    updatePaymentUrl: change.link('update_payment'),
  });
}

function remind(change: MembershipChange, run: DunningRun, invoice: Invoice, n: number): void {
  writeRun(change, run);
  change.event('invoice_reminded', { invoiceId: invoice.id, reminder: n });
  change.emailMember('invoice_reminder', {
    memberName: change.ctx.member.name,
    planName: change.ctx.plan.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    dueDate: invoice.dueDate,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    reminder: n,
    payUrl: change.link('update_payment'),
    replyTo: change.ctx.settings.replyTo,
  });
}

/** The invoice is written off: it stays owed but is no longer collected automatically. */
function writeOff(change: MembershipChange, invoice: Invoice, keepPastDue: boolean): void {
  const m = change.membership;
  change.write({ kind: 'invoice', value: { ...invoice, status: 'uncollectible', updatedAt: change.now.toISOString() } });
  if (!keepPastDue && m.unpaidInvoiceIds.includes(invoice.id)) {
    m.unpaidInvoiceIds = m.unpaidInvoiceIds.filter((id) => id !== invoice.id);
    if (m.unpaidInvoiceIds.length === 0) change.recovered();
  }
}

/** R-DUN-6: the plan's final action, frozen in the run when it started. */
function applyFinalAction(change: MembershipChange, run: DunningRun, invoice: Invoice, fallback: Plan | null): void {
  if (run.finalAction === 'cancel') return cancel(change, run, invoice);
  if (run.finalAction === 'downgrade') {
    if (fallback && fallback.price.currency === invoice.amount.currency && fallback.id !== change.membership.planId) return downgrade(change, run, invoice, fallback);
    change.event('dunning_downgrade_refused', { invoiceId: invoice.id, fallbackPlanId: run.fallbackPlanId, reason: fallback ? 'the fallback plan no longer fits' : 'the fallback plan is gone, or the member already holds it' });
  }
  leaveUnpaid(change, run, invoice);
}

function cancel(change: MembershipChange, run: DunningRun, invoice: Invoice): void {
  const m = change.membership;
  const terminationDate = cancellationDate(m, change.today);
  writeOff(change, invoice, false);
  endRun(change, run, 'lost', 'final_action', undefined, 'cancel');
  if (m.status !== 'cancel_scheduled' || (m.terminationDate !== null && terminationDate < m.terminationDate)) {
    if (m.status !== 'cancel_scheduled') change.apply('cancel');
    m.terminationDate = terminationDate;
    const now = change.now.toISOString();
    m.cancellation = { by: 'system', requestedAt: now, month: null, reason: 'unpaid invoice', decidedAt: now, decision: 'scheduled', previousStatus: null };
  }
  change.event('dunning_cancelled', { invoiceId: invoice.id, terminationDate: m.terminationDate });
  change.emailMember('dunning_cancelled', {
    memberName: change.ctx.member.name,
    planName: change.ctx.plan.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    terminationDate: m.terminationDate ?? terminationDate,
  });
}

function downgrade(change: MembershipChange, run: DunningRun, invoice: Invoice, fallback: Plan): void {
  const m = change.membership;
  const old = change.ctx.plan;
  const effectiveDate = downgradeDate(m, change.today);
  writeOff(change, invoice, false);
  endRun(change, run, 'lost', 'final_action', undefined, 'downgrade');
  // The membership keeps its calendar and term length; the fallback's price and rules apply from the next billing date.
  change.write({ kind: 'release', value: { orgId: m.orgId, memberId: m.memberId, planId: old.id, membershipId: m.id } });
  change.write({ kind: 'claim', value: { orgId: m.orgId, memberId: m.memberId, planId: fallback.id, membershipId: m.id } });
  m.planId = fallback.id;
  m.billing = { ...m.billing, price: billingTermsOf(fallback).price };
  change.ctx.plan = fallback;
  change.event('dunning_downgraded', { invoiceId: invoice.id, fromPlanId: old.id, toPlanId: fallback.id, effectiveDate });
  change.emailMember('dunning_downgraded', {
    memberName: change.ctx.member.name,
    planName: old.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    fallbackPlanName: fallback.name,
    fallbackAmount: fallback.price,
    cadence: m.billing.cadence,
    effectiveDate,
  });
}

function leaveUnpaid(change: MembershipChange, run: DunningRun, invoice: Invoice): void {
  writeOff(change, invoice, true);
  endRun(change, run, 'lost', 'final_action', undefined, 'leave_unpaid');
  change.event('dunning_left_unpaid', { invoiceId: invoice.id });
  const { member, plan } = change.ctx;
  change.emailOrganisation('dunning_unpaid_org', {
    memberName: member.name,
    memberEmail: member.email,
    planName: plan.name,
    invoiceId: invoice.id,
    amount: invoice.amount,
    tries: run.attempts.length,
    lastDeclineCode: run.lastDecline?.code ?? null,
    membershipUrl: change.membershipUrl(),
  });
}
