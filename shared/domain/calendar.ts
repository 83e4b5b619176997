/**
 * Calendar dates (`YYYY-MM-DD`, no time zone) and the bridge to instants in an organisation's
 * time zone. Date arithmetic is pure calendar arithmetic; only `localDateOf`, `zonedInstant` and
 * `startOfLocalDay` look at a time zone.
 */
export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function isLocalDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function parseLocalDate(value: LocalDate): { year: number; month: number; day: number } {
  const m = DATE_RE.exec(value);
  if (!m || !isLocalDate(value)) throw new RangeError(`not a calendar date: ${value}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export function formatLocalDate(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `month` is 1–12. */
export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function toEpochDay(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

function fromEpochDay(epochDay: number): LocalDate {
  const d = new Date(epochDay * MS_PER_DAY);
  return formatLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Whole days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/**
 * The date `months` months after `date`, with the day clamped to the target month's last day
 * (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year).
 */
export function addMonthsClamped(date: LocalDate, months: number): LocalDate {
  const { year, month, day } = parseLocalDate(date);
  return dateInMonth(year, month + months, day);
}

/**
 * Day `day` of the given month (months past 12 or below 1 roll into other years), clamped to
 * the month's last day.
 */
export function dateInMonth(year: number, month: number, day: number): LocalDate {
  const index = year * 12 + (month - 1);
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return formatLocalDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** Whole months from `a`'s month to `b`'s month (ignores the day). */
export function monthsBetween(a: LocalDate, b: LocalDate): number {
  const pa = parseLocalDate(a);
  const pb = parseLocalDate(b);
  return (pb.year - pa.year) * 12 + (pb.month - pa.month);
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: LocalDate, b: LocalDate): LocalDate {
  return a <= b ? a : b;
}

export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a >= b ? a : b;
}

/** `YYYY-MM` of a date. */
export function monthOf(date: LocalDate): string {
  return date.slice(0, 7);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/*
 * Wall-clock readings. A "wall" is a local date and time in a zone written as the UTC epoch
 * milliseconds of the same fields (so 2026-11-01 00:00 local is Date.UTC(2026, 10, 1)); the
 * zone's offset at an instant is then wall − instant. A zone's offset changes at most once in
 * any three days (every zone of the tz database, 1990–2040), so the offsets in force a day
 * before and a day after a wall time are the only ones it can have.
 */

const HOUR_MINUTE_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MS_PER_MINUTE = 60_000;
const MS_PER_SECOND = 1_000;
const wallFormatters = new Map<string, Intl.DateTimeFormat>();

function wallFormatter(tz: string): Intl.DateTimeFormat {
  let formatter = wallFormatters.get(tz);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormatters.set(tz, formatter);
  }
  return formatter;
}

/** The wall reading of `instant` (epoch ms) in `tz`, to the millisecond. */
function wallAt(instant: number, tz: string): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of wallFormatter(tz).formatToParts(instant)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
    }
  }
  const millis = instant - Math.floor(instant / MS_PER_SECOND) * MS_PER_SECOND;
  return Date.UTC(year, month - 1, day, hour, minute, second) + millis;
}

function offsetAt(instant: number, tz: string): number {
  return wallAt(instant, tz) - instant;
}

/**
 * The earliest instant whose wall reading in `tz` is exactly `wall`, or NaN when the wall time
 * falls in a gap. `before` and `after` are the offsets in force a day either side of `wall`.
 */
function firstInstantOfWall(wall: number, before: number, after: number, tz: string): number {
  const early = wall - before;
  const earlyHolds = offsetAt(early, tz) === before;
  if (before === after) return earlyHolds ? early : Number.NaN;
  const late = wall - after;
  const lateHolds = offsetAt(late, tz) === after;
  if (earlyHolds && lateHolds) return Math.min(early, late);
  if (earlyHolds) return early;
  if (lateHolds) return late;
  return Number.NaN;
}

/**
 * The first instant in (`from`, `to`] whose offset in `tz` is not `offset`: the end of a gap
 * whose ends lie in that range. Offsets change on whole seconds.
 */
function gapEnd(from: number, to: number, offset: number, tz: string): number {
  if (offsetAt(to - 1, tz) === offset) return to;
  let lo = Math.floor(from / MS_PER_SECOND);
  let hi = Math.ceil(to / MS_PER_SECOND);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(mid * MS_PER_SECOND, tz) === offset) lo = mid;
    else hi = mid;
  }
  return hi * MS_PER_SECOND;
}

/** The calendar date that `instant` falls on in `tz`. */
export function localDateOf(instant: Date, tz: string): LocalDate {
  return fromEpochDay(Math.floor(wallAt(instant.getTime(), tz) / MS_PER_DAY));
}

/**
 * The instant of wall-clock time `time` (`HH:mm`, 00:00–23:59) on `date` in `tz`.
 * - A wall time that occurs twice (a fall-back overlap) resolves to its FIRST occurrence, the
 *   one before the clocks go back (01:30 on a fall-back day in Toronto is 01:30 EDT).
 * - A wall time that does not exist (inside a spring-forward gap) is read with the offset in
 *   force before the gap, so it lands after the gap, later by the gap's length: 02:30 on a
 *   spring-forward day in Toronto is 03:30 EDT, and a wall time at the gap's start (02:00, or
 *   00:00 in Havana) is the gap's end, the first instant after the gap.
 */
export function zonedInstant(date: LocalDate, time: string, tz: string): Date {
  const m = HOUR_MINUTE_RE.exec(time);
  if (!m) throw new RangeError(`not a wall-clock time (HH:mm): ${time}`);
  const wall = toEpochDay(date) * MS_PER_DAY + (Number(m[1]) * 60 + Number(m[2])) * MS_PER_MINUTE;
  const before = offsetAt(wall - MS_PER_DAY, tz);
  const first = firstInstantOfWall(wall, before, offsetAt(wall + MS_PER_DAY, tz), tz);
  return new Date(Number.isNaN(first) ? wall - before : first);
}

/**
 * The first instant of `date` in `tz`: the earliest instant t whose local date is `date` while
 * the local date just before t is not.
 * - Usually local midnight.
 * - Midnight twice (Havana falls back from 01:00 CDT to 00:00 CST): the FIRST midnight.
 * - No midnight (a spring-forward gap over midnight: Havana, Santiago and Beirut go from 00:00
 *   to 01:00): the end of the gap, 01:00 local.
 * - A fall-back from 24:00 to 23:00 of the day before (Santiago in April, Beirut in October):
 *   the one midnight after the repeated hour; `date` does not begin before it.
 * - A date that a zone skips entirely (Pacific/Apia, 2011-12-30): the first instant after it,
 *   which is also the start of the next date.
 */
export function startOfLocalDay(date: LocalDate, tz: string): Date {
  const midnight = toEpochDay(date) * MS_PER_DAY;
  const before = offsetAt(midnight - MS_PER_DAY, tz);
  const after = offsetAt(midnight + MS_PER_DAY, tz);
  const first = firstInstantOfWall(midnight, before, after, tz);
  if (!Number.isNaN(first)) return new Date(first);
  // Midnight lies in a gap; the gap ends within (midnight − after, midnight − before].
  return new Date(gapEnd(midnight - after, midnight - before, before, tz));
}
