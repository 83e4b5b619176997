import * as z from 'zod';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors.js';
import { deterministicId } from '../domain/ids.js';
import { type Member, pseudonymOf } from '../domain/member.js';
import type { Membership } from '../domain/membership.js';
import type { Notice } from '../domain/notice.js';
import { searchKeys } from '../domain/search.js';
import { LIVE_STATUSES } from '../domain/status.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { committed, type OutboxEmail, type Write } from '../ports/store.js';
import type { Caller } from './context.js';

/**
 * R-PRV-1: erase a member's personal data on request (Quebec Law 25, GDPR).
 *
 * Refused (409) while the member has a live membership or a dunning run: staff cancel or void it
 * first, through the usual money rules (a void refunds, a cancellation ends on the billing eve).
 * Erasing never decides about money, and a terminal membership has no schedule left (the timer
 * plan of a terminal membership is empty), so nothing can fire or charge afterwards.
 *
 * What it reads: the member (1 GetItem), its memberships' ids (1 Query on gsi4 and 1 on gsi1, a
 * page of 100 each), each membership (1 GetItem) and its history (2 paged Queries on its item
 * collection: events and outbox), the active runs (1 Query), each notice named by the
 * membership or its history (1 GetItem each). What it writes: per membership, the rewritten
 * events, outbox e-mails, notices and the membership itself when they held personal data, in
 * transactions of at most 25 items, with a `member_erased` event (a deterministic id: written
 * once); last, the member and the deletion of its search keys in one transaction. The member is
 * written last, so an erase that stops halfway is finished by the next one; an erased member
 * answers at once (idempotent). No Scan.
 *
 * Invoices hold no name or e-mail (the member's id, amounts, dates, description of the plan and
 * period): they stay for accounting. The gateway's customer is not deleted: the answer names it
 * once so that an owner deletes it in the Stripe Dashboard (README, "Erasing a member").
 */
export const eraseInput = z.strictObject({
  /** The member's e-mail address, typed again: a slip cannot erase the wrong member. */
  confirm: z.string().trim().min(1).max(254),
});

export interface EraseOutcome {
  member: Member;
  /** False when the member was already erased: nothing was done. */
  erased: boolean;
  /** The gateway customer (`cus_…`) to delete in the Stripe Dashboard; given once, then forgotten. */
  gatewayCustomer: string | null;
  memberships: string[];
}

type EraseDeps = Pick<Deps, 'store' | 'clock'>;

const ERASED = '[erased]';
/** Keys whose values are personal data wherever they appear in stored documents. */
const PERSONAL_KEYS = new Set(['memberName', 'memberEmail', 'email', 'message']);
const CHUNK = 25;

