import {
  addDays,
  addMonthsClamped,
  dateInMonth,
  daysBetween,
  type LocalDate,
  parseLocalDate,
} from './calendar.js';
import type { Money } from './schema.js';

/**
 * The billing calendar (R-BIL-1, R-CAN-1, R-CAN-2). Pure functions over calendar dates in the
 * organisation's time zone.
 *
 * - monthly + fixedDay D: the first charge is on the start date, then on day D of every month.
 * - monthly + purchaseDate: on the start date's day of every month, clamped to the month's last
 *   day (Jan 31 → Feb 28/29 → Mar 31).
 * - upfront: at each term start (start + k × termMonths months, clamped on the start's day);
 *   a plan without a term is charged once.
 */
export type BillingAnchor = { type: 'fixedDay'; day: number } | { type: 'purchaseDate' };

export interface BillingSchedule {
  cadence: 'monthly' | 'upfront';
  anchor: BillingAnchor;
  /** The membership's start date: its first billing date and the purchase-date anchor. */
  startDate: LocalDate;
  termMonths?: number | undefined;
}

/** The day of month the schedule bills on, before clamping. */
function anchorDay(s: BillingSchedule): number {
  return s.anchor.type === 'fixedDay' ? s.anchor.day : parseLocalDate(s.startDate).day;
}

/** The first billing date strictly after `after`, or null when none follows. */
export function nextBillingDate(s: BillingSchedule, after: LocalDate): LocalDate | null {
  if (after < s.startDate) return s.startDate;
  if (s.cadence === 'upfront') {
    if (s.termMonths === undefined) return null;
    let k = 1;
    let candidate = addMonthsClamped(s.startDate, s.termMonths);
    while (candidate <= after) candidate = addMonthsClamped(s.startDate, ++k * s.termMonths);
    return candidate;
  }
  const { year, month } = parseLocalDate(after);
  const day = anchorDay(s);
  const sameMonth = dateInMonth(year, month, day);
  return sameMonth > after ? sameMonth : dateInMonth(year, month + 1, day);
}

/** The latest billing date on or before `on` (the start of the period `on` falls in). */
export function billingDateOnOrBefore(s: BillingSchedule, on: LocalDate): LocalDate | null {
  if (on < s.startDate) return null;
  let current = s.startDate;
  for (;;) {
    const next = nextBillingDate(s, current);
    if (next === null || next > on) return current;
    current = next;
  }
}

/** Every billing date in `[from, to]`, in order. */
export function billingDatesBetween(s: BillingSchedule, from: LocalDate, to: LocalDate): LocalDate[] {
  const dates: LocalDate[] = [];
  let d: LocalDate | null = from <= s.startDate ? s.startDate : nextBillingDate(s, addDays(from, -1));
  while (d !== null && d <= to) {
    dates.push(d);
    d = nextBillingDate(s, d);
  }
  return dates;
}

/** The last day a charge on `billingDate` pays for (the eve of the next billing date). */
export function periodEnd(s: BillingSchedule, billingDate: LocalDate): LocalDate | null {
  const next = nextBillingDate(s, billingDate);
  return next === null ? null : addDays(next, -1);
}

/**
 * The amount charged on `billingDate`. A monthly fixed-day plan that starts between two billing
 * days pays the first, short period pro rata by days (rounded half up, in minor units); every
 * other charge is the plan price.
 */
export function amountDue(s: BillingSchedule, price: Money, billingDate: LocalDate): Money {
  if (s.cadence !== 'monthly' || s.anchor.type !== 'fixedDay' || billingDate !== s.startDate) return price;
  const { year, month, day } = parseLocalDate(s.startDate);
  if (day === s.anchor.day) return price;
  const next = nextBillingDate(s, s.startDate)!;
  const fullPeriodStart = dateInMonth(year, day > s.anchor.day ? month : month - 1, s.anchor.day);
  const covered = daysBetween(s.startDate, next);
  const full = daysBetween(fullPeriodStart, next);
  return { amount: Math.floor((price.amount * covered * 2 + full) / (full * 2)), currency: price.currency };
}

