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
  /** The gateway's customer that owns the card. */
  customerRef: string;
  description: string;
  /** When the attempt was written: a lost answer is looked for from this instant on. */
  createdAt: string;
  metadata: { orgId: string; invoiceId: string; attemptId: string };
}

export interface RefundRequest {
  idempotencyKey: string;
  chargeReference: string;
  amount: Money;
  metadata: { orgId: string; invoiceId: string; attemptId: string };
}

/** Who a card belongs to at the gateway: the organisation's account, the member, the gateway's customer once made. */
export interface GatewayCustomer {
  orgId: string;
  memberId: string;
  /** The gateway's customer of the member (`cus_…`), or null before the first card. */
  customerRef: string | null;
  name: string;
  email: string;
}

/** A hosted card-setup page (Stripe Checkout in setup mode, R-PAY-2): no card data touches Relance. */
export interface CardSetupSession {
  url: string;
  sessionRef: string;
  customerRef: string;
  expiresAt: string;
}

export type AuthenticationStart =
  | { status: 'redirect'; url: string }
  | { status: 'succeeded' }
  /** The payment can no longer be approved (canceled, or declined for another reason). */
  | { status: 'not_possible'; reason: string };

export interface WebhookInput {
  orgId: string;
  /** The body exactly as received (the signature covers its bytes). */
  payload: string;
  signature: string;
  receivedAt: Date;
}

type EventBase = { eventId: string; eventType: string; createdAt: string };
type AttemptMeta = ChargeRequest['metadata'];

/** A verified gateway webhook, as Relance acts on it (R-PAY-4). */
export type GatewayEvent = EventBase &
  (
    | { kind: 'charge_outcome'; attempt: AttemptMeta; result: ChargeResult }
    | {
        kind: 'refund_outcomes';
        outcomes: { attempt: AttemptMeta; reference: string; result: RefundResult }[];
        /** Refunds made outside Relance (the gateway's dashboard), recorded on the invoice. */
        external: { reference: string; amount: number; currency: string; paymentReference: string | null }[];
      }
    | {
        kind: 'dispute';
        attempt: AttemptMeta;
        dispute: { reference: string; paymentReference: string; amount: number; currency: string; reason: string; status: string };
      }
    | { kind: 'card_saved'; memberId: string; card: SavedPaymentMethod }
    /** The card's details changed (the card account updater: new expiry, new last 4). */
    | { kind: 'card_updated'; memberId: string; card: SavedPaymentMethod; automatic: boolean }
    | { kind: 'card_removed'; memberId: string; reference: string }
    | { kind: 'ignored'; reason: string }
    /** Already acted on (Stripe delivers again until it gets a 2xx): read no further. */
    | { kind: 'duplicate' }
  );

/** A webhook that is not from the organisation's gateway (bad signature, stale, wrong mode). Maps to 400. */
export class WebhookRejectedError extends Error {}

export interface PaymentGateway {
  /**
   * Attaches a card token to the member's gateway customer (made first if there is none) and
   * makes it the default; throws UnprocessableError for a token the gateway refuses and
   * GatewayNotConnectedError when the organisation has no gateway.
   */
  savePaymentMethod(input: GatewayCustomer & { token: string }): Promise<SavedPaymentMethod>;
  /** Opens the gateway's hosted page where the member saves a card; the gateway's webhook tells when they did. */
  startCardSetup(input: GatewayCustomer & { successUrl: string; cancelUrl: string }): Promise<CardSetupSession>;
  /** The card the gateway keeps under this reference, as Relance stores it, or null if it is gone. */
  getPaymentMethod(input: { orgId: string; reference: string }): Promise<SavedPaymentMethod | null>;
  /** Charges once per idempotency key: repeating a key with the same request answers the first outcome. */
  charge(input: ChargeRequest): Promise<ChargeResult>;
  /** The outcome of the charge made with this key, or null if the gateway never received it. */
  findCharge(input: ChargeRequest): Promise<ChargeResult | null>;
  /** Refunds once per idempotency key. */
  refund(input: RefundRequest): Promise<RefundResult>;
  /** The outcome of the refund made with this key, or null if the gateway never received it. */
  findRefund(input: RefundRequest): Promise<RefundResult | null>;
  /**
   * R-PAY-3: the member approves a payment their bank wants authenticated (3-D Secure) on the
   * gateway's page, on-session: the URL of that page, or what became of the payment already.
   * The outcome arrives by the gateway's webhook.
   */
  startAuthentication(input: { orgId: string; reference: string; returnUrl: string }): Promise<AuthenticationStart>;
  /**
   * Verifies and reads a webhook of the organisation's gateway; throws WebhookRejectedError. An
   * event `actedOn` knows is answered `duplicate` before anything else is asked of the gateway.
   */
  readWebhook(input: WebhookInput, actedOn?: (eventId: string) => Promise<boolean>): Promise<GatewayEvent>;
  /** Checks a key before it is stored (R-PAY-1); throws UnprocessableError when the gateway refuses it. */
  verifyKey(secretKey: string): Promise<void>;
}
