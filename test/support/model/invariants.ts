import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DunningRun } from '../../../shared/domain/dunning.js';
import type { DomainEvent, DomainEventRecord } from '../../../shared/domain/events.js';
import type { Invoice } from '../../../shared/domain/invoice.js';
import { DUNNING_TEMPLATES } from '../../../shared/use-cases/dunning-run.js';
import type { Membership, Term } from '../../../shared/domain/membership.js';
import type { Notice } from '../../../shared/domain/notice.js';
import { isSettled, type PaymentAttempt } from '../../../shared/domain/payment.js';
import { LIVE_STATUSES } from '../../../shared/domain/status.js';
import { reminderInstant } from '../../../shared/domain/timers.js';
import type { TimelineEvent } from '../../../shared/domain/timeline.js';
import { type OutboxEmail, type Page, type PageRequest, RECORD_LIMITS } from '../../../shared/ports/store.js';
import type { LedgerEntry } from './fakes.js';
import type { World } from './world.js';

/**
 * What must hold after every step of a sequence (safety), and what must hold once the world is
 * quiet again (liveness: nothing left pending). Each violation is named; the soak counts them.
 */
export type Violation =
  | 'double_charge'
  | 'refund_over_payment'
  | 'orphan_charge'
  | 'orphan_refund'
  | 'ledger_mismatch'
  | 'billed_after_termination'
  | 'kept_charge_on_void'
  | 'schedule_count'
  | 'schedule_on_terminal'
  | 'duplicated_email'
  | 'lost_email'
  | 'unsettled_attempt'
  | 'claim_mismatch'
  | 'missing_reminder'
  | 'dunning_after_paid'
  | 'run_mismatch'
  | 'stalled_run'
  | 'charged_while_held'
  | 'notice_mismatch'
  | 'notice_while_held'
  | 'count_mismatch'
  /** Issue 13: a membership's record or one of its paged lists is not what its items are. */
  | 'record_mismatch'
  /** R-EVT-1: a committed change's domain event not published exactly once, or published without its outbox item. */
  | 'event_not_once';

export class InvariantError extends Error {
  constructor(
    readonly violation: Violation,
    detail: string,
  ) {
    super(`${violation}: ${detail}`);
  }
}

export interface Tracked {
  orgId: string;
  timeZone: string;
  membershipIds: string[];
  /** Memberships eligible for the reminder check, with the facts it needs. */
  reminderWatch: Map<string, { planId: string; createdAt: number }>;
  plans: Map<string, { policy: string; reminderDays: number[]; editedAt: number | null }>;
  /** R-NOT-6: when each member's "intervention required" flag was up (to: null while it still is). */
  held: Map<string, { from: number; to: number | null }[]>;
}

export interface Snapshot {
  memberships: Membership[];
  invoices: Map<string, Invoice>;
  attempts: Map<string, PaymentAttempt>;
  outbox: OutboxEmail[];
  events: Map<string, TimelineEvent[]>;
  ledger: LedgerEntry[];
  /** Amounts taken back by disputes, by invoice. */
  disputed: Map<string, number>;
  /** Dunning runs and offline-invoice runs, by invoice. */
  runs: Map<string, DunningRun>;
  /** Each membership's terms, and its latest renewal notice (R-NOT-1). */
  terms: Map<string, Term[]>;
  notices: Map<string, Notice | null>;
  /** R-EVT-1: the domain events' outbox items (written with their changes), and what the bus received. */
  domainEvents: DomainEventRecord[];
  published: DomainEvent[];
  now: number;
}

