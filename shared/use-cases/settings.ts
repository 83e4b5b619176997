import { RuleViolationError } from '../domain/errors.js';
import { checkPlanRules } from '../domain/plan.js';
import { checkSenderRules, type Settings, settingsInput } from '../domain/settings.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed } from '../ports/store.js';
import { type Caller, checkExpectedVersion } from './context.js';

/**
 * Input: the caller. Output: the organisation's settings, or null before they are set.
 */
export function getSettings(deps: Pick<Deps, 'store'>, caller: Caller): Promise<Settings | null> {
  return deps.store.getSettings(caller.orgId);
}

/**
 * Input: the caller, the full settings document, the version the client read (optional).
 * Output: the stored settings.
 * Steps: validate shape and sender rules (R-DUN-8); when the jurisdiction changes, check every
 * plan still satisfies its rules (R-REN-8); write with a version check.
 */
export async function putSettings(
  deps: Pick<Deps, 'store' | 'clock'>,
  caller: Caller,
  body: unknown,
  expectedVersion?: number,
): Promise<Settings> {
  const input = parseInput(settingsInput, body);
  checkSenderRules(input);
  const existing = await deps.store.getSettings(caller.orgId);
  if (existing) checkExpectedVersion('settings', caller.orgId, existing.version, expectedVersion);
  if (existing?.jurisdiction !== input.jurisdiction) {
    const plans = await deps.store.listPlans(caller.orgId);
    for (const plan of plans) {
      try {
        checkPlanRules(plan, {
          jurisdiction: input.jurisdiction,
          planId: plan.id,
          fallbackPlan: plans.find((p) => p.id === plan.dunning.fallbackPlanId),
        });
      } catch (error) {
        if (error instanceof RuleViolationError) {
          throw new RuleViolationError(error.rule, `plan ${plan.id} (${plan.name}) would break the rule in ${input.jurisdiction}: ${error.message}`);
        }
        throw error;
      }
    }
  }
  const settings: Settings = {
    ...input,
    orgId: caller.orgId,
    version: existing?.version ?? 0,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.commit([{ kind: 'settings', value: settings }]);
  return committed(settings);
}
