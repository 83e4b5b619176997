import * as fc from 'fast-check';
import { billingDateOnOrBefore, nextBillingDate } from '../../../shared/domain/billing.js';
import { addDays, localDateOf } from '../../../shared/domain/calendar.js';
import { DomainError } from '../../../shared/domain/errors.js';
import { signLink } from '../../../shared/domain/links.js';
import type { Member } from '../../../shared/domain/member.js';
import { billingScheduleOf } from '../../../shared/domain/membership.js';
import type { Plan } from '../../../shared/domain/plan.js';
import type { Caller } from '../../../shared/use-cases/context.js';
import { cancelByAdmin, confirmCancellationRequest, declineCancellationRequest, voidInvoice } from '../../../shared/use-cases/cancellation.js';
import { recordPayment, requestCard, resendInvoice } from '../../../shared/use-cases/collection.js';
import { actOnLink, showLink } from '../../../shared/use-cases/links.js';
import { approveNotice, bulkNotices, editNotice, refuseNotice, remindNotice, resetNotice } from '../../../shared/use-cases/notices.js';
import { patchMember } from '../../../shared/use-cases/members.js';
import { changeTermEnd, createMembership } from '../../../shared/use-cases/memberships.js';
import { updatePlan } from '../../../shared/use-cases/plans.js';
import { checkSafety, snapshot, type Tracked } from './invariants.js';
import type { World } from './world.js';
import { ModelGateway } from './fakes.js';

/**
 * The actions of the model-based test: what staff do in the API, what members do with their
 * links, card changes, and time passing. Each runs the real use case; a refusal (a domain
 * error: 4xx) is a legitimate answer and changes nothing; anything else fails the test. After
 * each, the world settles and the safety invariants are checked.
 */
export interface Real {
  world: World;
  caller: Caller;
  tracked: Tracked;
  plans: Plan[];
  members: Member[];
  stats: Record<string, number>;
  /** R-NOT-3: the organisation's refusal reasons (the last one retired). */
  reasons: string[];
}

export interface Model {
  memberships: number;
}

const CARDS = [
  'pm_card_visa',
  'pm_card_mastercard',
  'pm_card_chargeCustomerFail',
  'pm_card_chargeDeclinedInsufficientFunds',
  'pm_card_chargeDeclinedLostCard',
  'pm_card_authenticationRequired',
  'pm_card_createDispute',
];

async function refusalsAllowed(real: Real, name: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
    real.stats[`${name}:ok`] = (real.stats[`${name}:ok`] ?? 0) + 1;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    real.stats[`${name}:refused`] = (real.stats[`${name}:refused`] ?? 0) + 1;
  }
}

async function after(real: Real): Promise<void> {
  await real.world.settle();
  await checkSafety(real.world, real.tracked, await snapshot(real.world, real.tracked));
}

function pick<T>(list: T[], k: number): T | undefined {
  return list.length === 0 ? undefined : list[k % list.length];
}

