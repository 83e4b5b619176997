import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountDue,
  type BillingSchedule,
  billingDatesBetween,
  billingDateOnOrBefore,
  isBillingDate,
  nextBillingDate,
  termAt,
  terminationAfterFinalBilling,
  terminationAfterToday,
  terminationForMonth,
} from '../../shared/domain/billing.js';
import { addDays, formatLocalDate } from '../../shared/domain/calendar.js';

const fixed = (day: number, startDate: string): BillingSchedule => ({ cadence: 'monthly', anchor: { type: 'fixedDay', day }, startDate });
const purchase = (startDate: string): BillingSchedule => ({ cadence: 'monthly', anchor: { type: 'purchaseDate' }, startDate });
const upfront = (startDate: string, termMonths = 12): BillingSchedule => ({ cadence: 'upfront', anchor: { type: 'purchaseDate' }, startDate, termMonths });

describe('billing calendar (R-BIL-1)', () => {
  it('bills a fixed-day plan on its start date, then on the fixed day', () => {
    expect(billingDatesBetween(fixed(1, '2027-01-15'), '2027-01-01', '2027-04-30')).toEqual(['2027-01-15', '2027-02-01', '2027-03-01', '2027-04-01']);
  });

  it('bills a purchase-date plan on the purchase day, clamped to month ends (Jan 31 → Feb 28 → Mar 31)', () => {
    expect(billingDatesBetween(purchase('2027-01-31'), '2027-01-01', '2027-05-31')).toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31']);
    expect(billingDatesBetween(purchase('2028-01-31'), '2028-02-01', '2028-02-29')).toEqual(['2028-02-29']);
  });

  it('bills an upfront plan at each term start, anchored on the first start', () => {
    expect(billingDatesBetween(upfront('2028-02-29'), '2028-01-01', '2032-12-31')).toEqual(['2028-02-29', '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
    expect(nextBillingDate({ cadence: 'upfront', anchor: { type: 'purchaseDate' }, startDate: '2027-05-01' }, '2027-05-01')).toBeNull();
  });

  it('prorates only the short first period of a fixed-day plan, by days, rounded half up', () => {
    const price = { amount: 3100, currency: 'CAD' };
    expect(amountDue(fixed(1, '2027-01-15'), price, '2027-01-15')).toEqual({ amount: 1700, currency: 'CAD' });
    expect(amountDue(fixed(1, '2027-01-01'), price, '2027-01-01')).toEqual(price);
    expect(amountDue(fixed(1, '2027-01-15'), price, '2027-02-01')).toEqual(price);
    expect(amountDue(purchase('2027-01-15'), price, '2027-01-15')).toEqual(price);
  });

  it('ends a 12-month term the day before the same date next year (SPEC §1)', () => {
    expect(termAt('2027-03-10', 12, 0)).toEqual({ start: '2027-03-10', end: '2028-03-09' });
    expect(termAt('2027-03-10', 12, 1)).toEqual({ start: '2028-03-10', end: '2029-03-09' });
    expect(termAt('2028-02-29', 12, 0)).toEqual({ start: '2028-02-29', end: '2029-02-27' });
  });
});

describe('cancellation calendar (R-CAN-1, R-CAN-2)', () => {
  it('R-CAN-2: cancel in June on a day-1 plan → terminates May 31, last invoice in May', () => {
    const s = fixed(1, '2027-01-01');
    const result = terminationForMonth(s, '2027-06', '2027-03-20');
    expect(result).toEqual({ terminationDate: '2027-05-31', firstUnbilled: '2027-06-01' });
    expect(billingDateOnOrBefore(s, '2027-05-31')).toBe('2027-05-01');
  });

  it('R-CAN-2: with purchase-date billing, access lasts to the day before the billing date in the month', () => {
    expect(terminationForMonth(purchase('2027-01-15'), '2027-06', '2027-03-20')).toEqual({ terminationDate: '2027-06-14', firstUnbilled: '2027-06-15' });
  });

  it('R-CAN-2: refuses a month in the past and a month whose billing date has passed', () => {
    expect(terminationForMonth(fixed(1, '2027-01-01'), '2027-02', '2027-03-20')).toEqual({ reason: 'month_in_past' });
    expect(terminationForMonth(fixed(1, '2027-01-01'), '2027-03', '2027-03-20')).toEqual({ reason: 'billing_date_passed', billingDate: '2027-03-01' });
    expect(terminationForMonth(fixed(25, '2027-01-01'), '2027-03', '2027-03-20')).toEqual({ terminationDate: '2027-03-24', firstUnbilled: '2027-03-25' });
  });

  it('R-CAN-1, R-MNY-4: a month whose billing date is already invoiced is refused, including a one-time plan bought ahead of its start (nothing left to bill)', () => {
    const once = { cadence: 'upfront' as const, anchor: { type: 'fixedDay' as const, day: 20 }, startDate: '2028-12-01' };
    // Found by the model-based test: bought on 2028-11-26 to start 2028-12-01, cancelled "in December".
    expect(terminationForMonth(once, '2028-12', '2028-11-26', null)).toEqual({ reason: 'already_invoiced', billingDate: '2028-12-01' });
    expect(terminationForMonth(fixed(1, '2027-01-01'), '2027-06', '2027-03-20', '2027-07-01')).toEqual({ reason: 'already_invoiced', billingDate: '2027-06-01' });
    expect(terminationForMonth(fixed(1, '2027-01-01'), '2027-06', '2027-03-20', '2027-04-01')).toEqual({ terminationDate: '2027-05-31', firstUnbilled: '2027-06-01' });
  });

  it('R-CAN-2: an upfront plan terminates at the end of the paid term', () => {
    expect(terminationForMonth(upfront('2027-03-10'), '2027-06', '2027-04-01')).toEqual({ terminationDate: '2028-03-09', firstUnbilled: '2028-03-10' });
  });

  it('R-CAN-5: an immediate member cancellation ends on the next billing eve', () => {
    expect(terminationAfterToday(fixed(1, '2027-01-01'), '2027-03-20')).toBe('2027-03-31');
    expect(terminationAfterToday(fixed(1, '2027-01-01'), '2027-03-31')).toBe('2027-03-31');
    expect(terminationAfterToday({ cadence: 'upfront', anchor: { type: 'purchaseDate' }, startDate: '2027-01-01' }, '2027-03-20')).toBe('2027-03-20');
    // Found by the model-based test: bought on June 11 to start June 16, cancelled at once on June 11.
    const ahead = { cadence: 'monthly' as const, anchor: { type: 'purchaseDate' as const }, startDate: '2036-06-16' };
    expect(terminationAfterToday(ahead, '2036-06-11', '2036-07-16')).toBe('2036-07-15');
    expect(terminationAfterToday({ cadence: 'upfront', anchor: { type: 'purchaseDate' }, startDate: '2036-06-16' }, '2036-06-11', null)).toBe('2036-06-16');
    // A billing date due today but not run yet is billed as usual.
    expect(terminationAfterToday(fixed(1, '2027-01-01'), '2027-04-01', '2027-04-01')).toBe('2027-04-30');
  });

  it('R-CAN-5: a confirmed request ends on the eve of the billing date after the final one', () => {
    expect(terminationAfterFinalBilling(fixed(1, '2027-01-01'), '2027-05-01', '2027-04-20')).toBe('2027-05-31');
    // Found by the model-based test: a one-time plan bought to start April 26, its request confirmed on April 21.
    const once = { cadence: 'upfront' as const, anchor: { type: 'purchaseDate' as const }, startDate: '2071-04-26' };
    expect(terminationAfterFinalBilling(once, '2071-04-26', '2071-04-21')).toBe('2071-04-26');
    expect(terminationAfterFinalBilling(once, '2071-04-26', '2071-05-03')).toBe('2071-05-03');
    expect(isBillingDate(fixed(1, '2027-01-01'), '2027-05-01')).toBe(true);
    expect(isBillingDate(fixed(1, '2027-01-01'), '2027-05-02')).toBe(false);
  });
});

/** Arbitrary schedules over 2024–2031, so month ends, Feb 29 and DST periods all occur. */
const dateArb = fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) =>
  formatLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()),
);
const scheduleArb: fc.Arbitrary<BillingSchedule> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 28 }), dateArb).map(([day, start]) => fixed(day, start)),
  dateArb.map(purchase),
  fc.tuple(dateArb, fc.integer({ min: 1, max: 24 })).map(([start, months]) => upfront(start, months)),
);
const monthOffset = fc.integer({ min: 0, max: 30 });
const monthAfter = (today: string, offset: number) => {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + offset;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
};

