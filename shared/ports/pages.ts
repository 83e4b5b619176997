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
  error: { reason: LinkErrorReason; detail?: string | undefined };
}

export type PageView = keyof PageData;

/** The view and its data; `confirm` views also get the form action (the link's own URL). */
export type PageRequest = { [V in PageView]: { view: V; data: PageData[V] } }[PageView];