abstract class Step implements fc.AsyncCommand<Model, Real> {
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  abstract act(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
  async run(m: Model, r: Real): Promise<void> {
    await this.act(m, r);
    await after(r);
  }
}

export class CreateMembership extends Step {
  constructor(
    readonly member: number,
    readonly plan: number,
    readonly startInDays: number,
    readonly copies: number,
  ) {
    super();
  }
  async act(m: Model, r: Real): Promise<void> {
    const member = pick(r.members, this.member)!;
    const plan = pick(r.plans, this.plan)!;
    const today = localDateOf(r.world.clock.now(), r.tracked.timeZone);
    const body = { memberId: member.id, planId: plan.id, startDate: addDays(today, this.startInDays) };
    // R-MNY-1: concurrent purchases of the same member and plan: one wins, the others are refused.
    const results = await Promise.allSettled(Array.from({ length: this.copies }, () => createMembership(r.world.deps, r.caller, body)));
    for (const result of results) {
      if (result.status === 'rejected') {
        if (!(result.reason instanceof DomainError)) throw result.reason;
        r.stats['create:refused'] = (r.stats['create:refused'] ?? 0) + 1;
        continue;
      }
      r.stats['create:ok'] = (r.stats['create:ok'] ?? 0) + 1;
      const id = result.value.membership.id;
      r.tracked.membershipIds.push(id);
      // The member as stored now (an opt-in toggled earlier in the sequence counts), not as first created.
      if ((await r.world.deps.store.getMember(r.tracked.orgId, member.id))?.communicationsOptIn) {
        r.tracked.reminderWatch.set(id, { planId: plan.id, createdAt: r.world.clock.now().getTime() });
      }
      m.memberships++;
    }
    if (results.filter((x) => x.status === 'fulfilled').length > 1) throw new Error('R-MNY-1: two concurrent purchases both succeeded');
  }
  toString() {
    return `create(member ${this.member}, plan ${this.plan}, +${this.startInDays}d ×${this.copies})`;
  }
}

function membershipOf(r: Real, k: number): string | undefined {
  return pick(r.tracked.membershipIds, k);
}

/** The k-th membership that has a renewal notice (R-NOT-1), so notice steps act on one when there is one. */
async function noticedMembershipOf(r: Real, k: number): Promise<{ id: string; noticeId: string } | undefined> {
  const all = await Promise.all(r.tracked.membershipIds.map((id) => r.world.deps.store.getMembership(r.tracked.orgId, id)));
  const noticed = all.filter((m) => m?.notice).map((m) => ({ id: m!.id, noticeId: m!.notice!.id }));
  return pick(noticed, k);
}

/** A change a membership's reminder check cannot follow: it leaves the watch. */
function unwatch(r: Real, id: string): void {
  r.tracked.reminderWatch.delete(id);
}

/** Every watched membership of a member leaves the watch (their opt-in or intervention flag changes). */
async function unwatchMember(r: Real, memberId: string): Promise<void> {
  for (const [id] of r.tracked.reminderWatch) {
    const ms = await r.world.deps.store.getMembership(r.tracked.orgId, id);
    if (ms?.memberId === memberId) unwatch(r, id);
  }
}

class AdminCancel extends Step {
  constructor(
    readonly k: number,
    readonly monthsAhead: number,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    unwatch(r, id);
    const month = localDateOf(r.world.clock.now(), r.tracked.timeZone).slice(0, 7);
    const [y, mo] = month.split('-').map(Number) as [number, number];
    const index = y * 12 + (mo - 1) + this.monthsAhead;
    const target = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
    await refusalsAllowed(r, 'cancel', () => cancelByAdmin(r.world.deps, r.caller, id, { month: target }));
  }
  toString() {
    return `adminCancel(${this.k}, +${this.monthsAhead} months)`;
  }
}

class MemberLink extends Step {
  constructor(
    readonly k: number,
    readonly purpose: 'cancel' | 'renew' | 'authenticate' | 'update_payment' | 'manage',
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    if (this.purpose === 'cancel') unwatch(r, id);
    const token = signLink(r.world.deps.linkKeys, {
      purpose: this.purpose,
      orgId: r.tracked.orgId,
      membershipId: id,
      exp: Math.floor(r.world.clock.now().getTime() / 1000) + 86_400,
    });
    // R-LNK-2: opening the link (as a mail scanner would) changes nothing and never fails.
    const before = JSON.stringify(await r.world.deps.store.getMembership(r.tracked.orgId, id));
    const shown = await showLink(r.world.deps, token);
    if (shown.status >= 500) throw new Error(`GET of a ${this.purpose} link answered ${shown.status}`);
    if (JSON.stringify(await r.world.deps.store.getMembership(r.tracked.orgId, id)) !== before) throw new Error(`GET of a ${this.purpose} link changed the membership`);
    if (this.purpose === 'manage') {
      r.stats[`link:manage:${shown.status}`] = (r.stats[`link:manage:${shown.status}`] ?? 0) + 1;
      return;
    }
    const page = await actOnLink(r.world.deps, token, { purpose: this.purpose, reason: 'model' });
    r.stats[`link:${this.purpose}:${page.status}`] = (r.stats[`link:${this.purpose}:${page.status}`] ?? 0) + 1;
    if (page.status >= 500 && page.page.view !== 'error') throw new Error(`link page answered ${page.status}`);
    if (page.page.view === 'update_payment_continue') {
      // R-DUN-4: the member gives a card on the gateway's page; its webhook saves it and the open invoice is charged at once.
      const token = CARDS[this.k % CARDS.length]!;
      const card = ModelGateway.attachable(token);
      const answer = await fetch(page.page.data.url, { method: 'POST', body: new URLSearchParams({ card }), redirect: 'manual' });
      r.stats[`updateCard:${answer.status}`] = (r.stats[`updateCard:${answer.status}`] ?? 0) + 1;
      if (answer.status === 303) {
        await r.world.settle();
        const ms = await r.world.deps.store.getMembership(r.tracked.orgId, id);
        const member = ms && (await r.world.deps.store.getMember(r.tracked.orgId, ms.memberId));
        if (member?.paymentMethod) r.world.gateway.declineLike(r.caller.orgId, member.paymentMethod.gatewayRef, token);
      }
    }
    if (page.page.view === 'authenticate_continue') {
      // R-PAY-3: the member approves (or fails) the check on the bank's page; the webhook records it.
      const result = this.k % 3 === 0 ? 'fail' : 'complete';
      const answer = await fetch(page.page.data.url, { method: 'POST', body: new URLSearchParams({ result }), redirect: 'manual' });
      r.stats[`authenticate:${result}:${answer.status}`] = (r.stats[`authenticate:${result}:${answer.status}`] ?? 0) + 1;
    }
  }
  toString() {
    return `memberLink(${this.k}, ${this.purpose})`;
  }
}

class AnswerRequest extends Step {
  constructor(
    readonly k: number,
    readonly accept: boolean,
    readonly periodsAhead: number,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    const m = await r.world.deps.store.getMembership(r.tracked.orgId, id);
    if (!m) return;
    if (!this.accept) return refusalsAllowed(r, 'decline', () => declineCancellationRequest(r.world.deps, r.caller, id, {}));
    // The last invoiced billing date, then a few periods on.
    let date = m.nextBillingDate ?? m.currentTerm.start;
    date = m.nextBillingDate ? addDays(date, -1) : date;
    const schedule = billingScheduleOf(m);
    let finalDate = billingDateOnOrBefore(schedule, date) ?? m.startDate;
    for (let i = 0; i < this.periodsAhead; i++) finalDate = nextBillingDate(schedule, finalDate) ?? finalDate;
    await refusalsAllowed(r, 'confirm', () => confirmCancellationRequest(r.world.deps, r.caller, id, { finalBillingDate: finalDate }));
  }
  toString() {
    return `answerRequest(${this.k}, ${this.accept ? `accept +${this.periodsAhead}` : 'decline'})`;
  }
}

class Void extends Step {
  constructor(
    readonly k: number,
    readonly refund: boolean,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    const m = await r.world.deps.store.getMembership(r.tracked.orgId, id);
    if (!m?.lastInvoiceId) return;
    unwatch(r, id);
    await refusalsAllowed(r, 'void', () => voidInvoice(r.world.deps, r.caller, m.lastInvoiceId!, { refund: this.refund }));
  }
  toString() {
    return `void(${this.k}, refund ${this.refund})`;
  }
}

/** R-DUN-4, R-DUN-9: staff record a payment of the membership's newest unpaid invoice (cheque, transfer…). */
class RecordPayment extends Step {
  constructor(
    readonly k: number,
    readonly method: 'cheque' | 'transfer' | 'cash' | 'other',
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    const invoices = await r.world.invoicesOf(r.tracked.orgId, id);
    const unpaid = invoices.filter((i) => i.status === 'open' || i.status === 'uncollectible').sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
    if (!unpaid) return;
    await refusalsAllowed(r, 'pay', () => recordPayment(r.world.deps, r.caller, unpaid.id, { method: this.method, reference: `${this.method} ${this.k}` }));
  }
  toString() {
    return `recordPayment(${this.k}, ${this.method})`;
  }
}

/** R-DUN-9: staff send the membership's newest open invoice again. */
class ResendInvoice extends Step {
  constructor(readonly k: number) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    const open = (await r.world.invoicesOf(r.tracked.orgId, id)).filter((i) => i.status === 'open')[0];
    if (!open) return;
    await refusalsAllowed(r, 'resend', () => resendInvoice(r.world.deps, r.caller, open.id));
  }
  toString() {
    return `resendInvoice(${this.k})`;
  }
}

