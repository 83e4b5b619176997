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
