import { describe, expect, it } from 'vitest';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from '../../shared/domain/membership.js';
import { allows, holds, LIVE_STATUSES, MEMBERSHIP_EVENTS, nextStatus, TRANSITIONS, TransitionRefusedError } from '../../shared/domain/status.js';
import { type PlanInputs, timerPlan } from '../../shared/domain/timers.js';
import { membershipFixture } from '../support/fixtures.js';

const at = (status: MembershipStatus, previous: MembershipStatus | null = null) => ({ id: 'ms_1', status, previous });

describe('the status table (R-MNY-7)', () => {
  it('R-MNY-7: every status has a row, and every refused event is a 409 naming the status and the rule', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...MEMBERSHIP_STATUSES].sort());
    for (const status of MEMBERSHIP_STATUSES) {
      for (const event of MEMBERSHIP_EVENTS) {
        const outcome = TRANSITIONS[status][event];
        if (outcome !== undefined && outcome !== 'hold') continue;
        let error: unknown;
        try {
          nextStatus(at(status, 'active'), event);
        } catch (e) {
          error = e;
        }
        expect(error, `${status} + ${event}`).toBeInstanceOf(TransitionRefusedError);
        expect((error as TransitionRefusedError).message).toContain(`is ${status}`);
        expect((error as TransitionRefusedError).details).toEqual([expect.objectContaining({ rule: 'R-MNY-7' })]);
      }
    }
  });

  it('R-MNY-7: a voided membership accepts nothing; late payment outcomes leave it voided', () => {
    for (const event of MEMBERSHIP_EVENTS) {
      if (event.startsWith('payment_')) expect(nextStatus(at('voided'), event).status).toBe('voided');
      else expect(allows('voided', event), event).toBe(false);
    }
  });

  it('R-MNY-7, R-DUN-11: a membership bought ahead whose first payment failed waits for its start again once paid', () => {
    expect(nextStatus(at('pending'), 'payment_failed').status).toBe('past_due');
    expect(nextStatus(at('past_due'), 'payment_recovered_unstarted').status).toBe('pending');
    expect(nextStatus(at('past_due'), 'payment_recovered').status).toBe('active');
    expect(allows('pending', 'start')).toBe(true);
  });

  it('R-MNY-7: a pending cancellation request holds the automatic renewal and the next-period charge, not the expiry', () => {
    expect(holds('cancellation_requested', 'renew')).toBe(true);
    expect(holds('cancellation_requested', 'bill')).toBe(true);
    expect(allows('cancellation_requested', 'renew')).toBe(false);
    expect(nextStatus(at('cancellation_requested', 'active'), 'expire').status).toBe('expired');
  });

  it('R-MNY-7: an unrenewed expiry ends a membership whatever later cancellation date was set', () => {
    expect(nextStatus(at('cancel_scheduled'), 'expire').status).toBe('expired');
    expect(nextStatus(at('expired'), 'terminate').status).toBe('terminated');
  });

  it('R-CAN-5, R-DUN-11: a request remembers where it returns to, even as payments fail and recover while it waits', () => {
    const requested = nextStatus(at('active'), 'request_cancellation');
    expect(requested).toEqual({ status: 'cancellation_requested', previous: 'active' });
    const failed = nextStatus({ id: 'ms_1', ...requested }, 'payment_failed');
    expect(failed).toEqual({ status: 'cancellation_requested', previous: 'past_due' });
    expect(nextStatus({ id: 'ms_1', ...failed }, 'decline_request')).toEqual({ status: 'past_due', previous: null });
    const recovered = nextStatus({ id: 'ms_1', ...failed }, 'payment_recovered');
    expect(nextStatus({ id: 'ms_1', ...recovered }, 'decline_request').status).toBe('active');
    const started = nextStatus({ id: 'ms_1', status: 'cancellation_requested', previous: 'pending' }, 'start');
    expect(started).toEqual({ status: 'cancellation_requested', previous: 'active' });
  });

  it('R-DUN-11: a failed automatic payment makes a membership past due, and paying the last unpaid invoice makes it active', () => {
    expect(nextStatus(at('active'), 'payment_failed').status).toBe('past_due');
    expect(nextStatus(at('pending'), 'payment_failed').status).toBe('past_due');
    expect(nextStatus(at('past_due'), 'start').status).toBe('past_due');
    expect(nextStatus(at('past_due'), 'payment_recovered').status).toBe('active');
  });

  it('R-MNY-1: the live statuses are exactly those that can still renew, be billed or be cancelled', () => {
    for (const status of MEMBERSHIP_STATUSES) {
      const runs = (['renew', 'expire', 'bill', 'cancel', 'terminate'] as const).some((e) => TRANSITIONS[status][e] !== undefined);
      expect(LIVE_STATUSES.has(status), status).toBe(runs && status !== 'expired');
    }
  });

  it('R-MNY-7: the timer plan leaves out what the table holds: a requested cancellation plans no renewal and no billing', () => {
    const inputs: PlanInputs = { timeZone: 'America/Toronto', policy: 'automatic', reminderDays: [30], optedIn: true };
    const monthly = membershipFixture({
      billing: { price: { amount: 2500, currency: 'CAD' }, cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 }, termMonths: 12 },
      nextBillingDate: '2027-06-01',
    });
    expect(timerPlan(monthly, inputs).map((t) => t.kind)).toEqual(['billing', 'reminder', 'term_end']);
    expect(timerPlan({ ...monthly, status: 'cancellation_requested' }, inputs)).toEqual([]);
    // With the confirmation policy and no click, the term end would expire it: that is not held.
    expect(timerPlan({ ...monthly, status: 'cancellation_requested' }, { ...inputs, policy: 'confirmation' }).map((t) => t.kind)).toEqual(['term_end']);
  });
});
