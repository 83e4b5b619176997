import { localDateOf } from '../domain/calendar.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { chargeIdempotencyKey, type Invoice } from '../domain/invoice.js';
import { latestStartDate, type Membership, membershipInput, startMembership } from '../domain/membership.js';
import type { TimelineEvent } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed, type MembershipRecord, type Page, type PageRequest, type Write } from '../ports/store.js';
import { type Caller, requireSettings } from './context.js';
import { getMember } from './members.js';
import { getPlan } from './plans.js';

type MembershipDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'payments'>;

const LIVE_STATUSES: ReadonlySet<Membership['status']> = new Set(['active', 'pending', 'past_due', 'cancellation_requested', 'cancel_scheduled']);

export function timelineEvent(deps: Pick<Deps, 'newId' | 'clock'>, caller: Pick<Caller, 'actor'>, type: string, data: Record<string, unknown>): TimelineEvent {
  return { id: deps.newId('evt'), at: deps.clock.now().toISOString(), type, actor: caller.actor, data };
}

/**
 * Input: the caller, `{ memberId, planId, startDate? }` (start defaults to today in the
 * organisation's time zone).
 * Output: the membership record (membership, first term, first invoice, timeline).
 * Steps: check the member and plan exist and the member has no live membership on the plan;
 * write the membership, its first term and first invoice; charge the card on file with the
 * invoice's idempotency key; record the outcome on the invoice and the timeline.
 */
export async function createMembership(deps: MembershipDeps, caller: Caller, body: unknown): Promise<MembershipRecord> {
  const input = parseInput(membershipInput, body);
  const settings = await requireSettings(deps, caller.orgId);
  const [member, plan] = await Promise.all([getMember(deps, caller, input.memberId), getPlan(deps, caller, input.planId)]);
  const today = localDateOf(deps.clock.now(), settings.timeZone);
  const startDate = input.startDate ?? today;
  if (startDate < today || startDate > latestStartDate(today)) {
    throw new ValidationError(`startDate must be between today (${today}) and ${latestStartDate(today)}`, [
      { field: 'startDate', message: `between ${today} and ${latestStartDate(today)}` },
    ]);
  }
  const existing = await deps.store.listMembershipsOfMember(caller.orgId, member.id, { limit: 100 });
  const live = existing.items.find((m) => m.planId === plan.id && LIVE_STATUSES.has(m.status));
  if (live) {
    throw new ConflictError('membership_exists', `member ${member.id} already has membership ${live.id} on plan ${plan.id}`);
  }

  const id = deps.newId('ms');
  const started = startMembership({
    id,
    invoiceId: deps.newId('inv'),
    orgId: caller.orgId,
    memberId: member.id,
    plan,
    startDate,
    today,
    now: deps.clock.now(),
  });
  const event = (type: string, data: Record<string, unknown>) => ({
    kind: 'event' as const,
    value: { ...timelineEvent(deps, caller, type, data), orgId: caller.orgId, membershipId: id },
  });
  const writes: Write[] = [
    { kind: 'membership', value: started.membership },
    { kind: 'term', value: { ...started.term, orgId: caller.orgId, version: 0 } },
    event('membership_started', { planId: plan.id, startDate, termEnd: started.term.end }),
  ];
  if (started.invoice) {
    writes.push({ kind: 'invoice', value: started.invoice }, event('invoice_issued', { invoiceId: started.invoice.id, amount: started.invoice.amount }));
  }
  await deps.store.commit(writes);

  if (started.invoice && member.paymentMethod) {
    await chargeInvoice(deps, caller, committed(started.invoice), member.paymentMethod.gatewayRef);
  }
  return (await deps.store.getMembershipRecord(caller.orgId, id))!;
}

/**
 * Charges an open invoice once more with the card on file. The attempt number is part of the
 * idempotency key, so a repeated call for the same attempt never charges twice.
 */
export async function chargeInvoice(
  deps: Pick<Deps, 'store' | 'clock' | 'newId' | 'payments'>,
  caller: Pick<Caller, 'actor'>,
  invoice: Invoice,
  paymentMethod: string,
): Promise<Invoice> {
  const attempt = invoice.attempts + 1;
  const outcome = await deps.payments.charge({
    idempotencyKey: chargeIdempotencyKey(invoice.id, attempt),
    amount: invoice.amount,
    paymentMethod,
    customerRef: invoice.memberId,
    description: invoice.description,
  });
  const now = deps.clock.now().toISOString();
  const updated: Invoice =
    outcome.status === 'succeeded'
      ? { ...invoice, status: 'paid', attempts: attempt, payment: { chargeId: outcome.chargeId, paidAt: now, method: 'card' }, updatedAt: now }
      : { ...invoice, attempts: attempt, lastFailure: { code: outcome.code, message: outcome.message, hard: outcome.hard, at: now }, updatedAt: now };
  const data =
    outcome.status === 'succeeded'
      ? { invoiceId: invoice.id, amount: invoice.amount, chargeId: outcome.chargeId, attempt }
      : { invoiceId: invoice.id, amount: invoice.amount, code: outcome.code, hard: outcome.hard, attempt };
  await deps.store.commit([
    { kind: 'invoice', value: updated },
    {
      kind: 'event',
      value: {
        ...timelineEvent(deps, caller, outcome.status === 'succeeded' ? 'payment_succeeded' : 'payment_failed', data),
        orgId: invoice.orgId,
        membershipId: invoice.membershipId,
      },
    },
  ]);
  return committed(updated);
}

export async function getMembershipRecord(deps: Pick<Deps, 'store'>, caller: Caller, membershipId: string): Promise<MembershipRecord> {
  const record = await deps.store.getMembershipRecord(caller.orgId, membershipId);
  if (!record) throw new NotFoundError('membership', membershipId);
  return record;
}

export async function listMembershipsOfMember(
  deps: Pick<Deps, 'store'>,
  caller: Caller,
  memberId: string,
  page: PageRequest,
): Promise<Page<Membership>> {
  await getMember(deps, caller, memberId);
  return deps.store.listMembershipsOfMember(caller.orgId, memberId, page);
}

