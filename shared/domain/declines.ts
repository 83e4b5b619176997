import type { AttemptFailure } from './payment.js';

/**
 * R-DUN-5: which card declines are hard (never retried automatically: the member must give
 * another card) and which are soft (a later retry may succeed). Source: Stripe's "Decline
 * codes" reference (docs.stripe.com/declines/codes) — its "next steps" column says the card
 * must not be tried again for the hard ones — and the card networks' retry rules (Visa's
 * category 1, "issuer will never approve"; Mastercard's "do not try again" advice codes).
 *
 * A decline code we do not know is soft: the ladder retries it a bounded number of times,
 * which costs at most a few declined attempts, while calling it hard could end a membership
 * that a retry would have saved. The README lists the table.
 */
export const HARD_DECLINE_CODES: ReadonlySet<string> = new Set([
  // The card is gone: reported lost or stolen, or the issuer wants it back.
  'lost_card',
  'stolen_card',
  'pickup_card',
  // The issuer or Stripe will never approve this card or this merchant.
  'restricted_card',
  'fraudulent',
  'merchant_blacklist',
  'do_not_try_again',
  'do_not_honor_permanent',
  'security_violation',
  'revocation_of_all_authorizations',
  'revocation_of_authorization',
  'stop_payment_order',
  'transaction_not_allowed',
  'not_permitted',
  // The card details can no longer work: closed account, wrong or expired card, unsupported.
  'invalid_account',
  'new_account_information_available',
  'invalid_number',
  'incorrect_number',
  'invalid_expiry_month',
  'invalid_expiry_year',
  'expired_card',
  'card_not_supported',
  'currency_not_supported',
]);

/** Declines the README shows as soft, for the table (anything not hard is soft). */
export const SOFT_DECLINE_CODES: readonly string[] = [
  'generic_decline',
  'insufficient_funds',
  'do_not_honor',
  'card_velocity_exceeded',
  'withdrawal_count_limit_exceeded',
  'processing_error',
  'issuer_not_available',
  'try_again_later',
  'reenter_transaction',
  'call_issuer',
  'approve_with_id',
  'incorrect_cvc',
  'invalid_cvc',
  'card_declined',
];

/**
 * A card failure as the attempt records it. `code` is the most specific code the gateway gave
 * (Stripe's `decline_code` when there is one, else its error `code`); `adviceCode` is Stripe's
 * `advice_code` (the card network's advice).
 */
export function classifyDecline(code: string | null | undefined, message: string, adviceCode?: string | null): AttemptFailure {
  const known = code && code.length > 0 ? code : 'card_declined';
  // The network's own advice wins: `do_not_try_again` is hard whatever the decline code.
  return { code: known, message, hard: HARD_DECLINE_CODES.has(known) || adviceCode === 'do_not_try_again' };
}

/** The failure of a card that needs its holder to authenticate (3-D Secure): soft, and the member gets a link. */
export function authenticationRequired(message = 'The card needs its holder to authenticate this payment.'): AttemptFailure {
  return { code: 'authentication_required', message, hard: false };
}
