import * as z from 'zod';
import { RuleViolationError } from './errors.js';
import { email, locale, timeZone } from './schema.js';

/** Organisation settings (SPEC §1, §8.1). */
export const settingsInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  mainContactEmail: email,
  sender: z.strictObject({ name: z.string().trim().min(1).max(100), email }),
  replyTo: email,
  timeZone,
  locale,
  jurisdiction: z
    .string()
    .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, { message: 'must be a region code such as QC or ON' }),
  branding: z
    .strictObject({
      primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour such as #0b5cad' }).optional(),
      logoUrl: z.url({ protocol: /^https$/, message: 'must be an https URL' }).optional(),
    })
    .optional(),
});
export type SettingsInput = z.infer<typeof settingsInput>;

export interface Settings extends SettingsInput {
  orgId: string;
  version: number;
  updatedAt: string;
}

const NO_REPLY = /no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?repondre/i;

/**
 * R-DUN-8: member mail comes from a real person and replies reach a person, so neither the
 * sender nor the reply-to may be a no-reply address.
 */
export function checkSenderRules(input: SettingsInput): void {
  for (const [field, value] of [
    ['sender.email', input.sender.email],
    ['replyTo', input.replyTo],
  ] as const) {
    if (NO_REPLY.test(value.split('@')[0] ?? '')) {
      throw new RuleViolationError('R-DUN-8', `${field} must be an address a person reads, not a no-reply address`, [
        { field, rule: 'R-DUN-8', message: 'no-reply addresses are refused' },
      ]);
    }
  }
}