/** A deep copy of `value` where every string holding the member's name or e-mail, and every personal key, is replaced. */
export function redact<T>(value: T, secrets: { name: string; email: string }, pseudonym: string): T {
  const needles = [secrets.email, secrets.name].filter((s) => s.length >= 3).map((s) => s.toLowerCase());
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') {
      if (key !== undefined && PERSONAL_KEYS.has(key)) return key === 'memberName' ? pseudonym : ERASED;
      let out = v;
      for (const needle of needles) {
        let at = out.toLowerCase().indexOf(needle);
        while (at >= 0) {
          const replacement = needle === secrets.email.toLowerCase() ? ERASED : pseudonym;
          out = out.slice(0, at) + replacement + out.slice(at + needle.length);
          at = out.toLowerCase().indexOf(needle, at + replacement.length);
        }
      }
      return out;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function eraseMember(deps: EraseDeps, caller: Caller, memberId: string, body: unknown): Promise<EraseOutcome> {
  const input = parseInput(eraseInput, body);
  const member = await deps.store.getMember(caller.orgId, memberId);
  if (!member) throw new NotFoundError('member', memberId);
  const ids = await deps.store.membershipIdsOfMember(caller.orgId, memberId);
  if (member.erased) return { member, erased: false, gatewayCustomer: null, memberships: ids };
  if (input.confirm.toLowerCase() !== member.email.toLowerCase()) {
    throw new UnprocessableError('erase_not_confirmed', "R-PRV-1: confirm must be the member's e-mail address", [
      { rule: 'R-PRV-1', field: 'confirm', message: "type the member's e-mail address to confirm" },
    ]);
  }
  const memberships = (await Promise.all(ids.map((id) => deps.store.getMembership(caller.orgId, id)))).filter((m): m is Membership => m !== null);
  const live = memberships.filter((m) => LIVE_STATUSES.has(m.status));
  if (live.length > 0) {
    throw new ConflictError(
      'member_has_live_membership',
      `R-PRV-1: cancel or void the member's live memberships first (${live.map((m) => m.id).join(', ')}); erasing never decides about money`,
      live.map((m) => ({ rule: 'R-PRV-1', field: 'memberships', message: `${m.id} is ${m.status}` })),
    );
  }
  if ((await deps.store.activeRunsOfMember(caller.orgId, memberId)).length > 0) {
    throw new ConflictError('member_in_collection', "R-PRV-1: the member has an invoice in collection; settle or void it first", [{ rule: 'R-PRV-1', message: 'active dunning run' }]);
  }

  const now = deps.clock.now().toISOString();
  const pseudonym = pseudonymOf(member.id);
  const secrets = { name: member.name, email: member.email };
  for (const membership of memberships) await eraseMembership(deps, caller, membership, secrets, pseudonym, now);

  const erased: Member = {
    ...member,
    name: pseudonym,
    email: '',
    locale: member.locale,
    communicationsOptIn: false,
    autoRenew: false,
    intervention: { required: false, reason: null },
    paymentMethod: null,
    customerRef: null,
    // R-OPS-1's delivery status names the address SES bounced.
    emailDelivery: null,
    erased: { at: now, by: `${caller.actor.type}:${caller.actor.id}` },
    updatedAt: now,
  };
  await deps.store.commit([
    { kind: 'member', value: erased },
    ...searchKeys(member).map((key): Write => ({ kind: 'member_search_delete', value: { orgId: member.orgId, memberId: member.id, key } })),
  ]);
  return { member: committed(erased), erased: true, gatewayCustomer: member.customerRef ?? member.paymentMethod?.customerRef ?? null, memberships: ids };
}

async function eraseMembership(
  deps: EraseDeps,
  caller: Caller,
  membership: Membership,
  secrets: { name: string; email: string },
  pseudonym: string,
  now: string,
): Promise<void> {
  const { orgId } = caller;
  const history = await deps.store.membershipHistory(orgId, membership.id);
  const inFlight = history.outbox.filter((m) => m.status === 'sending');
  if (inFlight.length > 0) {
    throw new ConflictError('mail_in_flight', `R-PRV-1: an e-mail of ${membership.id} is being sent right now; erase again in a minute`, [{ rule: 'R-PRV-1', message: inFlight[0]!.id }]);
  }
  const writes: Write[] = [];
  for (const event of history.events) {
    const clean = redact(event, secrets, pseudonym);
    if (!same(clean, event)) writes.push({ kind: 'event_redact', value: clean });
  }
  for (const mail of history.outbox) {
    const waiting = mail.status === 'pending' || mail.status === 'unknown';
    const clean: OutboxEmail = {
      ...redact(mail, secrets, pseudonym),
      to: mail.audience === 'member' ? { name: pseudonym, email: '' } : mail.to,
      manageUrl: null,
      ...(waiting ? { status: 'dropped' as const, nextTryAt: null, claimedAt: null, lastError: 'R-PRV-1: the member was erased' } : {}),
    };
    if (!same(clean, mail)) writes.push({ kind: 'outbox', value: clean });
  }
  const noticeIds = new Set<string>();
  if (membership.notice?.id) noticeIds.add(membership.notice.id);
  for (const item of [...history.events, ...history.outbox]) {
    const id = (item.data as { noticeId?: unknown }).noticeId;
    if (typeof id === 'string') noticeIds.add(id);
  }
  for (const id of noticeIds) {
    const notice = await deps.store.getNotice(orgId, id);
    if (!notice) continue;
    const clean: Notice = { ...redact(notice, secrets, pseudonym), memberName: pseudonym, memberEmail: '', message: null };
    if (!same(clean, notice)) writes.push({ kind: 'notice', value: clean });
  }
  const cleanMembership = redact(membership, secrets, pseudonym);
  // A member's own words (their reason for cancelling) may name anyone: they go too.
  if (cleanMembership.cancellation?.by === 'member' && cleanMembership.cancellation.reason) cleanMembership.cancellation = { ...cleanMembership.cancellation, reason: ERASED };
  if (!same(cleanMembership, membership)) writes.push({ kind: 'membership', value: cleanMembership });
  const eventId = deterministicId('evt', orgId, membership.id, 'member_erased');
  if (!history.events.some((e) => e.id === eventId)) {
    writes.push({ kind: 'event', value: { id: eventId, orgId, membershipId: membership.id, at: now, type: 'member_erased', actor: caller.actor, data: { memberId: membership.memberId } } });
  }
  for (let i = 0; i < writes.length; i += CHUNK) await deps.store.commit(writes.slice(i, i + CHUNK));
}
