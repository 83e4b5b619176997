import * as z from 'zod';
import { isLocalDate, isTimeZone } from './calendar.js';

/** Building blocks shared by the resource schemas. */
export const email = z.string().trim().max(254).pipe(z.email({ message: 'must be an e-mail address' }));
export const localDate = z.string().refine(isLocalDate, { message: 'must be a calendar date YYYY-MM-DD' });
export const timeZone = z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as America/Toronto' });
export const locale = z.enum(['fr-CA', 'en']);
export type Locale = z.infer<typeof locale>;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const currency = z.string().refine((c) => CURRENCIES.has(c), { message: 'must be an ISO 4217 currency code such as CAD' });

export const money = z.strictObject({
  amount: z.number().int({ message: 'must be a whole number of minor units (cents)' }).min(0).max(100_000_000),
  currency,
});
export type Money = z.infer<typeof money>;