/** Everything of the organisation's memberships: two Queries per membership (its partition, its invoices). */
export async function snapshot(world: World, tracked: Tracked): Promise<Snapshot> {
  const memberships: Membership[] = [];
  const invoices = new Map<string, Invoice>();
  const attempts = new Map<string, PaymentAttempt>();
  const outbox: OutboxEmail[] = [];
  const events = new Map<string, TimelineEvent[]>();
  const terms = new Map<string, Term[]>();
  const notices = new Map<string, Notice | null>();
  const domainEvents: DomainEventRecord[] = [];
  await Promise.all(
    tracked.membershipIds.map(async (id) => {
      const [items, invoiceItems] = await Promise.all([world.collection<Record<string, unknown>>(tracked.orgId, id, ''), world.invoicesOf(tracked.orgId, id)]);
      const m = items.find((i) => i.entity === 'membership') as Membership | undefined;
      if (!m) return;
      memberships.push(m);
      for (const i of items) {
        if (i.entity === 'attempt') attempts.set(String(i.id), i as unknown as PaymentAttempt);
        else if (i.entity === 'outbox') outbox.push(i as unknown as OutboxEmail);
        else if (i.entity === 'domain_event') domainEvents.push(i as unknown as DomainEventRecord);
      }
      events.set(id, items.filter((i) => i.entity === 'event') as unknown as TimelineEvent[]);
      terms.set(id, items.filter((i) => i.entity === 'term') as unknown as Term[]);
      if (m.notice) notices.set(id, await world.deps.store.getNotice(tracked.orgId, m.notice.id));
      for (const i of invoiceItems) invoices.set(i.id, i);
    }),
  );
  const ledger = world.gateway.ledger(tracked.orgId);
  const runs = new Map<string, DunningRun>();
  await Promise.all(
    [...invoices.keys()].map(async (id) => {
      const run = await world.deps.store.getRun(tracked.orgId, id);
      if (run) runs.set(id, run);
    }),
  );
  const published = world.bus.list({ orgId: tracked.orgId });
  return { memberships, invoices, attempts, outbox, events, ledger, disputed: world.gateway.disputed(tracked.orgId), runs, terms, notices, domainEvents, published, now: world.clock.now().getTime() };
}

const OUTCOME_OF: Record<string, string> = { succeeded: 'succeeded', declined: 'requires_payment_method', requires_action: 'requires_action', failed: 'failed' };

/**
 * R-EVT-1: what the bus received is exactly the committed changes' events: each published event
 * has its outbox item (same envelope), none is published twice (the stream redelivers records,
 * the model's faults included), an item marked published was published, and a membership starts
 * once. Once quiet (`quiet`), every item is published.
 */
export function checkDomainEvents(s: Snapshot, quiet: boolean): void {
  const records = new Map(s.domainEvents.map((r) => [r.id, r]));
  const seen = new Set<string>();
  for (const e of s.published) {
    const record = records.get(e.id);
    if (!record) throw new InvariantError('event_not_once', `${e.type} ${e.id} was published without a committed change`);
    if (JSON.stringify(record.event) !== JSON.stringify(e)) throw new InvariantError('event_not_once', `${e.id} was published other than it was written`);
    if (seen.has(e.id)) throw new InvariantError('event_not_once', `${e.type} ${e.id} was published twice`);
    seen.add(e.id);
  }
  for (const r of s.domainEvents) {
    if (r.status === 'published' && !seen.has(r.id)) throw new InvariantError('event_not_once', `${r.type} ${r.id} is marked published but the bus never had it`);
    if (quiet && !seen.has(r.id)) throw new InvariantError('event_not_once', `${r.type} ${r.id} was never published`);
  }
  for (const m of s.memberships) {
    const started = s.domainEvents.filter((r) => r.membershipId === m.id && r.type === 'membership.started').length;
    if (started !== 1) throw new InvariantError('event_not_once', `${m.id} has ${started} membership.started events`);
  }
}

