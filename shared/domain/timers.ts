import { addDays, dateInMonth, daysInMonth, type LocalDate, startOfLocalDay, zonedInstant } from './calendar.js';
import type { Membership, PlannedTimer, TimerKind } from './membership.js';
import { autoReminderInstant, type Notice } from './notice.js';
import type { RenewalPolicy } from './plan.js';
import { allows, LIVE_STATUSES } from './status.js';

/**
 * A membership's timer plan (R-REN-6, R-REN-9, R-CAN-1, R-BIL-1): every future instant at
 * which something must happen to it, computed from its current state alone. Because the plan
 * is a function of state, acting on a timer changes the state so that the same timer is no
 * longer in the plan: a duplicate delivery finds nothing to do.
 *
 * What may happen is asked of the status table (R-MNY-7): an action the table holds (a renewal
 * or a next-period charge while a cancellation request waits for staff) is left out of the
 * plan until the status changes.
 *
 * Instants: reminders at 09:00 organisation time on `end − N`; everything else at the first
 * instant of its day (term end and termination at the start of the day after the last day
 * covered, billing at the start of the billing date).
 */
export const REMINDER_TIME = '09:00';

/** When several timers share an instant they act in this order. */
const PRIORITY: Record<TimerKind, number> = { termination: 0, start: 1, term_end: 2, billing: 3, reminder: 4, card_expiry: 5, notice: 6, notice_reminder: 7 };

export interface PlanInputs {
  timeZone: string;
  policy: RenewalPolicy;
  reminderDays: number[];
  /** R-REN-7: expiry reminders only go to members who opted in. */
  optedIn: boolean;
  /**
   * R-NOT-6: staff flagged the member "intervention required": nothing automatic happens to their
   * memberships (no renewal, no billing, no reminder or card notice) until staff clear it. An
   * expiry or a termination still happens: they charge nothing.
   */
  held?: boolean;
  /** R-DUN-7: the member's card on file, and how many days before its expiry they are told. */
  card?: { gatewayRef: string; expMonth: number; expYear: number } | null;
  cardNoticeDays?: number;
  /**
   * R-NOT-1, R-NOT-8 (policy notice): when the notice goes out, and the notice of the current
   * term once it exists.
   */
  notice?: { sendDaysBefore: number; current: NoticeState | null };
  /**
   * R-NOT-3: the term whose renewal staff refused (its notice is refused): that term ends the
   * membership, whatever the policy of its plan is by then (a dunning downgrade may have moved it
   * to an automatically renewing plan since the notice was sent).
   */
  refusedTermSeq?: number | null;
}

/** What the timer plan needs of a renewal notice. */
export type NoticeState = Pick<Notice, 'termSeq' | 'status' | 'sentAt' | 'remindAfterDays' | 'autoReminded' | 'invoiceId' | 'paidAt'>;

/** The notice of the membership's current term, if it was sent. */
export function currentNotice(m: Pick<Membership, 'currentTerm'>, inputs: Pick<PlanInputs, 'notice'>): NoticeState | null {
  const current = inputs.notice?.current ?? null;
  return current !== null && current.termSeq === m.currentTerm.seq ? current : null;
}

/** R-DUN-7: a card is valid through the last day of its expiry month. */
export function cardLastDay(card: { expMonth: number; expYear: number }): LocalDate {
  return dateInMonth(card.expYear, card.expMonth, daysInMonth(card.expYear, card.expMonth));
}

/** The key of one card-expiry notice: the card, its expiry, and the days before it (0: on the day). */
export function cardNoticeKey(card: { gatewayRef: string; expMonth: number; expYear: number }, days: number): string {
  return `${card.gatewayRef}:${card.expYear}-${String(card.expMonth).padStart(2, '0')}:${days}`;
}

export function reminderKey(termSeq: number, days: number): string {
  return `${termSeq}:${days}`;
}

