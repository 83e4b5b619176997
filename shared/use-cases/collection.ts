import * as z from 'zod';
import { noticeInvoicePaid } from './notices.js';
import { addDays, isLocalDate, localDateOf, startOfLocalDay } from '../domain/calendar.js';
import { type DunningRun, logged, median, RUN_STATES, type RunState } from '../domain/dunning.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { localDate } from '../domain/schema.js';
import { SYSTEM } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import type { CardChange, MembershipRecord, Page, PageRequest } from '../ports/store.js';
import type { Caller } from './context.js';
import { onInvoicePaid, startOfflineRun } from './dunning-run.js';
import { commitChange, loadContext, MembershipChange, recordAfter, replanMembership, retryOnConflict } from './membership-change.js';
import { executeAttempt, requestCharge } from './payments.js';

/**
 * Collecting what is owed outside the ladder's own ticks (R-DUN-1, R-DUN-4, R-DUN-9, R-DUN-10):
 * starting a run's execution, paying at once with a new card, payments staff record, invoices
 * sent again, and the staff's views of the runs.
 */
type CollectDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'payments' | 'linkKeys'>;

/**
 * R-DUN-1: the worker starts the execution of a run it reads from the stream (a run written
 * with its invoice is always started, even if the process that wrote it stopped right after).
 * The execution is named after the invoice: a second start is a no-op.
 */
export async function startRunExecution(deps: Pick<Deps, 'workflows' | 'store'>, ref: { orgId: string; invoiceId: string }): Promise<string> {
  const run = await deps.store.getRun(ref.orgId, ref.invoiceId);
  if (!run) return 'gone';
  if (run.state !== 'active') return 'ended';
  const { executionArn } = await deps.workflows.start('dunning', run.executionName, { orgId: run.orgId, invoiceId: run.invoiceId });
  return executionArn;
}

/**
 * R-DUN-4: a member's card changed (saved by a link, by staff, or updated by the card account
 * updater). Every open invoice of theirs with an active run is charged at once with the card on
 * file, and their memberships' card-expiry notices are planned again (R-DUN-7).
 */
export async function onCardChanged(deps: CollectDeps, change: Pick<CardChange, 'orgId' | 'memberId' | 'reason'>): Promise<string> {
  const runs = await deps.store.activeRunsOfMember(change.orgId, change.memberId);
  const charged: string[] = [];
  if (change.reason !== 'removed') {
    for (const run of runs) {
      const id = await payNow(deps, run, change.reason);
      if (id) charged.push(id);
    }
  }
  const { items } = await deps.store.listMembershipsOfMember(change.orgId, change.memberId, { limit: 100 });
  for (const m of items) await replanMembership(deps, change.orgId, m.id, SYSTEM);
  return charged.length > 0 ? `charged ${charged.join(', ')}` : 'nothing owed';
}

/** Charges the run's open invoice now with the card on file (one attempt at a time); answers the attempt id. */
async function payNow(deps: CollectDeps, run: DunningRun, reason: CardChange['reason']): Promise<string | null> {
  const id = await retryOnConflict(async () => {
    const [ctx, invoice, current] = await Promise.all([
      loadContext(deps, run.orgId, run.membershipId),
      deps.store.getInvoice(run.orgId, run.invoiceId),
      deps.store.getRun(run.orgId, run.invoiceId),
    ]);
    const card = ctx.member.paymentMethod;
    if (!invoice || invoice.status !== 'open' || !current || current.state !== 'active' || !card) return null;
    if (invoice.openAttemptId !== null) return invoice.openAttemptId;
    // The same card saved again and already tried since waits for the ladder; a card the bank
    // updated (new expiry or number, same reference) is worth trying at once.
    const lastTried = invoice.payments.at(-1);
    if (reason === 'saved' && lastTried && current.attempts.at(-1)?.card === card.gatewayRef && Date.parse(card.addedAt) <= Date.parse(lastTried.at)) return null;
    const cardLog = await deps.store.getCardLog(run.orgId, run.memberId, card.gatewayRef);
    const change = new MembershipChange(deps, ctx, SYSTEM);
    const requested = requestCharge(change, invoice, 'card_update');
    if (requested === invoice) return null;
    const at = change.now.toISOString();
    change.write({ kind: 'dunning', value: { ...current, attempts: [...current.attempts, { at, card: card.gatewayRef, brand: card.brand }], updatedAt: at } });
    // A new card's first charge is counted under the network caps too (R-DUN-2); it is never held back by them.
    change.write({ kind: 'card_log', value: logged(cardLog, { orgId: run.orgId, memberId: run.memberId, card: card.gatewayRef }, at) });
    change.event('paying_with_new_card', { invoiceId: invoice.id, attemptId: requested.openAttemptId, card: { brand: card.brand, last4: card.last4 } });
    await commitChange(deps, change, { skipPastReminders: true });
    return requested.openAttemptId;
  });
  if (id) await executeAttempt(deps, { orgId: run.orgId, membershipId: run.membershipId, id });
  return id;
}