/** Safety: true at every step, whatever is still in flight. */
export async function checkSafety(world: World, tracked: Tracked, s: Snapshot): Promise<void> {
  checkDomainEvents(s, false);
  // R-MNY-5: every gateway operation matches exactly one attempt, with its amount and card.
  const keys = new Set<string>();
  for (const e of s.ledger) {
    const attempt = s.attempts.get(e.attemptId);
    if (!attempt || attempt.idempotencyKey !== e.idempotencyKey) throw new InvariantError(e.kind === 'charge' ? 'orphan_charge' : 'orphan_refund', `${e.idempotencyKey} has no attempt`);
    if (keys.has(e.idempotencyKey)) throw new InvariantError('ledger_mismatch', `${e.idempotencyKey} twice`);
    keys.add(e.idempotencyKey);
    if (attempt.amount.amount !== e.amount.amount || attempt.amount.currency !== e.amount.currency || (e.kind === 'charge' && attempt.paymentMethod !== e.paymentMethod)) {
      throw new InvariantError('ledger_mismatch', `${e.idempotencyKey}: the gateway charged other terms than the attempt's`);
    }
    // A payment the member authenticated (or failed to) after it was recorded as needing it: the webhook is on its way.
    const awaitingWebhook = attempt.status === 'requires_action' && (e.result.status === 'succeeded' || e.result.status === 'declined');
    if (isSettled(attempt) && attempt.status !== 'canceled' && !awaitingWebhook && OUTCOME_OF[e.result.status] !== undefined && OUTCOME_OF[e.result.status] !== attempt.status) {
      throw new InvariantError('ledger_mismatch', `${attempt.id} is ${attempt.status} but the gateway says ${e.result.status}`);
    }
    if (attempt.status === 'canceled') throw new InvariantError(e.kind === 'charge' ? 'orphan_charge' : 'orphan_refund', `${attempt.id} was canceled yet reached the gateway`);
  }
  // At most one successful charge per invoice; refunds never above payments.
  const byInvoice = new Map<string, { charged: number; charges: number; refunded: number }>();
  for (const e of s.ledger) {
    const sums = byInvoice.get(e.invoiceId) ?? { charged: 0, charges: 0, refunded: 0 };
    if (e.result.status === 'succeeded') {
      if (e.kind === 'charge') {
        sums.charged += e.amount.amount;
        sums.charges++;
      } else sums.refunded += e.amount.amount;
    }
    byInvoice.set(e.invoiceId, sums);
  }
  for (const [invoiceId, sums] of byInvoice) {
    if (sums.charges > 1) throw new InvariantError('double_charge', `invoice ${invoiceId} charged ${sums.charges} times`);
    if (sums.refunded > sums.charged) throw new InvariantError('refund_over_payment', `invoice ${invoiceId}: refunded ${sums.refunded} of ${sums.charged}`);
  }
  for (const m of s.memberships) {
    // R-MNY-4: nothing billed for a period after the termination date or an unrenewed expiry. A
    // renewal invoiced ahead (R-NOT-4) and voided when the membership came to end first is not
    // billed (what was paid on it is refunded: kept_charge_on_void watches the money).
    if (m.terminationDate !== null) {
      for (const i of s.invoices.values()) {
        if (i.membershipId === m.id && i.periodStart > m.terminationDate && i.status !== 'void') {
          throw new InvariantError('billed_after_termination', `${m.id} (${m.status}) ends ${m.terminationDate} but invoice ${i.id} starts ${i.periodStart}`);
        }
      }
    }
    // One live schedule for a live membership with something planned, none for a terminal one.
    const schedules = world.scheduler.timersOf(m.id);
    if (!LIVE_STATUSES.has(m.status) && m.status !== 'expired') {
      if (schedules.length > 0) throw new InvariantError('schedule_on_terminal', `${m.id} is ${m.status} with ${schedules.map((x) => x.name).join(', ')}`);
    } else {
      const expected = m.armed ? 1 : 0;
      if (schedules.length !== expected || (m.armed && schedules[0]!.name !== m.armed.name) || (m.timers.length > 0) !== (m.armed !== null)) {
        throw new InvariantError('schedule_count', `${m.id} (${m.status}) armed ${m.armed?.name ?? 'none'}, plan ${m.timers.length}, live ${schedules.map((x) => x.name).join(', ') || 'none'}\n  ${world.scheduler.storyOf(m.id).join('\n  ')}`);
      }
    }
    // R-MNY-1: a live membership holds its member's place on its plan.
    if (LIVE_STATUSES.has(m.status)) {
      const claim = await world.doc.send(new GetCommand({ TableName: world.tableName, Key: { pk: `ORG#${m.orgId}#MBR#${m.memberId}`, sk: `PLAN#${m.planId}` }, ConsistentRead: true }));
      if (claim.Item?.membershipId !== m.id) throw new InvariantError('claim_mismatch', `${m.id} is live but the claim names ${String(claim.Item?.membershipId)}`);
    }
  }
  const live = s.memberships.filter((m) => LIVE_STATUSES.has(m.status));
  const places = new Set<string>();
  for (const m of live) {
    const key = `${m.memberId}/${m.planId}`;
    if (places.has(key)) throw new InvariantError('claim_mismatch', `two live memberships for ${key}`);
    places.add(key);
  }
  // No e-mail sent twice.
  const sent = new Map<string, number>();
  for (const mail of world.ses.sent) sent.set(mail.reference, (sent.get(mail.reference) ?? 0) + 1);
  for (const mail of s.outbox) if ((sent.get(mail.id) ?? 0) > 1) throw new InvariantError('duplicated_email', `${mail.id} (${mail.template}) sent ${sent.get(mail.id)} times`);
  checkReminders(tracked, s);
  await checkRecords(world, tracked, s);
  checkRuns(s);
  checkHeld(tracked, s);
  checkNotices(tracked, s);
  // R-CON-3: the counts by status are the memberships' statuses, whatever raced.
  const counts = await world.deps.store.membershipCounts(tracked.orgId);
  const actual: Record<string, number> = {};
  for (const m of s.memberships) actual[m.status] = (actual[m.status] ?? 0) + 1;
  for (const [status, n] of Object.entries(counts)) {
    if (n !== (actual[status] ?? 0)) throw new InvariantError('count_mismatch', `${n} ${status} counted, ${actual[status] ?? 0} stored`);
  }
}

