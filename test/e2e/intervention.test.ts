import { describe, expect, it } from 'vitest';
import { TestCloud } from '../support/cloud.js';

/**
 * R-NOT-6: a member flagged "intervention required" has nothing automatic happen to their
 * memberships — no billing, no renewal, no reminder, no card notice — until staff clear the flag;
 * then what was held happens at once.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');

const kinds = (m: { timers: { kind: string }[] }) => m.timers.map((x) => x.kind);

describe('intervention required (R-NOT-6)', () => {
  it('R-NOT-6: billing, renewal, reminders and card notices are held while the flag is up, and happen once it is cleared', async () => {
    const monthly = await cloud().ok('POST', '/api/plans', {
      name: 'Swim monthly',
      price: { amount: 2500, currency: 'CAD' },
      termMonths: 1,
      billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays: [3] },
    });
    const member = await cloud().ok('POST', '/api/members', { name: 'Léa Tremblay', email: 'lea@example.org', locale: 'en', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    const ms = await cloud().ok('POST', '/api/memberships', { memberId: member.id, planId: monthly.id });
    expect(kinds(ms)).toEqual(expect.arrayContaining(['reminder', 'term_end', 'billing', 'card_expiry']));

    const flagged = await cloud().api('PATCH', `/api/members/${member.id}`, { intervention: { required: true, reason: 'Called about a refund' } });
    expect(flagged.status).toBe(200);
    const held = await cloud().membership(ms.id);
    expect(kinds(held)).toEqual([]);
    expect(held.timeline.map((e: { type: string }) => e.type)).toContain('timers_replanned');

    const charges = async () => ((await cloud().request('GET', '/_local/payments')).body.items as { memberId: string }[]).filter((c) => c.memberId === member.id).length;
    const mails = async () => (await cloud().emails('lea@example.org')).length;
    const [chargesBefore, mailsBefore] = [await charges(), await mails()];
    await cloud().setClock('2027-02-20T15:00:00Z');
    await cloud().settle();
    const during = await cloud().membership(ms.id);
    expect(during).toMatchObject({ status: 'active', currentTerm: { seq: 1, end: '2027-02-14' } });
    expect(during.invoices).toHaveLength(1);
    expect(await charges()).toBe(chargesBefore);
    expect(await mails()).toBe(mailsBefore);

    // Cleared: the held renewal and billing of February 15 happen at once (armed a minute ahead).
    await cloud().ok('PATCH', `/api/members/${member.id}`, { intervention: { required: false } });
    await cloud().advance('PT2M');
    await cloud().settle();
    const after = await cloud().membership(ms.id);
    expect(after.currentTerm).toMatchObject({ seq: 2, start: '2027-02-15' });
    expect(after.invoices.map((i: { periodStart: string; status: string }) => `${i.periodStart}:${i.status}`)).toContain('2027-02-15:paid');
    expect(await charges()).toBe(chargesBefore + 1);
    expect(kinds(after)).toEqual(expect.arrayContaining(['term_end', 'billing']));
  });
});