const paymentInput = z.strictObject({
  method: z.enum(['cheque', 'transfer', 'cash', 'other']),
  reference: z.string().trim().min(1).max(200),
  paidOn: localDate.optional(),
});

/**
 * Input: the caller, an invoice id, `{ method, reference, paidOn? }` (paidOn: today by default,
 * never in the future).
 * Output: the paid invoice.
 * Steps (R-DUN-4, R-DUN-9): an open or uncollectible invoice becomes paid by the recorded
 * payment; its run ends recovered, the membership recovers if nothing else is unpaid, and the
 * member gets one receipt. A card charge still in flight is canceled before it is sent, or
 * refunded if it succeeds (R-MNY-4).
 */
export async function recordPayment(deps: CollectDeps, caller: Caller, invoiceId: string, body: unknown): Promise<Invoice> {
  const input = parseInput(paymentInput, body);
  const invoice = await deps.store.getInvoice(caller.orgId, invoiceId);
  if (!invoice) throw new NotFoundError('invoice', invoiceId);
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
    throw new ConflictError('invoice_not_payable', `invoice ${invoiceId} is ${invoice.status}; only an open or uncollectible invoice can be paid`);
  }
  const [ctx, run] = await Promise.all([loadContext(deps, caller.orgId, invoice.membershipId), deps.store.getRun(caller.orgId, invoiceId)]);
  const change = new MembershipChange(deps, ctx, caller.actor);
  const paidOn = input.paidOn ?? change.today;
  if (paidOn > change.today) {
    throw new ValidationError(`paidOn ${paidOn} is in the future`, [{ field: 'paidOn', message: `must be on or before ${change.today}` }]);
  }
  const now = change.now.toISOString();
  const paid: Invoice = {
    ...invoice,
    status: 'paid',
    payment: { reference: input.reference, paidAt: now, method: 'recorded', offline: { method: input.method, reference: input.reference, paidOn, by: caller.actor.id } },
    updatedAt: now,
  };
  change.write({ kind: 'invoice', value: paid });
  change.event('payment_recorded', { invoiceId, method: input.method, reference: input.reference, paidOn, amount: invoice.amount });
  noticeInvoicePaid(change, paid);
  const m = change.membership;
  if (m.unpaidInvoiceIds.includes(invoiceId)) {
    m.unpaidInvoiceIds = m.unpaidInvoiceIds.filter((id) => id !== invoiceId);
    if (m.unpaidInvoiceIds.length === 0) change.recovered();
  }
  const receipt = { method: input.method, card: null, reference: input.reference, paidOn };
  if (!onInvoicePaid(change, paid, run, 'staff', receipt)) {
    change.emailMember('payment_receipt', {
      memberName: ctx.member.name,
      planName: ctx.plan.name,
      invoiceId,
      amount: invoice.amount,
      ...receipt,
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
    });
  }
  await commitChange(deps, change, { skipPastReminders: true });
  return (await deps.store.getInvoice(caller.orgId, invoiceId))!;
}

/**
 * R-DUN-9: staff send an open invoice again: the invoice e-mail with the pay-by-card link. An
 * invoice without a card on file that has no reminder run yet gets one.
 */
