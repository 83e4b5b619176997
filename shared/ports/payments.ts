import type { SavedPaymentMethod } from '../domain/member.js';
import type { Money } from '../domain/schema.js';

/** The payment gateway: cards are kept by the gateway; Relance keeps only its reference. */
export type ChargeOutcome =
  | { status: 'succeeded'; chargeId: string }
  | {
      status: 'failed';
      /** Gateway decline code, e.g. `card_declined`, `insufficient_funds`, `expired_card`, `lost_card`. */
      code: string;
      /** A hard decline (lost or stolen card, closed account) must not be retried (R-DUN-5). */
      hard: boolean;
      message: string;
    };

export interface PaymentGateway {
  /** Attaches a tokenised card to the customer; throws PaymentMethodRejectedError for a bad token. */
  savePaymentMethod(input: { customerRef: string; token: string }): Promise<SavedPaymentMethod>;
  /** Charges once per idempotency key: repeating a key returns the first outcome (R-BIL-1). */
  charge(input: {
    idempotencyKey: string;
    amount: Money;
    paymentMethod: string;
    customerRef: string;
    description: string;
  }): Promise<ChargeOutcome>;
  /** Refunds once per idempotency key. */
  refund(input: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<{ refundId: string }>;
}
