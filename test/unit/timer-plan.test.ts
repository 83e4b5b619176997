import { describe, expect, it } from 'vitest';
import type { Membership } from '../../shared/domain/membership.js';
import { membershipFixture } from '../support/fixtures.js';
import { pastReminders, type PlanInputs, renewsAtTermEnd, timerName, timerPlan } from '../../shared/domain/timers.js';
import type { TimerKind } from '../../shared/domain/membership.js';
import { rearmedName } from '../../shared/use-cases/timers.js';

const TZ = 'America/Toronto';

const membership = membershipFixture;
const inputs = (overrides: Partial<PlanInputs> = {}): PlanInputs => ({ timeZone: TZ, policy: 'automatic', reminderDays: [30, 14, 3], optedIn: true, ...overrides });
const summary = (m: Membership, i: PlanInputs) => timerPlan(m, i).map((t) => `${t.kind}@${t.at}`);

describe('timer plan (R-REN-6, R-REN-9)', () => {
  it('R-REN-6: one reminder per offset at 09:00 organisation time, then the term end at the next local midnight', () => {
    expect(summary(membership(), inputs())).toEqual([
      'reminder@2027-12-01T14:00:00.000Z',
      'reminder@2027-12-17T14:00:00.000Z',
      'reminder@2027-12-28T14:00:00.000Z',
      'term_end@2028-01-01T05:00:00.000Z',
    ]);
  });

  it('R-REN-6: reminders land on the right local day across the daylight-saving change', () => {
    const m = membership({ currentTerm: { seq: 1, start: '2026-03-20', end: '2027-03-19' } });
    expect(summary(m, inputs({ reminderDays: [30, 5] })).slice(0, 2)).toEqual(['reminder@2027-02-17T14:00:00.000Z', 'reminder@2027-03-14T13:00:00.000Z']);
  });

  it('R-REN-6: a term ending on Feb 29 reminds on Jan 30 and Feb 15', () => {
    const m = membership({ currentTerm: { seq: 1, start: '2027-03-01', end: '2028-02-29' } });
    expect(summary(m, inputs({ reminderDays: [30, 14] }))).toEqual(['reminder@2028-01-30T14:00:00.000Z', 'reminder@2028-02-15T14:00:00.000Z', 'term_end@2028-03-01T05:00:00.000Z']);
  });

  it('R-REN-6: reminders whose instant passed when the membership changes are skipped, not sent late', () => {
    const m = membership();
    expect(pastReminders(m, inputs(), new Date('2027-12-20T00:00:00Z'))).toEqual(['1:30', '1:14']);
    expect(summary(membership({ remindersDone: ['1:30', '1:14'] }), inputs())).toEqual(['reminder@2027-12-28T14:00:00.000Z', 'term_end@2028-01-01T05:00:00.000Z']);
  });

  it('R-REN-7: no expiry reminders without the communications opt-in', () => {
    expect(summary(membership(), inputs({ optedIn: false }))).toEqual(['term_end@2028-01-01T05:00:00.000Z']);
  });

  it('R-REN-2: policy none plans no reminders; R-REN-4: a confirmed renewal stops them', () => {
    expect(summary(membership(), inputs({ policy: 'none' }))).toEqual(['term_end@2028-01-01T05:00:00.000Z']);
    expect(summary(membership({ renewal: { termSeq: 1, confirmedAt: '2027-12-02T00:00:00Z' } }), inputs({ policy: 'confirmation' }))).toEqual(['term_end@2028-01-01T05:00:00.000Z']);
  });

  it('R-CAN-1: a termination date removes renewal, reminders and every billing date after it', () => {
    const monthly = membership({
      billing: { price: { amount: 2500, currency: 'CAD' }, cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 }, termMonths: 12 },
      nextBillingDate: '2027-06-01',
      status: 'cancel_scheduled',
      terminationDate: '2027-05-31',
    });
    expect(summary(monthly, inputs())).toEqual(['termination@2027-06-01T04:00:00.000Z']);
    expect(summary({ ...monthly, terminationDate: '2027-06-30' }, inputs())).toEqual(['billing@2027-06-01T04:00:00.000Z', 'termination@2027-07-01T04:00:00.000Z']);
  });

  it('orders timers sharing an instant: termination before term end before billing', () => {
    const m = membership({
      billing: { price: { amount: 2500, currency: 'CAD' }, cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 }, termMonths: 12 },
      nextBillingDate: '2028-01-01',
    });
    expect(summary(m, inputs({ reminderDays: [] }))).toEqual(['term_end@2028-01-01T05:00:00.000Z', 'billing@2028-01-01T05:00:00.000Z']);
  });

  it('plans nothing for a terminated or voided membership', () => {
    expect(timerPlan(membership({ status: 'terminated' }), inputs())).toEqual([]);
    expect(timerPlan(membership({ status: 'voided' }), inputs())).toEqual([]);
  });

  it('names each timer deterministically within the Scheduler limits (64 chars of [A-Za-z0-9-_.])', () => {
    const name = timerName('ms_01JAAAAAAAAAAAAAAAAAAAAAAA', 'termination', new Date('2027-06-01T04:00:00Z'));
    expect(name).toBe('ms_01JAAAAAAAAAAAAAAAAAAAAAAA-termination-20270601T040000Z');
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
    // Every kind, even re-armed 99 times after early deliveries (`.e99`, shared/use-cases/timers.ts).
    const kinds: TimerKind[] = ['start', 'reminder', 'term_end', 'billing', 'termination', 'card_expiry', 'notice', 'notice_reminder'];
    for (const kind of kinds) {
      const rearmed = rearmedName(timerName('ms_01JAAAAAAAAAAAAAAAAAAAAAAA', kind, new Date('2027-06-01T04:00:00Z')), 'x');
      expect(`${rearmed}9`.length, kind).toBeLessThanOrEqual(64);
    }
  });
});