export async function resendInvoice(deps: CollectDeps, caller: Caller, invoiceId: string): Promise<Invoice> {
  const invoice = await deps.store.getInvoice(caller.orgId, invoiceId);
  if (!invoice) throw new NotFoundError('invoice', invoiceId);
  if (invoice.status !== 'open') throw new ConflictError('invoice_not_open', `invoice ${invoiceId} is ${invoice.status}; only an open invoice can be sent again`);
  const [ctx, run] = await Promise.all([loadContext(deps, caller.orgId, invoice.membershipId), deps.store.getRun(caller.orgId, invoiceId)]);
  const change = new MembershipChange(deps, ctx, caller.actor);
  change.event('invoice_resent', { invoiceId });
  change.emailMember('invoice', {
    memberName: ctx.member.name,
    planName: ctx.plan.name,
    invoiceId,
    amount: invoice.amount,
    dueDate: invoice.dueDate,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    renewal: invoice.periodEnd !== null && ctx.state.membership.billing.cadence === 'upfront',
    replyTo: ctx.settings.replyTo,
    payUrl: change.link('update_payment'),
    resent: true,
  });
  if (run === null && !ctx.member.paymentMethod) startOfflineRun(change, invoice);
  await commitChange(deps, change, { skipPastReminders: true });
  return invoice;
}

/**
 * R-CON-1: staff send the member the update-card link (a first card, or a replacement): one
 * e-mail per request, on the membership's timeline. Anything owed is paid with the new card at
 * once (R-DUN-4), as from any update-card link.
 */
export async function requestCard(deps: CollectDeps, caller: Caller, membershipId: string): Promise<MembershipRecord> {
  const ctx = await loadContext(deps, caller.orgId, membershipId);
  const status = ctx.state.membership.status;
  if (status === 'terminated' || status === 'voided' || status === 'expired') {
    throw new ConflictError('membership_ended', `membership ${membershipId} is ${status}; a card is asked for a live membership only`);
  }
  const change = new MembershipChange(deps, ctx, caller.actor);
  change.event('card_requested', {});
  const card = ctx.member.paymentMethod;
  change.emailMember('card_request', {
    memberName: ctx.member.name,
    planName: ctx.plan.name,
    card: card ? { brand: card.brand, last4: card.last4 } : null,
    updatePaymentUrl: change.link('update_payment'),
  });
  return recordAfter(deps, await commitChange(deps, change, { skipPastReminders: true }));
}

/** A run as staff read it (R-DUN-10). */
export interface RunView {
  invoiceId: string;
  membershipId: string;
  member: { id: string; name: string; email: string } | null;
  planId: string | null;
  amount: DunningRun['amount'];
  state: RunState;
  startedAt: string;
  /** Retries made so far (the first failure not counted). */
  retries: number;
  step: number;
  nextAttemptAt: string | null;
  lastDecline: DunningRun['lastDecline'];
  finalAction: DunningRun['finalAction'];
  outcome: DunningRun['outcome'];
  recovered: DunningRun['recovered'];
  endedAt: string | null;
  endReason: string | null;
  emails: number;
}

/**
 * GET /api/dunning?state=…: one Query on the runs' sparse state index, newest first, then the
 * page's members and memberships by key (at most one read each per page).
 */
export async function listDunning(deps: Pick<Deps, 'store'>, caller: Caller, state: string | undefined, page: PageRequest): Promise<Page<RunView>> {
  const wanted = state ?? 'active';
  if (!RUN_STATES.includes(wanted as RunState)) {
    throw new ValidationError(`state must be one of ${RUN_STATES.join(', ')}`, [{ field: 'state', message: `must be one of ${RUN_STATES.join(', ')}` }]);
  }
  const runs = await deps.store.listRuns(caller.orgId, 'failed_payment', wanted as RunState, page);
  const memberIds = [...new Set(runs.items.map((r) => r.memberId))];
  const membershipIds = [...new Set(runs.items.map((r) => r.membershipId))];
  const [members, memberships] = await Promise.all([
    Promise.all(memberIds.map((id) => deps.store.getMember(caller.orgId, id))),
    Promise.all(membershipIds.map((id) => deps.store.getMembership(caller.orgId, id))),
  ]);
  const memberOf = new Map(members.filter((m) => m !== null).map((m) => [m.id, m]));
  const planOf = new Map(memberships.filter((m) => m !== null).map((m) => [m.id, m.planId]));
  return {
    nextCursor: runs.nextCursor,
    items: runs.items.map((r) => {
      const member = memberOf.get(r.memberId);
      return {
        invoiceId: r.invoiceId,
        membershipId: r.membershipId,
        member: member ? { id: member.id, name: member.name, email: member.email } : null,
        planId: planOf.get(r.membershipId) ?? null,
        amount: r.amount,
        state: r.state,
        startedAt: r.startedAt,
        retries: Math.max(0, r.attempts.length - 1),
        step: r.ticksDone,
        nextAttemptAt: r.nextAt,
        lastDecline: r.lastDecline,
        finalAction: r.finalAction,
        outcome: r.outcome,
        recovered: r.recovered,
        endedAt: r.endedAt,
        endReason: r.endReason,
        emails: r.emails,
      };
    }),
  };
}

