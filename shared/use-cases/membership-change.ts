import { type LocalDate, localDateOf } from '../domain/calendar.js';
import { ConcurrencyError, NotFoundError } from '../domain/errors.js';
import { type LinkPurpose, memberLinkUrl } from '../domain/links.js';
import { type Member, mailLocale } from '../domain/member.js';
import type { Membership, Term } from '../domain/membership.js';
import type { Notice } from '../domain/notice.js';
import { type Plan, renewalPolicyOf } from '../domain/plan.js';
import type { Locale } from '../domain/schema.js';
import type { Settings } from '../domain/settings.js';
import { allows, LIVE_STATUSES, type MembershipEvent, nextStatus, TransitionRefusedError } from '../domain/status.js';
import { type PlanInputs, pastCardNotices, pastReminders, timerPlan } from '../domain/timers.js';
import type { Actor } from '../domain/timeline.js';
import type { Caller } from './context.js';
import { closeRenewalIfEnding, syncIntervention } from './notices.js';
import { domainEventsOf } from './events.js';
import type { Deps } from '../deps.js';
import type { Branding, TemplateData, TemplateId } from '../ports/emails.js';
import { type MembershipRecord, type MembershipState, type OutboxEmail, RECORD_LIMITS, type Write } from '../ports/store.js';

/**
 * Every change to a membership goes through here: load its context, mutate a working copy and
 * collect writes, events, e-mails and payment attempts, then `commitChange` re-plans its timers
 * (R-REN-9) and writes everything in one transaction guarded by the membership's version.
 * Status changes go through the status table (R-MNY-7) with `apply`. Nothing leaves the
 * process before the commit: e-mails and payment attempts are written to the table and carried
 * out by their workers after it (R-MNY-2, R-MNY-6).
 */
export interface MembershipContext {
  settings: Settings;
  plan: Plan;
  member: Member;
  state: MembershipState;
  /** R-NOT-1: the membership's latest renewal notice, if it has one. */
  notice?: Notice | null;
}

/**
 * Issue 13: how old a warm container's copy of the settings and the plan may be when a change
 * loads its context. An edit made through another container reaches a timer within this; a plan
 * check (R-MNY-1) and a write conflict read afresh, and this process's own edits are seen at once.
 */
export const CONTEXT_MAX_AGE_MS = 30_000;

export async function loadContext(deps: Pick<Deps, 'store'>, orgId: string, membershipId: string, options: { fresh?: boolean } = {}): Promise<MembershipContext> {
  const state = await deps.store.getMembershipState(orgId, membershipId);
  if (!state) throw new NotFoundError('membership', membershipId);
  const m = state.membership;
  const recent = options.fresh ? undefined : { maxAgeMs: CONTEXT_MAX_AGE_MS };
  let [settings, plan, member, notice] = await Promise.all([
    deps.store.getSettings(orgId, recent),
    deps.store.getPlan(orgId, m.planId, recent),
    deps.store.getMember(orgId, m.memberId),
    m.notice ? deps.store.getNotice(orgId, m.notice.id) : null,
  ]);
  // A copy older than the plan this membership was last planned with (a re-plan job ran
  // elsewhere since) is never used: the change would plan backwards.
  if (recent && plan && m.planVersion !== undefined && plan.version < m.planVersion) plan = await deps.store.getPlan(orgId, m.planId);
  if (!settings || !plan || !member) throw new Error(`membership ${membershipId} refers to missing settings, plan or member`);
  return { settings, plan, member, state, notice };
}

/** What the timer plan needs to know; `notice` is the change's own version of the notice when it rewrites it. */
export function planInputs(ctx: Pick<MembershipContext, 'settings' | 'plan' | 'member' | 'notice'>, notice: Notice | null = ctx.notice ?? null): PlanInputs {
  const settings = ctx.plan.renewal?.notice;
  return {
    notice: renewalPolicyOf(ctx.plan) === 'notice' && settings ? { sendDaysBefore: settings.sendDaysBefore, current: notice } : undefined,
    timeZone: ctx.settings.timeZone,
    policy: renewalPolicyOf(ctx.plan),
    reminderDays: ctx.plan.renewal?.reminderDays ?? [],
    optedIn: ctx.member.communicationsOptIn,
    held: ctx.member.intervention.required,
    card: ctx.member.paymentMethod,
    cardNoticeDays: ctx.plan.cardExpiryNoticeDays,
    refusedTermSeq: notice?.status === 'refused' ? notice.termSeq : null,
  };
}