/**
 * R-NOT-1…7: a notice and its membership agree. An approved notice has one invoice (paid once
 * the notice learned it); its term follows the old one only when approved, and is active only
 * when paid; a refused notice's membership never moves past its term; no notice or reminder
 * reaches a member while they are flagged (R-NOT-6).
 */
function checkNotices(tracked: Tracked, s: Snapshot): void {
  for (const m of s.memberships) {
    if (!m.notice) continue;
    const n = s.notices.get(m.id);
    if (!n) throw new InvariantError('notice_mismatch', `${m.id} names notice ${m.notice.id}, which does not exist`);
    const renewalInvoices = [...s.invoices.values()].filter((i) => i.membershipId === m.id && i.periodStart === n.next.start && (i.status === 'open' || i.status === 'paid'));
    if (n.status === 'approved') {
      const invoice = n.invoiceId ? s.invoices.get(n.invoiceId) : undefined;
      if (!invoice) throw new InvariantError('notice_mismatch', `approved notice ${n.id} has no invoice ${n.invoiceId}`);
      if ((n.paidAt !== null) !== (invoice.status === 'paid')) throw new InvariantError('notice_mismatch', `notice ${n.id} paidAt ${n.paidAt} but invoice ${invoice.id} is ${invoice.status}`);
      if (renewalInvoices.length !== 1 || renewalInvoices[0]!.id !== invoice.id) {
        throw new InvariantError('notice_mismatch', `approved notice ${n.id} has renewal invoices ${renewalInvoices.map((i) => `${i.id}:${i.status}`).join(', ')}`);
      }
    } else if (n.invoiceId && s.invoices.get(n.invoiceId)?.status === 'open') {
      throw new InvariantError('notice_mismatch', `notice ${n.id} is ${n.status} with an open invoice ${n.invoiceId}`);
    }
    const planIsNotice = tracked.plans.get(m.planId)?.policy === 'notice';
    // (A voided membership closed its notice: its renewal is undone with it.)
    if (m.currentTerm.seq === n.next.seq && m.currentTerm.start === n.next.start && planIsNotice && m.status !== 'voided') {
      if (n.status !== 'approved') throw new InvariantError('notice_mismatch', `${m.id} renewed into ${n.next.start} but its notice ${n.id} is ${n.status}`);
      const term = s.terms.get(m.id)?.find((t) => t.seq === n.next.seq);
      // A renewed term that ran to the membership's end is ended, paid or not (seed 1400003).
      const over = term?.status === 'ended' && !LIVE_STATUSES.has(m.status);
      if (!term || (!over && (term.status === 'active') !== (n.paidAt !== null))) throw new InvariantError('notice_mismatch', `${m.id} (${m.status}, ends ${m.terminationDate}): term ${n.next.seq} (${n.next.start} to ${n.next.end}) is ${term?.status} and notice ${n.id} paid ${n.paidAt}`);
      if (term.status === 'pending' && LIVE_STATUSES.has(m.status) && !m.unpaidInvoiceIds.includes(n.invoiceId!)) {
        throw new InvariantError('notice_mismatch', `${m.id} runs on an unpaid renewed term but does not owe ${n.invoiceId}`);
      }
    }
    if (n.status === 'refused' && m.currentTerm.seq !== n.termSeq && m.status !== 'voided') throw new InvariantError('notice_mismatch', `notice ${n.id} was refused but ${m.id} is in term ${m.currentTerm.seq}`);
  }
  for (const mail of s.outbox) {
    if (mail.template !== 'renewal_notice') continue;
    const m = s.memberships.find((x) => x.id === mail.membershipId);
    const at = Date.parse(mail.createdAt);
    const interval = m && tracked.held.get(m.memberId)?.find((h) => at > h.from && (h.to === null || at < h.to));
    if (interval) throw new InvariantError('notice_while_held', `${mail.id} went to a flagged member at ${mail.createdAt}`);
  }
}

