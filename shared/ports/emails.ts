import type { LocalDate } from '../domain/calendar.js';
import type { Locale } from '../domain/schema.js';
import type { Money } from '../domain/schema.js';

/**
 * The contract between the use cases and the e-mail templates: every template's data. Dates
 * are calendar dates in the organisation's time zone; money is in minor units.
 */
export interface Branding {
  organisationName: string;
  /** The real person who signs the mail (R-DUN-8). */
  senderName: string;
  /** Where replies go; shown in the footer. */
  replyTo: string;
  primaryColor?: string | undefined;
  logoUrl?: string | undefined;
}

export interface EmailContext {
  locale: Locale;
  branding: Branding;
  /**
   * R-LNK-4: the member's signed "manage my membership" page, shown in the footer of every
   * member e-mail; null for staff mail.
   */
  manageUrl?: string | null | undefined;
}

/** R-DUN-6: what happens when the last retry fails. */
export type DunningFinalAction = 'cancel' | 'downgrade' | 'leave_unpaid';

/**
 * What a dunning e-mail says will happen if nothing is paid (R-DUN-3): the final action, the
 * exact date service stops or changes, and the plan a downgrade moves to.
 */
export interface DunningOutlook {
  finalAction: DunningFinalAction;
  /** The last automatic try: after it, the final action applies. */
  deadline: LocalDate;
  /** cancel: the last day of service; downgrade: the day the fallback plan starts; leave_unpaid: null. */
  stopDate: LocalDate | null;
  /** downgrade: the plan the membership moves to and its price. */
  fallback: { planName: string; amount: Money; cadence: 'monthly' | 'upfront' } | null;
}

export type OfflinePaymentMethod = 'cheque' | 'transfer' | 'cash' | 'other';