export function brandingOf(settings: Settings): Branding {
  return {
    organisationName: settings.name,
    senderName: settings.sender.name,
    replyTo: settings.replyTo,
    primaryColor: settings.branding?.primaryColor,
    logoUrl: settings.branding?.logoUrl,
  };
}

type ChangeDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'linkKeys'>;

export class MembershipChange {
  membership: Membership;
  readonly writes: Write[] = [];
  readonly emails: OutboxEmail[] = [];
  /** Metric lines to print once the change has committed (a retried change prints them once). */
  readonly afterCommit: (() => void)[] = [];
  readonly now: Date;

  constructor(
    private readonly deps: ChangeDeps,
    readonly ctx: MembershipContext,
    readonly actor: Actor,
  ) {
    this.membership = structuredClone(ctx.state.membership);
    this.now = deps.clock.now();
  }

  get orgId(): string {
    return this.membership.orgId;
  }

  get today(): LocalDate {
    return localDateOf(this.now, this.ctx.settings.timeZone);
  }

  /** R-MNY-7: the status after `event`, from the one table; a refused event throws 409. */
  apply(event: MembershipEvent): void {
    const m = this.membership;
    const next = nextStatus({ id: m.id, status: m.status, previous: m.cancellation?.previousStatus ?? null }, event);
    m.status = next.status;
    if (m.cancellation) m.cancellation = { ...m.cancellation, previousStatus: next.previous };
  }

  /**
   * The membership's last unpaid invoice is settled: it is past due no more. One bought ahead of
   * its start waits for its start again (pending), rather than becoming active early.
   */
  recovered(): void {
    this.apply(this.membership.started ? 'payment_recovered' : 'payment_recovered_unstarted');
  }

  /** R-MNY-7: refuses (409 naming the status) unless the table allows `event` now. */
  require(event: MembershipEvent): void {
    const m = this.membership;
    if (!allows(m.status, event)) throw new TransitionRefusedError(m.status, event, m.id);
  }

  event(type: string, data: Record<string, unknown>): void {
    this.writes.push({
      kind: 'event',
      value: { id: this.deps.newId('evt'), at: this.now.toISOString(), type, actor: this.actor, data, orgId: this.orgId, membershipId: this.membership.id },
    });
  }

  /**
   * Adds a write; a later write of the same item replaces the earlier one (a transaction may
   * touch an item once), keeping the version it was read at.
   */
  write(write: Write): void {
    const key = itemKey(write);
    const index = key === null ? -1 : this.writes.findIndex((w) => itemKey(w) === key);
    if (index >= 0) this.writes[index] = write;
    else this.writes.push(write);
  }

  /** The term as this change leaves it: its pending write if any, else as read. */
  term(seq: number): (Term & { version: number }) | undefined {
    for (const w of this.writes) if (w.kind === 'term' && w.value.seq === seq) return w.value;
    return this.ctx.state.terms.find((t) => t.seq === seq);
  }

  /**
   * R-NOT-1: the membership's latest notice (the one `membership.notice` names) as this change
   * leaves it: its pending write if any, else as read. A change that renews twice writes two
   * notices; only the one named is the membership's now.
   */
  notice(): Notice | null {
    const id = this.membership.notice?.id;
    if (!id) return null;
    for (const w of this.writes) if (w.kind === 'notice' && w.value.id === id) return w.value;
    return this.ctx.notice?.id === id ? this.ctx.notice : null;
  }

  /** A signed member link of this membership (R-LNK-1), valid for its purpose's days from now. */
  link(purpose: LinkPurpose): string {
    return memberLinkUrl(this.deps.linkKeys, this.deps.config.PUBLIC_BASE_URL, { purpose, orgId: this.orgId, membershipId: this.membership.id }, this.now);
  }

  /** Mail to the member's account owner, in the member's locale, with their "manage my membership" link (R-LNK-4). */
  emailMember<T extends TemplateId>(template: T, data: TemplateData[T], options: { notAfter?: Date } = {}): void {
    const { member, settings } = this.ctx;
    this.email(template, data, { name: member.name, email: member.email }, mailLocale(member, settings.locale), 'member', options.notAfter, this.link('manage'));
  }

  /** Mail to the organisation's main contact (R-CAN-7), in the organisation's locale. */
  emailOrganisation<T extends TemplateId>(template: T, data: TemplateData[T]): void {
    const { settings } = this.ctx;
    this.email(template, data, { name: settings.name, email: settings.mainContactEmail }, settings.locale, 'organisation');
  }

