import type { Branding } from '../ports/emails.js';
import type { ManagePage, PageRequest } from '../ports/pages.js';
import { ConcurrencyError, ConflictError, NotFoundError } from '../domain/errors.js';
import { LINK_DAYS, type LinkClaims, LinkError, type LinkPurpose, memberLinkUrl, verifyLink } from '../domain/links.js';
import { mailLocale } from '../domain/member.js';
import { renewalPolicyOf } from '../domain/plan.js';
import { renewalClickAllowed, renewsAtTermEnd } from '../domain/timers.js';
import { LIVE_STATUSES } from '../domain/status.js';
import type { Locale, Money } from '../domain/schema.js';
import { addDays, localDateOf } from '../domain/calendar.js';
import type { Deps } from '../deps.js';
import type { Invoice } from '../domain/invoice.js';
import type { AuthenticationStart } from '../ports/payments.js';
import { cancelByMember, memberCancellationOutlook } from './cancellation.js';
import { hostedCardSetup } from './gateway.js';
import { brandingOf, commitChange, loadContext, MembershipChange, type MembershipContext, retryOnConflict } from './membership-change.js';
import { acceptNotice, answerable, requestChanges } from './notices.js';
import { nextTerm } from './renewal.js';

/**
 * Member links (R-LNK-1…3). `showLink` (GET) only reads; `actOnLink` (POST) acts once. Every
 * failure — tampered, expired, used, wrong purpose, another membership, no longer allowed —
 * becomes an error page and changes nothing.
 */
export interface LinkPageResult {
  status: number;
  page: PageRequest;
  locale: Locale;
  branding: Branding | null;
}

type LinkDeps = Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'config' | 'linkKeys' | 'payments'>;

const STATUS: Record<string, number> = { invalid: 400, wrong_purpose: 400, expired: 410, used: 409, not_allowed: 409, unavailable: 503 };

function errorPage(reason: keyof typeof STATUS, locale: Locale, branding: Branding | null): LinkPageResult {
  return { status: STATUS[reason]!, page: { view: 'error', data: { reason: reason as never } }, locale, branding };
}

interface Opened {
  claims: LinkClaims;
  ctx: MembershipContext;
  locale: Locale;
  branding: Branding;
}

/** Verifies the token and loads its membership, or answers the error page. */
async function open(deps: LinkDeps, token: string): Promise<Opened | LinkPageResult> {
  let claims: LinkClaims;
  try {
    claims = verifyLink(deps.linkKeys, token, deps.clock.now());
  } catch (error) {
    if (!(error instanceof LinkError)) throw error;
    const settings = error.claims ? await deps.store.getSettings(error.claims.orgId) : null;
    return errorPage(error.reason, settings?.locale ?? 'fr-CA', settings ? brandingOf(settings) : null);
  }
  let ctx: MembershipContext;
  try {
    ctx = await loadContext(deps, claims.orgId, claims.membershipId);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    const settings = await deps.store.getSettings(claims.orgId);
    return errorPage('invalid', settings?.locale ?? 'fr-CA', settings ? brandingOf(settings) : null);
  }
  const locale = mailLocale(ctx.member, ctx.settings.locale);
  const branding = brandingOf(ctx.settings);
  // R-PRV-1: an erased member's links are no longer valid (410), whatever they were for.
  if (ctx.member.erased) return errorPage('expired', locale, branding);
  if (await deps.store.getLinkUse(claims.orgId, claims.membershipId, claims.jti)) return errorPage('used', locale, branding);
  return { claims, ctx, locale, branding };
}

/** R-REN-4: may the member still renew the current term with one click? */
function renewalAllowed(change: Pick<MembershipChange, 'membership' | 'ctx'>): boolean {
  return renewalClickAllowed(change.membership, renewalPolicyOf(change.ctx.plan));
}

/** R-NOT-2: the notice the member may still answer, with its offer. */
function noticePage(ctx: MembershipContext, error?: 'message_required'): PageRequest | null {
  const notice = answerable({ membership: ctx.state.membership, notice: () => ctx.notice ?? null });
  if (!notice) return null;
  const next = notice.next;
  return {
    view: 'notice_confirm',
    data: {
      memberName: ctx.member.name,
      planName: notice.planName,
      termEnd: notice.termEnd,
      next: { planName: next.planName, start: next.start, end: next.end, amount: next.price },
      changeRequested: notice.status === 'change_requested',
      error,
    },
  };
}