/** Term number `index` (0-based) of a membership started on `startDate`: `[start, end]`, inclusive. */
export function termAt(startDate: LocalDate, termMonths: number, index: number): { start: LocalDate; end: LocalDate } {
  return {
    start: addMonthsClamped(startDate, index * termMonths),
    end: addDays(addMonthsClamped(startDate, (index + 1) * termMonths), -1),
  };
}

/** The first billing date on or after `date`, or null when none follows. */
export function billingDateOnOrAfter(s: BillingSchedule, date: LocalDate): LocalDate | null {
  return nextBillingDate(s, addDays(date, -1));
}

/** The eve of a billing date: the last day of access before it is billed (R-CAN-1). */
export function billingEve(billingDate: LocalDate): LocalDate {
  return addDays(billingDate, -1);
}

export type CancellationMonthRefusal =
  | { reason: 'month_in_past' }
  | { reason: 'billing_date_passed'; billingDate: LocalDate }
  | { reason: 'already_invoiced'; billingDate: LocalDate }
  | { reason: 'no_billing_date' };

/**
 * R-CAN-2: cancelling in `month` (`YYYY-MM`) terminates on the eve of the first billing date on
 * or after the month's first day — the first billing date in that month for monthly plans
 * (cancel in June → last invoice in May), the next term start for upfront plans. Refused when
 * the month is before `today`'s, when that termination date would be before today, or (R-CAN-1)
 * when that billing date is already invoiced: before `nextUnbilled`, the first billing date not
 * yet invoiced (a membership starting later is invoiced for its start date when it is bought).
 */
export function terminationForMonth(
  s: BillingSchedule,
  month: string,
  today: LocalDate,
  /** The first billing date not invoiced yet; null when every billing date is invoiced; undefined when unknown. */
  nextUnbilled?: LocalDate | null,
): { terminationDate: LocalDate; firstUnbilled: LocalDate } | CancellationMonthRefusal {
  if (month < today.slice(0, 7)) return { reason: 'month_in_past' };
  const firstUnbilled = billingDateOnOrAfter(s, `${month}-01`);
  if (firstUnbilled === null) return { reason: 'no_billing_date' };
  const terminationDate = billingEve(firstUnbilled);
  if (terminationDate < today) return { reason: 'billing_date_passed', billingDate: firstUnbilled };
  if (nextUnbilled !== undefined && (nextUnbilled === null || firstUnbilled < nextUnbilled)) return { reason: 'already_invoiced', billingDate: firstUnbilled };
  return { terminationDate, firstUnbilled };
}

/**
 * R-CAN-1, R-CAN-5 (immediate): no further charge; access ends on the eve of the next billing
 * date still to be invoiced (today itself when none follows). `nextUnbilled` is the first
 * billing date not invoiced yet: a membership bought ahead of its start has its start invoiced,
 * so it ends at the end of that first period, never before what was paid (R-MNY-4). A billing
 * date due today but not yet run is billed as usual. Without `nextUnbilled`, the billing date
 * after today.
 */
export function terminationAfterToday(s: BillingSchedule, today: LocalDate, nextUnbilled?: LocalDate | null): LocalDate {
  if (nextUnbilled === null) return today > s.startDate ? today : s.startDate;
  const next = nextUnbilled !== undefined && nextUnbilled > today ? nextUnbilled : nextBillingDate(s, today);
  return next === null ? today : billingEve(next);
}

/**
 * R-CAN-5 (request confirmed): the membership terminates on the eve of the next billing date
 * after the final billing date the admin picked; with none after it, today (or the start of a
 * membership bought ahead, whose start is paid).
 */
export function terminationAfterFinalBilling(s: BillingSchedule, finalBillingDate: LocalDate, today: LocalDate): LocalDate {
  const next = nextBillingDate(s, finalBillingDate);
  if (next !== null) return billingEve(next);
  // Nothing is billed after it (a one-time plan): today, but never before the paid start (R-MNY-4).
  return today > s.startDate ? today : s.startDate;
}

/** Whether `date` is one of the schedule's billing dates. */
export function isBillingDate(s: BillingSchedule, date: LocalDate): boolean {
  return billingDateOnOrAfter(s, date) === date;
}