  private email<T extends TemplateId>(
    template: T,
    data: TemplateData[T],
    to: { name: string; email: string },
    locale: Locale,
    audience: OutboxEmail['audience'],
    notAfter?: Date,
    manageUrl?: string,
  ): void {
    const id = this.deps.newId('eml');
    this.emails.push(
      newOutboxEmail(
        {
          id,
          orgId: this.orgId,
          membershipId: this.membership.id,
          ...(audience === 'member' ? { memberId: this.ctx.member.id } : {}),
          template,
          data: data as Record<string, unknown>,
          locale,
          to,
          audience,
          notAfter: notAfter?.toISOString() ?? null,
          manageUrl: manageUrl ?? null,
        },
        this.now,
      ),
    );
    this.event('email_queued', { emailId: id, template, to: to.email });
  }

  /** The console page of this membership, for notices to staff. */
  membershipUrl(): string {
    return `${this.deps.config.PUBLIC_BASE_URL}/console/#/memberships/${this.membership.id}`;
  }
}

/**
 * Runs `attempt` — read, decide, commit — again from a fresh read when another writer changed
 * the membership first. Callers that act for a person who cannot retry (a member's link, a
 * timer, a worker) use it; admin requests answer 409 instead.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || n >= tries) throw error;
      // Concurrent writers of one membership: a short, growing, jittered pause before reading again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * n));
    }
  }
}

/**
 * R-REN-7, R-REN-9: re-plan one membership's timers from its current state (an opt-in change,
 * a plan edit). Idempotent: a membership already planned so is left as it is.
 */
export async function replanMembership(deps: ChangeDeps, orgId: string, membershipId: string, actor: Actor): Promise<void> {
  await retryOnConflict(async () => {
    // Fresh: a re-plan follows a plan or member edit, which a warm copy may not have seen yet.
    const ctx = await loadContext(deps, orgId, membershipId, { fresh: true });
    if (!LIVE_STATUSES.has(ctx.state.membership.status)) return;
    const change = new MembershipChange(deps, ctx, actor);
    // R-NOT-6: the member's intervention flag shows on their open notice.
    const noticeChanged = syncIntervention(change);
    const before = JSON.stringify(ctx.state.membership.timers);
    const after = JSON.stringify(planTimers(change, { skipPastReminders: true }));
    const timersChanged = before !== after || ctx.state.membership.armed?.name !== change.membership.timers[0]?.name;
    if (!timersChanged && !noticeChanged) return;
    if (timersChanged) change.event('timers_replanned', { reason: 'plan or preferences changed' });
    await commitChange(deps, change, { skipPastReminders: true });
  });
}

/** R-REN-7, R-REN-9, R-NOT-6: after a member's opt-in or intervention flag changes, re-plan the timers of their live memberships. */
export async function replanMemberships(deps: ChangeDeps, caller: Caller, memberId: string): Promise<void> {
  const { items } = await deps.store.listMembershipsOfMember(caller.orgId, memberId, { limit: 100 });
  for (const m of items.filter((i) => LIVE_STATUSES.has(i.status))) await replanMembership(deps, caller.orgId, m.id, caller.actor);
}

/** Identity of the item a write touches; null for append-only writes, which are always new. */
function itemKey(write: Write): string | null {
  switch (write.kind) {
    case 'term':
      return `term:${write.value.membershipId}:${write.value.seq}`;
    case 'invoice':
      return `invoice:${write.value.id}`;
    case 'member':
      return `member:${write.value.id}`;
    case 'attempt':
      return `attempt:${write.value.id}`;
    case 'dunning':
      return `dunning:${write.value.invoiceId}`;
    case 'card_log':
      return `card_log:${write.value.memberId}:${write.value.card}`;
    case 'notice':
      return `notice:${write.value.id}`;
    default:
      return null;
  }
}

/**
 * R-CON-3: the counts by status are spread over this many items per status, so that concurrent
 * status changes seldom meet on one (a transaction touching an item another one is changing fails).
 */
const COUNT_SHARDS = 16;

/** A timer is never armed in the past: EventBridge Scheduler's precision is one minute. */
const MIN_ARM_DELAY_MS = 60_000;