/** R-CON-1: staff send the member the update-card link (one e-mail per request; refused once the membership ended). */
class RequestCard extends Step {
  constructor(readonly k: number) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    await refusalsAllowed(r, 'requestCard', () => requestCard(r.world.deps, r.caller, id));
  }
  toString() {
    return `requestCard(${this.k})`;
  }
}

class ChangeCard extends Step {
  constructor(
    readonly member: number,
    readonly card: number,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const member = pick(r.members, this.member)!;
    const token = CARDS[this.card % CARDS.length]!;
    await refusalsAllowed(r, 'card', async () => {
      const saved = await patchMember(r.world.deps, r.caller, member.id, { paymentMethod: { token: ModelGateway.attachable(token) } });
      r.world.gateway.declineLike(r.caller.orgId, saved.paymentMethod?.gatewayRef, token);
    });
  }
  toString() {
    return `changeCard(member ${this.member}, ${CARDS[this.card % CARDS.length]})`;
  }
}

/** R-REN-7, R-REN-5: the member's communications opt-in, or auto-renew flag (whether the next notice asks or invoices directly), flips. */
class ToggleMemberFlag extends Step {
  constructor(
    readonly member: number,
    readonly flag: 'communicationsOptIn' | 'autoRenew',
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const member = pick(r.members, this.member)!;
    const current = await r.world.deps.store.getMember(r.tracked.orgId, member.id);
    if (!current) return;
    if (this.flag === 'communicationsOptIn') await unwatchMember(r, member.id);
    await refusalsAllowed(r, this.flag === 'autoRenew' ? 'autoRenew' : 'optin', () => patchMember(r.world.deps, r.caller, member.id, { [this.flag]: !current[this.flag] }));
  }
  toString() {
    return `toggle(member ${this.member}, ${this.flag})`;
  }
}

