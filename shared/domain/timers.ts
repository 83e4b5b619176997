import { addDays, type LocalDate, startOfLocalDay, zonedInstant } from './calendar.js';
import { LIVE_STATUSES, type Membership, type PlannedTimer, type TimerKind } from './membership.js';
import type { RenewalPolicy } from './plan.js';

/**
 * A membership's timer plan (R-REN-6, R-REN-9, R-CAN-1, R-BIL-1): every future instant at
 * which something must happen to it, computed from its current state alone. Because the plan
 * is a function of state, acting on a timer changes the state so that the same timer is no
 * longer in the plan: a duplicate delivery finds nothing to do.
 *
 * Instants: reminders at 09:00 organisation time on `end − N`; everything else at the first
 * instant of its day (term end and termination at the start of the day after the last day
 * covered, billing at the start of the billing date).
 */
export const REMINDER_TIME = '09:00';

/** When several timers share an instant they act in this order. */
const PRIORITY: Record<TimerKind, number> = { termination: 0, start: 1, term_end: 2, billing: 3, reminder: 4 };

export interface PlanInputs {
  timeZone: string;
  policy: RenewalPolicy;
  reminderDays: number[];
  /** R-REN-7: expiry reminders only go to members who opted in. */
  optedIn: boolean;
}

export function reminderKey(termSeq: number, days: number): string {
  return `${termSeq}:${days}`;
}

/** Deterministic schedule name (≤ 64 chars of [A-Za-z0-9-_.]): the same timer always has the same name. */
export function timerName(membershipId: string, kind: TimerKind, at: Date): string {
  const compact = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${membershipId}-${kind}-${compact}`;
}

function timer(m: Membership, kind: TimerKind, at: Date, ref: string): PlannedTimer {
  return { kind, at: at.toISOString(), name: timerName(m.id, kind, at), ref };
}

/** The instant a day ends in the organisation's time zone: the start of the next day. */
export function endOfLocalDay(date: LocalDate, tz: string): Date {
  return startOfLocalDay(addDays(date, 1), tz);
}

export function reminderInstant(termEnd: LocalDate, days: number, tz: string): Date {
  return zonedInstant(addDays(termEnd, -days), REMINDER_TIME, tz);
}

/** Every timer still to act for `m`, earliest first (including any already due). */
export function timerPlan(m: Membership, inputs: PlanInputs): PlannedTimer[] {
  if (!LIVE_STATUSES.has(m.status) && m.status !== 'expired') return [];
  const tz = inputs.timeZone;
  const plan: PlannedTimer[] = [];
  const termination = m.terminationDate;
  if (termination !== null) plan.push(timer(m, 'termination', endOfLocalDay(termination, tz), termination));
  if (!m.started && LIVE_STATUSES.has(m.status)) plan.push(timer(m, 'start', startOfLocalDay(m.startDate, tz), m.startDate));

  // A cancelled membership does not renew (R-CAN-1, R-REN-3: "cancel before DATE"). The one
  // exception is an upfront plan cancelled for a month after its current term: it terminates
  // at the end of a later term, which it renews (and pays) until then.
  const end = m.currentTerm.end;
  const renewing =
    LIVE_STATUSES.has(m.status) && end !== null && (termination === null || (m.billing.cadence === 'upfront' && termination > end));
  if (renewing) {
    plan.push(timer(m, 'term_end', endOfLocalDay(end, tz), end));
    const wantsReminders =
      inputs.optedIn &&
      (inputs.policy === 'automatic' || inputs.policy === 'confirmation') &&
      (m.status === 'active' || m.status === 'past_due') &&
      !(inputs.policy === 'confirmation' && m.renewal?.termSeq === m.currentTerm.seq);
    if (wantsReminders) {
      for (const days of inputs.reminderDays) {
        if (m.remindersDone.includes(reminderKey(m.currentTerm.seq, days))) continue;
        plan.push(timer(m, 'reminder', reminderInstant(end, days, tz), String(days)));
      }
    }
  }

  const billing = m.nextBillingDate;
  if (m.billing.cadence === 'monthly' && billing !== null && LIVE_STATUSES.has(m.status) && (termination === null || billing <= termination)) {
    plan.push(timer(m, 'billing', startOfLocalDay(billing, tz), billing));
  }
  return plan.sort((a, b) => (a.at === b.at ? PRIORITY[a.kind] - PRIORITY[b.kind] : a.at < b.at ? -1 : 1));
}

/**
 * R-REN-6: a reminder whose instant has already passed when the membership is created or
 * changed is skipped, not sent late. Answers the reminder keys to record as done.
 */
export function pastReminders(m: Membership, inputs: PlanInputs, now: Date): string[] {
  return timerPlan(m, inputs)
    .filter((t) => t.kind === 'reminder' && new Date(t.at) <= now)
    .map((t) => reminderKey(m.currentTerm.seq, Number(t.ref)));
}