/** How a kind is written in schedule names: short enough that a re-armed name (`.e<n>`) stays within 64 characters. */
const NAME_LABEL: Record<TimerKind, string> = {
  start: 'start',
  reminder: 'reminder',
  term_end: 'term_end',
  billing: 'billing',
  termination: 'termination',
  card_expiry: 'card_expiry',
  notice: 'notice',
  notice_reminder: 'notice_rem',
};

/** Deterministic schedule name (≤ 64 chars of [A-Za-z0-9-_.]): the same timer always has the same name. */
export function timerName(membershipId: string, kind: TimerKind, at: Date): string {
  const compact = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${membershipId}-${NAME_LABEL[kind]}-${compact}`;
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

/**
 * Whether the current term ends in a renewal: automatic, a member's click (R-REN-3, R-REN-4),
 * or an approved notice (R-NOT-4: the approved term follows, paid or awaiting payment).
 */
export function renewsAtTermEnd(m: Pick<Membership, 'renewal' | 'currentTerm'>, policy: RenewalPolicy, inputs: Pick<PlanInputs, 'notice' | 'refusedTermSeq'> = {}): boolean {
  if (inputs.refusedTermSeq !== undefined && inputs.refusedTermSeq === m.currentTerm.seq) return false;
  if (policy === 'notice') return currentNotice(m, inputs)?.status === 'approved';
  return policy === 'automatic' || (policy === 'confirmation' && m.renewal?.termSeq === m.currentTerm.seq);
}

/** R-REN-4: may the member still renew the current term with one click? */
export function renewalClickAllowed(m: Pick<Membership, 'status' | 'currentTerm' | 'terminationDate' | 'renewal'>, policy: RenewalPolicy): boolean {
  return (
    policy === 'confirmation' &&
    allows(m.status, 'confirm_renewal') &&
    m.currentTerm.end !== null &&
    m.terminationDate === null &&
    m.renewal?.termSeq !== m.currentTerm.seq
  );
}

/**
 * Whether reminders are planned for the current term (R-REN-3, R-REN-4, R-REN-7): an opted-in
 * member, a term end that will renew automatically or can still be renewed by a click.
 */
function wantsReminders(m: Membership, inputs: PlanInputs): boolean {
  if (!inputs.optedIn || inputs.held || inputs.refusedTermSeq === m.currentTerm.seq) return false;
  return inputs.policy === 'automatic' || renewalClickAllowed(m, inputs.policy);
}

/** Every timer still to act for `m`, earliest first (including any already due). */
export function timerPlan(m: Membership, inputs: PlanInputs): PlannedTimer[] {
  if (!LIVE_STATUSES.has(m.status) && m.status !== 'expired') return [];
  const tz = inputs.timeZone;
  const plan: PlannedTimer[] = [];
  const termination = m.terminationDate;
  if (termination !== null && allows(m.status, 'terminate')) plan.push(timer(m, 'termination', endOfLocalDay(termination, tz), termination));
  if (!m.started && allows(m.status, 'start')) plan.push(timer(m, 'start', startOfLocalDay(m.startDate, tz), m.startDate));

  // The term end acts when the membership still runs past it: it renews (if the policy says so
  // and the status allows it now) or expires, whatever later cancellation date was set. A
  // monthly membership cancelled to a date after its term end is not renewed: it keeps its
  // monthly billing until that date (R-CAN-1, R-CAN-2); an upfront one renews, as its next
  // term start is a billing date before the termination.
  const end = m.currentTerm.end;
  const termEndEvent = renewsAtTermEnd(m, inputs.policy, inputs) ? 'renew' : 'expire';
  const runsOnUnrenewed = termEndEvent === 'renew' && m.status === 'cancel_scheduled' && m.billing.cadence === 'monthly';
  // An approved notice is staff's (or the member's) own decision, not an automatic charge: it is not held.
  const heldRenewal = termEndEvent === 'renew' && inputs.held === true && inputs.policy !== 'notice';
  const termEndPlanned = end !== null && (termination === null || termination > end) && allows(m.status, termEndEvent) && !runsOnUnrenewed && !heldRenewal;
  if (termEndPlanned) {
    plan.push(timer(m, 'term_end', endOfLocalDay(end!, tz), end!));
    if (wantsReminders(m, inputs)) {
      // A reminder before its term has even started is never sent.
      const termStart = startOfLocalDay(m.currentTerm.start, tz).getTime();
      for (const days of inputs.reminderDays) {
        if (m.remindersDone.includes(reminderKey(m.currentTerm.seq, days))) continue;
        const at = reminderInstant(end!, days, tz);
        if (at.getTime() >= termStart) plan.push(timer(m, 'reminder', at, String(days)));
      }
    }
  }

  if (end !== null && inputs.policy === 'notice' && inputs.notice) plan.push(...noticeTimers(m, inputs, end, tz));

  const billing = m.nextBillingDate;
  if (m.billing.cadence === 'monthly' && billing !== null && allows(m.status, 'bill') && (termination === null || billing <= termination) && !inputs.held) {
    plan.push(timer(m, 'billing', startOfLocalDay(billing, tz), billing));
  }
  // R-DUN-7: the card will be charged again (a billing date or an automatic renewal is planned):
  // its owner and the organisation are told N days before it expires and on its last day.
  const chargesAgain = plan.some((t) => t.kind === 'billing') || (termEndPlanned && termEndEvent === 'renew' && inputs.policy !== 'notice');
  if (chargesAgain && inputs.card && inputs.cardNoticeDays) {
    const last = cardLastDay(inputs.card);
    for (const days of [inputs.cardNoticeDays, 0]) {
      const key = cardNoticeKey(inputs.card, days);
      const day = addDays(last, -days);
      // A card that expires after the membership ends needs no notice.
      if (termination !== null && day > termination) continue;
      if (!(m.cardNoticesDone ?? []).includes(key)) plan.push(timer(m, 'card_expiry', zonedInstant(day, REMINDER_TIME, tz), key));
    }
  }
  return plan.sort((a, b) => (a.at === b.at ? PRIORITY[a.kind] - PRIORITY[b.kind] : a.at < b.at ? -1 : 1));
}

/**
 * R-NOT-1, R-NOT-8: the notice of the current term, at 09:00 on `end − sendDaysBefore` (sent at
 * once if that instant has passed: a late notice is still needed, unlike a reminder), and its
 * one automatic reminder while it stays unanswered, before the term ends. A membership whose
 * renewal is held (a cancellation request) or that will end anyway (a cancellation date) gets
 * neither. For a flagged member (R-NOT-6) the notice is still written at its time, for staff,
 * but nothing goes to the member, and no reminder is planned.
 */
function noticeTimers(m: Membership, inputs: PlanInputs, end: LocalDate, tz: string): PlannedTimer[] {
  if (!allows(m.status, 'renew') || m.terminationDate !== null) return [];
  const current = currentNotice(m, inputs);
  if (current === null) return [timer(m, 'notice', zonedInstant(addDays(end, -inputs.notice!.sendDaysBefore), REMINDER_TIME, tz), String(m.currentTerm.seq))];
  if (current.status !== 'sent' || current.autoReminded || inputs.held) return [];
  const at = autoReminderInstant(current, tz);
  return at < endOfLocalDay(end, tz) ? [timer(m, 'notice_reminder', at, String(current.termSeq))] : [];
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

/** R-DUN-7: card notices whose instant passed before the card was on file (or the plan changed) are skipped, not sent late. */
export function pastCardNotices(m: Membership, inputs: PlanInputs, now: Date): string[] {
  return timerPlan(m, inputs)
    .filter((t) => t.kind === 'card_expiry' && new Date(t.at) <= now)
    .map((t) => t.ref);
}

/**
 * R-MNY-6: the moment after which a reminder of `days` days is stale: the next, closer
 * reminder's instant, or the term end. A reminder acted on or delivered after it is dropped.
 */
export function reminderDeadline(termEnd: LocalDate, days: number, reminderDays: number[], tz: string): Date {
  const closer = reminderDays.filter((d) => d < days && d > 0);
  if (closer.length === 0) return endOfLocalDay(termEnd, tz);
  return reminderInstant(termEnd, Math.max(...closer), tz);
}