/** R-NOT-6: staff raise or clear the member's "intervention required" flag (holding everything automatic). */
class ToggleIntervention extends Step {
  constructor(readonly member: number) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const member = pick(r.members, this.member)!;
    const current = await r.world.deps.store.getMember(r.tracked.orgId, member.id);
    if (!current) return;
    // A held renewal has no reminder to check against: its memberships leave the reminder watch.
    await unwatchMember(r, member.id);
    const required = !current.intervention.required;
    await refusalsAllowed(r, 'intervention', async () => {
      await patchMember(r.world.deps, r.caller, member.id, { intervention: required ? { required, reason: 'model' } : { required } });
      const intervals = r.tracked.held.get(member.id) ?? [];
      const now = r.world.clock.now().getTime();
      if (required) intervals.push({ from: now, to: null });
      else if (intervals.at(-1)) intervals.at(-1)!.to = now;
      r.tracked.held.set(member.id, intervals);
    });
  }
  toString() {
    return `toggleIntervention(member ${this.member})`;
  }
}

/** R-NOT-2: the member answers their renewal notice from its signed link: accepts, or asks for changes (with a message, or without). */
class NoticeAnswer extends Step {
  constructor(
    readonly k: number,
    readonly action: 'accept' | 'change' | 'empty',
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = (await noticedMembershipOf(r, this.k))?.id;
    if (!id) return;
    const token = signLink(r.world.deps.linkKeys, { purpose: 'notice', orgId: r.tracked.orgId, membershipId: id, exp: Math.floor(r.world.clock.now().getTime() / 1000) + 86_400 });
    const before = JSON.stringify(await r.world.deps.store.getMembership(r.tracked.orgId, id));
    const shown = await showLink(r.world.deps, token);
    if (shown.status >= 500) throw new Error(`GET of a notice link answered ${shown.status}`);
    if (JSON.stringify(await r.world.deps.store.getMembership(r.tracked.orgId, id)) !== before) throw new Error('GET of a notice link changed the membership');
    const form: Record<string, string> = this.action === 'accept' ? { action: 'accept' } : { action: 'change', message: this.action === 'empty' ? ' ' : 'Please call me about the family plan' };
    const page = await actOnLink(r.world.deps, token, form);
    r.stats[`notice:${this.action}:${page.status}`] = (r.stats[`notice:${this.action}:${page.status}`] ?? 0) + 1;
    if (page.status >= 500) throw new Error(`notice link answered ${page.status}`);
  }
  toString() {
    return `noticeAnswer(${this.k}, ${this.action})`;
  }
}

type NoticeAction = 'approve' | 'approve2' | 'refuse' | 'reset' | 'remind' | 'edit';

