import * as z from 'zod';

/**
 * R-NOT-3: the organisation's own list of reasons to refuse a renewal. Staff pick one when they
 * refuse a notice; a reason in use is never deleted, only retired (it stays on the notices that
 * name it and leaves the list staff pick from). Labels may be given per locale.
 */
const text = z.string().trim().min(1).max(200);

export const refusalReasonInput = z.strictObject({
  label: text,
  labels: z.strictObject({ 'fr-CA': text.optional(), en: text.optional() }).optional(),
});

export const refusalReasonPatch = z
  .strictObject({
    label: text,
    labels: z.strictObject({ 'fr-CA': text.optional(), en: text.optional() }),
    retired: z.boolean(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'the patch changes nothing: name at least one field' });

export interface RefusalReason {
  id: string;
  orgId: string;
  label: string;
  labels: { 'fr-CA'?: string | undefined; en?: string | undefined };
  retired: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An organisation keeps at most this many reasons (retired ones included): a list to pick from, not a log. */
export const MAX_REFUSAL_REASONS = 100;

/** Two labels are the same reason when they differ only by case, accents or spacing. */
export function sameLabel(a: string, b: string): boolean {
  const key = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim().toLocaleLowerCase('fr');
  return key(a) === key(b);
}
