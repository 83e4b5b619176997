import { renderEmail } from '../../templates/emails/render.js';
import type { Branding, TemplateData, TemplateId } from '../../templates/emails/types.js';
import { type LocalDate, localDateOf } from '../domain/calendar.js';
import { ConcurrencyError, NotFoundError } from '../domain/errors.js';
import { type Member, mailLocale } from '../domain/member.js';
import { LIVE_STATUSES, type Membership, type Term } from '../domain/membership.js';
import { type Plan, renewalPolicyOf } from '../domain/plan.js';
import type { Locale } from '../domain/schema.js';
import type { Settings } from '../domain/settings.js';
import { type PlanInputs, pastReminders, timerPlan } from '../domain/timers.js';
import type { Actor } from '../domain/timeline.js';
import type { Caller } from './context.js';
import type { Deps } from '../deps.js';
import type { MembershipRecord, OutboxEmail, Write } from '../ports/store.js';

/**
 * Every change to a membership goes through here: load its context, mutate a working copy and
 * collect writes, events and e-mails, then `commitChange` re-plans its timers (R-REN-9) and
 * writes everything in one transaction guarded by the membership's version.
 */
export interface MembershipContext {
  settings: Settings;
  plan: Plan;
  member: Member;
  record: MembershipRecord;
}

export async function loadContext(deps: Pick<Deps, 'store'>, orgId: string, membershipId: string): Promise<MembershipContext> {
  const record = await deps.store.getMembershipRecord(orgId, membershipId);
  if (!record) throw new NotFoundError('membership', membershipId);
  const m = record.membership;
  const [settings, plan, member] = await Promise.all([
    deps.store.getSettings(orgId),
    deps.store.getPlan(orgId, m.planId),
    deps.store.getMember(orgId, m.memberId),
  ]);
  if (!settings || !plan || !member) throw new Error(`membership ${membershipId} refers to missing settings, plan or member`);
  return { settings, plan, member, record };
}

export function planInputs(ctx: Pick<MembershipContext, 'settings' | 'plan' | 'member'>): PlanInputs {
  return {
    timeZone: ctx.settings.timeZone,
    policy: renewalPolicyOf(ctx.plan),
    reminderDays: ctx.plan.renewal?.reminderDays ?? [],
    optedIn: ctx.member.communicationsOptIn,
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

type ChangeDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'mailer' | 'config'>;

export class MembershipChange {
  membership: Membership;
  readonly writes: Write[] = [];
  readonly emails: OutboxEmail[] = [];
  readonly now: Date;

  constructor(
    private readonly deps: ChangeDeps,
    readonly ctx: MembershipContext,
    readonly actor: Actor,
    /** Makes e-mail ids deterministic for one decision (e.g. a timer name), so it cannot send twice. */
    private readonly key: string = deps.newId('chg'),
  ) {
    this.membership = structuredClone(ctx.record.membership);
    this.now = deps.clock.now();
  }

  get orgId(): string {
    return this.membership.orgId;
  }

  get today(): LocalDate {
    return localDateOf(this.now, this.ctx.settings.timeZone);
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
    return this.ctx.record.terms.find((t) => t.seq === seq);
  }

  /** Mail to the member's account owner, in the member's locale. */
  emailMember<T extends TemplateId>(template: T, data: TemplateData[T]): void {
    const { member, settings } = this.ctx;
    this.email(template, data, { name: member.name, email: member.email }, mailLocale(member, settings.locale));
  }

  /** Mail to the organisation's main contact (R-CAN-7), in the organisation's locale. */
  emailOrganisation<T extends TemplateId>(template: T, data: TemplateData[T]): void {
    const { settings } = this.ctx;
    this.email(template, data, { name: settings.name, email: settings.mainContactEmail }, settings.locale);
  }

  private email<T extends TemplateId>(template: T, data: TemplateData[T], to: { name: string; email: string }, locale: Locale): void {
    const { settings } = this.ctx;
    const rendered = renderEmail(template, data, { locale, branding: brandingOf(settings) });
    const id = `${this.key}.${template}`;
    this.emails.push({
      id,
      orgId: this.orgId,
      membershipId: this.membership.id,
      template,
      to: [to.email],
      from: { name: settings.sender.name, email: settings.sender.email },
      replyTo: [settings.replyTo],
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      status: 'pending',
      claimedAt: null,
      sentAt: null,
      messageId: null,
      createdAt: this.now.toISOString(),
      version: 0,
    });
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
 * timer, a follow-up) use it; admin requests answer 409 instead.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 4): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || n >= tries) throw error;
    }
  }
}

