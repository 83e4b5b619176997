import * as z from 'zod';
import { email, locale, type Locale } from './schema.js';

/** A person or company (SPEC §1). */
const paymentMethodInput = z.strictObject({
  token: z.string().trim().min(1).max(255),
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
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The locale member mail is written in: the member's own, else the organisation's. */
export function mailLocale(member: Pick<Member, 'locale'>, orgLocale: Locale): Locale {
  return member.locale ?? orgLocale;
}
