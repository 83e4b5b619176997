import type { Money } from './schema.js';

/**
 * Payment attempts (R-MNY-2, R-MNY-3, R-MNY-5). Every call to the gateway that moves money is
 * first an attempt, written in the same transaction as the decision that wants it, then
 * executed by the payment worker, which records the outcome. Its states follow a card
 * gateway's payment intents:
 *
 *   requires_confirmation ─▶ processing ─▶ succeeded
 *            │                   │  ▲  └──▶ requires_payment_method (declined)
 *            ▼                   │  │  └──▶ requires_action (the card needs authentication)
 *         canceled               └──┘ outcome unknown (timeout, lost answer, crash):
 *   (the decision became moot          asked again with the same key, after asking the
 *    before anything was sent)         gateway for the attempt's result
 *
 * Refunds: requires_confirmation → processing → succeeded | failed.
 *
 * An attempt never changes its amount, currency, card or key: a new card or amount is a new
 * attempt with a new key. The key is derived from the attempt id, which is derived from the
 * invoice and the attempt's ordinal, so a retried decision can never charge twice.
 */
export const ATTEMPT_STATUSES = [
  'requires_confirmation',
  'processing',
  'succeeded',
  'requires_payment_method',
  'requires_action',
  'failed',
  'canceled',
] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** Why the money moves; it decides what the member is told when the outcome is known. */
export type AttemptPurpose = 'purchase' | 'billing' | 'renewal' | 'retry' | 'card_update' | 'void_refund' | 'race_refund';

export interface AttemptFailure {
  code: string;
  message: string;
  /** R-DUN-5: a hard decline (lost or stolen card, closed account) is never retried. */
  hard: boolean;
}

export interface PaymentAttempt {
  id: string;
  orgId: string;
  membershipId: string;
  memberId: string;
  invoiceId: string;
  kind: 'charge' | 'refund';
  purpose: AttemptPurpose;
  amount: Money;
  /** Charges: the gateway's reference of the card (never card data). */
  paymentMethod: string | null;
  /** Charges: the gateway's customer that owns the card. */
  customerRef: string | null;
  card: { brand: string; last4: string } | null;
  /** Refunds: the gateway reference of the charge refunded. */
  chargeReference: string | null;
  idempotencyKey: string;
  description: string;
  status: AttemptStatus;
  /** The gateway's id of the charge (payment intent) or refund, once known. */
  reference: string | null;
  failure: AttemptFailure | null;
  /** How many times a worker took it up (sent it, or asked the gateway about it). */
  tries: number;
  /** A worker holds it until this lease ends. */
  claimedAt: string | null;
  /** When an unsettled attempt is taken up again. */
  nextCheckAt: string | null;
  /** Why the last try did not settle it (e.g. a timeout: the outcome is unknown). */
  lastError: string | null;
  settledAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const SETTLED: ReadonlySet<AttemptStatus> = new Set(['succeeded', 'requires_payment_method', 'requires_action', 'failed', 'canceled']);

export function isSettled(a: Pick<PaymentAttempt, 'status'>): boolean {
  return SETTLED.has(a.status);
}

/** Attempt ids: `<invoiceId>.c<n>` for the n-th charge, `<invoiceId>.r<n>` for the n-th refund. */
export function attemptId(invoiceId: string, kind: 'charge' | 'refund', n: number): string {
  return `${invoiceId}.${kind === 'charge' ? 'c' : 'r'}${n}`;
}

/** The idempotency key sent to the gateway: derived from the attempt, never reused by another one. */
export function idempotencyKeyOf(orgId: string, id: string): string {
  return `relance:${orgId}:${id}`;
}

/** What the gateway answered, once known. */
export type AttemptOutcome =
  | { status: 'succeeded'; reference: string }
  | { status: 'requires_payment_method'; reference: string | null; failure: AttemptFailure }
  | { status: 'requires_action'; reference: string | null; failure: AttemptFailure }
  | { status: 'failed'; reference: string | null; failure: AttemptFailure }
  | { status: 'canceled'; reason: string };

/** How long a worker holds an attempt or an e-mail it took up before another may take it over. */
export const WORK_LEASE_MS = 60_000;

/** Waits between tries of work whose last try failed or whose outcome is unknown: minutes first. */
const BACKOFF_MS = [60_000, 2 * 60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000];
const LONG_BACKOFF_MS = 6 * 60 * 60_000;

export function backoffMs(tries: number): number {
  return BACKOFF_MS[Math.max(0, tries - 1)] ?? LONG_BACKOFF_MS;
}

/** A payment or refund as an invoice shows it (R-PAY: staff find it in the gateway's dashboard). */
export interface InvoiceMoney {
  attemptId: string;
  reference: string | null;
  status: AttemptStatus;
  amount: Money;
  at: string;
}
