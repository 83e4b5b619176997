import type { MetricName, Metrics } from '../ports/metrics.js';
import type { DunningRun } from '../domain/dunning.js';
import { type DomainEvent, type DomainEventData, type DomainEventRecord, type DomainEventType, domainEvent, type Subject } from '../domain/events.js';
import type { Invoice } from '../domain/invoice.js';
import type { Membership } from '../domain/membership.js';
import type { Notice } from '../domain/notice.js';
import type { Money } from '../domain/schema.js';
import type { Clock } from '../ports/clock.js';
import type { Store, WorkRef, Write } from '../ports/store.js';
import { queueWebhookDeliveries } from './webhooks-out.js';

/**
 * R-EVT-1: where the sixteen facts happen. A change to a membership records what it did on the
 * membership's timeline (`change.event`) and in the items it writes; `domainEventsOf` reads
 * those and answers the domain events of the change, which `commitChange` writes as outbox items
 * in the change's own transaction (an event exists iff its change committed). The worker
 * publishes each from the table's stream (`publishDomainEvent`).
 */

/** What `domainEventsOf` reads of a change: the membership before and after, and its writes. */
export interface ChangeView {
  before: Membership;
  after: Membership;
  writes: Write[];
  now: Date;
}

type Timeline = Extract<Write, { kind: 'event' }>['value'];

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The domain events of one change, in the order they happened. */
export function domainEventsOf(change: ChangeView, newId: (prefix: string) => string): DomainEventRecord[] {
  const { before, after, writes } = change;
  const at = change.now.toISOString();
  const subject: Subject = { membershipId: after.id, memberId: after.memberId, planId: after.planId };
  const invoices = new Map<string, Invoice>();
  const runs = new Map<string, DunningRun>();
  const notices = new Map<string, Notice>();
  for (const w of writes) {
    if (w.kind === 'invoice') invoices.set(w.value.id, w.value);
    else if (w.kind === 'dunning') runs.set(w.value.invoiceId, w.value);
    else if (w.kind === 'notice') notices.set(w.value.id, w.value);
  }
  const out: DomainEventRecord[] = [];
  const emit = <T extends DomainEventType>(type: T, data: Omit<DomainEventData[T], keyof Subject>) => {
    const id = newId('dev');
    const event = domainEvent(id, type, after.orgId, at, { ...subject, ...data } as DomainEventData[T]) as DomainEvent;
    out.push({ id, orgId: after.orgId, membershipId: after.id, type, event, status: 'pending', createdAt: at, publishedAt: null });
  };
  const paid = (invoice: Invoice | undefined, method?: string) => {
    if (!invoice || invoice.status !== 'paid') return;
    emit('invoice.paid', { invoiceId: invoice.id, amount: invoice.amount, method: method ?? invoice.payment?.method ?? 'recorded', paidAt: invoice.payment?.paidAt ?? at });
  };
  const timeline = writes.filter((w): w is { kind: 'event'; value: Timeline } => w.kind === 'event').map((w) => w.value);
  let voidedBy: Record<string, unknown> | null = null;
  for (const e of timeline) {
    const d = e.data;
    switch (e.type) {
      case 'membership_started':
        emit('membership.started', { status: after.status, startDate: text(d.startDate) ?? after.startDate, termEnd: text(d.termEnd) });
        break;
      case 'term_renewed':
        emit('membership.renewed', { termSeq: Number(d.seq), start: String(d.start), end: text(d.end), invoiceId: text(d.invoiceId) });
        break;
      case 'invoice_issued': {
        const invoice = invoices.get(String(d.invoiceId));
        if (!invoice) break;
        emit('invoice.issued', { invoiceId: invoice.id, amount: invoice.amount, periodStart: invoice.periodStart, periodEnd: invoice.periodEnd, dueDate: invoice.dueDate });
        // A free invoice is paid as it is issued.
        if (invoice.version === 0) paid(invoice);
        break;
      }
      case 'payment_succeeded':
        paid(invoices.get(String(d.invoiceId)), 'card');
        break;
      case 'payment_recorded':
        paid(invoices.get(String(d.invoiceId)), text(d.method) ?? undefined);
        break;
      case 'payment_failed':
        emit('invoice.payment_failed', { invoiceId: String(d.invoiceId), attemptId: text(d.attemptId), amount: d.amount as Money, code: text(d.code), hard: d.hard === true });
        break;
      case 'refund_succeeded':
        emit('invoice.refunded', { invoiceId: String(d.invoiceId), attemptId: String(d.attemptId), amount: d.amount as Money });
        break;
      case 'dunning_started': {
        const run = runs.get(String(d.invoiceId));
        if (run) emit('dunning.started', { invoiceId: run.invoiceId, amount: run.amount, finalAction: run.finalAction ?? 'cancel' });
        break;
      }
      case 'dunning_recovered':
      case 'dunning_lost': {
        const run = runs.get(String(d.invoiceId));
        // Offline invoices' reminder runs are not dunning (R-DUN-9): their outcome is the invoice's.
        if (!run || run.kind !== 'failed_payment') break;
        if (e.type === 'dunning_recovered') emit('dunning.recovered', { invoiceId: run.invoiceId, amount: run.amount, by: text(d.by) });
        else emit('dunning.lost', { invoiceId: run.invoiceId, amount: run.amount, outcome: text(d.outcome) });
        break;
      }
      case 'notice_sent': {
        const next = (d.next ?? {}) as { start?: unknown; end?: unknown };
        emit('notice.sent', { noticeId: String(d.noticeId), mode: d.mode === 'invoice' ? 'invoice' : 'notice', termEnd: String(d.termEnd), nextStart: String(next.start), nextEnd: text(next.end) });
        break;
      }
      case 'notice_change_requested':
        emit('notice.answered', { noticeId: String(d.noticeId), answer: 'change_requested' });
        break;
      case 'notice_approved':
        if (d.by === 'member') emit('notice.answered', { noticeId: String(d.noticeId), answer: 'accepted' });
        emit('notice.approved', { noticeId: String(d.noticeId), invoiceId: text(d.invoiceId), by: d.by === 'member' || d.by === 'admin' ? d.by : 'system' });
        break;
      case 'notice_refused':
        emit('notice.refused', { noticeId: String(d.noticeId), reasonId: text(d.reasonId), lastDay: text(d.lastDay) });
        break;
      case 'notice_closed':
        // The membership ended before the renewal (R-MNY-4): the notice is refused without a reason.
        emit('notice.refused', { noticeId: String(d.noticeId), reasonId: null, lastDay: notices.get(String(d.noticeId))?.termEnd ?? null });
        break;
      case 'membership_voided':
        voidedBy = d;
        break;
    }
  }
  // Facts read from the membership itself, whichever use case decided them.
  const cancellation = after.cancellation;
  if (
    cancellation?.decision === 'scheduled' &&
    after.terminationDate !== null &&
    (before.cancellation?.decision !== 'scheduled' || before.terminationDate !== after.terminationDate) &&
    after.status !== 'terminated' &&
    after.status !== 'voided'
  ) {
    emit('membership.cancellation_scheduled', { terminationDate: after.terminationDate, by: cancellation.by === 'member' || cancellation.by === 'admin' ? cancellation.by : 'system' });
  }
  if (before.version > 0 && before.status !== after.status) {
    if (after.status === 'terminated') emit('membership.terminated', { terminationDate: after.terminationDate });
    if (after.status === 'voided') emit('membership.voided', { invoiceId: text(voidedBy?.invoiceId), refunded: (voidedBy?.refunded as Money | null | undefined) ?? null });
  }
  return out;
}

