/**
 * Stripe's test payment methods ("Testing" page of Stripe's docs): magic `pm_card_…` ids that stand
 * for a card number and decide what happens when the card is attached or charged.
 */

/** A decline as Stripe reports it (`code`, `decline_code`, message, and the charge outcome). */
export interface CardDecline {
  code: string;
  declineCode: string;
  message: string;
  /** Radar blocked it before the network saw it (outcome type `blocked`), or the issuer declined it. */
  blocked?: boolean;
}

export interface TestCard {
  /** The test token, e.g. `pm_card_visa`. */
  token: string;
  /** The test card number it stands for. */
  number: string;
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  funding: 'credit' | 'debit';
  country: string;
  /** What the hosted pages show, e.g. "Visa ending 4242". */
  label: string;
  /** Every charge is declined with this. */
  decline?: CardDecline;
  /**
   * Stripe refuses to attach the cards of its "declined payments" table to a customer (the
   * attach itself is declined); only `pm_card_chargeCustomerFail` attaches and then fails.
   */
  declinesOnAttach?: boolean;
  /** 3-D Secure: on every payment (`always`), or unless the card was set up for off-session use (`unless_setup`). */
  threeDSecure?: 'always' | 'unless_setup';
  /** The charge succeeds, then the cardholder disputes it as fraudulent. */
  disputes?: boolean;
  /** Refunds are accepted, then fail asynchronously (failure_reason `expired_or_canceled_card`). */
  refundsFail?: boolean;
}

const GENERIC = 'Your card was declined.';

function card(token: string, number: string, brand: TestCard['brand'], label: string, extra: Partial<TestCard> = {}): TestCard {
  return { token, number, brand, last4: number.slice(-4), funding: 'credit', country: 'US', label, ...extra };
}

function declined(code: string, declineCode: string, message: string, blocked = false): Pick<TestCard, 'decline' | 'declinesOnAttach'> {
  return { decline: { code, declineCode, message, ...(blocked ? { blocked } : {}) }, declinesOnAttach: true };
}

const CARDS: TestCard[] = [
  card('pm_card_visa', '4242424242424242', 'visa', 'Visa ending 4242'),
  card('pm_card_visa_debit', '4000056655665556', 'visa', 'Visa debit ending 5556', { funding: 'debit' }),
  card('pm_card_mastercard', '5555555555554444', 'mastercard', 'Mastercard ending 4444'),
  card('pm_card_amex', '371449635398431', 'amex', 'American Express ending 8431'),
  card('pm_card_chargeDeclined', '4000000000000002', 'visa', 'Declined: generic decline (0002)', declined('card_declined', 'generic_decline', GENERIC)),
  card('pm_card_chargeDeclinedInsufficientFunds', '4000000000009995', 'visa', 'Declined: insufficient funds (9995)',
    declined('card_declined', 'insufficient_funds', 'Your card has insufficient funds.')),
  card('pm_card_chargeDeclinedLostCard', '4000000000009987', 'visa', 'Declined: lost card (9987)', declined('card_declined', 'lost_card', GENERIC)),
  card('pm_card_chargeDeclinedStolenCard', '4000000000009979', 'visa', 'Declined: stolen card (9979)', declined('card_declined', 'stolen_card', GENERIC)),
  card('pm_card_chargeDeclinedExpiredCard', '4000000000000069', 'visa', 'Declined: expired card (0069)',
    declined('expired_card', 'expired_card', 'Your card has expired.')),
  card('pm_card_chargeDeclinedIncorrectCvc', '4000000000000127', 'visa', 'Declined: incorrect CVC (0127)',
    declined('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect.")),
  card('pm_card_chargeDeclinedProcessingError', '4000000000000119', 'visa', 'Declined: processing error (0119)',
    declined('processing_error', 'processing_error', 'An error occurred while processing your card. Try again in a little bit.')),
  // Stripe's "Always blocked" card (4100 0000 0000 0019): Radar blocks it as fraudulent.
  card('pm_card_chargeDeclinedFraudulent', '4100000000000019', 'visa', 'Declined: fraudulent (0019)',
    declined('card_declined', 'fraudulent', GENERIC, true)),
  card('pm_card_chargeDeclinedVelocityLimitExceeded', '4000000000006975', 'visa', 'Declined: velocity limit exceeded (6975)',
    declined('card_declined', 'card_velocity_exceeded', 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.')),
  card('pm_card_chargeCustomerFail', '4000000000000341', 'visa', 'Attaches, then every charge is declined (0341)', {
    decline: { code: 'card_declined', declineCode: 'generic_decline', message: GENERIC },
  }),
  card('pm_card_authenticationRequired', '4000002760003184', 'visa', '3-D Secure on every payment (3184)', { threeDSecure: 'always' }),
  card('pm_card_authenticationRequiredOnSetup', '4000002500003155', 'visa', '3-D Secure unless set up for later (3155)', {
    threeDSecure: 'unless_setup',
  }),
  card('pm_card_createDispute', '4000000000000259', 'visa', 'Succeeds, then disputed as fraudulent (0259)', { disputes: true }),
  card('pm_card_refundFail', '4000000000005126', 'visa', 'Succeeds; refunds fail later (5126)', { refundsFail: true }),
];

/** The test tokens, by their canonical name. */
export const TEST_PAYMENT_METHODS: Record<string, TestCard> = Object.fromEntries(CARDS.map((c) => [c.token, c]));

/**
 * The test card a token stands for, or undefined. Stripe's docs spell the declined ones both
 * `pm_card_visa_chargeDeclined…` and `pm_card_chargeDeclined…`; both are accepted.
 */
export function testCard(token: string): TestCard | undefined {
  return TEST_PAYMENT_METHODS[token] ?? TEST_PAYMENT_METHODS[token.replace(/^pm_card_visa_charge/, 'pm_card_charge')];
}

/** The expiry a test card gets when it becomes a payment method: a few years ahead. */
export function testCardExpiry(now: Date): { expMonth: number; expYear: number } {
  return { expMonth: 12, expYear: now.getUTCFullYear() + 3 };
}
