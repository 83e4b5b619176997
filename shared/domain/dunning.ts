import { addDays, type LocalDate, localDateOf, zonedInstant } from './calendar.js';
import type { Money } from './schema.js';

/**
 * A dunning run (R-DUN-1…11): the retry-and-email ladder of one invoice, kept next to the
 * invoice and changed in the same transactions as it. A `failed_payment` run starts when an
 * automatic payment of the invoice fails; an `offline_invoice` run when an invoice is issued to a
 * member without a card (R-DUN-9: reminders with a pay-by-card link). Both are driven by one Step
 * Functions execution named after the invoice, which only waits between the run's ticks; every
 * decision is taken here, from the run as stored.
 *
 *   active ─▶ recovered   (any payment: a retry, a new card, a staff-recorded payment)
 *     │  └──▶ lost        (the final action applied; an offline invoice's reminders ran out)
 *     └────▶ canceled    (the invoice was voided, or the membership ended, first)
 */
export const RUN_STATES = ['active', 'recovered', 'lost', 'canceled'] as const;
export type RunState = (typeof RUN_STATES)[number];
export type RunKind = 'failed_payment' | 'offline_invoice';
export type FinalAction = 'cancel' | 'downgrade' | 'leave_unpaid';

/** How a run was recovered. */
export type RecoveredBy = 'retry' | 'new_card' | 'authentication' | 'staff';

export interface RunAttempt {
  at: string;
  /** The card tried (the gateway's payment method reference) and its brand. */
  card: string;
  brand: string;
}