/** R-NOT-3…8: staff act on a membership's latest notice (approve twice at once: one invoice). */
class StaffNotice extends Step {
  constructor(
    readonly k: number,
    readonly action: NoticeAction,
    readonly n: number,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const noticeId = (await noticedMembershipOf(r, this.k))?.noticeId;
    if (!noticeId) return;
    const { deps } = r.world;
    const name = `staffNotice:${this.action}`;
    switch (this.action) {
      case 'approve':
        return refusalsAllowed(r, name, () => approveNotice(deps, r.caller, noticeId));
      case 'approve2': {
        const results = await Promise.allSettled([approveNotice(deps, r.caller, noticeId), approveNotice(deps, r.caller, noticeId)]);
        for (const result of results) {
          if (result.status === 'rejected' && !(result.reason instanceof DomainError)) throw result.reason;
          r.stats[`${name}:${result.status}`] = (r.stats[`${name}:${result.status}`] ?? 0) + 1;
        }
        return;
      }
      case 'refuse':
        return refusalsAllowed(r, name, () => refuseNotice(deps, r.caller, noticeId, { reasonId: r.reasons[this.n % r.reasons.length]! }));
      case 'reset':
        return refusalsAllowed(r, name, () => resetNotice(deps, r.caller, noticeId));
      case 'remind':
        return refusalsAllowed(r, name, () => remindNotice(deps, r.caller, noticeId));
      case 'edit': {
        const plan = pick(r.plans, this.n)!;
        const body = this.n % 2 === 0 ? { price: { amount: 1000 * (this.n + 1), currency: 'CAD' } } : { planId: plan.id };
        return refusalsAllowed(r, name, () => editNotice(deps, r.caller, noticeId, body));
      }
    }
  }
  toString() {
    return `staffNotice(${this.k}, ${this.action}, ${this.n})`;
  }
}

/** R-NOT-3: staff approve or refuse several notices at once (repeated ids included). */
class BulkNotices extends Step {
  constructor(
    readonly ks: number[],
    readonly refuse: boolean,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const ids: string[] = [];
    for (const k of this.ks) {
      const noticeId = (await noticedMembershipOf(r, k))?.noticeId;
      if (noticeId) ids.push(noticeId);
    }
    if (ids.length === 0) return;
    const body = this.refuse ? { action: 'refuse', ids, reasonId: r.reasons[0] } : { action: 'approve', ids };
    await refusalsAllowed(r, `bulk:${this.refuse ? 'refuse' : 'approve'}`, async () => {
      const { results } = await bulkNotices(r.world.deps, r.caller, body);
      if (results.length !== new Set(ids).size) throw new Error(`bulk answered ${results.length} results for ${new Set(ids).size} ids`);
    });
  }
  toString() {
    return `bulkNotices([${this.ks.join(',')}], ${this.refuse ? 'refuse' : 'approve'})`;
  }
}

class EditReminders extends Step {
  constructor(
    readonly plan: number,
    readonly days: number[],
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const plan = pick(r.plans, this.plan)!;
    const stored = await r.world.deps.store.getPlan(r.tracked.orgId, plan.id);
    if (!stored?.renewal || stored.renewal.policy === 'none') return;
    const { id: _id, orgId: _org, version: _v, createdAt: _c, updatedAt: _u, ...input } = stored;
    r.tracked.plans.get(plan.id)!.editedAt = r.world.clock.now().getTime();
    await refusalsAllowed(r, 'editPlan', () => updatePlan(r.world.deps, r.caller, plan.id, { ...input, renewal: { ...stored.renewal!, reminderDays: this.days } }));
  }
  toString() {
    return `editReminders(plan ${this.plan}, [${this.days.join(',')}])`;
  }
}

class ChangeTermEnd extends Step {
  constructor(
    readonly k: number,
    readonly days: number,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    if (!id) return;
    const m = await r.world.deps.store.getMembership(r.tracked.orgId, id);
    if (!m?.currentTerm.end) return;
    unwatch(r, id);
    await refusalsAllowed(r, 'termEnd', () => changeTermEnd(r.world.deps, r.caller, id, { termEnd: addDays(m.currentTerm.end!, this.days) }));
  }
  toString() {
    return `changeTermEnd(${this.k}, ${this.days}d)`;
  }
}

class Advance extends Step {
  constructor(readonly minutes: number) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    await r.world.advanceTo(new Date(r.world.clock.now().getTime() + this.minutes * 60_000));
    r.stats.advancedMinutes = (r.stats.advancedMinutes ?? 0) + this.minutes;
  }
  toString() {
    return `advance(${this.minutes} min)`;
  }
}