/** R-NOT-6: no billing or renewal charge is decided while its member's intervention flag is up. */
function checkHeld(tracked: Tracked, s: Snapshot): void {
  for (const a of s.attempts.values()) {
    if (a.kind !== 'charge' || (a.purpose !== 'billing' && a.purpose !== 'renewal')) continue;
    const at = Date.parse(a.createdAt);
    const interval = tracked.held.get(a.memberId)?.find((h) => at > h.from && (h.to === null || at < h.to));
    if (interval) throw new InvariantError('charged_while_held', `${a.id} (${a.purpose}) was decided at ${a.createdAt} while member ${a.memberId} was flagged for intervention`);
  }
}

/** A stale dunning e-mail may race a payment by the few seconds between the worker's check and SES. */
const SEND_RACE_MS = 60_000;

/**
 * R-DUN-1…4: a run moves with its invoice (an active run's invoice is open; an uncollectible
 * invoice's run was lost to its final action; an automatic payment that failed on an open
 * invoice has its run), and no dunning e-mail is decided after the invoice was paid, nor sent
 * after it (beyond the check-then-send race).
 */
function checkRuns(s: Snapshot): void {
  for (const run of s.runs.values()) {
    const invoice = s.invoices.get(run.invoiceId);
    if (run.state === 'active' && invoice?.status !== 'open') throw new InvariantError('run_mismatch', `run of ${run.invoiceId} is active but the invoice is ${invoice?.status}`);
  }
  for (const i of s.invoices.values()) {
    const run = s.runs.get(i.id);
    if (i.status === 'uncollectible' && (run?.state !== 'lost' || run.outcome === null)) throw new InvariantError('run_mismatch', `invoice ${i.id} is uncollectible but its run is ${run?.state ?? 'missing'}`);
    const automaticFailure = i.payments.some((p) => {
      const a = s.attempts.get(p.attemptId);
      return a !== undefined && (a.purpose === 'billing' || a.purpose === 'renewal' || a.purpose === 'purchase') && (a.status === 'requires_payment_method' || a.status === 'requires_action');
    });
    if (i.status === 'open' && automaticFailure && !run) throw new InvariantError('run_mismatch', `invoice ${i.id} failed an automatic payment but has no run`);
  }
  for (const mail of s.outbox) {
    if (!DUNNING_TEMPLATES.has(mail.template)) continue;
    const invoice = s.invoices.get(String((mail.data as { invoiceId?: unknown }).invoiceId));
    if (invoice?.status !== 'paid' || !invoice.payment) continue;
    const paidAt = Date.parse(invoice.payment.paidAt);
    if (Date.parse(mail.createdAt) > paidAt) throw new InvariantError('dunning_after_paid', `${mail.template} ${mail.id} was decided after invoice ${invoice.id} was paid`);
    if (mail.status === 'sent' && Date.parse(mail.sentAt!) > paidAt + SEND_RACE_MS) {
      throw new InvariantError('dunning_after_paid', `${mail.template} ${mail.id} was sent at ${mail.sentAt} after invoice ${invoice.id} was paid at ${invoice.payment.paidAt}`);
    }
  }
}

