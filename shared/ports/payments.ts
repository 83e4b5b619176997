import type { SavedPaymentMethod } from '../domain/member.js';
import type { AttemptFailure } from '../domain/payment.js';
import type { Money } from '../domain/schema.js';

/**
 * The payment gateway: cards are kept by the gateway; Relance keeps only its reference. Every
 * call that moves money carries the idempotency key of a payment attempt already written to
 * the table (R-MNY-2), so a repeated call never moves money twice, and an answer that never
 * came back can be asked for (`findCharge`, `findRefund`) before anything else is tried.
 *
 * A method that throws leaves the outcome unknown (timeout, lost answer): the caller asks again
 * later with the same key.
 */
export type ChargeResult =
  | { status: 'succeeded'; reference: string }
  /** Accepted, not settled yet (a bank debit, a review): asked again later. */
  | { status: 'processing'; reference: string }
  /** The card needs the member to authenticate (3-D Secure): a new attempt after they do. */
  | { status: 'requires_action'; reference: string | null; failure: AttemptFailure }
  | { status: 'declined'; reference: string | null; failure: AttemptFailure };

export type RefundResult =
  | { status: 'succeeded'; reference: string }
  | { status: 'pending'; reference: string }
  | { status: 'failed'; reference: string | null; failure: AttemptFailure };

export interface ChargeRequest {
  idempotencyKey: string;
  amount: Money;
  paymentMethod: string;
  customerRef: string;
  description: string;
  metadata: { orgId: string; invoiceId: string; attemptId: string };
}

export interface RefundRequest {
  idempotencyKey: string;
  chargeReference: string;
  amount: Money;
  metadata: { orgId: string; invoiceId: string; attemptId: string };
}

export interface PaymentGateway {
  /** Attaches a tokenised card to the customer; throws UnprocessableError for a bad token. */
  savePaymentMethod(input: { customerRef: string; token: string }): Promise<SavedPaymentMethod>;
  /** Charges once per idempotency key: repeating a key with the same request answers the first outcome. */
  charge(input: ChargeRequest): Promise<ChargeResult>;
  /** The outcome of the charge made with this key, or null if the gateway never received it. */
  findCharge(input: ChargeRequest): Promise<ChargeResult | null>;
  /** Refunds once per idempotency key. */
  refund(input: RefundRequest): Promise<RefundResult>;
  /** The outcome of the refund made with this key, or null if the gateway never received it. */
  findRefund(input: RefundRequest): Promise<RefundResult | null>;
}
