import { ConcurrencyError } from '../domain/errors.js';
import { newOutboxEmail } from './membership-change.js';
import { blocksMail, type DeliveryStatus, deliveryOf, type EmailDelivery, type Member, sameAddress } from '../domain/member.js';
import { SYSTEM } from '../domain/timeline.js';
import type { Deps } from '../deps.js';
import type { TemplateData, TemplateId } from '../ports/emails.js';
import type { MailDelivery, OutboxEmail, WorkRef, Write } from '../ports/store.js';

/**
 * R-OPS-1: what SES says after it accepted a mail. The configuration set publishes Bounce,
 * Complaint, Reject, Delivery and DeliveryDelay events to EventBridge; the feedback function
 * records them:
 * - on the sent mail (`delivery`), never going back (a late "delayed" after a bounce changes nothing);
 * - on the member's address (`emailDelivery`) when the mail went to the member's current address;
 * - a renewal, notice or dunning mail that cannot reach its member (permanent bounce, complaint)
 *   becomes one staff notification (`email_undeliverable_org`), written with the mail's change,
 *   so a repeated event finds it done.
 */

type FeedbackDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'config'>;

/** R-OPS-1: the member mail that, undelivered, staff must hear of — and what it was about. */
const NOTIFY: Partial<Record<TemplateId, TemplateData['email_undeliverable_org']['kind']>> = {
  reminder_automatic: 'renewal',
  reminder_confirmation: 'renewal',
  expired: 'renewal',
  invoice: 'renewal',
  renewal_notice: 'notice',
  notice_refused: 'notice',
  payment_failed: 'dunning',
  dunning_followup: 'dunning',
  dunning_final_warning: 'dunning',
  dunning_cancelled: 'dunning',
  dunning_downgraded: 'dunning',
  invoice_reminder: 'dunning',
  card_expiring: 'dunning',
  card_request: 'dunning',
};

/** An SES event (`detail` of the EventBridge event), as far as Relance reads it. */
export interface SesEventDetail {
  eventType?: string;
  mail?: { messageId?: string; timestamp?: string; tags?: Record<string, string[]>; destination?: string[] };
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string; feedbackId?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
  complaint?: { timestamp?: string; feedbackId?: string; complaintFeedbackType?: string; complainedRecipients?: { emailAddress?: string }[] };
  delivery?: { timestamp?: string; recipients?: string[] };
  deliveryDelay?: { timestamp?: string; delayType?: string };
  reject?: { reason?: string };
}

/** How far a mail's outcome has gone; an event that does not go further changes nothing. */
const RANK: Record<MailDelivery['status'], number> = { delayed: 1, delivered: 2, bounced: 3, rejected: 4, complained: 5 };
export const rank = (d: MailDelivery | null | undefined) => (d ? RANK[d.status] + (d.status === 'bounced' && d.permanent ? 0.5 : 0) : 0);

export function refOfTags(tags: Record<string, string[]> | undefined): WorkRef | null {
  const t = tags ?? {};
  const [orgId, membershipId, id] = [t['relance-org']?.[0], t['relance-membership']?.[0], t['relance-mail']?.[0]];
  return orgId && membershipId && id ? { orgId, membershipId, id } : null;
}