/**
 * R-REN-7, R-REN-9: after a member's opt-in changes, re-plan the timers of their live
 * memberships (reminders appear or disappear with it).
 */
export async function replanMemberships(deps: ChangeDeps, caller: Caller, memberId: string): Promise<void> {
  const { items } = await deps.store.listMembershipsOfMember(caller.orgId, memberId, { limit: 100 });
  for (const m of items.filter((i) => LIVE_STATUSES.has(i.status))) {
    await retryOnConflict(async () => {
      const change = new MembershipChange(deps, await loadContext(deps, caller.orgId, m.id), caller.actor);
      await commitChange(deps, change, { skipPastReminders: true });
    });
  }
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
    default:
      return null;
  }
}

/** How long a claimed e-mail stays claimed before another sender may take it over. */
const OUTBOX_LEASE_MS = 5 * 60_000;
/** A timer is never armed in the past: EventBridge Scheduler's precision is one minute. */
const MIN_ARM_DELAY_MS = 60_000;

/**
 * Re-plans the timers, arms the next one (before the commit, so no committed plan lacks its
 * schedule; an orphan from a lost race fires as a stale no-op), commits, sends the e-mails,
 * and disarms the timer the new plan replaced.
 */
export async function commitChange(
  deps: ChangeDeps,
  change: MembershipChange,
  options: { skipPastReminders: boolean },
): Promise<{ unsent: number }> {
  const m = change.membership;
  const inputs = planInputs(change.ctx);
  if (options.skipPastReminders) {
    for (const key of pastReminders(m, inputs, change.now)) {
      if (!m.remindersDone.includes(key)) m.remindersDone.push(key);
    }
  }
  m.timers = timerPlan(m, inputs);
  const next = m.timers[0] ?? null;
  const previous = change.ctx.record.membership.armed;
  if (next && next.name !== previous?.name) {
    await armTimer(deps, m, next, change.ctx.settings.timeZone, change.now);
  }
  m.armed = next ? { name: next.name, at: next.at } : null;
  m.updatedAt = change.now.toISOString();
  await deps.store.commit([{ kind: 'membership', value: m }, ...change.writes, ...change.emails.map((value) => ({ kind: 'outbox' as const, value }))]);
  const unsent = await dispatchOutbox(deps, change.emails);
  if (previous && previous.name !== next?.name) {
    await deps.timers.disarm(previous.name).catch((error: unknown) => console.warn(JSON.stringify({ level: 'warn', msg: 'disarm failed', name: previous.name, error: String(error) })));
  }
  return { unsent };
}

/** Creates the schedule of a planned timer (idempotent by name); a due one is armed a minute ahead. */
export function armTimer(deps: Pick<Deps, 'timers'>, m: Membership, timer: { name: string; at: string }, timeZone: string, now: Date): Promise<void> {
  const due = Date.parse(timer.at);
  return deps.timers.arm({
    name: timer.name,
    at: new Date(due > now.getTime() ? due : now.getTime() + MIN_ARM_DELAY_MS),
    timeZone,
    payload: { orgId: m.orgId, membershipId: m.id, name: timer.name, at: timer.at },
  });
}

/**
 * Sends outbox e-mails that are pending (or abandoned by a crashed sender), each claimed first
 * so two senders never send the same one. Answers how many could not be sent now.
 */
export async function dispatchOutbox(deps: Pick<Deps, 'store' | 'clock' | 'mailer'>, emails: OutboxEmail[]): Promise<number> {
  let unsent = 0;
  for (const email of emails) {
    if (email.status === 'sent') continue;
    const now = deps.clock.now();
    if (!(await deps.store.claimOutbox(email, now, OUTBOX_LEASE_MS))) continue;
    try {
      const { messageId } = await deps.mailer.send({
        to: email.to.map((address) => ({ email: address })),
        from: email.from,
        replyTo: email.replyTo.map((address) => ({ email: address })),
        subject: email.subject,
        html: email.html,
        text: email.text,
        reference: email.id,
        tags: { template: email.template },
      });
      await deps.store.markOutboxSent(email, messageId, deps.clock.now());
    } catch (error) {
      unsent++;
      console.error(JSON.stringify({ level: 'error', msg: 'e-mail not sent; it stays in the outbox', emailId: email.id, error: String(error) }));
    }
  }
  return unsent;
}
