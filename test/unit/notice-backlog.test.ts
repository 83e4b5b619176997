import { describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids.js';
import type { Member } from '../../shared/domain/member.js';
import type { Plan } from '../../shared/domain/plan.js';
import type { Settings } from '../../shared/domain/settings.js';
import { timerPlan } from '../../shared/domain/timers.js';
import { SYSTEM } from '../../shared/domain/timeline.js';
import type { Deps } from '../../shared/deps.js';
import { MembershipChange, planInputs } from '../../shared/use-cases/membership-change.js';
import { act } from '../../shared/use-cases/renewal.js';
import { membershipFixture, SETTINGS_BODY } from '../support/fixtures.js';

/**
 * R-NOT-1, R-NOT-4: one timer delivery that finds several terms' worth of timers due (a late
 * delivery, a long hold) acts on each once: notice, term end, the next term's notice, its term
 * end… A change that writes two notices follows the one the membership names (the soak found a
 * delivery that kept re-sending the second notice until its 20 actions ran out, minute after
 * minute).
 */
const NOW = new Date('2027-04-20T12:00:00Z');

const settings: Settings = { ...SETTINGS_BODY, timeZone: 'America/Toronto', orgId: 'club', version: 1, updatedAt: NOW.toISOString() } as Settings;
const plan = {
  id: 'pln_01JAAAAAAAAAAAAAAAAAAAAAAB',
  orgId: 'club',
  name: 'Chamber',
  price: { amount: 50000, currency: 'CAD' },
  termMonths: 1,
  billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
  renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 28, remindAfterDays: 2 } },
  cancellation: { memberMode: 'immediate' },
  dunning: { retryDays: [3, 8, 13], finalAction: 'cancel', fallbackPlanId: null },
  cardExpiryNoticeDays: 14,
  version: 1,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
} as Plan;
const member: Member = {
  id: 'mbr_01JAAAAAAAAAAAAAAAAAAAAAAC',
  orgId: 'club',
  name: 'Boulangerie Gagnon',
  email: 'compta@boulangerie.example',
  locale: null,
  communicationsOptIn: true,
  // Auto-renew: each notice is approved at once and invoiced (R-REN-5), so each term end renews.
  autoRenew: true,
  intervention: { required: false, reason: null },
  paymentMethod: null,
  version: 1,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
};

const deps = {
  clock: { now: () => NOW },
  newId: (prefix: string) => newId(prefix, NOW),
  linkKeys: { current: 'k1', keys: { k1: Buffer.alloc(32, 7) } },
  config: { PUBLIC_BASE_URL: 'https://relance.example' },
} as unknown as Deps;

describe('a delivery with several terms due (R-NOT-1, R-NOT-4)', () => {
  it('R-NOT-1, R-NOT-4: acts on each term once — notice, term end, next notice… — and stops with nothing due', () => {
    // Bought on January 15 (terms end Feb 14, Mar 14, Apr 14): three term ends and their notices are due.
    const membership = membershipFixture({
      id: 'ms_01JAAAAAAAAAAAAAAAAAAAAAAD',
      orgId: 'club',
      memberId: member.id,
      planId: plan.id,
      startDate: '2027-01-15',
      billing: { price: plan.price, cadence: 'upfront', anchor: { type: 'purchaseDate' }, termMonths: 1 },
      termAnchor: { date: '2027-01-15', seq: 1 },
      currentTerm: { seq: 1, start: '2027-01-15', end: '2027-02-14' },
      nextBillingDate: '2027-02-15',
    });
    const ctx = { settings, plan, member, state: { membership, terms: [] }, notice: null };
    const change = new MembershipChange(deps, ctx, SYSTEM);
    const kinds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const due = timerPlan(change.membership, planInputs(ctx, change.notice())).find((t) => Date.parse(t.at) <= NOW.getTime());
      if (!due) break;
      act(deps, change, due);
      kinds.push(due.kind);
    }
    expect(kinds).toEqual(['notice', 'term_end', 'notice', 'term_end', 'notice', 'term_end', 'notice']);
    expect(change.membership.currentTerm).toEqual({ seq: 4, start: '2027-04-15', end: '2027-05-14' });
    // The membership names the latest notice, and that is the one the change answers.
    expect(change.notice()).toMatchObject({ id: change.membership.notice!.id, termSeq: 4, status: 'approved' });
    const notices = change.writes.filter((w) => w.kind === 'notice').map((w) => (w.value as { termSeq: number }).termSeq);
    expect(notices).toEqual([1, 2, 3, 4]);
  });
});