describe('timer plan of a cancelled membership (R-CAN-1)', () => {
  const monthly = { price: { amount: 2500, currency: 'CAD' }, cadence: 'monthly' as const, anchor: { type: 'fixedDay' as const, day: 1 }, termMonths: 3 };

  it('does not renew a monthly membership cancelled to a billing eve after its term end', () => {
    const m = membership({ billing: monthly, currentTerm: { seq: 1, start: '2027-01-15', end: '2027-04-14' }, nextBillingDate: '2027-04-01', status: 'cancel_scheduled', terminationDate: '2027-04-30' });
    expect(summary(m, inputs())).toEqual(['billing@2027-04-01T04:00:00.000Z', 'termination@2027-05-01T04:00:00.000Z']);
  });

  it('renews an upfront membership cancelled to the end of a later term, until that term', () => {
    const m = membership({ status: 'cancel_scheduled', terminationDate: '2028-12-31' });
    expect(summary(m, inputs())).toContain('term_end@2028-01-01T05:00:00.000Z');
  });

  it('still starts a membership cancelled before its start date', () => {
    const m = membership({ started: false, status: 'cancel_scheduled', startDate: '2027-02-10', terminationDate: '2027-02-28', billing: monthly, nextBillingDate: '2027-03-01' });
    expect(summary(m, inputs())[0]).toBe('start@2027-02-10T05:00:00.000Z');
  });
});

describe('R-NOT-3: a refused renewal ends the term, whatever the plan became since', () => {
  // Found by the soak (seed 1301002): a notice refused after a dunning downgrade had moved the
  // membership to an automatically renewing plan; the term end renewed and charged the new plan.
  const m = membership({ currentTerm: { seq: 2, start: '2027-01-01', end: '2027-12-31' } });

  it('renewsAtTermEnd is false for the refused term on an automatic plan, and true for another term', () => {
    expect(renewsAtTermEnd(m, 'automatic', { refusedTermSeq: 2 })).toBe(false);
    expect(renewsAtTermEnd(m, 'automatic', { refusedTermSeq: 1 })).toBe(true);
    expect(renewsAtTermEnd(m, 'automatic', { refusedTermSeq: null })).toBe(true);
  });

  it('plans no renewal reminder and no card-expiry notice for the refused term; the term end still comes, to end it', () => {
    const card = { gatewayRef: 'pm_1', expMonth: 12, expYear: 2027 };
    const kinds = (i: PlanInputs) => [...new Set(timerPlan(m, i).map((t) => t.kind))].sort();
    expect(kinds(inputs({ card, cardNoticeDays: 14 }))).toEqual(['card_expiry', 'reminder', 'term_end']);
    expect(kinds(inputs({ card, cardNoticeDays: 14, refusedTermSeq: 2 }))).toEqual(['term_end']);
  });
});
