import * as z from 'zod';
import { isLocalDate, isTimeZone } from './calendar.js';
import { ID_PATTERN } from './ids.js';
import { isIsoCurrency } from './currency.js';

/** Building blocks shared by the resource schemas. */
export const email = z.string().trim().max(254).pipe(z.email({ message: 'must be an e-mail address' }));
export const localDate = z.string().refine(isLocalDate, { message: 'must be a calendar date YYYY-MM-DD' });
export const timeZone = z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as America/Toronto' });
export const locale = z.enum(['fr-CA', 'en']);
export type Locale = z.infer<typeof locale>;

export const currency = z.string().refine(isIsoCurrency, { message: 'must be an ISO 4217 currency code such as CAD' });

export const money = z.strictObject({
  amount: z.number().int({ message: 'must be a whole number of minor units (cents)' }).min(0).max(100_000_000),
  currency,
});
export type Money = z.infer<typeof money>;

/** The type prefix of each kind of id the code makes (shared/domain/ids.ts), and what it names. */
export const ID_KINDS = { mbr: 'member', pln: 'plan', ms: 'membership', inv: 'invoice', rsn: 'refusal reason', ntc: 'renewal notice' } as const;
export type IdPrefix = keyof typeof ID_KINDS;

/**
 * An id of one kind: its type prefix and a 26-character Crockford base32 body (ID_PATTERN), the
 * shape of both newId and deterministicId. Anything else — another kind's id, a 3 KB string —
 * cannot name such a resource, so it is refused before it reaches a table key.
 */
export function entityId(prefix: IdPrefix) {
  const kind = ID_KINDS[prefix];
  const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
  return z.string().refine((value) => value.startsWith(`${prefix}_`) && ID_PATTERN.test(value), {
    message: `must be ${article} ${kind} id such as ${prefix}_01J…`,
  });
}
