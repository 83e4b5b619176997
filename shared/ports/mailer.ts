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