export interface DunningSummary {
  from: string;
  to: string;
  timeZone: string;
  started: number;
  active: number;
  /** What the runs still in progress are trying to collect, per currency. */
  activeAmounts: { currency: string; amount: number }[];
  recovered: { count: number; amounts: { currency: string; amount: number }[]; byStep: { retries: number; count: number }[]; by: Record<string, number> };
  lost: { count: number; amounts: { currency: string; amount: number }[]; byAction: Record<string, number> };
  canceled: number;
  /** Recovered out of recovered + lost, 0–1 (null when none has ended). */
  recoveryRate: number | null;
  medianDaysToRecovery: number | null;
}

/**
 * GET /api/dunning/summary?from&to (R-DUN-10): the runs that STARTED between `from` and `to`
 * (calendar dates, inclusive, in the organisation's time zone) and what became of them: a cohort,
 * so a month's figures do not move when later months are added. One Query per state on the
 * sparse state index, bounded by the runs in the period.
 */
export async function dunningSummary(deps: Pick<Deps, 'store' | 'clock'>, caller: Caller, query: { from?: string | undefined; to?: string | undefined }): Promise<DunningSummary> {
  const settings = await deps.store.getSettings(caller.orgId);
  if (!settings) throw new NotFoundError('settings', caller.orgId);
  const tz = settings.timeZone;
  const today = localDateOf(deps.clock.now(), tz);
  const from = query.from ?? `${today.slice(0, 7)}-01`;
  const to = query.to ?? today;
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isLocalDate(value)) throw new ValidationError(`${field} must be a date YYYY-MM-DD`, [{ field, message: 'must be a date YYYY-MM-DD' }]);
  }
  if (from > to) throw new ValidationError('from must be on or before to', [{ field: 'from', message: `must be on or before ${to}` }]);
  const start = startOfLocalDay(from, tz).toISOString();
  const end = startOfLocalDay(addDays(to, 1), tz).toISOString();
  const [active, recovered, lost, canceled] = await Promise.all(
    (['active', 'recovered', 'lost', 'canceled'] as const).map((state) => deps.store.runsStartedBetween(caller.orgId, 'failed_payment', state, start, end)),
  );
  const amounts = (runs: DunningRun[]) => {
    const totals = new Map<string, number>();
    for (const r of runs) totals.set(r.amount.currency, (totals.get(r.amount.currency) ?? 0) + r.amount.amount);
    return [...totals].map(([currency, amount]) => ({ currency, amount }));
  };
  const count = <T extends string | number>(values: T[]) => {
    const out = new Map<T, number>();
    for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
    return out;
  };
  const steps = count(recovered!.map((r) => r.recovered?.afterRetries ?? 0));
  const ended = recovered!.length + lost!.length;
  return {
    from,
    to,
    timeZone: tz,
    started: active!.length + recovered!.length + lost!.length + canceled!.length,
    active: active!.length,
    activeAmounts: amounts(active!),
    recovered: {
      count: recovered!.length,
      amounts: amounts(recovered!),
      byStep: [...steps].sort((a, b) => a[0] - b[0]).map(([retries, n]) => ({ retries, count: n })),
      by: Object.fromEntries(count(recovered!.map((r) => r.recovered?.by ?? 'retry'))),
    },
    lost: { count: lost!.length, amounts: amounts(lost!), byAction: Object.fromEntries(count(lost!.map((r) => r.outcome ?? 'unknown'))) },
    canceled: canceled!.length,
    recoveryRate: ended === 0 ? null : Math.round((recovered!.length / ended) * 1000) / 1000,
    medianDaysToRecovery: median(recovered!.map((r) => r.recovered?.days ?? 0)),
  };
}
