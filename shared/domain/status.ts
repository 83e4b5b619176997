import { ConflictError } from './errors.js';
import type { MembershipStatus } from './membership.js';

/**
 * R-MNY-7: the one table of (status, event) → status. Every use case changes a membership's
 * status through `transition`; an event the table does not list for a status is refused with
 * 409 naming the status. The interactions between rules are decided here and nowhere else:
 *
 * - a pending cancellation request HOLDS an automatic renewal and a next-period charge until
 *   staff answer (the timer plan leaves them out while held);
 * - an unrenewed expiry ends the membership whatever later cancellation date was set
 *   (`cancel_scheduled` + `expire` → `expired`);
 * - a voided membership accepts nothing; late payment outcomes are recorded on the attempt
 *   and never change it.
 */
export const MEMBERSHIP_EVENTS = [
  /** The start date is reached. */
  'start',
  /** The term end is reached and the membership renews (automatic, or clicked). */
  'renew',
  /** The term end is reached without renewal. */
  'expire',
  /** A monthly billing date is reached. */
  'bill',
  /** The day after the termination date is reached. */
  'terminate',
  /** An automatic payment failed (R-DUN-11: access continues, `past_due`). */
  'payment_failed',
  /** The last unpaid invoice was paid (or written off by the dunning run's final action). */
  'payment_recovered',
  /** The same, for a membership bought ahead that has not started yet: it waits for its start again. */
  'payment_recovered_unstarted',
  /** A cancellation date is set or moved earlier (admin, or a member's immediate cancellation). */
  'cancel',
  'request_cancellation',
  'accept_request',
  'decline_request',
  /** Void from the last invoice (R-CAN-6). */
  'void',
  /** A member's one-click renewal (R-REN-4). */
  'confirm_renewal',
  /** Staff move the current term's end. */
  'change_term_end',
] as const;
export type MembershipEvent = (typeof MEMBERSHIP_EVENTS)[number];

/**
 * What an event does in a status: a new status; `hold` (allowed later, not now: the timer plan
 * leaves the action out); `previous` (back to the status before the request); `nested` (the
 * status stays, and the event applies to the status a pending request returns to).
 */
export type Outcome = MembershipStatus | 'hold' | 'previous' | 'nested';

export const TRANSITIONS: Readonly<Record<MembershipStatus, Readonly<Partial<Record<MembershipEvent, Outcome>>>>> = {
  pending: {
    start: 'active',
    payment_failed: 'past_due',
    payment_recovered: 'pending',
    payment_recovered_unstarted: 'pending',
    cancel: 'cancel_scheduled',
    request_cancellation: 'cancellation_requested',
    void: 'voided',
    change_term_end: 'pending',
  },
  active: {
    renew: 'active',
    expire: 'expired',
    bill: 'active',
    payment_failed: 'past_due',
    payment_recovered: 'active',
    payment_recovered_unstarted: 'active',
    cancel: 'cancel_scheduled',
    request_cancellation: 'cancellation_requested',
    void: 'voided',
    confirm_renewal: 'active',
    change_term_end: 'active',
  },
  past_due: {
    // Bought ahead of its start with a failed first payment: it starts past due.
    start: 'past_due',
    renew: 'past_due',
    expire: 'expired',
    bill: 'past_due',
    payment_failed: 'past_due',
    payment_recovered: 'active',
    payment_recovered_unstarted: 'pending',
    cancel: 'cancel_scheduled',
    request_cancellation: 'cancellation_requested',
    void: 'voided',
    confirm_renewal: 'past_due',
    change_term_end: 'past_due',
  },
  cancellation_requested: {
    start: 'nested',
    payment_failed: 'nested',
    payment_recovered: 'nested',
    payment_recovered_unstarted: 'nested',
    renew: 'hold',
    bill: 'hold',
    expire: 'expired',
    cancel: 'cancel_scheduled',
    accept_request: 'cancel_scheduled',
    decline_request: 'previous',
    void: 'voided',
  },
  cancel_scheduled: {
    start: 'cancel_scheduled',
    // A cancellation for a month after the term end keeps the membership (and its billing) until then.
    renew: 'cancel_scheduled',
    expire: 'expired',
    bill: 'cancel_scheduled',
    terminate: 'terminated',
    payment_failed: 'cancel_scheduled',
    payment_recovered: 'cancel_scheduled',
    payment_recovered_unstarted: 'cancel_scheduled',
    cancel: 'cancel_scheduled',
    void: 'voided',
  },
  expired: {
    terminate: 'terminated',
    payment_failed: 'expired',
    payment_recovered: 'expired',
    payment_recovered_unstarted: 'expired',
    void: 'voided',
  },
  terminated: {
    payment_failed: 'terminated',
    payment_recovered: 'terminated',
    payment_recovered_unstarted: 'terminated',
    void: 'voided',
  },
  voided: {
    payment_failed: 'voided',
    payment_recovered: 'voided',
    payment_recovered_unstarted: 'voided',
  },
};

/** Statuses of a membership still running: it can renew, be billed, be cancelled. */
export const LIVE_STATUSES: ReadonlySet<MembershipStatus> = new Set(['active', 'pending', 'past_due', 'cancellation_requested', 'cancel_scheduled']);

/** Whether `event` may happen now in `status` (not refused, not held). */
export function allows(status: MembershipStatus, event: MembershipEvent): boolean {
  const outcome = TRANSITIONS[status][event];
  return outcome !== undefined && outcome !== 'hold';
}

/** Whether `event` is held in `status` until staff answer a request. */
export function holds(status: MembershipStatus, event: MembershipEvent): boolean {
  return TRANSITIONS[status][event] === 'hold';
}

export class TransitionRefusedError extends ConflictError {
  constructor(
    readonly status: MembershipStatus,
    readonly event: MembershipEvent,
    membershipId: string,
  ) {
    super('transition_refused', `R-MNY-7: membership ${membershipId} is ${status}; ${event.replaceAll('_', ' ')} is not possible in that status`, [
      { rule: 'R-MNY-7', field: 'status', message: `${event} is refused when the membership is ${status}` },
    ]);
  }
}

/**
 * The status after `event`, per the table. `previous` is the status a pending request returns
 * to. Refused and held events throw TransitionRefusedError (409).
 */
export function nextStatus(m: { id: string; status: MembershipStatus; previous: MembershipStatus | null }, event: MembershipEvent): {
  status: MembershipStatus;
  previous: MembershipStatus | null;
} {
  const outcome = TRANSITIONS[m.status][event];
  if (outcome === undefined || outcome === 'hold') throw new TransitionRefusedError(m.status, event, m.id);
  if (outcome === 'nested') {
    const inner = nextStatus({ id: m.id, status: m.previous ?? 'active', previous: null }, event);
    return { status: m.status, previous: inner.status };
  }
  if (outcome === 'previous') return { status: m.previous ?? 'active', previous: null };
  return { status: outcome, previous: outcome === 'cancellation_requested' ? m.status : null };
}
