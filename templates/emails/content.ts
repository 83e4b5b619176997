import type { LocalDate } from '../../shared/domain/calendar.js';
import type { Money } from '../../shared/domain/schema.js';
import type { Branding, TemplateData, TemplateId } from './types.js';

/**
 * What a locale's copy produces for one e-mail: plain strings arranged in blocks. The layout
 * turns the same blocks into the HTML part (escaping every string) and the text part, so the
 * copy never contains markup and the two parts cannot drift apart.
 */

/**
 * A run of text: plain, emphasised, an e-mail address (a mailto link in HTML), or a secondary
 * link (a link in HTML; the words and the URL alone on its line in text). The one call to
 * action stays the button.
 */
export type Inline = string | { strong: string } | { email: string } | { link: string; url: string };

export type Block =
  | { kind: 'paragraph'; parts: Inline[] }
  /** Label and value pairs: the key data of the mail (plan, dates, amounts). */
  | { kind: 'facts'; rows: Array<[label: string, value: string]> }
  /** Words quoted from someone else (a staff reason), set apart. */
  | { kind: 'quote'; label: string; text: string }
  /** The one call to action. */
  | { kind: 'button'; label: string; url: string };

export interface EmailContent {
  subject: string;
  /** The hidden preview line shown after the subject in inboxes. */
  preheader: string;
  heading: string;
  /** "Bonjour Léa," — or a greeting to staff. */
  greeting: string;
  blocks: Block[];
  /** Members get a personal sign-off; staff notices say they are automatic. */
  audience: 'member' | 'staff';
}

/** Locale-bound formatting handed to the copy. */
export interface Formatters {
  date(date: LocalDate): string;
  money(money: Money): string;
  card(brand: string, last4: string): string;
  branding: Branding;
}

export type TemplateCopy = { [K in TemplateId]: (data: TemplateData[K], f: Formatters) => EmailContent };

/** The words the layout puts around every mail. */
export interface LayoutCopy {
  /** Between a label and its value in the text part: "Plan: …", « Abonnement : … ». */
  labelSeparator: string;
  /** The card on file as a phrase: "Visa ending in 4242". */
  card(brand: string, last4: string): string;
  signOff: string;
  staffSignature(senderName: string, organisationName: string): string;
  /** Where replies go; `replyTo` is rendered as a mailto link in HTML. */
  replyFooter(audience: 'member' | 'staff'): [before: string, after: string];
  whyFooter(audience: 'member' | 'staff', organisationName: string): string;
  buttonFallback: string;
  /** R-LNK-4: the footer link to the member's "manage my membership" page (a link, not a button). */
  manageLink: string;
  logoAlt(organisationName: string): string;
}

export interface Catalog {
  templates: TemplateCopy;
  layout: LayoutCopy;
}

export function paragraph(...parts: Inline[]): Block {
  return { kind: 'paragraph', parts };
}
