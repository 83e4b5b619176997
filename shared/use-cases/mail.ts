import { ConcurrencyError } from '../domain/errors.js';
import { backoffMs, WORK_LEASE_MS } from '../domain/payment.js';
import { SYSTEM } from '../domain/timeline.js';
import type { Deps } from '../deps.js';
import { type EmailRenderer, MailNotSentError, MailRejectedError } from '../ports/mailer.js';
import type { OutboxEmail, WorkRef } from '../ports/store.js';
import { brandingOf } from './membership-change.js';
import { DUNNING_TEMPLATES } from './dunning-run.js';
import { armRetry } from './retries.js';
import { blockedAddress, recordDeliveryEvent, type SesEventDetail, undeliverableNotice } from './deliverability.js';

/**
 * The mail worker (R-MNY-6). Every e-mail a change decides is written to the outbox in the
 * change's transaction; this delivers it, once, within minutes, whatever the membership's
 * timers: the table's stream hands it over at once, and a retry schedule takes it up again
 * after a failure. It is the only caller of SES.
 *
 * - A mail whose moment has passed (`notAfter`, e.g. a reminder after its deadline) is dropped
 *   and the drop is recorded on the membership's timeline: never sent stale.
 * - SES refusing for now (throttled, paused, down) → tried again with backoff (1, 2, 5, 15 min…).
 * - No answer (timeout, lost answer): SES may have sent it. SES's own Send event (configuration
 *   set → EventBridge → `recordSesEvent`) marks it sent; if none arrives within
 *   SEND_EVENT_WAIT_MS, it was not sent and goes again. So an answer lost never sends twice.
 * - SES refusing it for good (an unsendable address) → `failed`, recorded on the timeline.
 */
export const SEND_EVENT_WAIT_MS = 10 * 60_000;

type MailDeps = Pick<Deps, 'store' | 'clock' | 'timers' | 'mailer' | 'newId' | 'config' | 'metrics'> & { renderer: EmailRenderer };

export type DeliveryResult = 'sent' | 'dropped' | 'failed' | 'retry_scheduled' | 'busy' | 'done' | 'gone';

const FINAL = new Set<OutboxEmail['status']>(['sent', 'dropped', 'failed']);

/** SES message tags naming the outbox e-mail, so SES's events find it again. */
export function mailTags(mail: Pick<OutboxEmail, 'orgId' | 'membershipId' | 'id' | 'template'>): Record<string, string> {
  return { template: mail.template, 'relance-org': mail.orgId, 'relance-membership': mail.membershipId, 'relance-mail': mail.id };
}

/**
 * Input: an outbox e-mail's reference (a stream record or a retry schedule).
 * Output: what became of it.
 */
