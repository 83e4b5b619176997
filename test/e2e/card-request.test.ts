import { describe, expect, it } from 'vitest';
import { TestCloud, linkIn } from '../support/cloud.js';

/**
 * R-CON-1: staff send the member the update-card link from the membership page: one e-mail
 * per request, in the member's language, whose link opens the update-card page; the timeline
 * says who asked; an ended membership is refused with 409 and nothing is sent.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');

async function membership(t: TestCloud, card: boolean) {
  const plan = await t.ok('POST', '/api/plans', {
    name: `Mensuel ${Math.random().toString(36).slice(2, 6)}`,
    price: { amount: 2500, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30] },
  });
  const member = await t.ok('POST', '/api/members', {
    name: 'Léa Tremblay',
    email: `lea-${Math.random().toString(36).slice(2, 8)}@example.org`,
    locale: 'fr-CA',
    ...(card ? { paymentMethod: { token: 'pm_card_visa' } } : {}),
  });
  const ms = await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
  return { member, ms };
}

describe('R-CON-1: asking a member for a card', () => {
  it('e-mails the member the update-card link once per request, naming the card on file; the link opens the update-card page', async () => {
    const t = cloud();
    const { member, ms } = await membership(t, true);
    const before = (await t.emails(member.email)).length;

    const reply = await t.api('POST', `/api/memberships/${ms.id}/card-request`);
    expect(reply.status).toBe(202);
    expect(reply.body.timeline.some((e: { type: string }) => e.type === 'card_requested')).toBe(true);

    const mails = (await t.emails(member.email)).slice(before);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('votre nouvelle carte')]);
    expect(mails[0]!.text).toContain('Visa');
    // R-MNY-6: the sent mail keeps its subject on the record staff read, even when SES's Send
    // event marked it sent before the worker saved.
    const record = await t.membership(ms.id);
    expect(record.emails.filter((e: { template: string }) => e.template === 'card_request')).toEqual([
      expect.objectContaining({ status: 'sent', subject: mails[0]!.subject }),
    ]);
    const page = await t.request('GET', new URL(linkIn(mails[0]!)).pathname);
    expect(page.status).toBe(200);
    expect(String(page.body)).toMatch(/carte/i);
  });

  it('asks for a first card when none is on file', async () => {
    const t = cloud();
    const { member, ms } = await membership(t, false);
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    const mails = await t.emails(member.email);
    expect(mails.filter((m) => /une carte pour votre abonnement/.test(m.subject))).toHaveLength(1);
  });

  it('refuses an ended membership with 409 and sends nothing', async () => {
    const t = cloud();
    const { member, ms } = await membership(t, true);
    await t.ok('POST', `/api/invoices/${(await t.membership(ms.id)).invoices[0].id}/void`, { refund: false });
    const before = (await t.emails(member.email)).length;
    const reply = await t.api('POST', `/api/memberships/${ms.id}/card-request`);
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('membership_ended');
    expect((await t.emails(member.email)).length).toBe(before);
  });
});
