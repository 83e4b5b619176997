import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Calendar dates (`YYYY-MM-DD`, no time zone) and the bridge to instants in an organisation's
 * time zone. Date arithmetic is pure calendar arithmetic; only `zonedInstant` and `localDateOf`
 * look at a time zone.
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

/** The calendar date that `instant` falls on in `tz`. */
export function localDateOf(instant: Date, tz: string): LocalDate {
  return dayjs(instant).tz(tz).format('YYYY-MM-DD');
}

/**
 * The instant of wall-clock time `time` (`HH:mm`) on `date` in `tz`. A wall time that does not
 * exist (inside a spring-forward gap) resolves to the instant just after the gap.
 */
export function zonedInstant(date: LocalDate, time: string, tz: string): Date {
  return dayjs.tz(`${date} ${time}`, 'YYYY-MM-DD HH:mm', tz).toDate();
}

/** The first instant of `date` in `tz` (local midnight, or just after a gap at midnight). */
export function startOfLocalDay(date: LocalDate, tz: string): Date {
  return zonedInstant(date, '00:00', tz);
}