export async function deliverMail(deps: MailDeps, ref: WorkRef): Promise<DeliveryResult> {
  const mail = await deps.store.getMail(ref);
  if (!mail) return 'gone';
  if (FINAL.has(mail.status)) return 'done';
  const now = deps.clock.now();
  if (mail.notAfter !== null && now.getTime() >= Date.parse(mail.notAfter)) return drop(deps, mail, now);
  const stale = await staleReason(deps, mail);
  if (stale !== null) return drop(deps, mail, now, stale);
  // R-OPS-1: nothing more goes to an address SES suppressed or its owner complained about;
  // a renewal, notice or dunning mail becomes one staff notification, with the drop.
  const blocked = await blockedAddress(deps, mail);
  if (blocked) {
    const notice = await undeliverableNotice(deps, mail, blocked.status === 'complained' ? 'complained' : 'suppressed', blocked.reason);
    return drop(deps, notice ? { ...mail, undeliverableNotice: notice.id } : mail, now, `the address ${mail.to.email} is ${blocked.status} (R-OPS-1)`, notice ? [{ kind: 'outbox', value: notice }] : []);
  }

  const claimed = await deps.store.claimMail(ref, now, WORK_LEASE_MS);
  if (!claimed) {
    const again = await deps.store.getMail(ref);
    if (!again || FINAL.has(again.status)) return 'done';
    // Held by another worker, or waiting for its next try: make sure that try is armed.
    const at = again.status === 'sending' ? Date.parse(again.claimedAt!) + WORK_LEASE_MS : Date.parse(again.nextTryAt ?? now.toISOString());
    await armRetry(deps, 'mail', ref, new Date(at), again.tries);
    return 'busy';
  }

  const settings = await deps.store.getSettings(ref.orgId);
  if (!settings) throw new Error(`e-mail ${mail.id}: organisation ${ref.orgId} has no settings`);
  let rendered: ReturnType<EmailRenderer['render']>;
  try {
    rendered = deps.renderer.render(claimed.template, claimed.data, { locale: claimed.locale, branding: brandingOf(settings), manageUrl: claimed.manageUrl ?? null });
  } catch (error) {
    return fail(deps, claimed, now, `the e-mail could not be rendered: ${String(error)}`);
  }
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      to: [claimed.to],
      from: settings.sender,
      replyTo: [{ email: settings.replyTo }],
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      reference: claimed.id,
      tags: mailTags(claimed),
    }));
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof MailRejectedError) return fail(deps, claimed, now, reason);
    const known = error instanceof MailNotSentError;
    // Unknown: wait at least for SES's Send event to have had time to arrive, and back off too.
    const nextTryAt = new Date(now.getTime() + (known ? backoffMs(claimed.tries) : Math.max(SEND_EVENT_WAIT_MS, backoffMs(claimed.tries))));
    const saved = await save(deps, { ...claimed, status: known ? 'pending' : 'unknown', claimedAt: null, nextTryAt: nextTryAt.toISOString(), lastError: reason, subject: rendered.subject });
    if (saved) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'e-mail not sent yet', emailId: claimed.id, tries: claimed.tries, reason, nextTryAt }));
      await armRetry(deps, 'mail', ref, nextTryAt, claimed.tries);
    }
    return 'retry_scheduled';
  }
  // SES's Send event may have marked it sent already: then this write finds a newer version,
  // which still lacks what only the worker knows (the subject staff read on the timeline).
  const sent = await save(deps, { ...claimed, status: 'sent', claimedAt: null, nextTryAt: null, sentAt: deps.clock.now().toISOString(), messageId, subject: rendered.subject, lastError: null });
  if (!sent) await keepSubject(deps, ref, rendered.subject, messageId);
  deps.metrics?.add('EmailsSent');
  return 'sent';
}

/** Writes the subject (and the message id) onto a mail another writer saved first; a few tries. */
async function keepSubject(deps: MailDeps, ref: WorkRef, subject: string, messageId: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await deps.store.getMail(ref);
    if (!current || (current.subject && current.messageId)) return;
    if (await save(deps, { ...current, subject: current.subject || subject, messageId: current.messageId ?? messageId })) return;
  }
}

/** Writes the mail at the version it was read; false when another writer got there first. */
async function save(deps: MailDeps, mail: OutboxEmail, extra: Parameters<Deps['store']['commit']>[0] = []): Promise<boolean> {
  try {
    await deps.store.commit([{ kind: 'outbox', value: mail }, ...extra]);
    return true;
  } catch (error) {
    if (error instanceof ConcurrencyError) return false;
    throw error;
  }
}

function timelineEvent(deps: MailDeps, mail: OutboxEmail, now: Date, type: string, data: Record<string, unknown>) {
  return {
    kind: 'event' as const,
    value: { id: deps.newId('evt'), at: now.toISOString(), type, actor: SYSTEM, data: { emailId: mail.id, template: mail.template, to: mail.to.email, ...data }, orgId: mail.orgId, membershipId: mail.membershipId },
  };
}

/** R-MNY-6: its moment passed; it is dropped, and the timeline says so. */
/**
 * R-DUN-4, R-DUN-7, R-NOT-8: a dunning or invoice reminder whose invoice is no longer owed, a
 * card notice about a card no longer on file, or a renewal notice already answered or decided,
 * is never sent, however late its worker runs.
 */