/** Publishes domain events on the bus: all or an error (EventBridge's PutEvents, or the local bus). */
export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

/** A worker without a bus fails loudly rather than marking events published that never were. */
export const missingPublisher: EventPublisher = {
  publish: () => Promise.reject(new Error('no event bus configured (EVENT_BUS_NAME)')),
};

/**
 * R-EVT-1: publishes one outbox event (a stream record names it), once: an event already marked
 * published is not published again (a redelivered record), and it is marked published with a
 * conditional write after PutEvents answered. A PutEvents whose answer is lost is published
 * again on the record's retry: consumers dedupe on the event's `id`, as EventBridge's own
 * at-least-once delivery requires anyway.
 */
export async function publishDomainEvent(deps: PublishDeps, ref: WorkRef): Promise<string> {
  return (await publishDomainEvents(deps, [ref]))[0]!;
}

type PublishDeps = { store: Store; clock: Clock; events: EventPublisher; metrics?: Metrics };

/**
 * R-EVT-1: `publishDomainEvent` for the events of one change (consecutive records of one
 * membership in a stream batch): one strongly consistent BatchGetItem for them all, one
 * PutEvents, the organisation's webhook read once, then each marked published (issue 13: three
 * calls per event became one, plus two). Answers each one's outcome, in order; all or an error.
 */
export async function publishDomainEvents(deps: PublishDeps, refs: WorkRef[]): Promise<string[]> {
  const records = await deps.store.getDomainEvents(refs);
  const pending = records.filter((r): r is DomainEventRecord => r !== null && r.status !== 'published');
  if (pending.length === 0) return records.map((r) => (r ? 'already_published' : 'missing'));
  await deps.events.publish(pending.map((r) => r.event));
  // R-EVT-1: the organisation's webhook gets them too: their delivery items are written (once)
  // before they are marked published, so a worker dying in between leaves the retry to write them.
  await queueWebhookDeliveries(deps, pending);
  const outcomes = new Map<string, string>();
  for (const record of pending) {
    const marked = await deps.store.markDomainEventPublished(record, deps.clock.now());
    outcomes.set(record.id, marked ? 'published' : 'already_published');
    // R-OPS-5: the business figures, counted once per fact, where each fact is published.
    if (marked) for (const [name, value, currency] of metricsOf(record.event)) deps.metrics?.add(name, value, currency);
  }
  return records.map((r) => (r ? (outcomes.get(r.id) ?? 'already_published') : 'missing'));
}

/** R-OPS-5: the metrics a domain event counts (amounts in minor units, per currency). */
export function metricsOf(event: DomainEvent): [MetricName, number, string?][] {
  switch (event.type) {
    case 'membership.started':
      return [['MembershipsStarted', 1]];
    case 'membership.renewed':
      return [['Renewals', 1]];
    case 'invoice.paid': {
      const { amount } = (event as DomainEvent<'invoice.paid'>).data;
      return [
        ['Charges', 1],
        ['ChargedAmount', amount.amount, amount.currency],
      ];
    }
    case 'invoice.payment_failed':
      return [['Declines', 1]];
    case 'invoice.refunded':
      return [['Refunds', 1]];
    case 'dunning.recovered': {
      const { amount } = (event as DomainEvent<'dunning.recovered'>).data;
      return [['RecoveredAmount', amount.amount, amount.currency]];
    }
    case 'notice.sent':
      return [['NoticesSent', 1]];
    default:
      return [];
  }
}
