import type { EmailContext, RenderedEmail, TemplateId } from './emails.js';

export interface Address {
  name?: string;
  email: string;
}

export interface OutgoingEmail {
  to: Address[];
  from: Address;
  replyTo: Address[];
  subject: string;
  html: string;
  text: string;
  /** Stable reference of this e-mail (its outbox id), sent as a header for tracing. */
  reference: string;
  tags?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** SES did not take the mail, and says so: it was not sent (throttled, paused, down). Try again later. */
export class MailNotSentError extends Error {}

/** SES refuses this mail for good (a malformed or unsendable address, a rejected message). */
export class MailRejectedError extends Error {}

/** Renders a decided e-mail (the templates implement it; the mail worker calls it). */
export interface EmailRenderer {
  render(template: TemplateId, data: Record<string, unknown>, ctx: EmailContext): RenderedEmail;
}
