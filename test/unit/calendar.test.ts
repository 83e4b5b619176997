import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonthsClamped,
  daysBetween,
  isLocalDate,
  localDateOf,
  startOfLocalDay,
  zonedInstant,
} from '../../shared/domain/calendar.js';

describe('calendar dates', () => {
  it('accepts real dates only, leap days included', () => {
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2027-02-29')).toBe(false);
    expect(isLocalDate('2100-02-29')).toBe(false);
    expect(isLocalDate('2000-02-29')).toBe(true);
    expect(isLocalDate('2027-04-31')).toBe(false);
    expect(isLocalDate('2027-4-01')).toBe(false);
  });

  it('clamps a month addition to the last day of the target month (R-BIL-1)', () => {
    expect(addMonthsClamped('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonthsClamped('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2027-03-31', 1)).toBe('2027-04-30');
    expect(addMonthsClamped('2027-12-15', 1)).toBe('2028-01-15');
    expect(addMonthsClamped('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonthsClamped('2027-01-31', -2)).toBe('2026-11-30');
  });

  it('counts inclusive-day arithmetic across month and year ends', () => {
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2027-03-10', '2028-03-10')).toBe(366);
    expect(daysBetween('2028-03-10', '2027-03-10')).toBe(-366);
  });
});

describe('instants in the organisation time zone', () => {
  const tz = 'America/Toronto';

  it('puts 09:00 on the right side of the spring-forward change', () => {
    expect(zonedInstant('2027-03-13', '09:00', tz).toISOString()).toBe('2027-03-13T14:00:00.000Z');
    expect(zonedInstant('2027-03-14', '09:00', tz).toISOString()).toBe('2027-03-14T13:00:00.000Z');
  });

  it('puts 09:00 on the right side of the fall-back change', () => {
    expect(zonedInstant('2027-11-06', '09:00', tz).toISOString()).toBe('2027-11-06T13:00:00.000Z');
    expect(zonedInstant('2027-11-07', '09:00', tz).toISOString()).toBe('2027-11-07T14:00:00.000Z');
  });

  it('reads the local date of an instant, not the UTC date', () => {
    expect(localDateOf(new Date('2028-01-01T03:30:00Z'), tz)).toBe('2027-12-31');
    expect(localDateOf(new Date('2028-01-01T05:30:00Z'), tz)).toBe('2028-01-01');
  });

  it('starts a local day at its local midnight', () => {
    expect(startOfLocalDay('2028-02-29', tz).toISOString()).toBe('2028-02-29T05:00:00.000Z');
    expect(startOfLocalDay('2027-07-01', tz).toISOString()).toBe('2027-07-01T04:00:00.000Z');
  });
});
