import type { LocalDate } from './calendar.js';
import type { AttemptFailure, InvoiceMoney } from './payment.js';
import type { Money } from './schema.js';

/** An amount owed for a term or a month (SPEC §1). */
export const INVOICE_STATUSES = ['open', 'paid', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export interface InvoicePayment {
  /** The gateway reference of the charge, or `none` for a free period. */
  reference: string;
  paidAt: string;
  method: 'card' | 'recorded';
  /** R-DUN-9: a payment staff recorded (cheque, transfer, cash, other), with their reference. */
  offline?: { method: 'cheque' | 'transfer' | 'cash' | 'other'; reference: string; paidOn: LocalDate; by: string } | undefined;
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
  /** Charge attempts written so far: the next one is `<id>.c<chargeAttempts + 1>`. */
  chargeAttempts: number;
  /** The charge attempt not yet settled, if any: no other attempt starts before it is (R-MNY-2). */
  openAttemptId: string | null;
  lastFailure: (AttemptFailure & { at: string }) | null;
  payment: InvoicePayment | null;
  /** Every charge and refund attempt with its gateway reference, oldest first. */
  payments: InvoiceMoney[];
  refunds: InvoiceMoney[];
  /** R-PAY-4: disputes members opened with their bank, by the gateway's reference (dp_…). */
  disputes?: InvoiceDispute[];
  /** Set when voided (R-CAN-6): what was credited and whether a refund was asked. */
  credit: { amount: Money; at: string; refund: boolean } | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface InvoiceDispute {
  reference: string;
  paymentReference: string;
  amount: Money;
  reason: string;
  status: string;
  openedAt: string;
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
    chargeAttempts: 0,
    openAttemptId: null,
    lastFailure: null,
    payment: null,
    payments: [],
    refunds: [],
    credit: null,
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** Money actually kept for an invoice: succeeded charges minus succeeded refunds (R-MNY-5). */
export function netCollected(invoice: Pick<Invoice, 'payments' | 'refunds'>): number {
  const sum = (list: InvoiceMoney[]) => list.filter((p) => p.status === 'succeeded').reduce((s, p) => s + p.amount.amount, 0);
  return sum(invoice.payments) - sum(invoice.refunds);
}