/**
 * A member opted in gets the reminders before an automatic renewal charge: for every renewal
 * of a watched membership (opted in all along, automatic plan with reminders never edited,
 * created before its closest reminder, never cancelled or moved), a reminder of that term was
 * sent before the renewal.
 */
function checkReminders(tracked: Tracked, s: Snapshot): void {
  for (const m of s.memberships) {
    const watch = tracked.reminderWatch.get(m.id);
    // A membership moved to its fallback plan by dunning (R-DUN-6) follows that plan's reminders.
    if (watch && watch.planId !== m.planId) continue;
    const plan = watch && tracked.plans.get(watch.planId);
    if (!watch || !plan || plan.policy !== 'automatic' || plan.reminderDays.length === 0 || plan.editedAt !== null) continue;
    const events = (s.events.get(m.id) ?? []) as (TimelineEvent & { data: { seq: number; start: string } })[];
    for (const renewal of events.filter((e) => e.type === 'term_renewed')) {
      const previousEnd = addDaysIso(renewal.data.start, -1);
      const closestDays = Math.min(...plan.reminderDays);
      const closest = reminderInstant(previousEnd, closestDays, tracked.timeZone).getTime();
      if (watch.createdAt >= closest - 86_400_000) continue;
      // A reminder whose day comes before its term started is never sent (a term shorter than the reminder's offset).
      const previousStart = renewal.data.seq === 2 ? m.startDate : events.find((e) => e.type === 'term_renewed' && e.data.seq === renewal.data.seq - 1)?.data.start;
      if (previousStart !== undefined && addDaysIso(previousEnd, -closestDays) < previousStart) continue;
      const reminded = s.outbox.some(
        (o) => o.membershipId === m.id && o.template === 'reminder_automatic' && (o.data as { termEnd?: string }).termEnd === previousEnd && o.status === 'sent' && o.sentAt! <= renewal.at,
      );
      if (!reminded) throw new InvariantError('missing_reminder', `${m.id} renewed on ${renewal.data.start} without a reminder of the term ending ${previousEnd}`);
    }
  }
}

function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Liveness, once faults stopped and every retry had time to run: nothing is left pending. */
export function checkQuiet(s: Snapshot): void {
  checkDomainEvents(s, true);
  // R-DUN-1: every active run is waiting for its next tick, not stuck past it.
  for (const run of s.runs.values()) {
    if (run.state === 'active' && run.nextAt !== null && Date.parse(run.nextAt) < s.now - 3_600_000) {
      throw new InvariantError('stalled_run', `run of ${run.invoiceId} was due at ${run.nextAt} and has not moved`);
    }
  }
  for (const a of s.attempts.values()) if (!isSettled(a)) throw new InvariantError('unsettled_attempt', `${a.id} is still ${a.status} (${a.lastError ?? ''})`);
  for (const mail of s.outbox) {
    if (mail.status !== 'sent' && mail.status !== 'dropped') throw new InvariantError('lost_email', `${mail.id} (${mail.template}) is ${mail.status}: ${mail.lastError ?? ''}`);
  }
  for (const e of s.ledger) {
    const attempt = s.attempts.get(e.attemptId)!;
    if (OUTCOME_OF[e.result.status] !== attempt.status) throw new InvariantError('ledger_mismatch', `${attempt.id} is ${attempt.status}, the gateway says ${e.result.status}`);
  }
  // A charge that succeeded on an invoice that is not paid by it was refunded (R-MNY-4).
  for (const i of s.invoices.values()) {
    if (i.status === 'paid') continue;
    const charged = s.ledger.filter((e) => e.invoiceId === i.id && e.kind === 'charge' && e.result.status === 'succeeded').reduce((n, e) => n + e.amount.amount, 0);
    const refunded = s.ledger.filter((e) => e.invoiceId === i.id && e.kind === 'refund' && e.result.status === 'succeeded').reduce((n, e) => n + e.amount.amount, 0);
    // Staff may void a paid invoice and keep the payment (refund false); nothing else is kept.
    const mayKeep = i.status === 'void' && i.credit?.refund === false && i.payment !== null ? i.amount.amount : 0;
    // A disputed payment went back through the member's bank: it is not kept, and cannot be refunded.
    const disputed = s.disputed.get(i.id) ?? 0;
    if (charged - refunded - disputed > mayKeep) throw new InvariantError('kept_charge_on_void', `invoice ${i.id} is ${i.status} yet ${charged - refunded} is kept`);
  }
}

