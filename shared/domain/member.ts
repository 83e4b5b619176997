import * as z from 'zod';
import { ConflictError } from './errors.js';
import { email, locale, type Locale } from './schema.js';

/** A person or company (SPEC §1). */
const paymentMethodInput = z.strictObject({
  // A gateway id (pm_…, tok_…): letters, digits and underscores, nothing a form encoding cannot carry.
  token: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9_]+$/, { message: 'must be a payment method or token id (pm_…, tok_…)' }),
});

export const memberInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email,
  locale: locale.optional(),
  communicationsOptIn: z.boolean().default(false),
  autoRenew: z.boolean().default(false),
  paymentMethod: paymentMethodInput.optional(),
});
export type MemberInput = z.infer<typeof memberInput>;

export const memberPatch = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    email,
    locale: locale.nullable(),
    communicationsOptIn: z.boolean(),
    autoRenew: z.boolean(),
    intervention: z.strictObject({
      required: z.boolean(),
      reason: z.string().trim().min(1).max(500).optional(),
    }),
    paymentMethod: paymentMethodInput.nullable(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'the patch changes nothing: name at least one field' })
  .refine((p) => !p.intervention?.required || p.intervention.reason !== undefined, {
    message: 'a reason is required when intervention is required',
    path: ['intervention', 'reason'],
  });
export type MemberPatch = z.infer<typeof memberPatch>;

/** A card kept by the payment gateway; only its description is stored here, never a number. */
export interface SavedPaymentMethod {
  /** The gateway's payment method (`pm_…`). */
  gatewayRef: string;
  /** The gateway's customer that owns it (`cus_…`). */
  customerRef: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /** The gateway's fingerprint of the card number (the same card saved twice has the same one). */
  fingerprint: string | null;
}

export interface StoredPaymentMethod extends SavedPaymentMethod {
  addedAt: string;
}

export interface Member {
  id: string;
  orgId: string;
  name: string;
  email: string;
  locale: Locale | null;
  communicationsOptIn: boolean;
  autoRenew: boolean;
  intervention: { required: boolean; reason: string | null };
  paymentMethod: StoredPaymentMethod | null;
  /** The member's customer at the payment gateway, made with the first card and kept after a card is removed. */
  customerRef?: string | null;
  /** R-PRV-1: set when the member's personal data was erased (who and when; no personal data). */
  erased?: { at: string; by: string } | null;
  /** R-OPS-1: what SES last reported about mail to one of the member's addresses (absent: nothing). */
  emailDelivery?: EmailDelivery | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The locale member mail is written in: the member's own, else the organisation's. */
export function mailLocale(member: Pick<Member, 'locale'>, orgLocale: Locale): Locale {
  return member.locale ?? orgLocale;
}

/** R-PRV-1: the stable name an erased member keeps: derived from the id only, never from the person. */
export function pseudonymOf(memberId: string): string {
  return `Erased member ${memberId.slice(-4).toUpperCase()}`;
}

/**
 * R-OPS-1: what SES told of mail to the member's address.
 * - `deliverable`: nothing wrong known;
 * - `bouncing`: a transient bounce (a full mailbox, a server down): mail still goes;
 * - `complained`: the member marked a mail as spam: member mail is no longer sent to it;
 * - `suppressed`: a permanent bounce, or the address is on SES's suppression list: nothing is
 *   sent to it any more.
 */
export const DELIVERY_STATUSES = ['deliverable', 'bouncing', 'complained', 'suppressed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The delivery status of one address of the member (the one SES reported on). */
export interface EmailDelivery {
  status: DeliveryStatus;
  /** The address the status is about: a corrected e-mail starts `deliverable` again. */
  email: string;
  /** When SES reported it (null: nothing reported about this address). */
  at: string | null;
  /** SES's words (bounce type and sub-type, the diagnostic), for staff. */
  reason: string | null;
  /** The outbox e-mail that told it. */
  emailId: string | null;
}

/** Addresses compare case aside (the domain is case-insensitive; local parts in practice too). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** R-OPS-1: the delivery status of the member's current address. */
export function deliveryOf(member: Pick<Member, 'email'> & { emailDelivery?: EmailDelivery | null }): EmailDelivery {
  const d = member.emailDelivery;
  if (d && sameAddress(d.email, member.email)) return d;
  return { status: 'deliverable', email: member.email, at: null, reason: null, emailId: null };
}

/** R-OPS-1: member mail to an address in this status is dropped instead of sent. */
export function blocksMail(status: DeliveryStatus): boolean {
  return status === 'suppressed' || status === 'complained';
}

/** R-PRV-1: an erased member is kept only as a pseudonym for the records: nothing new is done for it. */
export function requireNotErased(member: Pick<Member, 'id' | 'erased'>): void {
  if (member.erased) throw new ConflictError('member_erased', `R-PRV-1: member ${member.id} was erased; nothing can be done for it any more`, [{ rule: 'R-PRV-1', message: 'erased' }]);
}