/** The mail's outcome an event tells, or null for an event Relance does not record. */
export function outcomeOf(event: SesEventDetail, now: Date): MailDelivery | null {
  const at = (t: string | undefined) => (t && !Number.isNaN(Date.parse(t)) ? new Date(t).toISOString() : now.toISOString());
  switch (event.eventType) {
    case 'Bounce': {
      const b = event.bounce ?? {};
      const permanent = b.bounceType === 'Permanent';
      const diagnostic = b.bouncedRecipients?.find((r) => r.diagnosticCode)?.diagnosticCode;
      const detail = [`${b.bounceType ?? 'Undetermined'}/${b.bounceSubType ?? 'Undetermined'}`, diagnostic].filter(Boolean).join(': ');
      return { status: 'bounced', at: at(b.timestamp), detail: detail.slice(0, 500), permanent };
    }
    case 'Complaint':
      return { status: 'complained', at: at(event.complaint?.timestamp), detail: event.complaint?.complaintFeedbackType ?? null, permanent: true };
    case 'Reject':
      return { status: 'rejected', at: at(event.mail?.timestamp), detail: event.reject?.reason ?? null, permanent: true };
    case 'Delivery':
      return { status: 'delivered', at: at(event.delivery?.timestamp), detail: null, permanent: false };
    case 'DeliveryDelay':
      return { status: 'delayed', at: at(event.deliveryDelay?.timestamp), detail: event.deliveryDelay?.delayType ?? null, permanent: false };
    default:
      return null;
  }
}

/** The member address's status after this outcome (null: unchanged). */
export function nextMemberStatus(current: DeliveryStatus, outcome: MailDelivery): DeliveryStatus | null {
  let next: DeliveryStatus = current;
  if (outcome.status === 'bounced') next = outcome.permanent ? 'suppressed' : current === 'deliverable' ? 'bouncing' : current;
  else if (outcome.status === 'complained') next = current === 'suppressed' ? current : 'complained';
  else if (outcome.status === 'delivered') next = current === 'bouncing' ? 'deliverable' : current;
  return next === current ? null : next;
}

/** Why staff hear of this outcome of a member mail, or null. */
function undeliverableReason(outcome: MailDelivery): 'bounced' | 'complained' | null {
  if (outcome.status === 'complained') return 'complained';
  if (outcome.status === 'bounced' && outcome.permanent) return 'bounced';
  return null;
}

function timelineWrite(deps: Pick<Deps, 'newId'>, mail: OutboxEmail, at: string, type: string, data: Record<string, unknown>): Write {
  return {
    kind: 'event',
    value: { id: deps.newId('evt'), at, type, actor: SYSTEM, data: { emailId: mail.id, template: mail.template, to: mail.to.email, ...data }, orgId: mail.orgId, membershipId: mail.membershipId },
  };
}

/**
 * R-OPS-1: the staff notification for a member mail that cannot reach its member, or null when
 * the mail is not a renewal, notice or dunning mail, or staff were told already. The caller
 * writes it with the mail's own change (`undeliverableNotice` set), so it is written once.
 */
export async function undeliverableNotice(
  deps: FeedbackDeps,
  mail: OutboxEmail,
  reason: 'bounced' | 'complained' | 'suppressed',
  detail: string | null,
): Promise<OutboxEmail | null> {
  const kind = NOTIFY[mail.template];
  if (!kind || mail.audience !== 'member' || mail.undeliverableNotice) return null;
  const settings = await deps.store.getSettings(mail.orgId);
  if (!settings) return null;
  const data = mail.data as { memberName?: unknown; planName?: unknown };
  const notice: TemplateData['email_undeliverable_org'] = {
    memberName: typeof data.memberName === 'string' ? data.memberName : mail.to.name,
    memberEmail: mail.to.email,
    planName: typeof data.planName === 'string' ? data.planName : '',
    kind,
    subject: mail.subject,
    reason,
    detail,
    membershipUrl: `${deps.config.PUBLIC_BASE_URL}/console/#/memberships/${mail.membershipId}`,
  };
  return newOutboxEmail(
    {
      id: deps.newId('eml'),
      orgId: mail.orgId,
      membershipId: mail.membershipId,
      template: 'email_undeliverable_org',
      data: notice as unknown as Record<string, unknown>,
      locale: settings.locale,
      to: { name: settings.name, email: settings.mainContactEmail },
      audience: 'organisation',
      notAfter: null,
      manageUrl: null,
    },
    deps.clock.now(),
  );
}