/** Recomputes the change's timer plan (R-REN-6: reminders already past are skipped when asked). */
function planTimers(change: MembershipChange, options: { skipPastReminders: boolean }) {
  const m = change.membership;
  const inputs = planInputs(change.ctx, change.notice());
  if (options.skipPastReminders) {
    for (const key of pastReminders(m, inputs, change.now)) {
      if (!m.remindersDone.includes(key)) m.remindersDone.push(key);
    }
    const done = m.cardNoticesDone ?? [];
    const skipped = pastCardNotices(m, inputs, change.now).filter((key) => !done.includes(key));
    if (skipped.length > 0) m.cardNoticesDone = [...done, ...skipped].slice(-8);
  }
  m.timers = timerPlan(m, inputs);
  return m.timers;
}

/**
 * Re-plans the timers, arms the next one (before the commit, so no committed plan lacks its
 * schedule; an orphan from a lost race fires as a stale no-op), commits, and disarms the timer
 * the new plan replaced. A membership that stops being live gives back its place on the plan
 * (R-MNY-1) in the same transaction.
 */
export async function commitChange(
  deps: ChangeDeps,
  change: MembershipChange,
  options: {
    skipPastReminders: boolean;
    /** Arm the next timer under this name instead of its own. */
    armAs?: string;

  },
): Promise<Write[]> {
  const m = change.membership;
  const original = change.ctx.state.membership;
  await closeRenewalIfEnding(deps, change);
  planTimers(change, options);
  const next = m.timers[0] ?? null;
  const armed = next ? { name: options.armAs ?? next.name, at: next.at } : null;
  const previous = original.armed;
  if (armed && armed.name !== previous?.name) await armTimer(deps, m, armed, change.ctx.settings.timeZone, change.now);
  m.armed = armed;
  m.updatedAt = change.now.toISOString();
  // The plan version this plan of timers was made with (a later change never uses an older copy).
  m.planVersion = m.planId === change.ctx.plan.id ? change.ctx.plan.version : undefined;
  // Issue 13: the status index sorts by when the status began, so other writes leave its key alone.
  if (original.version === 0 || original.status !== m.status) m.statusChangedAt = m.updatedAt;
  else m.statusChangedAt ??= original.updatedAt;
  const writes: Write[] = [{ kind: 'membership', value: m }, ...change.writes, ...change.emails.map((value) => ({ kind: 'outbox' as const, value }))];
  // R-CON-3: the counts by status follow a new membership and every change of status.
  const shard = () => Math.floor(Math.random() * COUNT_SHARDS);
  if (original.version === 0) writes.push({ kind: 'status_count', value: { orgId: m.orgId, status: m.status, shard: shard(), delta: 1 } });
  else if (original.status !== m.status) {
    writes.push({ kind: 'status_count', value: { orgId: m.orgId, status: original.status, shard: shard(), delta: -1 } });
    writes.push({ kind: 'status_count', value: { orgId: m.orgId, status: m.status, shard: shard(), delta: 1 } });
  }
  if (LIVE_STATUSES.has(original.status) && !LIVE_STATUSES.has(m.status)) {
    writes.push({ kind: 'release', value: { orgId: m.orgId, memberId: m.memberId, planId: original.planId, membershipId: m.id } });
    // R-NOT-4: an approved term on another plan held that plan's place too; it goes back with the membership.
    const held = m.notice?.heldPlanId;
    if (held && held !== original.planId) {
      writes.push({ kind: 'release', value: { orgId: m.orgId, memberId: m.memberId, planId: held, membershipId: m.id } });
      m.notice = { ...m.notice!, heldPlanId: null };
    }
  }
  // R-EVT-1: the change's domain events, as outbox items in its own transaction (published by the worker).
  for (const value of domainEventsOf({ before: original, after: m, writes: change.writes, now: change.now }, deps.newId)) writes.push({ kind: 'domain_event', value });
  await deps.store.commit(writes);
  for (const effect of change.afterCommit) effect();
  // The schedule that was armed is deleted even when it is the one whose delivery runs this
  // change (it deletes itself once delivered): a concurrent stale delivery may have armed it
  // again meanwhile, and this delete is what removes that orphan.
  if (previous && previous.name !== armed?.name) {
    await deps.timers
      .disarm(previous.name)
      .catch((error: unknown) => console.warn(JSON.stringify({ level: 'warn', msg: 'disarm failed', name: previous.name, error: String(error) })));
  }
  return writes;
}

/**
 * The record of a membership this change created, as the table now holds it, from the writes
 * just committed: nothing is read again (issue 13). Versioned items were stored one version up.
 */
export function recordOfCreated(writes: Write[]): MembershipRecord {
  const record = overlay({ membership: undefined, terms: [], invoices: [], timeline: [], more: { terms: false, invoices: false, timeline: false } }, writes);
  if (record.membership.version !== 1) throw new Error('recordOfCreated: the writes do not create a membership');
  return record;
}

