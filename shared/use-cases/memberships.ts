import { requireNotErased } from '../domain/member.js';
import * as z from 'zod';
import { addDays, localDateOf, maxDate } from '../domain/calendar.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { localDate } from '../domain/schema.js';
import { latestStartDate, type Membership, membershipInput, type MembershipStatus, startMembership, type Term } from '../domain/membership.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import type { MembershipList, MembershipRecord, OutboxEmail, Page, PageRequest } from '../ports/store.js';
import type { Invoice } from '../domain/invoice.js';
import type { TimelineEvent } from '../domain/timeline.js';
import { requestCharge } from './payments.js';
import { commitChange, loadContext, MembershipChange, recordAfter, recordOfCreated } from './membership-change.js';
import { type Caller, checkExpectedVersion, requireSettings } from './context.js';
import { getMember } from './members.js';
import { getPlan } from './plans.js';
import { type MemberRef, withMembers } from './invoices.js';

type MembershipDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'linkKeys'>;

/**
 * Input: the caller, `{ memberId, planId, startDate? }` (start defaults to today in the
 * organisation's time zone).
 * Output: the membership record (membership, first term, first invoice, timers, timeline).
 * Steps: check the member and plan exist; in one transaction write the membership, its first
 * term and first invoice, take the member's place on the plan (R-MNY-1: a conditional write, so
 * of concurrent purchases one wins and the others get 409), check the plan did not change
 * meanwhile, and write the charge of the card on file as a payment attempt (R-MNY-2); the payment
 * worker charges it after the commit. Without a card, the first invoice stays open for staff to
 * collect: record the payment, or send it with its pay-by-card link (resend, R-DUN-9).
 */
export async function createMembership(deps: MembershipDeps, caller: Caller, body: unknown): Promise<MembershipRecord> {
  const input = parseInput(membershipInput, body);
  const settings = await requireSettings(deps, caller.orgId);
  const [member, plan] = await Promise.all([getMember(deps, caller, input.memberId), getPlan(deps, caller, input.planId)]);
  requireNotErased(member);
  const today = localDateOf(deps.clock.now(), settings.timeZone);
  const startDate = input.startDate ?? today;
  if (startDate < today || startDate > latestStartDate(today)) {
    throw new ValidationError(`startDate must be between today (${today}) and ${latestStartDate(today)}`, [
      { field: 'startDate', message: `between ${today} and ${latestStartDate(today)}` },
    ]);
  }

  const id = deps.newId('ms');
  const started = startMembership({ id, invoiceId: deps.newId('inv'), orgId: caller.orgId, memberId: member.id, plan, startDate, today, now: deps.clock.now() });
  const change = new MembershipChange(deps, { settings, plan, member, state: { membership: started.membership, terms: [] } }, caller.actor);
  change.write({ kind: 'term', value: { ...started.term, orgId: caller.orgId, version: 0 } });
  change.write({ kind: 'claim', value: { orgId: caller.orgId, memberId: member.id, planId: plan.id, membershipId: id } });
  change.write({ kind: 'plan_check', orgId: caller.orgId, planId: plan.id, version: plan.version });
  change.event('membership_started', { planId: plan.id, startDate, termEnd: started.term.end });
  if (started.invoice) {
    change.event('invoice_issued', { invoiceId: started.invoice.id, amount: started.invoice.amount });
    change.write({ kind: 'invoice', value: started.invoice });
    if (member.paymentMethod) requestCharge(change, started.invoice, 'purchase');
  }
  // The answer is what was just written: no read after the commit (issue 13).
  return recordOfCreated(await commitChange(deps, change, { skipPastReminders: true }));
}