function confirmPage(opened: Opened, now: Date): PageRequest | null {
  const { claims, ctx } = opened;
  const m = ctx.state.membership;
  const memberName = ctx.member.name;
  const planName = ctx.plan.name;
  if (claims.purpose === 'notice') return noticePage(ctx);
  if (claims.purpose === 'renew') {
    if (!renewalAllowed({ membership: m, ctx })) return null;
    return { view: 'renew_confirm', data: { memberName, planName, termEnd: m.currentTerm.end!, newTermEnd: nextTerm(m).end, amount: ctx.plan.price, cadence: m.billing.cadence } };
  }
  const outlook = memberCancellationOutlook({ membership: m, ctx, today: localDateOf(now, ctx.settings.timeZone) });
  if (!outlook.allowed) return null;
  return { view: 'cancel_confirm', data: { memberName, planName, mode: outlook.mode, terminationDate: outlook.terminationDate } };
}

/**
 * R-PAY-3: the payment the member's bank wants approved: the membership's latest unpaid invoice
 * whose last charge needs authentication and that no newer attempt has taken over.
 */
async function authenticationTarget(deps: LinkDeps, ctx: MembershipContext): Promise<{ invoice: Invoice; reference: string } | null> {
  const m = ctx.state.membership;
  for (const id of [...m.unpaidInvoiceIds].reverse()) {
    const invoice = await deps.store.getInvoice(m.orgId, id);
    if (!invoice || invoice.status !== 'open' || invoice.openAttemptId !== null) continue;
    const last = invoice.payments.at(-1);
    if (last?.status === 'requires_action' && last.reference) return { invoice, reference: last.reference };
  }
  return null;
}

/** The authenticate link's pages: what to approve, or nothing left to approve. Multi-use until paid. */
async function authenticatePage(deps: LinkDeps, opened: Opened): Promise<LinkPageResult> {
  const { ctx, locale, branding } = opened;
  const target = await authenticationTarget(deps, ctx);
  const page: PageRequest = target
    ? { view: 'authenticate_confirm', data: { memberName: ctx.member.name, planName: ctx.plan.name, amount: target.invoice.amount } }
    : { view: 'authenticate_done', data: { memberName: ctx.member.name, planName: ctx.plan.name } };
  return { status: 200, page, locale, branding };
}

/**
 * POST of an authenticate link: the table records that the member started approving the
 * payment, then the gateway's page is opened for it; the outcome comes by the gateway's webhook.
 */
async function startAuthentication(deps: LinkDeps, opened: Opened, token: string): Promise<LinkPageResult> {
  const { claims, ctx, locale, branding } = opened;
  const target = await authenticationTarget(deps, ctx);
  if (!target) return authenticatePage(deps, opened);
  const change = new MembershipChange(deps, ctx, { type: 'member', id: ctx.member.id });
  change.event('authentication_started', { invoiceId: target.invoice.id, reference: target.reference });
  await commitChange(deps, change, { skipPastReminders: true });
  let started: AuthenticationStart;
  try {
    started = await deps.payments.startAuthentication({ orgId: claims.orgId, reference: target.reference, returnUrl: `${deps.config.PUBLIC_BASE_URL}/l/${token}` });
  } catch (error) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'authentication could not start', membershipId: claims.membershipId, error: String(error) }));
    return errorPage('unavailable', locale, branding);
  }
  if (started.status === 'redirect') return { status: 200, page: { view: 'authenticate_continue', data: { memberName: ctx.member.name, url: started.url } }, locale, branding };
  if (started.status === 'succeeded') return { status: 200, page: { view: 'authenticate_done', data: { memberName: ctx.member.name, planName: ctx.plan.name } }, locale, branding };
  return errorPage('not_allowed', locale, branding);
}

/** What the member owes on this membership now: the open invoices of its active runs, newest first. */
async function owedInvoices(deps: LinkDeps, ctx: MembershipContext): Promise<Invoice[]> {
  const runs = await deps.store.activeRunsOfMember(ctx.state.membership.orgId, ctx.member.id);
  const mine = runs.filter((r) => r.membershipId === ctx.state.membership.id);
  const invoices = await Promise.all(mine.map((r) => deps.store.getInvoice(r.orgId, r.invoiceId)));
  return invoices.filter((i): i is Invoice => i !== null && i.status === 'open').sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

function sumOf(invoices: Invoice[]): Money | null {
  if (invoices.length === 0) return null;
  return { currency: invoices[0]!.amount.currency, amount: invoices.filter((i) => i.amount.currency === invoices[0]!.amount.currency).reduce((s, i) => s + i.amount.amount, 0) };
}

/**
 * R-DUN-4, R-DUN-9: the update-card page. Once nothing is owed and a card was saved since the
 * link was sent (the member is back from the gateway's page), it says so.
 */
async function updatePaymentPage(deps: LinkDeps, opened: Opened): Promise<LinkPageResult> {
  const { claims, ctx, locale, branding } = opened;
  const owed = await owedInvoices(deps, ctx);
  const card = ctx.member.paymentMethod;
  const issuedAt = (claims.exp - LINK_DAYS.update_payment * 86_400) * 1000;
  const cardView = card ? { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear } : null;
  if (owed.length === 0 && card && Date.parse(card.addedAt) >= issuedAt) {
    return { status: 200, page: { view: 'update_payment_done', data: { memberName: ctx.member.name, planName: ctx.plan.name, card: { brand: card.brand, last4: card.last4 } } }, locale, branding };
  }
  return { status: 200, page: { view: 'update_payment_confirm', data: { memberName: ctx.member.name, planName: ctx.plan.name, amount: sumOf(owed), card: cardView } }, locale, branding };
}

/** POST of an update-card link: the gateway's hosted card page; the card (and the payment it allows) come by webhook. */
async function startCardUpdate(deps: LinkDeps, opened: Opened, token: string): Promise<LinkPageResult> {
  const { claims, ctx, locale, branding } = opened;
  if (!LIVE_STATUSES.has(ctx.state.membership.status) && (await owedInvoices(deps, ctx)).length === 0) return errorPage('not_allowed', locale, branding);
  const back = `${deps.config.PUBLIC_BASE_URL}/l/${token}`;
  try {
    const session = await hostedCardSetup(deps, ctx.member, back, back);
    return { status: 200, page: { view: 'update_payment_continue', data: { memberName: ctx.member.name, url: session.url } }, locale, branding };
  } catch (error) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'card setup could not start', membershipId: claims.membershipId, error: String(error) }));
    return errorPage('unavailable', locale, branding);
  }
}

