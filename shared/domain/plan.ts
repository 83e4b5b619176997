import * as z from 'zod';
import { RuleViolationError, ValidationError } from './errors.js';
import { ladderCapViolation } from './dunning.js';
import { entityId, money } from './schema.js';

/** A kind of membership (SPEC §1, §8.1). */
export const RENEWAL_POLICIES = ['none', 'automatic', 'confirmation', 'notice'] as const;
export type RenewalPolicy = (typeof RENEWAL_POLICIES)[number];

export const DEFAULT_RETRY_DAYS = [3, 8, 13];

const anchor = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fixedDay'), day: z.number().int().min(1).max(28) }),
  z.strictObject({ type: z.literal('purchaseDate') }),
]);

const dayOffsets = (max: number) => z.array(z.number().int().min(1).max(max));

export const planInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  price: money,
  termMonths: z.number().int().min(1).max(120).optional(),
  billing: z.strictObject({
    cadence: z.enum(['monthly', 'upfront']),
    anchor,
  }),
  renewal: z
    .strictObject({
      policy: z.enum(RENEWAL_POLICIES),
      reminderDays: dayOffsets(365).max(10).default([]),
      notice: z
        .strictObject({
          sendDaysBefore: z.number().int().min(1).max(365),
          remindAfterDays: z.number().int().min(1).max(90),
        })
        .optional(),
    })
    .optional(),
  cancellation: z.strictObject({ memberMode: z.enum(['immediate', 'request']) }).default({ memberMode: 'immediate' }),
  dunning: z
    .strictObject({
      retryDays: dayOffsets(120).default(DEFAULT_RETRY_DAYS),
      finalAction: z.enum(['cancel', 'downgrade', 'leave_unpaid']).default('cancel'),
      fallbackPlanId: entityId('pln').nullable().default(null),
    })
    .default({ retryDays: DEFAULT_RETRY_DAYS, finalAction: 'cancel', fallbackPlanId: null }),
  cardExpiryNoticeDays: z.number().int().min(1).max(60).default(14),
});
export type PlanInput = z.infer<typeof planInput>;

