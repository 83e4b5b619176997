import { ConcurrencyError } from '../domain/errors.js';
import { noticeInvoicePaid } from './notices.js';
import type { CardLog, DunningRun } from '../domain/dunning.js';
import type { Invoice } from '../domain/invoice.js';
import type { Plan } from '../domain/plan.js';
import {
  type AttemptOutcome,
  type AttemptPurpose,
  attemptId,
  backoffMs,
  idempotencyKeyOf,
  type InvoiceMoney,
  isSettled,
  type PaymentAttempt,
  WORK_LEASE_MS,
} from '../domain/payment.js';
import { SYSTEM } from '../domain/timeline.js';
import type { Deps } from '../deps.js';
import type { ChargeRequest, ChargeResult, RefundRequest, RefundResult } from '../ports/payments.js';
import type { WorkRef } from '../ports/store.js';
import { commitChange, loadContext, MembershipChange, retryOnConflict } from './membership-change.js';
import { onChargeFailed, onInvoicePaid } from './dunning-run.js';
import { armRetry } from './retries.js';

/**
 * Money that moves (R-MNY-2…5). A decision that wants money moved writes a payment attempt in
 * its own transaction (`requestCharge`, `requestRefund`); the payment worker carries it out
 * after the commit (`executeAttempt`) and records the outcome in a membership change
 * (`recordOutcome`). An outcome that does not come back is asked of the gateway, with the same
 * key, before anything else; no other attempt starts on the invoice until it is known.
 */
type PayDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'payments' | 'linkKeys'>;

function newAttempt(change: MembershipChange, spec: Pick<PaymentAttempt, 'id' | 'invoiceId' | 'kind' | 'purpose' | 'amount' | 'paymentMethod' | 'customerRef' | 'card' | 'chargeReference' | 'description'>): PaymentAttempt {
  const now = change.now.toISOString();
  return {
    ...spec,
    orgId: change.orgId,
    membershipId: change.membership.id,
    memberId: change.membership.memberId,
    idempotencyKey: idempotencyKeyOf(change.orgId, spec.id),
    status: 'requires_confirmation',
    reference: null,
    failure: null,
    tries: 0,
    claimedAt: null,
    nextCheckAt: null,
    lastError: null,
    settledAt: null,
    createdAt: now,
    updatedAt: now,
    version: 0,
  };
}

function entry(attempt: PaymentAttempt): InvoiceMoney {
  return { attemptId: attempt.id, reference: attempt.reference, status: attempt.status, amount: attempt.amount, at: attempt.updatedAt };
}

/**
 * Writes a charge of an open invoice to the member's card on file, as the invoice's next
 * attempt, in the change that decides it. Nothing is written when there is no card, nothing is
 * owed, or an earlier attempt of the invoice is still unsettled (it must be known first).
 */
export function requestCharge(change: MembershipChange, invoice: Invoice, purpose: AttemptPurpose): Invoice {
  const card = change.ctx.member.paymentMethod;
  if (!card || invoice.status !== 'open' || invoice.amount.amount === 0 || invoice.openAttemptId !== null) return invoice;
  const n = invoice.chargeAttempts + 1;
  const attempt = newAttempt(change, {
    id: attemptId(invoice.id, 'charge', n),
    invoiceId: invoice.id,
    kind: 'charge',
    purpose,
    amount: invoice.amount,
    paymentMethod: card.gatewayRef,
    customerRef: card.customerRef,
    card: { brand: card.brand, last4: card.last4 },
    chargeReference: null,
    description: invoice.description,
  });
  change.write({ kind: 'attempt', value: attempt });
  const updated: Invoice = { ...invoice, chargeAttempts: n, openAttemptId: attempt.id, payments: [...invoice.payments, entry(attempt)], updatedAt: attempt.createdAt };
  change.write({ kind: 'invoice', value: updated });
  change.event('payment_requested', { invoiceId: invoice.id, attemptId: attempt.id, amount: invoice.amount, purpose });
  return updated;
}

/**
 * Writes the refund of one succeeded charge of the invoice, in the change that decides it
 * (R-MNY-3: it is made only once that change has committed). One refund per charge, ever.
 */