/**
 * Issue 13: what staff read of a membership is what its items are. Its record (read strongly)
 * shows the latest RECORD_LIMITS terms (oldest first), invoices and timeline entries (newest
 * first), with `more` set when a list holds more; each list, paged 7 at a time through its
 * cursors, gives every item once, newest first (e-mails included).
 */
async function checkRecords(world: World, tracked: Tracked, s: Snapshot): Promise<void> {
  const { store } = world.deps;
  const ids = <T>(items: T[], id: (item: T) => string) => items.map(id).join(' ');
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  const all = async <T>(read: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> => {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const page = await read({ limit: 7, cursor });
      items.push(...page.items);
      if (!page.nextCursor) return items;
      cursor = page.nextCursor;
    }
    throw new InvariantError('record_mismatch', 'a list pages on for ever');
  };
  const mismatch = (m: Membership, what: string, expected: string, got: string) => {
    if (expected !== got) throw new InvariantError('record_mismatch', `${m.id} ${what}: expected [${expected}], got [${got}]`);
  };
  for (const m of s.memberships) {
    const terms = [...(s.terms.get(m.id) ?? [])].sort((a, b) => b.seq - a.seq);
    const invoices = [...s.invoices.values()].filter((i) => i.membershipId === m.id).sort((a, b) => desc(`${a.createdAt}#${a.id}`, `${b.createdAt}#${b.id}`));
    const timeline = [...(s.events.get(m.id) ?? [])].sort((a, b) => desc(`${a.at}#${a.id}`, `${b.at}#${b.id}`));
    const emails = s.outbox.filter((e) => e.membershipId === m.id).sort((a, b) => desc(a.id, b.id));
    const record = await store.getMembershipRecord(tracked.orgId, m.id);
    if (!record) throw new InvariantError('record_mismatch', `${m.id} has no record`);
    mismatch(m, 'record terms', ids(terms.slice(0, RECORD_LIMITS.terms).reverse(), (t) => `${t.seq}:${t.status}`), ids(record.terms, (t) => `${t.seq}:${t.status}`));
    mismatch(m, 'record invoices', ids(invoices.slice(0, RECORD_LIMITS.invoices), (i) => `${i.id}:${i.status}`), ids(record.invoices, (i) => `${i.id}:${i.status}`));
    mismatch(m, 'record timeline', ids(timeline.slice(0, RECORD_LIMITS.timeline), (e) => e.id), ids(record.timeline, (e) => e.id));
    for (const [list, count] of [['terms', terms.length], ['invoices', invoices.length], ['timeline', timeline.length]] as const) {
      const limit = RECORD_LIMITS[list];
      // DynamoDB may say "more" of a list that holds exactly as many as it shows.
      if (record.more[list] !== count > limit && count !== limit) mismatch(m, `record more.${list}`, String(count > limit), String(record.more[list]));
    }
    mismatch(m, 'paged terms', ids(terms, (t) => String(t.seq)), ids(await all((p) => store.listTermsOfMembership(tracked.orgId, m.id, p)), (t) => String(t.seq)));
    mismatch(m, 'paged invoices', ids(invoices, (i) => i.id), ids(await all((p) => store.listInvoicesOfMembership(tracked.orgId, m.id, p)), (i) => i.id));
    mismatch(m, 'paged timeline', ids(timeline, (e) => e.id), ids(await all((p) => store.listTimelineOfMembership(tracked.orgId, m.id, p)), (e) => e.id));
    mismatch(m, 'paged e-mails', ids(emails, (e) => e.id), ids(await all((p) => store.listEmailsOfMembership(tracked.orgId, m.id, p)), (e) => e.id));
  }
}