/**
 * The record of a membership after this process committed `writes` to it, for the change's
 * answer (issue 13): its history read eventually consistently (half the units of a strong
 * read), the membership not read at all, and what the commit wrote laid over what was read, so
 * the answer shows the change even where the read lags it.
 */
export async function recordAfter(deps: Pick<Deps, 'store'>, writes: Write[]): Promise<MembershipRecord> {
  const written = writes.find((w) => w.kind === 'membership');
  if (!written) throw new Error('recordAfter: the writes hold no membership');
  const m = { ...written.value, version: written.value.version + 1 };
  const read = await deps.store.getMembershipRecord(m.orgId, m.id, { consistent: false, membership: m });
  if (!read) throw new Error(`recordAfter: membership ${m.id} is gone`);
  return overlay(read, writes);
}

/** `base` with the membership, terms, invoices and timeline entries of `writes` laid over it (the newer version of each wins), ordered and bounded as the store reads them. */
function overlay(base: Omit<MembershipRecord, 'membership'> & { membership: Membership | undefined }, writes: Write[]): MembershipRecord {
  let membership = base.membership;
  const terms = new Map(base.terms.map((t) => [t.seq, t]));
  const invoices = new Map(base.invoices.map((i) => [i.id, i]));
  const timeline = new Map(base.timeline.map((e) => [e.id, e]));
  const newer = <T extends { version: number }>(held: T | undefined, stored: T) => (held && held.version > stored.version ? held : stored);
  for (const w of writes) {
    if (w.kind === 'membership') membership = newer(membership, { ...w.value, version: w.value.version + 1 });
    else if (w.kind === 'term') terms.set(w.value.seq, newer(terms.get(w.value.seq), { ...w.value, version: w.value.version + 1 }));
    else if (w.kind === 'invoice') invoices.set(w.value.id, newer(invoices.get(w.value.id), { ...w.value, version: w.value.version + 1 }));
    else if (w.kind === 'event') timeline.set(w.value.id, w.value);
  }
  if (!membership) throw new Error('overlay: no membership');
  // As the store reads them: terms oldest first; invoices by creation and timeline by instant,
  // newest first; each bounded as the store bounds it. A list cut here holds more than it shows.
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  const sortedTerms = [...terms.values()].sort((a, b) => a.seq - b.seq);
  const sortedInvoices = [...invoices.values()].sort((a, b) => desc(`${a.createdAt}#${a.id}`, `${b.createdAt}#${b.id}`));
  const sortedTimeline = [...timeline.values()].sort((a, b) => desc(`${a.at}#${a.id}`, `${b.at}#${b.id}`));
  return {
    membership,
    terms: sortedTerms.slice(-RECORD_LIMITS.terms),
    invoices: sortedInvoices.slice(0, RECORD_LIMITS.invoices),
    timeline: sortedTimeline.slice(0, RECORD_LIMITS.timeline),
    more: {
      terms: base.more.terms || sortedTerms.length > RECORD_LIMITS.terms,
      invoices: base.more.invoices || sortedInvoices.length > RECORD_LIMITS.invoices,
      timeline: base.more.timeline || sortedTimeline.length > RECORD_LIMITS.timeline,
    },
  };
}

/** Creates the schedule of a planned timer (idempotent by name); a due one is armed a minute ahead. */
export function armTimer(deps: Pick<Deps, 'timers'>, m: Membership, timer: { name: string; at: string }, timeZone: string, now: Date): Promise<void> {
  const due = Date.parse(timer.at);
  return deps.timers.arm({
    target: 'timer',
    name: timer.name,
    at: new Date(due > now.getTime() ? due : now.getTime() + MIN_ARM_DELAY_MS),
    timeZone,
    payload: { orgId: m.orgId, membershipId: m.id, name: timer.name, at: timer.at },
  });
}

/** A new outbox e-mail, waiting for the worker (R-MNY-6): what it is, and nothing tried yet. */
export function newOutboxEmail(
  what: Pick<OutboxEmail, 'id' | 'orgId' | 'membershipId' | 'memberId' | 'template' | 'data' | 'locale' | 'to' | 'audience' | 'notAfter' | 'manageUrl'>,
  now: Date,
): OutboxEmail {
  return {
    ...what,
    status: 'pending',
    tries: 0,
    claimedAt: null,
    nextTryAt: null,
    lastError: null,
    subject: null,
    sentAt: null,
    messageId: null,
    createdAt: now.toISOString(),
    version: 0,
  };
}