/** R-CON-3: how many memberships the organisation has in each status (one Query on the count shards). */
export async function membershipCounts(deps: Pick<Deps, 'store'>, caller: Caller): Promise<{ counts: Record<MembershipStatus, number>; total: number }> {
  const counts = await deps.store.membershipCounts(caller.orgId);
  return { counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

/** `consistent: false` (a plain GET) reads eventually consistently, at half the read units. */
export async function getMembershipRecord(
  deps: Pick<Deps, 'store'>,
  caller: Caller,
  membershipId: string,
  options: { consistent?: boolean } = {},
): Promise<MembershipRecord> {
  const record = await deps.store.getMembershipRecord(caller.orgId, membershipId, options);
  if (!record) throw new NotFoundError('membership', membershipId);
  return record;
}

/**
 * Issue 13: one page of a membership's terms, invoices, timeline or e-mails, newest first. The
 * membership is read beside it (eventually consistently): an unknown one is a 404, and a voided
 * one's terms read as voided.
 */
export async function listOfMembership<L extends MembershipList>(
  deps: Pick<Deps, 'store'>,
  caller: Caller,
  membershipId: string,
  list: L,
  page: PageRequest,
): Promise<{ membership: Membership; page: Page<MembershipListItem[L]> }> {
  const { store } = deps;
  const read = {
    terms: () => store.listTermsOfMembership(caller.orgId, membershipId, page),
    invoices: () => store.listInvoicesOfMembership(caller.orgId, membershipId, page),
    timeline: () => store.listTimelineOfMembership(caller.orgId, membershipId, page),
    emails: () => store.listEmailsOfMembership(caller.orgId, membershipId, page),
  }[list] as () => Promise<Page<MembershipListItem[L]>>;
  const [membership, items] = await Promise.all([store.getMembership(caller.orgId, membershipId, { consistent: false }), read()]);
  if (!membership) throw new NotFoundError('membership', membershipId);
  return { membership, page: items };
}

export interface MembershipListItem {
  terms: Term & { version: number };
  invoices: Invoice;
  timeline: TimelineEvent;
  emails: OutboxEmail;
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


const termEndPatch = z.strictObject({ termEnd: localDate });

/**
 * Input: the caller, the membership id, `{ termEnd }` (the version read, optionally).
 * Output: the membership record.
 * Steps (R-REN-9): move the current term's end; reminders of this term are planned afresh
 * for the new end (those whose instant has passed are skipped, R-REN-6), and the old timers
 * are disarmed, so no stale reminder is sent.
 */
export async function changeTermEnd(deps: MembershipDeps, caller: Caller, membershipId: string, body: unknown, expectedVersion?: number): Promise<MembershipRecord> {
  const { termEnd } = parseInput(termEndPatch, body);
  const ctx = await loadContext(deps, caller.orgId, membershipId);
  checkExpectedVersion('membership', membershipId, ctx.state.membership.version, expectedVersion);
  const change = new MembershipChange(deps, ctx, caller.actor);
  const m = change.membership;
  change.require('change_term_end');
  if (m.terminationDate !== null) {
    throw new ConflictError('term_not_changeable', `membership ${m.id} is ${m.status}${m.terminationDate ? ` and terminates on ${m.terminationDate}` : ''}; its term end cannot change`);
  }
  if (m.currentTerm.end === null) throw new ConflictError('no_term_end', `membership ${m.id} is on a plan without a term end`);
  if (m.renewal?.termSeq === m.currentTerm.seq) {
    throw new ConflictError('renewal_confirmed', `the member already renewed; the next term starts on ${addDays(m.currentTerm.end, 1)}`);
  }
  const earliest = maxDate(m.currentTerm.start, change.today);
  if (termEnd < earliest) {
    throw new ValidationError(`termEnd must be on or after ${earliest}`, [{ field: 'termEnd', message: `on or after ${earliest} (term start or today)` }]);
  }
  const previous = m.currentTerm.end;
  if (termEnd === previous) return (await deps.store.getMembershipRecord(caller.orgId, membershipId, { membership: ctx.state.membership }))!;
  change.apply('change_term_end');
  const term = change.term(m.currentTerm.seq);
  if (term) change.write({ kind: 'term', value: { ...term, end: termEnd, orgId: m.orgId } });
  m.currentTerm = { ...m.currentTerm, end: termEnd };
  m.termAnchor = { date: addDays(termEnd, 1), seq: m.currentTerm.seq + 1 };
  if (m.billing.cadence === 'upfront') m.nextBillingDate = addDays(termEnd, 1);
  m.remindersDone = m.remindersDone.filter((key) => !key.startsWith(`${m.currentTerm.seq}:`));
  change.event('term_end_changed', { from: previous, to: termEnd });
  return recordAfter(deps, await commitChange(deps, change, { skipPastReminders: true }));
}

/** R-CON-3: memberships in one status, newest first, each with its member's name (one BatchGetItem per page). */
export async function listMembershipsByStatus(
  deps: Pick<Deps, 'store'>,
  caller: Caller,
  status: Membership['status'],
  page: PageRequest,
): Promise<Page<Membership & { member: MemberRef }>> {
  return withMembers(deps, caller.orgId, await deps.store.listMembershipsByStatus(caller.orgId, status, page));
}