export interface DunningRun {
  orgId: string;
  invoiceId: string;
  membershipId: string;
  memberId: string;
  kind: RunKind;
  state: RunState;
  amount: Money;
  /** The first failure (failed_payment) or the invoice's issue instant (offline_invoice). */
  startedAt: string;
  /** The day every tick counts from, in the organisation's time zone. */
  startDay: LocalDate;
  /** The ladder, frozen when the run starts: retry offsets (failed_payment) or reminder offsets (offline_invoice), in days. */
  days: number[];
  finalAction: FinalAction | null;
  fallbackPlanId: string | null;
  /** Ticks acted on: the next tick to act on is `ticks[ticksDone]`. */
  ticksDone: number;
  /** When the next tick is due (null once ended). */
  nextAt: string | null;
  /** Charge attempts of this run on a card, the first failure included (R-DUN-2 network caps). */
  attempts: RunAttempt[];
  lastDecline: { code: string; hard: boolean; at: string; card: string | null } | null;
  /** Dunning e-mails sent to the member so far (e-mail 1 included). */
  emails: number;
  /** Follow-ups sent so far (R-DUN-3: each has its own text). */
  followUps: number;
  endedAt: string | null;
  endReason: string | null;
  recovered: { by: RecoveredBy; amount: Money; afterRetries: number; days: number } | null;
  /** The final action taken, if the run was lost to it. */
  outcome: FinalAction | null;
  executionName: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * R-DUN-2: the charge attempts one card saw in failed-payment collection (first failures,
 * retries, new-card charges), across the member's invoices: what the network caps count.
 * Written in the transaction that decides each attempt, so two runs cannot both take the last
 * place under a cap.
 */
export interface CardLog {
  orgId: string;
  memberId: string;
  card: string;
  /** Attempt instants of the last 30 days, oldest first (at most 40). */
  attempts: string[];
  version: number;
  updatedAt: string;
}

/** The log with one more attempt at `at`, older ones than 30 days forgotten. */
export function logged(log: CardLog | null, ref: { orgId: string; memberId: string; card: string }, at: string): CardLog {
  const from = Date.parse(at) - 30 * 86_400_000;
  const kept = (log?.attempts ?? []).filter((t) => Date.parse(t) > from);
  return { orgId: ref.orgId, memberId: ref.memberId, card: ref.card, attempts: [...kept, at].slice(-40), version: log?.version ?? 0, updatedAt: at };
}

export type TickKind = 'retry' | 'warning' | 'final' | 'reminder';

export interface Tick {
  index: number;
  kind: TickKind;
  at: string;
  /** For a retry: its ladder position (1-based); for a reminder: its number. */
  n: number;
}

/** Retries happen at 10:00 organisation time; e-mail-only ticks at 09:00. */
export const RETRY_TIME = '10:00';
export const NOTICE_TIME = '09:00';
/** The final warning goes out this many days before the last retry (later if the ladder is tighter). */
export const FINAL_WARNING_DAYS = 2;
/** R-DUN-9: reminders of an offline invoice, in days after its due date. */
export const OFFLINE_REMINDER_DAYS = [7, 14];

/** R-DUN-1: one execution per invoice; a duplicate start is a no-op. Names are ≤ 80 characters of [A-Za-z0-9_-]. */
export function executionNameOf(orgId: string, invoiceId: string, kind: RunKind): string {
  const safe = `${orgId}-${invoiceId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = kind === 'offline_invoice' ? `${safe}-offline` : safe;
  return name.slice(0, 80);
}

/**
 * The run's ticks, earliest first, from its start day and frozen ladder.
 * failed_payment with retries d1…dk: retry 1 … retry k−1, the final warning, retry k, then the
 * final action (a separate tick at the same instant, so it waits for the last retry's outcome).
 * The final warning goes FINAL_WARNING_DAYS before the last retry at 09:00, but never before the
 * tick before it. offline_invoice: one reminder per offset after the start day.
 */
export function runTicks(run: Pick<DunningRun, 'kind' | 'startDay' | 'days' | 'startedAt'>, timeZone: string): Tick[] {
  const at = (days: number, time: string) => zonedInstant(addDays(run.startDay, days), time, timeZone).toISOString();
  if (run.kind === 'offline_invoice') return run.days.map((d, i) => ({ index: i, kind: 'reminder', at: at(d, NOTICE_TIME), n: i + 1 }));
  const retries = run.days.map((d) => at(d, RETRY_TIME));
  const ticks: Omit<Tick, 'index'>[] = retries.slice(0, -1).map((instant, i) => ({ kind: 'retry', at: instant, n: i + 1 }));
  const last = retries.at(-1)!;
  const previous = retries.length > 1 ? retries.at(-2)! : run.startedAt;
  const wanted = at(run.days.at(-1)! - FINAL_WARNING_DAYS, NOTICE_TIME);
  const floor = new Date(Date.parse(previous) + 60 * 60_000).toISOString();
  const warning = wanted > floor ? wanted : floor;
  ticks.push({ kind: 'warning', at: warning < last ? warning : floor, n: 0 });
  ticks.push({ kind: 'retry', at: last, n: retries.length });
  ticks.push({ kind: 'final', at: last, n: 0 });
  return ticks.map((t, index) => ({ ...t, index }));
}

/** The day of the last automatic try: the deadline every dunning e-mail states. */
export function deadlineOf(run: Pick<DunningRun, 'startDay' | 'days'>): LocalDate {
  return addDays(run.startDay, run.days.at(-1) ?? 0);
}

/** The day of the next retry tick at or after `from`, or null. */
export function nextRetryDay(ticks: Tick[], from: number, timeZone: string): LocalDate | null {
  const next = ticks.slice(from).find((t) => t.kind === 'retry');
  return next ? localDateOf(new Date(next.at), timeZone) : null;
}

/**
 * R-DUN-2: card-network caps on charge attempts per card. Visa: at most 15 in 30 days;
 * Mastercard: at most 10 in 24 hours and 35 in 30 days. Other brands follow Visa's.
 */
export const NETWORK_CAPS: Record<string, { windowMs: number; max: number }[]> = {
  visa: [{ windowMs: 30 * 86_400_000, max: 15 }],
  mastercard: [
    { windowMs: 86_400_000, max: 10 },
    { windowMs: 30 * 86_400_000, max: 35 },
  ],
};

export function capsOf(brand: string): { windowMs: number; max: number }[] {
  return NETWORK_CAPS[brand.toLowerCase()] ?? NETWORK_CAPS.visa!;
}

/** Whether one more attempt at `at` on a card of `brand` stays within its network's caps, given earlier attempts on it. */
export function withinNetworkCaps(brand: string, earlier: string[], at: Date): { ok: true } | { ok: false; rule: string } {
  for (const cap of capsOf(brand)) {
    const from = at.getTime() - cap.windowMs;
    const count = earlier.filter((t) => Date.parse(t) > from && Date.parse(t) <= at.getTime()).length;
    if (count + 1 > cap.max) return { ok: false, rule: `${brand} allows at most ${cap.max} attempts per card in ${cap.windowMs === 86_400_000 ? '24 hours' : '30 days'}` };
  }
  return { ok: true };
}

/**
 * R-DUN-2 at plan time: the attempts one card can see under this ladder, in the worst case where
 * every invoice fails and runs its whole ladder. A monthly plan issues an invoice every billing
 * date (28 days apart at the closest), so runs overlap when the ladder is longer than a month.
 * Answers the first cap broken (checked for Visa and Mastercard: the card's brand is not known
 * when the plan is written), or null.
 */
export function ladderCapViolation(retryDays: number[], cadence: 'monthly' | 'upfront'): string | null {
  const offsets = [0, ...retryDays];
  const span = offsets.at(-1)!;
  const runs = cadence === 'monthly' ? Math.floor(span / 28) + 2 : 1;
  const attempts: number[] = [];
  for (let r = 0; r < runs; r++) for (const d of offsets) attempts.push(r * 28 + d);
  attempts.sort((a, b) => a - b);
  const day = 86_400_000;
  for (const brand of ['visa', 'mastercard']) {
    for (const cap of capsOf(brand)) {
      for (const start of attempts) {
        // Attempts of one day are at the same hour, so a window in days counts whole days.
        const count = attempts.filter((d) => d >= start && (d - start) * day < cap.windowMs).length;
        if (count > cap.max) {
          const window = cap.windowMs === day ? '24 hours' : '30 days';
          return `with ${cadence} billing this ladder can try one card ${count} times in ${window}; ${brand === 'visa' ? 'Visa' : 'Mastercard'} allows at most ${cap.max}`;
        }
      }
    }
  }
  return null;
}

/** Whole days from `from` to `to` (instants), rounded down. */
export function daysBetween(from: string, to: string): number {
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 86_400_000));
}

/** The median of whole numbers, or null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
