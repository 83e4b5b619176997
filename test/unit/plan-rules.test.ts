import { describe, expect, it } from 'vitest';
import { RuleViolationError, ValidationError } from '../../shared/domain/errors.js';
import { ladderCapViolation, withinNetworkCaps } from '../../shared/domain/dunning.js';
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
  type Fallback = { id: string; price: { amount: number; currency: string }; billing?: { cadence: 'monthly' | 'upfront'; anchor: { type: 'purchaseDate' } } };
  const check = (overrides: Record<string, unknown>, jurisdiction = 'ON', fallback?: Fallback) =>
    ruleOf(() =>
      checkPlanRules(parse(overrides), { jurisdiction, fallbackPlan: fallback && { billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } }, ...fallback } }),
    );

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

  it('R-REN-5: the notice policy is for upfront plans, with its notice settings and no plain reminders', () => {
    const notice = { sendDaysBefore: 45, remindAfterDays: 7 };
    const upfront = { billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } } };
    expect(check({ ...upfront, renewal: { policy: 'notice', reminderDays: [], notice } })).toBe('accepted');
    expect(check({ ...upfront, renewal: { policy: 'notice', reminderDays: [], notice } }, 'QC')).toBe('accepted');
    // A monthly plan bills month by month; a notice invoices the whole next term.
    expect(check({ renewal: { policy: 'notice', reminderDays: [], notice } })).toBe('R-REN-5');
    expect(check({ ...upfront, renewal: { policy: 'notice', reminderDays: [30], notice } })).toBe('R-REN-5');
    expect(check({ ...upfront, termMonths: 1, renewal: { policy: 'notice', reminderDays: [], notice } })).toBe('R-REN-5');
    expect(check({ ...upfront, renewal: { policy: 'notice', reminderDays: [] } })).toBe('400:renewal.notice');
    expect(check({ ...upfront, renewal: { policy: 'automatic', reminderDays: [], notice } })).toBe('400:renewal.notice');
  });

  it('R-DUN-6: downgrade needs an existing fallback plan in the same currency', () => {
    const downgrade = { dunning: { retryDays: [3, 8, 13], finalAction: 'downgrade', fallbackPlanId: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA' } };
    expect(check(downgrade)).toBe('R-DUN-6');
    expect(check(downgrade, 'ON', { id: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA', price: { amount: 0, currency: 'USD' } })).toBe('R-DUN-6');
    expect(check(downgrade, 'ON', { id: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA', price: { amount: 0, currency: 'CAD' } })).toBe('accepted');
    expect(check({ dunning: { retryDays: [3], finalAction: 'downgrade', fallbackPlanId: null } })).toBe('R-DUN-6');
  });

  it('R-DUN-6: the fallback plan is billed the same way (the membership keeps its calendar)', () => {
    const downgrade = { dunning: { retryDays: [3, 8, 13], finalAction: 'downgrade', fallbackPlanId: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA' } };
    const upfront = { id: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAA', price: { amount: 0, currency: 'CAD' }, billing: { cadence: 'upfront' as const, anchor: { type: 'purchaseDate' as const } } };
    expect(check(downgrade, 'ON', upfront)).toBe('R-DUN-6');
  });

  it('R-DUN-2: card-network caps, counted over the overlapping runs of monthly invoices on one card', () => {
    // Within R-DUN-2's bounds (at most 9 attempts per invoice) no ladder breaks them: the densest
    // ones give 11 attempts in 30 days across two months' runs.
    expect(ladderCapViolation([1, 2, 3, 4, 5, 6, 7, 8], 'monthly')).toBeNull();
    expect(ladderCapViolation([15, 30, 45, 60, 75, 90, 105, 120], 'monthly')).toBeNull();
    // The count itself, on ladders outside the bounds: 15 daily retries try a card 16 times in 30 days.
    expect(ladderCapViolation([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 'upfront')).toMatch(/16 times in 30 days; Visa allows at most 15/);
    expect(ladderCapViolation([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 'upfront')).toBeNull();
  });

  it('R-DUN-2: caps per card at run time: Visa 15 in 30 days, Mastercard 10 in 24 hours and 35 in 30 days', () => {
    const at = new Date('2027-03-01T10:00:00Z');
    const hoursAgo = (n: number, h: number) => Array.from({ length: n }, (_, i) => new Date(at.getTime() - (i + 1) * h * 3_600_000).toISOString());
    expect(withinNetworkCaps('visa', hoursAgo(14, 24), at).ok).toBe(true);
    expect(withinNetworkCaps('visa', hoursAgo(15, 24), at).ok).toBe(false);
    // Older than 30 days does not count.
    expect(withinNetworkCaps('visa', hoursAgo(15, 49), at).ok).toBe(true);
    expect(withinNetworkCaps('mastercard', hoursAgo(9, 2), at).ok).toBe(true);
    expect(withinNetworkCaps('mastercard', hoursAgo(10, 2), at).ok).toBe(false);
    expect(withinNetworkCaps('mastercard', hoursAgo(20, 24), at).ok).toBe(true);
    expect(withinNetworkCaps('mastercard', hoursAgo(35, 20), at).ok).toBe(false);
    // Unknown brands follow Visa's cap.
    expect(withinNetworkCaps('amex', hoursAgo(15, 24), at).ok).toBe(false);
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
