import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, type LocalDate, localDateOf, startOfLocalDay, zonedInstant } from '../../shared/domain/calendar.js';

/*
 * Properties over every zone the runtime knows, checked against an oracle that shares nothing
 * with calendar.ts but Intl itself: local readings come from `sv-SE` formatters (which print
 * `YYYY-MM-DD HH:mm:ss`), and candidate instants are found by brute force. Dates are drawn
 * from 2026–2035, half of them within an hour of a change of the zone's offset (on its day or
 * a day either side), so the rare days (gaps, repeated hours) are exercised in every run.
 */
const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const FIRST_DAY = '2026-01-01';
const DAY_COUNT = daysBetween(FIRST_DAY, '2035-12-31') + 1;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const QUARTER_HOUR = 15 * MINUTE;
const DAY = 24 * HOUR;

const readers = new Map<string, Intl.DateTimeFormat>();
function reader(tz: string): Intl.DateTimeFormat {
  let formatter = readers.get(tz);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    readers.set(tz, formatter);
  }
  return formatter;
}

/** `YYYY-MM-DD HH:mm:ss` in `tz`. */
const reading = (instant: number, tz: string) => reader(tz).format(instant);
const dateAt = (instant: number, tz: string) => reading(instant, tz).slice(0, 10);
const offsetAt = (instant: number, tz: string) => Date.parse(`${reading(instant, tz).replace(' ', 'T')}Z`) - Math.floor(instant / 1000) * 1000;

/**
 * The offset changes of `tz` in `year`, each as the wall time at which the clocks jump (read
 * with the offset before the change, as epoch ms of the same fields).
 */
const changesCache = new Map<string, number[]>();
function offsetChanges(tz: string, year: number): number[] {
  const key = `${tz} ${year}`;
  let changes = changesCache.get(key);
  if (changes !== undefined) return changes;
  changes = [];
  // Sampled every 10 days: no zone changes its offset twice within 10 days in these years.
  for (let from = Date.UTC(year, 0, 1); from < Date.UTC(year + 1, 0, 1); from += 10 * DAY) {
    let lo = from;
    let hi = from + 10 * DAY;
    const offset = offsetAt(lo, tz);
    if (offsetAt(hi, tz) === offset) continue;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(mid, tz) === offset) lo = mid;
      else hi = mid;
    }
    changes.push(hi + offset);
  }
  changesCache.set(key, changes);
  return changes;
}

/**
 * Zones whose clocks change within an hour of midnight (Havana, Santiago, Beirut, Cairo…):
 * the ones where the first instant of a day is not plain midnight. Drawn as often as all the
 * others together, since they are a handful among hundreds.
 */
const MIDNIGHT_CHANGE_ZONES = ZONES.filter((tz) =>
  offsetChanges(tz, 2026).some((wall) => {
    const timeOfDay = ((wall % DAY) + DAY) % DAY;
    return timeOfDay <= HOUR || timeOfDay >= DAY - HOUR;
  }),
);

/**
 * A zone, a date in 2026–2035 and a wall time: any of them, or (half the time, when the zone
 * changes its offset that year) within an hour of a change, on its day or a day either side.
 */
const zoneDay = fc
  .record({
    tz: fc.oneof(fc.constantFrom(...ZONES), fc.constantFrom(...MIDNIGHT_CHANGE_ZONES)),
    day: fc.integer({ min: 0, max: DAY_COUNT - 1 }),
    minuteOfDay: fc.integer({ min: 0, max: 24 * 60 - 1 }),
    nearChange: fc.boolean(),
    pick: fc.nat(),
    dayShift: fc.integer({ min: -1, max: 1 }),
    minuteShift: fc.integer({ min: -60, max: 60 }),
  })
  .map(({ tz, day, minuteOfDay, nearChange, pick, dayShift, minuteShift }) => {
    const anyDay = Date.parse(`${addDays(FIRST_DAY, day)}T00:00:00Z`);
    const changes = nearChange ? offsetChanges(tz, new Date(anyDay).getUTCFullYear()) : [];
    const change = changes[pick % Math.max(changes.length, 1)];
    const wall = change === undefined ? anyDay + minuteOfDay * MINUTE : change + dayShift * DAY + minuteShift * MINUTE;
    const at = new Date(wall).toISOString();
    return { tz, date: at.slice(0, 10), time: at.slice(11, 16) };
  });

/** Every instant whose reading in `tz` is `date time`, earliest first (offsets are whole quarter hours). */
function instantsReading(date: LocalDate, time: string, tz: string): number[] {
  const wall = Date.parse(`${date}T${time}:00Z`);
  const found: number[] = [];
  for (let offset = 14 * HOUR; offset >= -12 * HOUR; offset -= QUARTER_HOUR) {
    if (reading(wall - offset, tz) === `${date} ${time}:00`) found.push(wall - offset);
  }
  return found;
}

const RUNS = { numRuns: 1000 };

describe('calendar in every time zone (SPEC §2: calendar rules in the organisation time zone)', () => {
  it('R-BIL-1: a day starts at the first instant of its local date, in every zone', () => {
    fc.assert(
      fc.property(zoneDay, ({ tz, date }) => {
        const start = startOfLocalDay(date, tz).getTime();
        expect(dateAt(start, tz)).toBe(date);
        expect(dateAt(start - 1, tz)).not.toBe(date);
        const earlierOnDate: string[] = [];
        for (let earlier = start - QUARTER_HOUR; earlier >= start - 30 * HOUR; earlier -= QUARTER_HOUR) {
          if (dateAt(earlier, tz) === date) earlierOnDate.push(reading(earlier, tz));
        }
        expect(earlierOnDate).toEqual([]);
        expect(localDateOf(new Date(start), tz)).toBe(date);
      }),
      RUNS,
    );
  });

  it('R-CAN-1: each day starts after the day before it, in every zone', () => {
    fc.assert(
      fc.property(zoneDay, ({ tz, date }) => {
        expect(startOfLocalDay(addDays(date, 1), tz).getTime()).toBeGreaterThan(startOfLocalDay(date, tz).getTime());
      }),
      RUNS,
    );
  });

  it('R-REN-6: a wall time resolves to its first occurrence, or past the gap by the gap\'s length, in every zone', () => {
    fc.assert(
      fc.property(zoneDay, ({ tz, date, time }) => {
        const at = zonedInstant(date, time, tz).getTime();
        const occurrences = instantsReading(date, time, tz);
        if (occurrences.length > 0) {
          expect(reading(at, tz)).toBe(`${date} ${time}:00`);
          expect(at).toBe(occurrences[0]);
        } else {
          const wall = Date.parse(`${date}T${time}:00Z`);
          const gap = offsetAt(at, tz) - offsetAt(at - DAY, tz);
          expect(gap).toBeGreaterThan(0);
          expect(at + offsetAt(at, tz)).toBe(wall + gap);
        }
      }),
      RUNS,
    );
  });

  it('reads the local date of any instant as the zone prints it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2036, 0, 1) }), (tz, instant) => {
        expect(localDateOf(new Date(instant), tz)).toBe(dateAt(instant, tz));
      }),
      RUNS,
    );
  });
});