/** A link of another purpose for this membership, minted for the member's own page (GET only signs; it changes nothing). */
function mint(deps: LinkDeps, claims: LinkClaims, purpose: LinkPurpose, now: Date): string {
  return memberLinkUrl(deps.linkKeys, deps.config.PUBLIC_BASE_URL, { purpose, orgId: claims.orgId, membershipId: claims.membershipId }, now);
}

/** R-LNK-4: the member's own page: status, term, next charge, card, invoices, and the actions the plan allows. */
async function managePage(deps: LinkDeps, opened: Opened): Promise<LinkPageResult> {
  const { claims, ctx, locale, branding } = opened;
  const now = deps.clock.now();
  const m = ctx.state.membership;
  const invoices = (await deps.store.listInvoicesOfMembership(claims.orgId, claims.membershipId, { limit: 12 })).items;
  const owed = invoices.filter((i) => i.status === 'open');
  const card = ctx.member.paymentMethod;
  const live = LIVE_STATUSES.has(m.status);
  const outlook = memberCancellationOutlook({ membership: m, ctx, today: localDateOf(now, ctx.settings.timeZone) });
  const page: ManagePage = {
    memberName: ctx.member.name,
    planName: ctx.plan.name,
    status: m.status,
    currentTerm: { start: m.currentTerm.start, end: m.currentTerm.end },
    terminationDate: m.terminationDate,
    nextCharge: live ? nextChargeOf(m, ctx) : null,
    card: card ? { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear } : null,
    invoices: invoices.map((i) => ({
      id: i.id,
      issueDate: i.issueDate,
      periodStart: i.periodStart,
      periodEnd: i.periodEnd,
      amount: i.amount,
      status: i.status,
      paidOn: i.payment ? (i.payment.offline?.paidOn ?? localDateOf(new Date(i.payment.paidAt), ctx.settings.timeZone)) : null,
    })),
    owed: sumOf(owed),
    actions: {
      updatePaymentUrl: live || owed.length > 0 ? mint(deps, claims, 'update_payment', now) : null,
      renewUrl: renewalAllowed({ membership: m, ctx }) ? mint(deps, claims, 'renew', now) : null,
      noticeUrl: answerable({ membership: m, notice: () => ctx.notice ?? null }) ? mint(deps, claims, 'notice', now) : null,
      cancelUrl: outlook.allowed ? mint(deps, claims, 'cancel', now) : null,
      cancelMode: outlook.allowed ? outlook.mode : null,
    },
  };
  return { status: 200, page: { view: 'manage', data: page }, locale, branding };
}

/** The next automatic charge or invoice: the next billing date (monthly), the renewal (upfront). */
function nextChargeOf(m: MembershipContext['state']['membership'], ctx: MembershipContext): ManagePage['nextCharge'] {
  const card = ctx.member.paymentMethod !== null;
  if (m.billing.cadence === 'monthly') {
    if (m.nextBillingDate === null || (m.terminationDate !== null && m.nextBillingDate > m.terminationDate)) return null;
    return { date: m.nextBillingDate, amount: m.billing.price, card };
  }
  const end = m.currentTerm.end;
  if (end === null || !renewsAtTermEnd(m, renewalPolicyOf(ctx.plan)) || (m.terminationDate !== null && m.terminationDate <= end)) return null;
  return { date: addDays(end, 1), amount: ctx.plan.price, card };
}

