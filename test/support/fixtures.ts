import type { Membership } from '../../shared/domain/membership.js';

/** A stored membership for unit and store tests: an upfront annual one started 2027-01-01. */
export function membershipFixture(overrides: Partial<Membership> = {}): Membership {
  return {
    id: 'ms_01JAAAAAAAAAAAAAAAAAAAAAAA',
    orgId: 'demo',
    memberId: 'mbr_1',
    planId: 'pln_1',
    status: 'active',
    startDate: '2027-01-01',
    started: true,
    billing: { price: { amount: 2500, currency: 'CAD' }, cadence: 'upfront', anchor: { type: 'purchaseDate' }, termMonths: 12 },
    termAnchor: { date: '2027-01-01', seq: 1 },
    currentTerm: { seq: 1, start: '2027-01-01', end: '2027-12-31' },
    nextBillingDate: '2028-01-01',
    terminationDate: null,
    remindersDone: [],
    renewal: null,
    cancellation: null,
    timers: [],
    armed: null,
    lastInvoiceId: null,
    unpaidInvoiceIds: [],
    version: 1,
    createdAt: '2027-01-01T00:00:00Z',
    updatedAt: '2027-01-01T00:00:00Z',
    ...overrides,
  };
}

/** Organisation settings as `PUT /api/settings` takes them (a Quebec club writing in French). */
export const SETTINGS_BODY = {
  name: 'Club de natation de Laval',
  mainContactEmail: 'admin@club.example',
  sender: { name: 'Sophie Gagnon', email: 'sophie@club.example' },
  replyTo: 'membres@club.example',
  timeZone: 'America/Toronto',
  locale: 'fr-CA',
  jurisdiction: 'QC',
} as const;

/** A complete plan as `POST /api/plans` takes it: annual, billed monthly on the 1st, renewing automatically. */
export const ANNUAL_PLAN_BODY = {
  name: 'Annual membership',
  price: { amount: 2500, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
  renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
  cancellation: { memberMode: 'immediate' },
  dunning: { retryDays: [3, 8, 13], finalAction: 'cancel', fallbackPlanId: null },
  cardExpiryNoticeDays: 14,
} as const;