describe('cancellation calendar properties (R-CAN-1, R-CAN-2, R-CAN-3)', () => {
  it('the termination date is always the day before a billing date and never before today', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: 0, max: 900 }), monthOffset, (s, daysIn, offset) => {
        const today = addDays(s.startDate, daysIn);
        const result = terminationForMonth(s, monthAfter(today, offset), today);
        if ('reason' in result) return result.reason === 'billing_date_passed' || result.reason === 'no_billing_date';
        return isBillingDate(s, addDays(result.terminationDate, 1)) && result.terminationDate >= today;
      }),
      { numRuns: 2000 },
    );
  });

  it('no invoice is issued on or after the billing date that follows termination', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: 0, max: 900 }), monthOffset, (s, daysIn, offset) => {
        const today = addDays(s.startDate, daysIn);
        const result = terminationForMonth(s, monthAfter(today, offset), today);
        if ('reason' in result) return true;
        const billedUntilTermination = billingDatesBetween(s, today, result.terminationDate);
        return billedUntilTermination.every((d) => d <= result.terminationDate) && nextBillingDate(s, result.terminationDate) === result.firstUnbilled;
      }),
      { numRuns: 2000 },
    );
  });

  it('moving the cancellation month earlier never makes the termination later', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: 0, max: 900 }), monthOffset, monthOffset, (s, daysIn, a, b) => {
        const today = addDays(s.startDate, daysIn);
        const [early, late] = a <= b ? [a, b] : [b, a];
        const r1 = terminationForMonth(s, monthAfter(today, early), today);
        const r2 = terminationForMonth(s, monthAfter(today, late), today);
        if ('reason' in r1 || 'reason' in r2) return true;
        return r1.terminationDate <= r2.terminationDate;
      }),
      { numRuns: 2000 },
    );
  });

  it('an immediate cancellation never ends before today and never lets another billing date in', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: 0, max: 900 }), (s, daysIn) => {
        const today = addDays(s.startDate, daysIn);
        const end = terminationAfterToday(s, today);
        return end >= today && billingDatesBetween(s, addDays(today, 1), end).length === 0;
      }),
      { numRuns: 2000 },
    );
  });
});
