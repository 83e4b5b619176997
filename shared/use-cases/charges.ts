import { applyChargeOutcome, chargeIdempotencyKey, type Invoice } from '../domain/invoice.js';
import type { Actor } from '../domain/timeline.js';
import type { Deps } from '../deps.js';
import { committed } from '../ports/store.js';
import { commitChange, loadContext, MembershipChange, retryOnConflict } from './membership-change.js';

/**
 * Charges an open invoice to the member's card as charge attempt `attempt`, inside a membership
 * change: the invoice's outcome, the timeline event and, on the first failure of an invoice,
 * the notices to the account owner (R-CAN-8) and the organisation (R-CAN-7) commit together.
 * The idempotency key `<invoiceId>:<attempt>` charges once however often this runs (R-BIL-1).
 * A failed charge leaves the invoice open: the seam where the dunning ladder starts (R-DUN-1).
 */
export async function chargeCard(deps: Pick<Deps, 'payments'>, change: MembershipChange, invoice: Invoice, attempt: number): Promise<Invoice> {
  const card = change.ctx.member.paymentMethod;
  if (!card || invoice.status !== 'open' || invoice.amount.amount === 0) return invoice;
  const outcome = await deps.payments.charge({
    idempotencyKey: chargeIdempotencyKey(invoice.id, attempt),
    amount: invoice.amount,
    paymentMethod: card.gatewayRef,
    customerRef: invoice.memberId,
    description: invoice.description,
  });
  const updated = applyChargeOutcome(invoice, outcome, attempt, change.now.toISOString());
  change.write({ kind: 'invoice', value: updated });
  if (outcome.status === 'succeeded') {
    change.event('payment_succeeded', { invoiceId: invoice.id, amount: invoice.amount, chargeId: outcome.chargeId, attempt });
    return updated;
  }
  change.event('payment_failed', { invoiceId: invoice.id, amount: invoice.amount, code: outcome.code, hard: outcome.hard, attempt });
  if (attempt === 1) {
    const { member, plan } = change.ctx;
    change.emailMember('payment_failed', {
      memberName: member.name,
      planName: plan.name,
      invoiceId: invoice.id,
      amount: invoice.amount,
      card: { brand: card.brand, last4: card.last4 },
      hardDecline: outcome.hard,
    });
    change.emailOrganisation('payment_failed_org', {
      memberName: member.name,
      memberEmail: member.email,
      planName: plan.name,
      invoiceId: invoice.id,
      amount: invoice.amount,
      declineCode: outcome.code,
      hardDecline: outcome.hard,
      membershipUrl: change.membershipUrl(),
    });
  }
  return updated;
}

/**
 * Charges a stored open invoice now, as attempt `attempt`, in its own change (the purchase at
 * creation, a dunning retry). An attempt already made answers the invoice as it is.
 */
export function chargeStoredInvoice(
  deps: Pick<Deps, 'store' | 'clock' | 'newId' | 'timers' | 'mailer' | 'config' | 'payments'>,
  actor: Actor,
  invoice: Pick<Invoice, 'id' | 'orgId' | 'membershipId'>,
  attempt: number,
): Promise<Invoice | null> {
  return retryOnConflict(async () => {
    // By key, consistently: the membership's invoice list is a GSI, which may not show a new invoice yet.
    const [ctx, stored] = await Promise.all([loadContext(deps, invoice.orgId, invoice.membershipId), deps.store.getInvoice(invoice.orgId, invoice.id)]);
    if (!stored || stored.status !== 'open' || stored.attempts >= attempt) return stored;
    const change = new MembershipChange(deps, ctx, actor, `${invoice.id}-${attempt}`);
    const updated = await chargeCard(deps, change, stored, attempt);
    await commitChange(deps, change, { skipPastReminders: true });
    return committed(updated);
  });
}
