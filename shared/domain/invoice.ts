import type { LocalDate } from './calendar.js';
import type { Money } from './schema.js';

/** An amount owed for a term or a month (SPEC §1). */
export const INVOICE_STATUSES = ['open', 'paid', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface InvoicePayment {
  chargeId: string;
  paidAt: string;
  method: 'card' | 'recorded';
}

export interface Invoice {
  id: string;
  orgId: string;
  membershipId: string;
  memberId: string;
  status: InvoiceStatus;
  amount: Money;
  description: string;
  /** The service period the invoice pays for; `periodEnd` is null for a plan without an end. */
  periodStart: LocalDate;
  periodEnd: LocalDate | null;
  issueDate: LocalDate;
  dueDate: LocalDate;
  /** Charge attempts made so far (the idempotency key of attempt n is `${id}:${n}`). */
  attempts: number;
  lastFailure: { code: string; message: string; hard: boolean; at: string } | null;
  payment: InvoicePayment | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A new open invoice for a period of a membership, issued on `issueDate`. */
export function openInvoice(spec: {
  id: string;
  membership: { id: string; orgId: string; memberId: string };
  amount: Money;
  description: string;
  periodStart: LocalDate;
  periodEnd: LocalDate | null;
  issueDate: LocalDate;
  dueDate: LocalDate;
  now: Date;
}): Invoice {
  const at = spec.now.toISOString();
  return {
    id: spec.id,
    orgId: spec.membership.orgId,
    membershipId: spec.membership.id,
    memberId: spec.membership.memberId,
    status: 'open',
    amount: spec.amount,
    description: spec.description,
    periodStart: spec.periodStart,
    periodEnd: spec.periodEnd,
    issueDate: spec.issueDate,
    dueDate: spec.dueDate,
    attempts: 0,
    lastFailure: null,
    payment: null,
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
}

export function chargeIdempotencyKey(invoiceId: string, attempt: number): string {
  return `${invoiceId}:${attempt}`;
}

/** The invoice after a charge attempt: paid on success; still open, with the failure, otherwise. */
export function applyChargeOutcome(
  invoice: Invoice,
  outcome: { status: 'succeeded'; chargeId: string } | { status: 'failed'; code: string; message: string; hard: boolean },
  attempt: number,
  now: string,
): Invoice {
  return outcome.status === 'succeeded'
    ? { ...invoice, status: 'paid', attempts: attempt, payment: { chargeId: outcome.chargeId, paidAt: now, method: 'card' }, updatedAt: now }
    : { ...invoice, attempts: attempt, lastFailure: { code: outcome.code, message: outcome.message, hard: outcome.hard, at: now }, updatedAt: now };
}
