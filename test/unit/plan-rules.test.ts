import { describe, expect, it } from 'vitest';
import { RuleViolationError, ValidationError } from '../../shared/domain/errors.js';
import { checkDunningLadder, checkPlanRules, planInput } from '../../shared/domain/plan.js';
import { parseInput } from '../../shared/domain/validate.js';

const base = {
  name: 'Annual',
  price: { amount: 2500, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
  renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
};
const parse = (overrides: Record<string, unknown>) => parseInput(planInput, { ...base, ...overrides });
const ruleOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuleViolationError) return error.rule;
    if (error instanceof ValidationError) return `400:${error.details.map((d) => d.field).join(',')}`;
    throw error;
  }
  return 'accepted';
};

describe('plan shape (SPEC §8.1)', () => {
  it('fills the documented defaults', () => {
    const plan = parse({});
    expect(plan.cancellation).toEqual({ memberMode: 'immediate' });
    expect(plan.dunning).toEqual({ retryDays: [3, 8, 13], finalAction: 'cancel', fallbackPlanId: null });
    expect(plan.cardExpiryNoticeDays).toBe(14);
  });

  it('names the field of every shape error', () => {
    expect(ruleOf(() => parse({ billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 31 } } }))).toBe('400:billing.anchor.day');
    expect(ruleOf(() => parse({ price: { amount: 25.5, currency: 'CAD' } }))).toBe('400:price.amount');
    expect(ruleOf(() => parse({ price: { amount: 2500, currency: 'XYZ' } }))).toBe('400:price.currency');
    expect(ruleOf(() => parse({ colour: 'blue' }))).toBe('400:');
  });
});

describe('plan rules', () => {
  const check = (overrides: Record<string, unknown>, jurisdiction = 'ON', fallbackPlan?: { id: string; price: { amount: number; currency: string } }) =>
    ruleOf(() => checkPlanRules(parse(overrides), { jurisdiction, fallbackPlan }));

  it('R-REN-1: a plan without a term cannot have a renewal policy', () => {
    expect(check({ termMonths: undefined })).toBe('R-REN-1');
    expect(check({ termMonths: undefined, renewal: undefined })).toBe('accepted');
  });

  it('R-REN-2: policy none sends no reminders', () => {
    expect(check({ renewal: { policy: 'none', reminderDays: [7] } })).toBe('R-REN-2');
    expect(check({ renewal: { policy: 'none', reminderDays: [] } })).toBe('accepted');
  });

  it('R-REN-8: in Quebec a term of 12 months or more needs a renewal option', () => {
    expect(check({ renewal: { policy: 'none', reminderDays: [] } }, 'QC')).toBe('R-REN-8');
    expect(check({ renewal: undefined }, 'QC')).toBe('R-REN-8');
    expect(check({ termMonths: 11, renewal: { policy: 'none', reminderDays: [] } }, 'QC')).toBe('accepted');
    expect(check({ renewal: { policy: 'confirmation', reminderDays: [14] } }, 'QC')).toBe('accepted');
    expect(check({ renewal: { policy: 'none', reminderDays: [] } }, 'ON')).toBe('accepted');
  });

  it('R-REN-5: the notice policy is refused until renewal notices are available', () => {
    expect(check({ renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 45, remindAfterDays: 7 } } })).toBe('R-REN-5');
    expect(check({ renewal: { policy: 'notice', reminderDays: [] } })).toBe('400:renewal.notice');
  });

  it('R-DUN-6: downgrade needs an existing fallback plan in the same currency', () => {
    const downgrade = { dunning: { retryDays: [3, 8, 13], finalAction: 'downgrade', fallbackPlanId: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA' } };
    expect(check(downgrade)).toBe('R-DUN-6');
    expect(check(downgrade, 'ON', { id: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA', price: { amount: 0, currency: 'USD' } })).toBe('R-DUN-6');
    expect(check(downgrade, 'ON', { id: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA', price: { amount: 0, currency: 'CAD' } })).toBe('accepted');
    expect(check({ dunning: { retryDays: [3], finalAction: 'downgrade', fallbackPlanId: null } })).toBe('R-DUN-6');
  });

  it('R-DUN-2: 1 to 8 retries, 1 to 15 days apart, increasing', () => {
    const ladder = (retryDays: number[]) => ruleOf(() => checkDunningLadder(retryDays));
    expect(ladder([3, 8, 13])).toBe('accepted');
    expect(ladder([1, 2, 3, 4, 5, 6, 7, 8])).toBe('accepted');
    expect(ladder([])).toBe('R-DUN-2');
    expect(ladder([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe('R-DUN-2');
    expect(ladder([3, 19])).toBe('R-DUN-2');
    expect(ladder([8, 3])).toBe('R-DUN-2');
    expect(ladder([16])).toBe('R-DUN-2');
  });
});