/** GET /l/{token}: the page with the one button. Reads only (R-LNK-2). */
export async function showLink(deps: LinkDeps, token: string): Promise<LinkPageResult> {
  const opened = await open(deps, token);
  if ('page' in opened) return opened;
  if (opened.claims.purpose === 'authenticate') return authenticatePage(deps, opened);
  if (opened.claims.purpose === 'update_payment') return updatePaymentPage(deps, opened);
  if (opened.claims.purpose === 'manage') return managePage(deps, opened);
  const page = confirmPage(opened, deps.clock.now());
  if (!page) return errorPage('not_allowed', opened.locale, opened.branding);
  return { status: 200, page, locale: opened.locale, branding: opened.branding };
}

/**
 * POST /l/{token}: acts once. The form's `purpose` (when sent) must be the link's; the link's
 * use is written in the same transaction as the action, so a replay or a race fails.
 */
export function actOnLink(deps: LinkDeps, token: string, form: Record<string, string>): Promise<LinkPageResult> {
  return retryOnConflict(async () => {
    const opened = await open(deps, token);
    if ('page' in opened) return opened;
    const { claims, ctx, locale, branding } = opened;
    if (form.purpose !== undefined && form.purpose !== claims.purpose) return errorPage('wrong_purpose', locale, branding);
    if (claims.purpose === 'authenticate') return startAuthentication(deps, opened, token);
    if (claims.purpose === 'update_payment') return startCardUpdate(deps, opened, token);
    // The member's own page only reads: its actions are links of their own.
    if (claims.purpose === 'manage') return errorPage('wrong_purpose', locale, branding);
    const change = new MembershipChange(deps, ctx, { type: 'member', id: ctx.member.id });
    const memberName = ctx.member.name;
    const planName = ctx.plan.name;
    let page: PageRequest;
    try {
      if (claims.purpose === 'renew') {
        if (!renewalAllowed(change)) return errorPage('not_allowed', locale, branding);
        page = { view: 'renew_done', data: { memberName, planName, newTermEnd: confirmRenewal(change) } };
      } else if (claims.purpose === 'notice') {
        if (!answerable(change)) return errorPage('not_allowed', locale, branding);
        if (form.action === 'accept') {
          const notice = acceptNotice(change);
          page = { view: 'notice_accepted', data: { memberName, planName: notice.next.planName, newTermEnd: notice.next.end, amount: notice.next.price, payUrl: change.link('update_payment') } };
        } else if (form.action === 'change') {
          const message = (form.message ?? '').trim().slice(0, 1000);
          // Nothing is used up by a request without its message: the page asks for it again.
          if (message === '') return { status: 400, page: noticePage(ctx, 'message_required')!, locale, branding };
          requestChanges(change, message);
          page = { view: 'notice_changes_sent', data: { memberName, planName } };
        } else {
          return errorPage('invalid', locale, branding);
        }
      } else {
        const reason = form.reason?.trim().slice(0, 500) || null;
        const mode = cancelByMember(change, reason);
        page =
          mode === 'immediate'
            ? { view: 'cancel_done', data: { memberName, planName, terminationDate: change.membership.terminationDate! } }
            : { view: 'cancel_requested', data: { memberName, planName } };
      }
    } catch (error) {
      if (error instanceof ConflictError && !(error instanceof ConcurrencyError)) return errorPage('not_allowed', locale, branding);
      throw error;
    }
    change.write({ kind: 'link_use', value: { orgId: claims.orgId, membershipId: claims.membershipId, jti: claims.jti, purpose: claims.purpose, usedAt: change.now.toISOString() } });
    await commitChange(deps, change, { skipPastReminders: true });
    return { status: 200, page, locale, branding };
  });
}

/**
 * R-REN-4: the member renews for a full term. The next term is created now (pending, it
 * starts when the current one ends and is billed then as usual) and the member is e-mailed
 * the new expiry date; reminders for the current term stop.
 */
function confirmRenewal(change: MembershipChange): string {
  const m = change.membership;
  const next = nextTerm(m);
  change.apply('confirm_renewal');
  m.renewal = { termSeq: m.currentTerm.seq, confirmedAt: change.now.toISOString() };
  change.write({
    kind: 'term',
    value: { membershipId: m.id, seq: next.seq, start: next.start, end: next.end, status: 'pending', invoiceId: null, createdAt: change.now.toISOString(), orgId: m.orgId, version: 0 },
  });
  change.event('renewal_confirmed', { termSeq: m.currentTerm.seq, newTermStart: next.start, newTermEnd: next.end });
  change.emailMember('renewal_confirmation', {
    memberName: change.ctx.member.name,
    planName: change.ctx.plan.name,
    newTermStart: next.start,
    newTermEnd: next.end,
    charged: null,
    cadence: m.billing.cadence,
  });
  return next.end;
}
