import { RuleViolationError } from '../domain/errors.js';
import { checkPlanRules } from '../domain/plan.js';
import { checkSenderRules, type Settings, settingsInput } from '../domain/settings.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed } from '../ports/store.js';
import { checkSenderVerified } from './identities.js';
import { type Caller, checkReadOnly, takeReadOnly } from './context.js';

/**
 * Input: the caller. Output: the organisation's settings, or null before they are set.
 */
export function getSettings(deps: Pick<Deps, 'store'>, caller: Caller): Promise<Settings | null> {
  return deps.store.getSettings(caller.orgId);
}

/** What GET /api/settings returns that only the server writes (SPEC §8: accepted back unchanged). */
const READ_ONLY = ['version', 'updatedAt'] as const;

/**
 * Input: the caller, the full settings document (as GET returns it, or without its read-only
 * fields), the version the client read (If-Match, optional).
 * Output: the stored settings.
 * Steps: validate shape and sender rules (R-DUN-8); check the read-only fields and the version
 * read; when the jurisdiction changes, check every plan still satisfies its rules (R-REN-8);
 * write with a version check.
 */
export async function putSettings(
  deps: Pick<Deps, 'store' | 'clock'> & Partial<Pick<Deps, 'identities' | 'config'>>,
  caller: Caller,
  body: unknown,
  expectedVersion?: number,
): Promise<Settings> {
  const taken = takeReadOnly(body, READ_ONLY, expectedVersion);
  const input = parseInput(settingsInput, taken.document);
  checkSenderRules(input);
  const existing = await deps.store.getSettings(caller.orgId);
  checkReadOnly('settings', caller.orgId, taken, existing);
  // R-OPS-2: an unchanged sender is not asked about again (an identity SES later lost is an operations matter).
  if (!existing || existing.sender.email.toLowerCase() !== input.sender.email.toLowerCase()) await checkSenderVerified(deps, caller.orgId, input.sender.email);
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