async function staleReason(deps: MailDeps, mail: OutboxEmail): Promise<string | null> {
  const data = mail.data as { invoiceId?: unknown; cardRef?: unknown };
  if (DUNNING_TEMPLATES.has(mail.template) && typeof data.invoiceId === 'string') {
    const invoice = await deps.store.getInvoice(mail.orgId, data.invoiceId);
    if (invoice && invoice.status !== 'open') return `its invoice is ${invoice.status}`;
  }
  if (mail.template === 'renewal_notice' && typeof (mail.data as { noticeId?: unknown }).noticeId === 'string') {
    // R-NOT-2, R-NOT-8: a notice (or reminder) still queued when the member answered or staff decided is not sent.
    const notice = await deps.store.getNotice(mail.orgId, (mail.data as { noticeId: string }).noticeId);
    if (notice && notice.status !== 'sent' && notice.status !== 'change_requested') return `the notice is ${notice.status.replaceAll('_', ' ')}`;
  }
  if ((mail.template === 'card_expiring' || mail.template === 'card_expiring_org') && typeof data.cardRef === 'string') {
    const membership = await deps.store.getMembership(mail.orgId, mail.membershipId);
    const member = membership ? await deps.store.getMember(mail.orgId, membership.memberId) : null;
    if (member && member.paymentMethod?.gatewayRef !== data.cardRef) return 'the card was replaced or removed';
  }
  return null;
}

async function drop(
  deps: MailDeps,
  mail: OutboxEmail,
  now: Date,
  reason = 'its moment passed before it could be sent',
  extra: Parameters<Deps['store']['commit']>[0] = [],
): Promise<DeliveryResult> {
  const ok = await save(deps, { ...mail, status: 'dropped', claimedAt: null, nextTryAt: null }, [
    timelineEvent(deps, mail, now, 'email_dropped', { notAfter: mail.notAfter, reason, ...(mail.undeliverableNotice ? { notified: mail.undeliverableNotice } : {}) }),
    ...extra,
  ]);
  if (!ok) return deliverMail(deps, mail);
  deps.metrics?.add('EmailsDropped');
  return 'dropped';
}

async function fail(deps: MailDeps, mail: OutboxEmail, now: Date, reason: string): Promise<DeliveryResult> {
  await save(deps, { ...mail, status: 'failed', claimedAt: null, nextTryAt: null, lastError: reason }, [timelineEvent(deps, mail, now, 'email_failed', { reason })]);
  console.error(JSON.stringify({ level: 'error', msg: 'SES refused an e-mail for good', emailId: mail.id, reason }));
  return 'failed';
}

/**
 * SES's events for the configuration set, from EventBridge: a `Send` event is SES's own
 * record that it accepted a mail, which settles a mail whose answer was lost. Bounces,
 * complaints, rejections, deliveries and delays are recorded on the mail and the member's
 * address (R-OPS-1, `deliverability.ts`).
 */
export async function recordSesEvent(deps: Pick<Deps, 'store' | 'clock' | 'newId' | 'config'>, event: SesEventDetail): Promise<'recorded' | 'ignored' | 'duplicate'> {
  if (event.eventType !== 'Send') return recordDeliveryEvent(deps, event);
  const tags = event.mail?.tags ?? {};
  const [orgId, membershipId, id] = [tags['relance-org']?.[0], tags['relance-membership']?.[0], tags['relance-mail']?.[0]];
  if (event.eventType !== 'Send' || !orgId || !membershipId || !id || !event.mail?.messageId) return 'ignored';
  const at = event.mail.timestamp && !Number.isNaN(Date.parse(event.mail.timestamp)) ? new Date(event.mail.timestamp) : deps.clock.now();
  return (await deps.store.markMailSent({ orgId, membershipId, id }, event.mail.messageId, at)) ? 'recorded' : 'ignored';
}