export function requestRefund(change: MembershipChange, invoice: Invoice, payment: InvoiceMoney, purpose: AttemptPurpose): Invoice {
  // The refund of charge n is refund n: a second decision to refund the same charge finds it taken.
  const id = attemptId(invoice.id, 'refund', chargeOrdinal(payment.attemptId));
  if (payment.status !== 'succeeded' || payment.reference === null || invoice.refunds.some((r) => r.attemptId === id)) return invoice;
  const attempt = newAttempt(change, {
    id,
    invoiceId: invoice.id,
    kind: 'refund',
    purpose,
    amount: payment.amount,
    paymentMethod: null,
    customerRef: null,
    card: null,
    chargeReference: payment.reference,
    description: `Refund of ${invoice.description}`,
  });
  change.write({ kind: 'attempt', value: attempt });
  const updated: Invoice = { ...invoice, refunds: [...invoice.refunds, entry(attempt)], updatedAt: attempt.createdAt };
  change.write({ kind: 'invoice', value: updated });
  change.event('refund_requested', { invoiceId: invoice.id, attemptId: attempt.id, amount: payment.amount, chargeReference: payment.reference, purpose });
  return updated;
}

function chargeOrdinal(chargeAttemptId: string): number {
  const n = Number(/\.c(\d+)$/.exec(chargeAttemptId)?.[1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a charge attempt id: ${chargeAttemptId}`);
  return n;
}

export type ExecutionResult = 'settled' | 'busy' | 'retry_scheduled' | 'gone';

function chargeRequest(a: PaymentAttempt): ChargeRequest {
  return {
    idempotencyKey: a.idempotencyKey,
    amount: a.amount,
    paymentMethod: a.paymentMethod!,
    customerRef: a.customerRef!,
    description: a.description,
    metadata: { orgId: a.orgId, invoiceId: a.invoiceId, attemptId: a.id },
    createdAt: a.createdAt,
  };
}

function refundRequest(a: PaymentAttempt): RefundRequest {
  return { idempotencyKey: a.idempotencyKey, chargeReference: a.chargeReference!, amount: a.amount, metadata: { orgId: a.orgId, invoiceId: a.invoiceId, attemptId: a.id } };
}

/** The attempt's outcome from a gateway answer, or null while the gateway has not settled it. */
export function outcomeOf(result: ChargeResult | RefundResult): AttemptOutcome | null {
  switch (result.status) {
    case 'succeeded':
      return { status: 'succeeded', reference: result.reference };
    case 'declined':
      return { status: 'requires_payment_method', reference: result.reference, failure: result.failure };
    case 'requires_action':
      return { status: 'requires_action', reference: result.reference, failure: result.failure };
    case 'failed':
      return { status: 'failed', reference: result.reference, failure: result.failure };
    case 'processing':
    case 'pending':
      return null;
  }
}

/**
 * Input: a payment attempt's reference (a stream record, a retry schedule, a dunning step).
 * Output: what became of it.
 * Steps: a charge not yet sent whose invoice is no longer owed is canceled (nothing moves);
 * otherwise take it up (a lease, so two workers never send it together); if an earlier try
 * may have reached the gateway, ask the gateway for its outcome first; send it with its key;
 * record a known outcome; an unknown one is left for a later try, armed as a retry schedule.
 */
export async function executeAttempt(deps: PayDeps, ref: WorkRef): Promise<ExecutionResult> {
  const current = await deps.store.getAttempt(ref);
  if (!current) return 'gone';
  if (isSettled(current)) return 'settled';
  let invoice: Invoice | undefined;
  if (current.kind === 'charge' && current.status === 'requires_confirmation') {
    const moot = await mootReason(deps, current);
    if (moot.reason) {
      await recordOutcome(deps, ref, { status: 'canceled', reason: moot.reason });
      return 'settled';
    }
    invoice = moot.invoice;
  }
  const now = deps.clock.now();
  const claimed = await deps.store.claimAttempt(ref, now, WORK_LEASE_MS);
  if (!claimed) {
    const again = await deps.store.getAttempt(ref);
    if (!again || isSettled(again)) return 'settled';
    // Another worker holds it: look again when its lease ends, in case it never comes back.
    const leaseEnd = Math.max(Date.parse(again.claimedAt ?? now.toISOString()) + WORK_LEASE_MS, now.getTime());
    await armRetry(deps, 'payment', ref, new Date(leaseEnd), again.tries);
    return 'busy';
  }
  let result: ChargeResult | RefundResult | null = null;
  try {
    if (claimed.tries > 1) {
      result = claimed.kind === 'charge' ? await deps.payments.findCharge(chargeRequest(claimed)) : await deps.payments.findRefund(refundRequest(claimed));
    }
    result ??= claimed.kind === 'charge' ? await deps.payments.charge(chargeRequest(claimed)) : await deps.payments.refund(refundRequest(claimed));
  } catch (error) {
    await leaveForLater(deps, claimed, now, `outcome unknown: ${error instanceof Error ? error.message : String(error)}`, null);
    return 'retry_scheduled';
  }
  const outcome = outcomeOf(result);
  if (outcome === null) {
    await leaveForLater(deps, claimed, now, `the gateway is still processing it (${result.status})`, result.reference);
    return 'retry_scheduled';
  }
  // Issue 13: the first try of the record starts from the attempt as the claim left it and the
  // invoice read before the charge; every write is conditional on their versions, so a change
  // made meanwhile (the gateway's webhook, often) makes it read both again.
  await recordOutcome(deps, ref, outcome, { attempt: claimed, invoice });
  return 'settled';
}

/** Why a charge written earlier should no longer be sent (R-MNY-4), or null when it is still owed; and the invoice as read. */
async function mootReason(deps: PayDeps, attempt: PaymentAttempt): Promise<{ reason: string | null; invoice?: Invoice }> {
  const [invoice, membership] = await Promise.all([
    deps.store.getInvoice(attempt.orgId, attempt.invoiceId),
    deps.store.getMembership(attempt.orgId, attempt.membershipId),
  ]);
  if (!invoice || invoice.status !== 'open') return { reason: `invoice ${attempt.invoiceId} is ${invoice?.status ?? 'gone'}` };
  if (!membership || membership.status === 'voided' || membership.status === 'terminated') return { reason: `membership is ${membership?.status ?? 'gone'}` };
  return { reason: null, invoice };
}

/** Releases the attempt for a later try (its outcome is not known yet) and arms that try. */
async function leaveForLater(deps: PayDeps, claimed: PaymentAttempt, now: Date, reason: string, reference: string | null): Promise<void> {
  const nextCheckAt = new Date(now.getTime() + backoffMs(claimed.tries));
  try {
    await deps.store.commit([
      {
        kind: 'attempt',
        value: { ...claimed, claimedAt: null, nextCheckAt: nextCheckAt.toISOString(), lastError: reason, reference: reference ?? claimed.reference, updatedAt: now.toISOString() },
      },
    ]);
  } catch (error) {
    // Another worker recorded it meanwhile: nothing is left for later.
    if (error instanceof ConcurrencyError) return;
    throw error;
  }
  console.warn(JSON.stringify({ level: 'warn', msg: 'payment attempt left for a later try', attemptId: claimed.id, tries: claimed.tries, reason, nextCheckAt }));
  await armRetry(deps, 'payment', claimed, nextCheckAt, claimed.tries);
}

/**
 * Records a known outcome of an attempt in a change of its membership: the attempt, its invoice,
 * the membership's status (R-MNY-7), the timeline and the mail that follows. A success on an
 * invoice no longer owed (voided meanwhile) is refunded in the same change (R-MNY-4). Answers
 * whether anything was recorded (false: the outcome was already known).
 */
export function recordOutcome(deps: PayDeps, ref: WorkRef, outcome: AttemptOutcome, known: { attempt?: PaymentAttempt; invoice?: Invoice } = {}): Promise<boolean> {
  let first = true;
  return retryOnConflict(async () => {
    // `known`: copies the caller read, used by the first try only (a conflict means one is stale).
    const reuse = first ? known : {};
    first = false;
    const [ctx, attempt] = await Promise.all([loadContext(deps, ref.orgId, ref.membershipId), reuse.attempt ?? deps.store.getAttempt(ref)]);
    if (!attempt || (isSettled(attempt) && !isLateOutcome(attempt, outcome))) return false;
    const [invoice, run] = await Promise.all([
      reuse.invoice?.id === attempt.invoiceId ? reuse.invoice : deps.store.getInvoice(ref.orgId, attempt.invoiceId),
      attempt.kind === 'charge' ? deps.store.getRun(ref.orgId, attempt.invoiceId) : Promise.resolve(null),
    ]);
    if (!invoice) throw new Error(`payment attempt ${attempt.id} names a missing invoice`);
    const fallbackId = run?.fallbackPlanId ?? (run === null ? ctx.plan.dunning.fallbackPlanId : null);
    const failed = attempt.kind === 'charge' && outcome.status !== 'succeeded' && outcome.status !== 'canceled';
    const [fallback, cardLog] = await Promise.all([
      failed && fallbackId ? deps.store.getPlan(ref.orgId, fallbackId) : Promise.resolve(null),
      failed && run === null && attempt.paymentMethod ? deps.store.getCardLog(ref.orgId, attempt.memberId, attempt.paymentMethod) : Promise.resolve(null),
    ]);
    const change = new MembershipChange(deps, ctx, SYSTEM);
    const now = change.now.toISOString();
    const settled: PaymentAttempt = {
      ...attempt,
      status: outcome.status,
      reference: 'reference' in outcome ? (outcome.reference ?? attempt.reference) : attempt.reference,
      failure: 'failure' in outcome ? outcome.failure : null,
      lastError: outcome.status === 'canceled' ? outcome.reason : attempt.lastError,
      claimedAt: null,
      nextCheckAt: null,
      settledAt: now,
      updatedAt: now,
    };
    change.write({ kind: 'attempt', value: settled });
    if (attempt.kind === 'charge') applyCharge(change, invoice, settled, { late: isSettled(attempt), run, fallback, cardLog, lateFrom: attempt.status });
    else applyRefund(change, invoice, settled);
    await commitChange(deps, change, { skipPastReminders: true });
    return true;
  });
}

/**
 * An outcome that may follow a settled one (R-PAY-4: the gateway's webhook knows better): a
 * payment that succeeded after it was declined or needed authentication (the member
 * authenticated), one the member's bank refused when they tried to authenticate, a refund that
 * failed after it was accepted (the card was closed).
 */
export function isLateOutcome(attempt: PaymentAttempt, outcome: AttemptOutcome): boolean {
  if (attempt.kind === 'charge') {
    if (outcome.status === 'succeeded') return attempt.status === 'requires_payment_method' || attempt.status === 'requires_action';
    // The member tried to authenticate and their bank refused: declined after all.
    return outcome.status === 'requires_payment_method' && attempt.status === 'requires_action';
  }
  return outcome.status === 'failed' && attempt.status === 'succeeded';
}

function withEntry(list: InvoiceMoney[], attempt: PaymentAttempt): InvoiceMoney[] {
  return list.map((p) => (p.attemptId === attempt.id ? entry(attempt) : p));
}

/**
 * `late`: the attempt already had an outcome (the member was told then; no second failure
 * notice). `run`: the invoice's dunning run, if any (R-DUN-1…4).
 */
function applyCharge(
  change: MembershipChange,
  stored: Invoice,
  attempt: PaymentAttempt,
  opts: { late: boolean; run: DunningRun | null; fallback: Plan | null; cardLog: CardLog | null; lateFrom: PaymentAttempt['status'] },
): void {
  const m = change.membership;
  const now = change.now.toISOString();
  let invoice: Invoice = { ...stored, payments: withEntry(stored.payments, attempt), openAttemptId: stored.openAttemptId === attempt.id ? null : stored.openAttemptId, updatedAt: now };
  const data = { invoiceId: invoice.id, attemptId: attempt.id, amount: attempt.amount, reference: attempt.reference };
  if (attempt.status === 'canceled') {
    change.write({ kind: 'invoice', value: invoice });
    change.event('payment_canceled', { ...data, reason: attempt.lastError });
    return;
  }
  if (attempt.status === 'succeeded') {
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
      // R-MNY-4: a charge that raced a void (or a payment staff recorded) is never kept.
      change.event('payment_succeeded_not_owed', { ...data, invoiceStatus: invoice.status });
      invoice = requestRefund(change, invoice, entry(attempt), 'race_refund');
      change.write({ kind: 'invoice', value: invoice });
      return;
    }
    invoice = { ...invoice, status: 'paid', payment: { reference: attempt.reference!, paidAt: now, method: 'card' } };
    change.write({ kind: 'invoice', value: invoice });
    change.event('payment_succeeded', data);
    noticeInvoicePaid(change, invoice);
    if (m.unpaidInvoiceIds.includes(invoice.id)) {
      m.unpaidInvoiceIds = m.unpaidInvoiceIds.filter((id) => id !== invoice.id);
      if (m.unpaidInvoiceIds.length === 0) change.recovered();
    }
    const by = attempt.purpose === 'card_update' ? 'new_card' : opts.late && opts.lateFrom === 'requires_action' ? 'authentication' : 'retry';
    const receipted = onInvoicePaid(change, invoice, opts.run, by, { method: 'card', card: attempt.card, reference: attempt.reference, paidOn: change.today });
    if (!receipted && attempt.purpose === 'renewal' && attempt.card) {
      change.emailMember('renewal_confirmation', {
        memberName: change.ctx.member.name,
        planName: change.ctx.plan.name,
        newTermStart: invoice.periodStart,
        newTermEnd: invoice.periodEnd ?? invoice.periodStart,
        charged: { amount: invoice.amount, brand: attempt.card.brand, last4: attempt.card.last4 },
        cadence: m.billing.cadence,
      });
    }
    return;
  }
  // Declined, or the card needs authentication.
  const failure = attempt.failure!;
  invoice = { ...invoice, lastFailure: { ...failure, at: now } };
  change.write({ kind: 'invoice', value: invoice });
  change.event('payment_failed', { ...data, code: failure.code, hard: failure.hard });
  if (invoice.status !== 'open') return;
  if (!m.unpaidInvoiceIds.includes(invoice.id)) m.unpaidInvoiceIds = [...m.unpaidInvoiceIds, invoice.id];
  change.apply('payment_failed');
  const authenticateUrl = failure.code === 'authentication_required' ? change.link('authenticate') : null;
  if (opts.run?.kind === 'offline_invoice' || (opts.run === null && !isAutomatic(attempt))) {
    // A member's own card payment (a pay-by-card link) was declined: they are told once; no run starts.
    if (opts.late || !attempt.card) return;
    change.emailMember('payment_failed', {
      memberName: change.ctx.member.name,
      planName: change.ctx.plan.name,
      invoiceId: invoice.id,
      amount: invoice.amount,
      card: attempt.card,
      hardDecline: failure.hard,
      authenticateUrl,
      updatePaymentUrl: change.link('update_payment'),
    });
    return;
  }
  onChargeFailed(change, invoice, attempt, opts.run, { late: opts.late, fallback: opts.fallback, authenticateUrl, cardLog: opts.cardLog });
}

function isAutomatic(attempt: PaymentAttempt): boolean {
  return attempt.purpose === 'purchase' || attempt.purpose === 'billing' || attempt.purpose === 'renewal';
}

function applyRefund(change: MembershipChange, stored: Invoice, attempt: PaymentAttempt): void {
  const invoice: Invoice = { ...stored, refunds: withEntry(stored.refunds, attempt), updatedAt: change.now.toISOString() };
  change.write({ kind: 'invoice', value: invoice });
  const data = { invoiceId: invoice.id, attemptId: attempt.id, amount: attempt.amount, reference: attempt.reference, chargeReference: attempt.chargeReference };
  if (attempt.status === 'succeeded') change.event('refund_succeeded', data);
  else change.event('refund_failed', { ...data, code: attempt.failure?.code ?? null, reason: attempt.failure?.message ?? attempt.lastError });
}
