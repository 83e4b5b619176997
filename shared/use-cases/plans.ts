import { NotFoundError } from '../domain/errors.js';
import { checkPlanRules, type Plan, planInput, type PlanInput } from '../domain/plan.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed } from '../ports/store.js';
import { type Caller, checkExpectedVersion, requireSettings } from './context.js';

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

/**
 * Input: the caller, the plan id, the full plan document, the version read (optional).
 * Output: the updated plan. Existing memberships keep their dates; the new rules apply from
 * their next timer plan.
 */
export async function updatePlan(deps: PlanDeps, caller: Caller, planId: string, body: unknown, expectedVersion?: number): Promise<Plan> {
  const input = parseInput(planInput, body);
  const existing = await getPlan(deps, caller, planId);
  checkExpectedVersion('plan', planId, existing.version, expectedVersion);
  await checkRules(deps, caller, input, planId);
  const plan: Plan = { ...input, id: planId, orgId: caller.orgId, version: existing.version, createdAt: existing.createdAt, updatedAt: deps.clock.now().toISOString() };
  await deps.store.commit([{ kind: 'plan', value: plan }]);
  return committed(plan);
}