export interface Plan extends PlanInput {
  id: string;
  orgId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The renewal policy that applies: a plan without a renewal block renews with `none`. */
export function renewalPolicyOf(plan: Pick<PlanInput, 'renewal'>): RenewalPolicy {
  return plan.renewal?.policy ?? 'none';
}

export interface PlanRuleContext {
  jurisdiction: string;
  /** The fallback plan named by `dunning.fallbackPlanId`, when it exists in the organisation. */
  fallbackPlan?: Pick<Plan, 'id' | 'price' | 'billing'> | undefined;
  /** The id of the plan being updated (a plan cannot fall back to itself). */
  planId?: string;
}

/**
 * Business rules on a plan that its shape cannot express. Throws the first violation.
 */
export function checkPlanRules(plan: PlanInput, ctx: PlanRuleContext): void {
  const renewal = plan.renewal;
  if (plan.termMonths === undefined && renewal !== undefined) {
    throw new RuleViolationError('R-REN-1', 'a plan without termMonths has no term end, so it cannot have a renewal policy', [
      { field: 'renewal', rule: 'R-REN-1', message: 'remove renewal or set termMonths' },
    ]);
  }
  if (renewal) {
    const days = renewal.reminderDays;
    if (new Set(days).size !== days.length) {
      throw new ValidationError('renewal.reminderDays must not repeat a day', [
        { field: 'renewal.reminderDays', message: 'each offset may appear once' },
      ]);
    }
    if (renewal.policy === 'notice' && renewal.notice === undefined) {
      throw new ValidationError('renewal.notice is required when the policy is notice', [
        { field: 'renewal.notice', message: 'required for policy notice' },
      ]);
    }
    if (renewal.policy !== 'notice' && renewal.notice !== undefined) {
      throw new ValidationError('renewal.notice is only allowed when the policy is notice', [
        { field: 'renewal.notice', message: 'only for policy notice' },
      ]);
    }
    if (renewal.policy === 'notice' && plan.billing.cadence !== 'upfront') {
      // A notice's approval issues the next term's invoice; a monthly plan bills month by month instead.
      throw new RuleViolationError('R-REN-5', 'renewal notices invoice the whole next term: policy notice needs billing.cadence upfront', [
        { field: 'renewal.policy', rule: 'R-REN-5', message: 'notice needs billing.cadence upfront' },
      ]);
    }
    if (renewal.policy === 'notice' && days.length > 0) {
      throw new RuleViolationError('R-REN-5', 'a notice is sent instead of plain reminders: renewal.reminderDays must be empty (use renewal.notice.remindAfterDays)', [
        { field: 'renewal.reminderDays', rule: 'R-REN-5', message: 'must be empty for policy notice' },
      ]);
    }
    if (renewal.policy === 'notice' && renewal.notice!.sendDaysBefore > (plan.termMonths ?? 0) * 28) {
      throw new RuleViolationError('R-REN-5', 'renewal.notice.sendDaysBefore is longer than the term: the notice would go out before the term starts', [
        { field: 'renewal.notice.sendDaysBefore', rule: 'R-REN-5', message: `at most ${(plan.termMonths ?? 0) * 28} days for a ${plan.termMonths}-month term` },
      ]);
    }
    if (renewal.policy === 'none' && days.length > 0) {
      throw new RuleViolationError('R-REN-2', 'a plan with renewal policy none sends no expiry reminders', [
        { field: 'renewal.reminderDays', rule: 'R-REN-2', message: 'must be empty for policy none' },
      ]);
    }
  }
  if (ctx.jurisdiction === 'QC' && (plan.termMonths ?? 0) >= 12 && renewalPolicyOf(plan) === 'none') {
    throw new RuleViolationError(
      'R-REN-8',
      'in Quebec a plan with a term of 12 months or more must offer a renewal option (policy automatic, confirmation or notice)',
      [{ field: 'renewal.policy', rule: 'R-REN-8', message: 'must not be none for a term of 12 months or more in QC' }],
    );
  }
  checkDunningLadder(plan.dunning.retryDays);
  const capped = ladderCapViolation(plan.dunning.retryDays, plan.billing.cadence);
  if (capped !== null) {
    throw new RuleViolationError('R-DUN-2', `card-network caps: ${capped}; space the retries out or use fewer`, [
      { field: 'dunning.retryDays', rule: 'R-DUN-2', message: capped },
    ]);
  }
  const { finalAction, fallbackPlanId } = plan.dunning;
  if (finalAction === 'downgrade') {
    if (fallbackPlanId === null) {
      throw new RuleViolationError('R-DUN-6', 'final action downgrade needs dunning.fallbackPlanId', [
        { field: 'dunning.fallbackPlanId', rule: 'R-DUN-6', message: 'required for finalAction downgrade' },
      ]);
    }
    if (fallbackPlanId === ctx.planId) {
      throw new RuleViolationError('R-DUN-6', 'a plan cannot fall back to itself', [
        { field: 'dunning.fallbackPlanId', rule: 'R-DUN-6', message: 'must name another plan' },
      ]);
    }
    if (!ctx.fallbackPlan) {
      throw new RuleViolationError('R-DUN-6', `fallback plan ${fallbackPlanId} does not exist in this organisation`, [
        { field: 'dunning.fallbackPlanId', rule: 'R-DUN-6', message: 'unknown plan' },
      ]);
    }
    if (ctx.fallbackPlan.price.currency !== plan.price.currency) {
      throw new RuleViolationError('R-DUN-6', 'the fallback plan must be priced in the same currency', [
        { field: 'dunning.fallbackPlanId', rule: 'R-DUN-6', message: `fallback plan is in ${ctx.fallbackPlan.price.currency}` },
      ]);
    }
    // The membership keeps its calendar when it moves: a monthly one cannot become upfront, or back.
    if (ctx.fallbackPlan.billing.cadence !== plan.billing.cadence) {
      throw new RuleViolationError('R-DUN-6', `the fallback plan must be billed the same way (${plan.billing.cadence})`, [
        { field: 'dunning.fallbackPlanId', rule: 'R-DUN-6', message: `fallback plan is billed ${ctx.fallbackPlan.billing.cadence}` },
      ]);
    }
  } else if (fallbackPlanId !== null) {
    throw new ValidationError('dunning.fallbackPlanId is only allowed with finalAction downgrade', [
      { field: 'dunning.fallbackPlanId', message: 'only for finalAction downgrade' },
    ]);
  }
}

/**
 * R-DUN-2: 1–8 retries, offsets in days after the first failure, strictly increasing, 1–15
 * days apart, and at most 15 charge attempts (first attempt included) in any 30-day window.
 */
export function checkDunningLadder(retryDays: number[]): void {
  const fail = (message: string) => {
    throw new RuleViolationError('R-DUN-2', message, [{ field: 'dunning.retryDays', rule: 'R-DUN-2', message }]);
  };
  if (retryDays.length < 1 || retryDays.length > 8) fail('a dunning ladder has 1 to 8 retries');
  let previous = 0;
  for (const day of retryDays) {
    const gap = day - previous;
    if (gap < 1 || gap > 15) fail('retries must be 1 to 15 days apart, in increasing order');
    previous = day;
  }
  const attempts = [0, ...retryDays];
  for (const start of attempts) {
    if (attempts.filter((d) => d >= start && d < start + 30).length > 15) fail('at most 15 attempts in any 30 days');
  }
}