export interface TemplateData {
  /** R-REN-3: the membership renews on `renewalDate` unless cancelled before it. */
  reminder_automatic: {
    memberName: string;
    planName: string;
    termEnd: LocalDate;
    renewalDate: LocalDate;
    newTermEnd: LocalDate;
    /** What the renewal costs: the term price (upfront) or the monthly price that continues. */
    amount: Money;
    cadence: 'monthly' | 'upfront';
    /** Whether a card is on file that will be charged (else an invoice follows). */
    cardOnFile: { brand: string; last4: string } | null;
    cancelUrl: string;
  };
  /** R-REN-4: one-click renewal before `termEnd`. */
  reminder_confirmation: {
    memberName: string;
    planName: string;
    termEnd: LocalDate;
    newTermEnd: LocalDate;
    amount: Money;
    cadence: 'monthly' | 'upfront';
    renewUrl: string;
  };
  /** R-REN-3, R-REN-4: renewed; gives the new expiry date. */
  renewal_confirmation: {
    memberName: string;
    planName: string;
    newTermStart: LocalDate;
    newTermEnd: LocalDate;
    /** The charge made for the new term (upfront), if any. */
    charged: { amount: Money; brand: string; last4: string } | null;
    cadence: 'monthly' | 'upfront';
  };
  /** R-REN-2, R-REN-4: the term ended without renewal. */
  expired: {
    memberName: string;
    planName: string;
    termEnd: LocalDate;
  };
  /** R-REN-3 (no card on file) and monthly billing without a card: an invoice to pay. */
  invoice: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    dueDate: LocalDate;
    periodStart: LocalDate;
    periodEnd: LocalDate | null;
    /** True for the invoice of a renewed term, false for a monthly instalment. */
    renewal: boolean;
    /** Whom to reply to for paying another way. */
    replyTo: string;
    /** R-DUN-9: the signed pay-by-card link (absent in mail queued before it existed). */
    payUrl?: string | null;
    /** R-DUN-9: staff sent it again (POST /api/invoices/{id}/resend). */
    resent?: boolean;
  };
  /**
   * R-NOT-1, R-NOT-8: the renewal notice (Membri "Avis"): the member accepts it, or asks for
   * changes with a message, from the signed link. A member cannot refuse (staff record that).
   * `reminder` 0 is the notice itself; 1, 2, … are reminders (automatic or sent again by staff).
   */
  renewal_notice: {
    memberName: string;
    planName: string;
    /** The last day of the current term. */
    termEnd: LocalDate;
    /** The term offered: its plan, dates and price (staff may have edited it). */
    next: { planName: string; start: LocalDate; end: LocalDate; amount: Money };
    answerUrl: string;
    reminder: number;
    /** The notice, so that a queued notice is dropped once it is answered or decided (absent in older mail). */
    noticeId?: string;
  };
  /** R-NOT-2: to the member, acknowledging their request for changes (staff will contact them). */
  notice_change_received: {
    memberName: string;
    planName: string;
    message: string;
  };
  /** R-NOT-2: to the organisation's main contact when a member asks for changes to their renewal. */
  notice_change_requested_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    termEnd: LocalDate;
    message: string;
    /** The console page of the notice. */
    noticeUrl: string;
  };
  /** R-NOT-5: staff recorded that the member does not renew: their membership ends on `lastDay`. */
  notice_refused: {
    memberName: string;
    planName: string;
    /** The last day of membership (the current term's end). */
    lastDay: LocalDate;
  };
  /** R-CAN-4: to the account owner when an admin cancels. */
  cancellation_by_admin: {
    memberName: string;
    planName: string;
    terminationDate: LocalDate;
    /** The last billing date before termination, if any is still to come. */
    lastBillingDate: LocalDate | null;
  };
  /** R-CAN-5 (immediate): to the member who cancelled. */
  cancellation_confirmed_member: {
    memberName: string;
    planName: string;
    terminationDate: LocalDate;
  };
  /** R-CAN-7: to the organisation's main contact when a member cancels. */
  cancellation_notice_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    terminationDate: LocalDate;
    /** What the member wrote, if anything. */
    reason: string | null;
    membershipUrl: string;
  };
  /** R-CAN-5 (request), R-CAN-7: to the organisation when a member asks to cancel. */
  cancellation_request_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    requestedOn: LocalDate;
    /** What the member wrote, if anything. */
    reason: string | null;
    membershipUrl: string;
  };
  /** R-CAN-5 (request): to the member, acknowledging the request. */
  cancellation_request_received: {
    memberName: string;
    planName: string;
  };
  /** R-CAN-5, R-CAN-8: the admin accepted the request. */
  cancellation_request_accepted: {
    memberName: string;
    planName: string;
    finalBillingDate: LocalDate | null;
    terminationDate: LocalDate;
  };
  /** R-CAN-5: the admin declined the request; the membership goes on. */
  cancellation_request_declined: {
    memberName: string;
    planName: string;
    reason: string | null;
  };
  /** R-CAN-8: to the account owner when an automatic payment fails (first failure of an invoice). */
  payment_failed: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    card: { brand: string; last4: string };
    /** The card was refused for good (lost, stolen, closed): a new card is needed (R-DUN-5). */
    hardDecline: boolean;
    /** R-PAY-3: the bank asks the member to approve the payment (3-D Secure): their signed link, else null. */
    authenticateUrl: string | null;
    /**
     * R-DUN-3 e-mail 1 of the dunning series: when the card is tried again (null after a hard
     * decline: it is not), what happens if nothing is paid, and the signed link to give a new
     * card (R-DUN-4). Absent in mail queued before dunning existed.
     */
    nextRetryOn?: LocalDate | null;
    outlook?: DunningOutlook;
    updatePaymentUrl?: string;
  };
  /**
   * R-DUN-3: after a retry failed (or was not made: the card was refused for good), the
   * follow-up number `followUp` (1, 2, …): a different text each time.
   */
  dunning_followup: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    followUp: number;
    card: { brand: string; last4: string } | null;
    /** The card cannot be charged again (hard decline): only a new card helps. */
    hardDecline: boolean;
    declineCode: string | null;
    nextRetryOn: LocalDate | null;
    outlook: DunningOutlook;
    updatePaymentUrl: string;
    authenticateUrl: string | null;
  };
  /** R-DUN-3: the "final warning" before the final action, stating the exact date service stops. */
  dunning_final_warning: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    card: { brand: string; last4: string } | null;
    outlook: DunningOutlook;
    updatePaymentUrl: string;
  };
  /** R-DUN-6 cancel: the last retry failed; the membership ends on `terminationDate`. */
  dunning_cancelled: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    terminationDate: LocalDate;
  };
  /** R-DUN-6 downgrade: the membership moves to the fallback plan from `effectiveDate`. */
  dunning_downgraded: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    fallbackPlanName: string;
    fallbackAmount: Money;
    cadence: 'monthly' | 'upfront';
    effectiveDate: LocalDate;
  };
  /** R-DUN-6 leave_unpaid: to the organisation: the invoice is uncollectible, the membership stays past due. */
  dunning_unpaid_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    /** Automatic tries made, the first included. */
    tries: number;
    lastDeclineCode: string | null;
    membershipUrl: string;
  };
  /** R-DUN-4: one receipt when an invoice is paid after a failure, or recorded by staff. */
  payment_receipt: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    paidOn: LocalDate;
    method: 'card' | OfflinePaymentMethod;
    card: { brand: string; last4: string } | null;
    /** The staff's reference (cheque number, transfer id), or the gateway's for a card. */
    reference: string | null;
    periodStart: LocalDate;
    periodEnd: LocalDate | null;
  };
  /** R-DUN-7, R-CAN-8: the card on file expires soon (or today): give a new one. */
  card_expiring: {
    memberName: string;
    planName: string;
    card: { brand: string; last4: string };
    /** The card's last valid day. */
    expiresOn: LocalDate;
    /** True on the expiry day itself. */
    today: boolean;
    nextChargeOn: LocalDate | null;
    nextChargeAmount: Money | null;
    updatePaymentUrl: string;
    /** The gateway's reference of the card: the mail is dropped if another card is on file by the time it goes. */
    cardRef?: string;
  };
  /** R-CON-1: staff ask the member for a card (a first one, or a replacement) through the update-card link. */
  card_request: {
    memberName: string;
    planName: string;
    /** The card on file now, if any (the member replaces it). */
    card: { brand: string; last4: string } | null;
    updatePaymentUrl: string;
  };
  /** R-DUN-7, R-CAN-7: to the organisation: a member's card on file expires soon. */
  card_expiring_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    card: { brand: string; last4: string };
    expiresOn: LocalDate;
    today: boolean;
    membershipUrl: string;
    /** The gateway's reference of the card: the mail is dropped if another card is on file by the time it goes. */
    cardRef?: string;
  };
  /** R-DUN-9: a reminder of an open invoice without a card on file, with the pay-by-card link. */
  invoice_reminder: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    dueDate: LocalDate;
    periodStart: LocalDate;
    periodEnd: LocalDate | null;
    /** 1 for the first reminder, 2 for the second… */
    reminder: number;
    payUrl: string;
    replyTo: string;
  };
  /** R-CAN-7: to the organisation's main contact when an automatic payment fails. */
  payment_failed_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    /** The gateway's decline code, e.g. insufficient_funds. */
    declineCode: string;
    hardDecline: boolean;
    membershipUrl: string;
  };
  /** R-PAY-4: to the organisation's main contact when a member disputes a card payment with their bank. */
  dispute_opened_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    /** Stripe's dispute reason, e.g. fraudulent, product_not_received. */
    reason: string;
    /** The gateway's dispute reference (dp_…), to find it in the Stripe dashboard. */
    disputeReference: string;
    membershipUrl: string;
  };
  /**
   * R-OPS-1: to the organisation: a renewal, notice or dunning e-mail could not reach its member
   * (a permanent bounce, a complaint, or an address already suppressed): reach them another way.
   */
  email_undeliverable_org: {
    memberName: string;
    memberEmail: string;
    planName: string;
    /** What the failed mail was about. */
    kind: 'renewal' | 'notice' | 'dunning';
    /** The failed mail's subject (null when it was never rendered: dropped before sending). */
    subject: string | null;
    reason: 'bounced' | 'complained' | 'suppressed';
    /** SES's words (bounce type and diagnostic), if any. */
    detail: string | null;
    membershipUrl: string;
  };
  /** R-CAN-6: the membership was voided from its invoice. */
  membership_voided: {
    memberName: string;
    planName: string;
    invoiceId: string;
    amount: Money;
    refunded: Money | null;
  };
}

export type TemplateId = keyof TemplateData;

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}
