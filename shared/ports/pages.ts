import type { LocalDate } from '../domain/calendar.js';
import type { Locale, Money } from '../domain/schema.js';
import type { Branding } from './emails.js';

/**
 * The member link pages (R-LNK-2): GET /l/{token} shows what the one button will do; the
 * button POSTs the same URL, which acts and shows the result. Pages are semantic; the
 * templates own the wording in each locale.
 */
export interface PageContext {
  locale: Locale;
  /** Null when the link is too broken to know its organisation. */
  branding: Branding | null;
}

/** Why a link cannot be used (R-LNK-3). */
export type LinkErrorReason =
  /** Tampered, malformed, signed with an unknown key, or naming a membership that does not match. */
  | 'invalid'
  | 'expired'
  /** A single-use link already used. */
  | 'used'
  /** The link is for another action than this page. */
  | 'wrong_purpose'
  /** The membership no longer allows this action (e.g. already cancelled or renewed). */
  | 'not_allowed'
  /** A service the action needs (the payment gateway) did not answer; nothing changed. */
  | 'unavailable';

export interface PageData {
  renew_confirm: { memberName: string; planName: string; termEnd: LocalDate; newTermEnd: LocalDate; amount: Money; cadence: 'monthly' | 'upfront' };
  renew_done: { memberName: string; planName: string; newTermEnd: LocalDate };
  /** `mode` immediate: cancelling ends access on `terminationDate`; request: staff decide. */
  cancel_confirm: { memberName: string; planName: string; mode: 'immediate' | 'request'; terminationDate: LocalDate | null };
  cancel_done: { memberName: string; planName: string; terminationDate: LocalDate };
  cancel_requested: { memberName: string; planName: string };
  /** R-PAY-3: the bank asks the member to approve a payment (3-D Secure) on the gateway's page. */
  authenticate_confirm: { memberName: string; planName: string; amount: Money };
  /** The gateway's page is ready: a link to it (the member leaves for their bank's check). */
  authenticate_continue: { memberName: string; url: string };
  /** Nothing is left to approve: the payment went through (or is being confirmed). */
  authenticate_done: { memberName: string; planName: string };
  /**
   * R-DUN-4, R-DUN-9: give a new card. `amount` is the open invoice it pays at once (null:
   * nothing is owed now, the card is kept for later charges); `card` is the card on file, if any.
   */
  update_payment_confirm: { memberName: string; planName: string; amount: Money | null; card: { brand: string; last4: string; expMonth: number; expYear: number } | null };
  /** The gateway's secure card page is ready: a link to it. */
  update_payment_continue: { memberName: string; url: string };
  /** Nothing is owed any more (the invoice was paid), or the new card is on file. */
  update_payment_done: { memberName: string; planName: string; card: { brand: string; last4: string } | null };
  /**
   * R-NOT-2: the renewal notice. Two POST forms to the link's own URL: accept
   * (`action=accept`), or ask for changes (`action=change` with a `message`, 1–1000
   * characters). `error` re-shows the page when a change request came without a message.
   */
  notice_confirm: {
    memberName: string;
    planName: string;
    termEnd: LocalDate;
    next: { planName: string; start: LocalDate; end: LocalDate; amount: Money };
    /** The member already asked for changes (they may still accept, or write again). */
    changeRequested: boolean;
    error?: 'message_required' | undefined;
  };
  /** R-NOT-2, R-NOT-4: accepted: the invoice was e-mailed; `payUrl` pays it by card now. */
  notice_accepted: { memberName: string; planName: string; newTermEnd: LocalDate; amount: Money; payUrl: string };
  /** R-NOT-2: the request for changes reached the organisation. */
  notice_changes_sent: { memberName: string; planName: string };
  /** R-LNK-4: the member's own page. Every action is a link to its own page (GET changes nothing). */
  manage: ManagePage;
  error: { reason: LinkErrorReason; detail?: string | undefined };
}

/** R-LNK-4: what the member's own page shows. */
export interface ManagePage {
  memberName: string;
  planName: string;
  /** The membership's status, as stored (active, past_due, cancel_scheduled, …). */
  status: string;
  currentTerm: { start: LocalDate; end: LocalDate | null };
  /** The last day of service when a cancellation is scheduled. */
  terminationDate: LocalDate | null;
  nextCharge: { date: LocalDate; amount: Money; card: boolean } | null;
  card: { brand: string; last4: string; expMonth: number; expYear: number } | null;
  /** Newest first, at most 12: open ones to pay, paid ones as receipts. */
  invoices: { id: string; issueDate: LocalDate; periodStart: LocalDate; periodEnd: LocalDate | null; amount: Money; status: string; paidOn: LocalDate | null }[];
  /** The amount owed now (open invoices), if any. */
  owed: Money | null;
  actions: {
    /** Give or replace the card (and pay what is owed at once). */
    updatePaymentUrl: string | null;
    renewUrl: string | null;
    /** R-NOT-2: answer the renewal notice (accept, or ask for changes) while it waits for the member. */
    noticeUrl?: string | null | undefined;
    /** Cancel (immediate) or request cancellation, as the plan allows. */
    cancelUrl: string | null;
    cancelMode: 'immediate' | 'request' | null;
  };
}

export type PageView = keyof PageData;

/** The view and its data; `confirm` views also get the form action (the link's own URL). */
export type PageRequest = { [V in PageView]: { view: V; data: PageData[V] } }[PageView];
