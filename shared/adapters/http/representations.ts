import type { Invoice } from '../../domain/invoice.js';
import { deliveryOf, type Member } from '../../domain/member.js';
import type { Membership, Term } from '../../domain/membership.js';
import type { TimelineEvent } from '../../domain/timeline.js';
import type { Plan } from '../../domain/plan.js';
import type { RefusalReason } from '../../domain/refusal.js';
import type { Settings } from '../../domain/settings.js';
import type { MembershipRecord, OutboxEmail, Page } from '../../ports/store.js';

/** The resource shapes of SPEC §8.1. Tenant ids and gateway references never leave the API. */
export function settingsView({ orgId: _org, ...s }: Settings) {
  return s;
}

export function planView({ orgId: _org, ...p }: Plan) {
  return p;
}

export function memberView({ orgId: _org, paymentMethod, emailDelivery: _delivery, ...m }: Member) {
  const delivery = deliveryOf({ email: m.email, emailDelivery: _delivery });
  return {
    ...m,
    /** R-OPS-1: what SES reported about the member's current address (`deliverable` when nothing). */
    emailDelivery: { status: delivery.status, at: delivery.at, reason: delivery.reason, emailId: delivery.emailId },
    paymentMethod: paymentMethod && {
      /** The gateway's payment method (pm_…), to find the card in the Stripe dashboard. */
      reference: paymentMethod.gatewayRef,
      brand: paymentMethod.brand,
      last4: paymentMethod.last4,
      expMonth: paymentMethod.expMonth,
      expYear: paymentMethod.expYear,
      addedAt: paymentMethod.addedAt,
    },
  };
}

export function refusalReasonView({ orgId: _org, ...r }: RefusalReason) {
  return r;
}

export function invoiceView({ orgId: _org, ...i }: Invoice) {
  return i;
}

export function membershipView({ orgId: _org, timers, armed: _armed, statusChangedAt: _since, planVersion: _pv, ...m }: Membership) {
  return { ...m, timers: timers.map((t) => ({ kind: t.kind, at: t.at, ref: t.ref })) };
}

export function membershipRecordView(r: MembershipRecord) {
  return {
    ...membershipView(r.membership),
    terms: r.terms.map((t) => termView(t, r.membership)),
    invoices: r.invoices.map(invoiceView),
    timeline: r.timeline.map(timelineEventView),
    /** Issue 13: each list shows the latest; `more` says which hold older ones, paged at `/api/memberships/{id}/{list}`. */
    more: r.more,
  };
}

export function termView({ version: _v, membershipId: _m, orgId: _o, ...t }: Term & { version: number; orgId?: string }, membership: Pick<Membership, 'status'>) {
  // A voided membership's older terms are not rewritten (R-CAN-6 stays a bounded write): they read as voided.
  return membership.status === 'voided' ? { ...t, status: 'voided' as const } : t;
}

export function emailView(e: OutboxEmail) {
  return {
    id: e.id,
    template: e.template,
    to: [e.to.email],
    subject: e.subject,
    status: e.status,
    sentAt: e.sentAt,
    notAfter: e.notAfter,
    // R-OPS-1: SES's word after sending (bounced, complained, delivered…), null until it speaks.
    delivery: e.delivery ? { status: e.delivery.status, at: e.delivery.at, detail: e.delivery.detail, permanent: e.delivery.permanent } : null,
  };
}

export function timelineEventView({ orgId: _o, membershipId: _m, ...e }: TimelineEvent & { orgId?: string; membershipId?: string }) {
  return e;
}

export function pageView<T, V>(page: Page<T>, view: (t: T) => V) {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