/** The member a member mail is for (one read by key; two for mail written before it named its member), or null. */
export async function memberOfMail(deps: Pick<Deps, 'store'>, mail: OutboxEmail): Promise<Member | null> {
  if (mail.audience !== 'member') return null;
  if (mail.memberId) return deps.store.getMember(mail.orgId, mail.memberId);
  const membership = await deps.store.getMembership(mail.orgId, mail.membershipId);
  return membership ? deps.store.getMember(mail.orgId, membership.memberId) : null;
}

/**
 * R-OPS-1: why this member mail must not be sent (its address is suppressed or complained
 * about), or null. Staff mail goes to the organisation and is never held back.
 */
export async function blockedAddress(deps: Pick<Deps, 'store'>, mail: OutboxEmail): Promise<EmailDelivery | null> {
  const member = await memberOfMail(deps, mail);
  const d = member?.emailDelivery;
  if (!d || !blocksMail(d.status) || !sameAddress(d.email, mail.to.email)) return null;
  return d;
}

export type FeedbackResult = 'recorded' | 'duplicate' | 'ignored';

/**
 * Input: an SES event (Bounce, Complaint, Reject, Delivery, DeliveryDelay) for a mail Relance
 * tagged. Output: what was done. The same event twice acts once: the mail's outcome only goes
 * further, and the member, the timeline and the staff notification change in the same
 * transaction as the mail.
 */
export async function recordDeliveryEvent(deps: FeedbackDeps, event: SesEventDetail): Promise<FeedbackResult> {
  const ref = refOfTags(event.mail?.tags);
  const outcome = outcomeOf(event, deps.clock.now());
  if (!ref || !outcome) return 'ignored';
  for (let attempt = 0; ; attempt++) {
    try {
      return await recordOnce(deps, ref, outcome, event.mail?.messageId ?? null);
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
    }
  }
}

async function recordOnce(deps: FeedbackDeps, ref: WorkRef, outcome: MailDelivery, messageId: string | null): Promise<FeedbackResult> {
  const mail = await deps.store.getMail(ref);
  if (!mail) return 'ignored';
  if (rank(outcome) <= rank(mail.delivery)) return 'duplicate';
  const updated: OutboxEmail = { ...mail, delivery: outcome };
  // An event after a send whose answer was lost is SES's word that it took the mail.
  if (mail.status === 'pending' || mail.status === 'sending' || mail.status === 'unknown') {
    Object.assign(updated, { status: 'sent', sentAt: mail.sentAt ?? outcome.at, messageId: mail.messageId ?? messageId, claimedAt: null, nextTryAt: null });
  }
  const writes: Write[] = [];
  const member = await memberOfMail(deps, mail);
  if (member && sameAddress(member.email, mail.to.email)) {
    const current = deliveryOf(member);
    const next = nextMemberStatus(current.status, outcome);
    if (next) {
      const emailDelivery: EmailDelivery = { status: next, email: member.email, at: outcome.at, reason: outcome.detail ?? outcome.status, emailId: mail.id };
      writes.push({ kind: 'member', value: { ...member, emailDelivery } });
    }
  }
  const reason = undeliverableReason(outcome);
  if (reason) {
    const notice = await undeliverableNotice(deps, mail, reason, outcome.detail);
    if (notice) {
      updated.undeliverableNotice = notice.id;
      writes.push({ kind: 'outbox', value: notice });
    }
  }
  if (outcome.status === 'bounced' || outcome.status === 'complained' || outcome.status === 'rejected') {
    writes.push(timelineWrite(deps, mail, outcome.at, `email_${outcome.status}`, { detail: outcome.detail, permanent: outcome.permanent, notified: updated.undeliverableNotice ?? null }));
  }
  await deps.store.commit([{ kind: 'outbox', value: updated }, ...writes]);
  console.info(JSON.stringify({ level: 'info', msg: 'ses feedback recorded', emailId: mail.id, delivery: outcome.status, permanent: outcome.permanent, member: writes.some((w) => w.kind === 'member') }));
  return 'recorded';
}
