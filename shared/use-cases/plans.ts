import { ConcurrencyError, NotFoundError } from '../domain/errors.js';
import { SYSTEM } from '../domain/timeline.js';
import { replanMembership } from './membership-change.js';
import { checkPlanRules, type Plan, planInput, type PlanInput } from '../domain/plan.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed, type ReplanJob } from '../ports/store.js';
import { type Caller, checkReadOnly, requireSettings, takeReadOnly } from './context.js';

type PlanDeps = Pick<Deps, 'store' | 'clock' | 'newId'>;

export function listPlans(deps: Pick<Deps, 'store'>, caller: Caller): Promise<Plan[]> {
  return deps.store.listPlans(caller.orgId);
}

export async function getPlan(deps: Pick<Deps, 'store'>, caller: Caller, planId: string): Promise<Plan> {
  const plan = await deps.store.getPlan(caller.orgId, planId);
  if (!plan) throw new NotFoundError('plan', planId);
  return plan;
}

async function checkRules(deps: PlanDeps, caller: Caller, input: PlanInput, planId?: string): Promise<void> {
  const settings = await requireSettings(deps, caller.orgId);
  const fallbackId = input.dunning.fallbackPlanId;
  const fallbackPlan = fallbackId && fallbackId !== planId ? await deps.store.getPlan(caller.orgId, fallbackId) : null;
  checkPlanRules(input, { jurisdiction: settings.jurisdiction, planId, fallbackPlan: fallbackPlan ?? undefined });
}

/**
 * Input: the caller and a plan document. Output: the created plan.
 * Steps: validate shape, then rules against the organisation (R-REN-1, R-REN-8, R-DUN-2,
 * R-DUN-6); write it.
 */
export async function createPlan(deps: PlanDeps, caller: Caller, body: unknown): Promise<Plan> {
  const input = parseInput(planInput, body);
  await checkRules(deps, caller, input);
  const now = deps.clock.now().toISOString();
  const plan: Plan = { ...input, id: deps.newId('pln'), orgId: caller.orgId, version: 0, createdAt: now, updatedAt: now };
  await deps.store.commit([{ kind: 'plan', value: plan }]);
  return committed(plan);
}

/** What GET /api/plans/{id} returns that only the server writes (SPEC §8: accepted back unchanged). */
const READ_ONLY = ['id', 'version', 'createdAt', 'updatedAt'] as const;

/**
 * Input: the caller, the plan id, the full plan document (as GET returns it, or without its
 * read-only fields), the version read (If-Match, optional).
 * Output: the updated plan. Existing memberships keep their dates; the new rules apply from
 * their next timer plan.
 * Steps: validate shape; check the read-only fields and the version read; check the rules; write.
 */
export async function updatePlan(deps: PlanDeps, caller: Caller, planId: string, body: unknown, expectedVersion?: number): Promise<Plan> {
  const taken = takeReadOnly(body, READ_ONLY, expectedVersion);
  const input = parseInput(planInput, taken.document);
  const existing = await getPlan(deps, caller, planId);
  checkReadOnly('plan', planId, taken, existing);
  await checkRules(deps, caller, input, planId);
  const now = deps.clock.now().toISOString();
  const plan: Plan = { ...input, id: planId, orgId: caller.orgId, version: existing.version, createdAt: existing.createdAt, updatedAt: now };
  // R-REN-9: the edit and the job that re-plans every live membership of the plan commit together.
  const job = await deps.store.getJob(caller.orgId, planId);
  await deps.store.commit([
    { kind: 'plan', value: plan },
    {
      kind: 'job',
      value: { orgId: caller.orgId, planId, planVersion: plan.version + 1, cursor: null, processed: 0, status: 'running', createdAt: now, updatedAt: now, version: job?.version ?? 0 },
    },
  ]);
  return committed(plan);
}

/** How many memberships one step of a re-plan job takes: a step stays well inside a Lambda's time. */
export const REPLAN_PAGE = 25;

/**
 * Input: a plan's re-plan job (a stream record of its write).
 * Output: whether it moved on, and how far.
 * Steps (R-REN-9): one page of the plan's live memberships (a sparse index), each re-planned
 * from its current state (idempotent); then the job records the next cursor, which is itself a
 * stream record that brings the next page. A newer edit of the plan replaces the job: this one
 * stops at its next write. Done when the last page is re-planned.
 */
export async function runReplanJob(deps: Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'linkKeys'>, ref: { orgId: string; planId: string }): Promise<'advanced' | 'done' | 'superseded'> {
  const job = await deps.store.getJob(ref.orgId, ref.planId);
  if (!job || job.status === 'done') return 'done';
  const page = await deps.store.listLiveMembershipsOfPlan(ref.orgId, ref.planId, { limit: REPLAN_PAGE, cursor: job.cursor ?? undefined });
  for (const id of page.items) await replanMembership(deps, ref.orgId, id, SYSTEM);
  const next: ReplanJob = {
    ...job,
    cursor: page.nextCursor,
    processed: job.processed + page.items.length,
    status: page.nextCursor === null ? 'done' : 'running',
    updatedAt: deps.clock.now().toISOString(),
  };
  try {
    await deps.store.commit([{ kind: 'job', value: next }]);
  } catch (error) {
    if (error instanceof ConcurrencyError) return 'superseded';
    throw error;
  }
  return next.status === 'done' ? 'done' : 'advanced';
}
