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

/*
 * Transitions below are from the tz database (2026c): Havana springs forward 00:00 CST → 01:00
 * CDT on the second Sunday of March and falls back 01:00 CDT → 00:00 CST on the first Sunday of
 * November; Santiago springs forward 00:00 → 01:00 in September and falls back 24:00 → 23:00 of
 * the Saturday in April; Beirut does both at midnight; Lord Howe moves by 30 minutes at 02:00.
 */
const iso = (d: Date) => d.toISOString();

describe('start of a local day (R-BIL-1, R-REN-6, R-CAN-1)', () => {
  it('R-BIL-1: billing acts at the first instant of the day in America/Havana on fall-back day (the first of its two midnights)', () => {
    // 00:00 CDT (04:00Z); the clocks then return from 01:00 CDT to 00:00 CST (05:00Z).
    expect(iso(startOfLocalDay('2026-11-01', 'America/Havana'))).toBe('2026-11-01T04:00:00.000Z');
    expect(localDateOf(new Date('2026-11-01T03:59:59.999Z'), 'America/Havana')).toBe('2026-10-31');
    expect(iso(zonedInstant('2026-11-01', '00:00', 'America/Havana'))).toBe('2026-11-01T04:00:00.000Z');
  });

  it('R-REN-6: a term ending the day before the Havana fall-back ends at the first midnight, so the 25-hour day before is not cut short', () => {
    expect(iso(startOfLocalDay(addDays('2026-10-31', 1), 'America/Havana'))).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(startOfLocalDay('2026-11-02', 'America/Havana'))).toBe('2026-11-02T05:00:00.000Z');
  });

  it('R-BIL-1: billing acts at 01:00 local in America/Havana on spring-forward day, when midnight does not exist', () => {
    expect(iso(startOfLocalDay('2026-03-08', 'America/Havana'))).toBe('2026-03-08T05:00:00.000Z');
    expect(localDateOf(new Date('2026-03-08T04:59:59.999Z'), 'America/Havana')).toBe('2026-03-07');
  });

  it('R-CAN-1: a termination at the end of the Santiago fall-back Saturday waits for its repeated 23:00 hour', () => {
    // 2026-04-04 24:00 -03 (03:00Z) becomes 23:00 -04; 2026-04-05 starts at 00:00 -04 (04:00Z).
    expect(iso(startOfLocalDay('2026-04-04', 'America/Santiago'))).toBe('2026-04-04T03:00:00.000Z');
    expect(iso(startOfLocalDay('2026-04-05', 'America/Santiago'))).toBe('2026-04-05T04:00:00.000Z');
    expect(localDateOf(new Date('2026-04-05T03:30:00Z'), 'America/Santiago')).toBe('2026-04-04');
  });

  it('R-BIL-1: billing acts at 01:00 local in America/Santiago on spring-forward day', () => {
    expect(iso(startOfLocalDay('2026-09-06', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    expect(localDateOf(new Date('2026-09-06T03:59:59.999Z'), 'America/Santiago')).toBe('2026-09-05');
  });

  it('R-BIL-1: billing acts at 01:00 local in Asia/Beirut on spring-forward day and at its one midnight on fall-back day', () => {
    expect(iso(startOfLocalDay('2026-03-29', 'Asia/Beirut'))).toBe('2026-03-28T22:00:00.000Z');
    expect(iso(startOfLocalDay('2026-10-25', 'Asia/Beirut'))).toBe('2026-10-24T22:00:00.000Z');
  });

  it('R-BIL-1: billing acts at local midnight in America/Toronto on ordinary days and both daylight-saving days', () => {
    expect(iso(startOfLocalDay('2027-03-14', 'America/Toronto'))).toBe('2027-03-14T05:00:00.000Z');
    expect(iso(startOfLocalDay('2027-03-15', 'America/Toronto'))).toBe('2027-03-15T04:00:00.000Z');
    expect(iso(startOfLocalDay('2027-11-07', 'America/Toronto'))).toBe('2027-11-07T04:00:00.000Z');
    expect(iso(startOfLocalDay('2027-11-08', 'America/Toronto'))).toBe('2027-11-08T05:00:00.000Z');
  });

  it('R-BIL-1: billing acts at local midnight in zones with offsets of quarter and half hours and at the date line', () => {
    expect(iso(startOfLocalDay('2027-07-01', 'Asia/Kolkata'))).toBe('2027-06-30T18:30:00.000Z');
    expect(iso(startOfLocalDay('2027-07-01', 'Asia/Kathmandu'))).toBe('2027-06-30T18:15:00.000Z');
    expect(iso(startOfLocalDay('2027-07-01', 'Pacific/Chatham'))).toBe('2027-06-30T11:15:00.000Z');
    expect(iso(startOfLocalDay('2027-01-15', 'Pacific/Chatham'))).toBe('2027-01-14T10:15:00.000Z');
    expect(iso(startOfLocalDay('2027-07-01', 'Pacific/Kiritimati'))).toBe('2027-06-30T10:00:00.000Z');
    expect(iso(startOfLocalDay('2027-07-01', 'Pacific/Pago_Pago'))).toBe('2027-07-01T11:00:00.000Z');
  });

  it('R-BIL-1: billing acts at local midnight in Australia/Lord_Howe on both of its 30-minute changes', () => {
    expect(iso(startOfLocalDay('2026-10-04', 'Australia/Lord_Howe'))).toBe('2026-10-03T13:30:00.000Z');
    expect(iso(startOfLocalDay('2026-04-05', 'Australia/Lord_Howe'))).toBe('2026-04-04T13:00:00.000Z');
  });

  it('R-BIL-1: a billing date on the 2028 leap day starts at that day\'s midnight', () => {
    expect(iso(startOfLocalDay('2028-02-29', 'America/Havana'))).toBe('2028-02-29T05:00:00.000Z');
    expect(iso(startOfLocalDay('2028-02-29', 'Pacific/Kiritimati'))).toBe('2028-02-28T10:00:00.000Z');
    expect(iso(startOfLocalDay('2028-03-01', 'Pacific/Pago_Pago'))).toBe('2028-03-01T11:00:00.000Z');
    expect(localDateOf(new Date('2028-02-28T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2028-02-29');
  });

  it('R-CAN-1: a day whose midnight falls inside a gap that began the evening before starts at the gap\'s end (Toronto, 1919)', () => {
    // 1919-03-30 23:30 EST jumped to 1919-03-31 00:30 EDT (04:30Z).
    expect(iso(startOfLocalDay('1919-03-31', 'America/Toronto'))).toBe('1919-03-31T04:30:00.000Z');
  });

  it('R-CAN-1: a day that begins, returns to the day before for an hour, then begins again starts the first time (St. John\'s, 2006)', () => {
    // 2006-10-29 00:01 NDT (02:31Z) went back to 2006-10-28 23:01 NST.
    expect(iso(startOfLocalDay('2006-10-29', 'America/St_Johns'))).toBe('2006-10-29T02:30:00.000Z');
    expect(localDateOf(new Date('2006-10-29T02:45:00Z'), 'America/St_Johns')).toBe('2006-10-28');
  });
});

describe('wall-clock instants across daylight-saving changes (R-REN-6, R-DUN-2)', () => {
  it('R-REN-6: a wall time repeated by a fall-back is its first occurrence (Toronto 01:30 EDT, Lord Howe 01:45 +11)', () => {
    expect(iso(zonedInstant('2027-11-07', '01:30', 'America/Toronto'))).toBe('2027-11-07T05:30:00.000Z');
    expect(iso(zonedInstant('2026-04-05', '01:45', 'Australia/Lord_Howe'))).toBe('2026-04-04T14:45:00.000Z');
  });

  it('R-REN-6: a wall time skipped by a spring-forward moves past the gap by the gap\'s length, as before', () => {
    expect(iso(zonedInstant('2027-03-14', '02:00', 'America/Toronto'))).toBe('2027-03-14T07:00:00.000Z'); // 03:00 EDT
    expect(iso(zonedInstant('2027-03-14', '02:30', 'America/Toronto'))).toBe('2027-03-14T07:30:00.000Z'); // 03:30 EDT
    expect(iso(zonedInstant('2026-10-04', '02:15', 'Australia/Lord_Howe'))).toBe('2026-10-03T15:45:00.000Z'); // 02:45 +11
    expect(iso(zonedInstant('2026-09-27', '03:00', 'Pacific/Chatham'))).toBe('2026-09-26T14:15:00.000Z'); // 04:00 +13:45
    expect(iso(zonedInstant('2026-03-08', '00:30', 'America/Havana'))).toBe('2026-03-08T05:30:00.000Z'); // 01:30 CDT
  });

  it('R-DUN-2: a retry at 10:00 lands on its local day in quarter-hour and date-line zones', () => {
    expect(iso(zonedInstant('2027-07-01', '10:00', 'Asia/Kathmandu'))).toBe('2027-07-01T04:15:00.000Z');
    expect(iso(zonedInstant('2026-09-27', '10:00', 'Pacific/Chatham'))).toBe('2026-09-26T20:15:00.000Z');
    expect(iso(zonedInstant('2027-07-01', '10:00', 'Pacific/Kiritimati'))).toBe('2027-06-30T20:00:00.000Z');
    expect(iso(zonedInstant('2027-07-01', '10:00', 'Pacific/Pago_Pago'))).toBe('2027-07-01T21:00:00.000Z');
  });

  it('refuses a time that is not HH:mm', () => {
    expect(() => zonedInstant('2027-07-01', '9:00', 'America/Toronto')).toThrow(RangeError);
    expect(() => zonedInstant('2027-07-01', '24:00', 'America/Toronto')).toThrow(RangeError);
  });
});