/** Time moves to just after a membership's next timer (its notice, term end, billing…), so what follows it gets exercised. */
class AdvanceToTimer extends Step {
  constructor(
    readonly k: number,
    readonly minutesAfter: number,
  ) {
    super();
  }
  async act(_m: Model, r: Real): Promise<void> {
    const id = membershipOf(r, this.k);
    const armed = id && (await r.world.deps.store.getMembership(r.tracked.orgId, id))?.armed;
    if (!armed) return;
    const target = Date.parse(armed.at) + this.minutesAfter * 60_000;
    const now = r.world.clock.now().getTime();
    if (target <= now || target - now > 400 * 86_400_000) return;
    await r.world.advanceTo(new Date(target));
    r.stats.advancedMinutes = (r.stats.advancedMinutes ?? 0) + Math.round((target - now) / 60_000);
    r.stats['advanceToTimer'] = (r.stats['advanceToTimer'] ?? 0) + 1;
  }
  toString() {
    return `advanceToTimer(${this.k}, +${this.minutesAfter} min)`;
  }
}

const minutes = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 180 }) },
  { weight: 3, arbitrary: fc.integer({ min: 3 * 60, max: 4 * 24 * 60 }) },
  { weight: 4, arbitrary: fc.integer({ min: 4 * 24 * 60, max: 95 * 24 * 60 }) },
);

export const commandArbitraries: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  fc.tuple(fc.nat(9), fc.nat(9), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })), fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(3) })).map(
    ([m, p, d, c]) => new CreateMembership(m, p, d, c),
  ),
  fc.tuple(fc.nat(9), fc.integer({ min: 0, max: 14 })).map(([k, a]) => new AdminCancel(k, a)),
  fc.tuple(fc.nat(9), fc.constantFrom('cancel' as const, 'renew' as const, 'authenticate' as const, 'update_payment' as const, 'update_payment' as const, 'manage' as const)).map(
    ([k, p]) => new MemberLink(k, p),
  ),
  fc.tuple(fc.nat(9), fc.constantFrom('cheque' as const, 'transfer' as const, 'cash' as const, 'other' as const)).map(([k, m]) => new RecordPayment(k, m)),
  fc.nat(9).map((k) => new ResendInvoice(k)),
  fc.nat(9).map((k) => new RequestCard(k)),
  fc.tuple(fc.nat(9), fc.boolean(), fc.nat(3)).map(([k, a, n]) => new AnswerRequest(k, a, n)),
  fc.tuple(fc.nat(9), fc.boolean()).map(([k, refund]) => new Void(k, refund)),
  fc.tuple(fc.nat(9), fc.nat(CARDS.length - 1)).map(([m, c]) => new ChangeCard(m, c)),
  fc.nat(9).map((m) => new ToggleMemberFlag(m, 'communicationsOptIn')),
  fc.nat(9).map((m) => new ToggleIntervention(m)),
  fc.tuple(fc.nat(9), fc.uniqueArray(fc.constantFrom(1, 3, 7, 14, 30, 60), { maxLength: 3 })).map(([p, d]) => new EditReminders(p, d)),
  fc.tuple(fc.nat(9), fc.constantFrom('accept' as const, 'accept' as const, 'change' as const, 'empty' as const)).map(([k, a]) => new NoticeAnswer(k, a)),
  fc.tuple(fc.nat(9), fc.constantFrom('accept' as const, 'accept' as const, 'change' as const, 'empty' as const)).map(([k, a]) => new NoticeAnswer(k, a)),
  fc.tuple(fc.nat(9), fc.constantFrom<NoticeAction>('approve', 'approve2', 'refuse', 'reset', 'remind', 'edit'), fc.nat(5)).map(([k, a, n]) => new StaffNotice(k, a, n)),
  fc.tuple(fc.nat(9), fc.constantFrom<NoticeAction>('approve', 'reset', 'remind', 'edit'), fc.nat(5)).map(([k, a, n]) => new StaffNotice(k, a, n)),
  fc.tuple(fc.nat(9), fc.constantFrom<NoticeAction>('approve', 'reset', 'remind', 'edit'), fc.nat(5)).map(([k, a, n]) => new StaffNotice(k, a, n)),
  fc.tuple(fc.array(fc.nat(9), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([ks, refuse]) => new BulkNotices(ks, refuse)),
  fc.nat(9).map((m) => new ToggleMemberFlag(m, 'autoRenew')),
  fc.tuple(fc.nat(9), fc.integer({ min: -60, max: 120 })).map(([k, d]) => new ChangeTermEnd(k, d)),
  fc.tuple(fc.nat(9), fc.constantFrom(1, 5, 90, 24 * 60)).map(([k, n]) => new AdvanceToTimer(k, n)),
  // Time passes as often as before the notice steps joined (2 in 14), so sequences still reach term ends.
  minutes.map((n) => new Advance(n)),
  minutes.map((n) => new Advance(n)),
  minutes.map((n) => new Advance(n)),
];
