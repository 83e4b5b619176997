import * as z from 'zod';
import { addDays, localDateOf, zonedInstant } from '../domain/calendar.js';
import type { Invoice } from '../domain/invoice.js';
import { SYSTEM } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { commitChange, loadContext, MembershipChange, retryOnConflict } from './membership-change.js';
import { executeAttempt, requestCharge } from './payments.js';

/**
 * The steps of the dunning ladder state machine (R-DUN-1, R-DUN-2, R-DUN-4, R-DUN-5). The
 * state machine only waits; each step decides. `plan` lays the retry ladder from the plan's
 * retry days after the first failure; `attempt` charges the open invoice once for its ladder
 * position (idempotent: a repeated step finds the attempt already made and answers its
 * outcome). A paid, voided or hard-declined invoice ends the run.
 */
const stepInput = z.object({
  action: z.enum(['plan', 'attempt']),
  run: z.object({ orgId: z.string().min(1), invoiceId: z.string().min(1) }),
  step: z.object({ attempt: z.number().int().min(0).optional(), firstFailureAt: z.iso.datetime().optional() }).passthrough().optional(),
  executionName: z.string().optional(),
});

export interface DunningStep {
  done: boolean;
  nextAttemptAt: string | null;
  /** Ladder position reached (0 = the first failure, before any retry). */
  attempt: number;
  /** The first failure, which every retry instant counts from; carried from step to step. */
  firstFailureAt: string | null;
  outcome: 'retry_scheduled' | 'paid' | 'settled' | 'hard_decline' | 'ladder_exhausted' | 'invoice_gone';
}

/** Retries happen at 10:00 organisation time, `retryDays[i]` days after the first failure. */
const RETRY_TIME = '10:00';

export async function dunningStep(deps: Deps, input: unknown): Promise<DunningStep> {
  const { action, run, step } = parseInput(stepInput, input, 'dunning step');
  const stored = await deps.store.getInvoice(run.orgId, run.invoiceId);
  const done = (attempt: number, outcome: DunningStep['outcome']): DunningStep => ({ done: true, nextAttemptAt: null, attempt, outcome, firstFailureAt: null });
  if (!stored) return done(0, 'invoice_gone');
  const [settings, membership] = await Promise.all([deps.store.getSettings(run.orgId), deps.store.getMembership(run.orgId, stored.membershipId)]);
  const plan = membership && (await deps.store.getPlan(run.orgId, membership.planId));
  if (!settings || !membership || !plan) return done(0, 'invoice_gone');
  const ladder = plan.dunning.retryDays;
  // Retries count from the first failure, not the latest: each failed retry moves lastFailure.
  const firstFailure = step?.firstFailureAt ?? stored.lastFailure?.at ?? deps.clock.now().toISOString();
  const firstFailureDay = localDateOf(new Date(firstFailure), settings.timeZone);
  const retryAt = (position: number) => zonedInstant(addDays(firstFailureDay, ladder[position - 1]!), RETRY_TIME, settings.timeZone).toISOString();
  const position = action === 'plan' ? 0 : (step?.attempt ?? 0) + 1;

  const invoice = action === 'attempt' && stored.status === 'open' ? await retry(deps, stored, position + 1) : stored;
  if (invoice.status === 'paid') return done(position, action === 'plan' ? 'settled' : 'paid');
  if (invoice.status !== 'open') return done(position, 'settled');
  if (invoice.lastFailure?.hard) return done(position, 'hard_decline');
  if (position >= ladder.length) return done(position, 'ladder_exhausted');
  return { done: false, nextAttemptAt: retryAt(position + 1), attempt: position, outcome: 'retry_scheduled', firstFailureAt: firstFailure };
}

/**
 * Charges the invoice as its attempt `ordinal` (R-MNY-2: written first, in a change of the
 * membership, then carried out here at once; a repeated step finds the attempt made). An
 * attempt of the invoice still unsettled is settled first, never doubled.
 */
async function retry(deps: Deps, invoice: Invoice, ordinal: number): Promise<Invoice> {
  await retryOnConflict(async () => {
    const [ctx, stored] = await Promise.all([loadContext(deps, invoice.orgId, invoice.membershipId), deps.store.getInvoice(invoice.orgId, invoice.id)]);
    if (!stored || stored.status !== 'open' || stored.openAttemptId !== null || stored.chargeAttempts >= ordinal) return;
    const change = new MembershipChange(deps, ctx, SYSTEM);
    if (requestCharge(change, stored, 'retry') === stored) return;
    await commitChange(deps, change, { skipPastReminders: true });
  });
  const current = (await deps.store.getInvoice(invoice.orgId, invoice.id)) ?? invoice;
  if (current.openAttemptId === null) return current;
  await executeAttempt(deps, { orgId: invoice.orgId, membershipId: invoice.membershipId, id: current.openAttemptId });
  return (await deps.store.getInvoice(invoice.orgId, invoice.id)) ?? current;
}
