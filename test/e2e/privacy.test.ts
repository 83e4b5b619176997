import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * R-PRV-1: a member's personal data is erased on request (Quebec Law 25, GDPR): a pseudonym
 * everywhere, invoices kept for accounting without the name, links and schedules gone, no later
 * e-mail; owners only, confirmed by the member's e-mail, refused while a membership is live,
 * idempotent.
 */
let t: TestCloud;
const NAME = 'Zoé Lavoie-Ouellet';
const EMAIL = 'zoe.lavoie@example.org';
let memberId = '';
let membershipId = '';
let renewPath = '';
let managePath = '';
let other = { memberId: '', membershipId: '', invoiceId: '' };

const plan = {
  name: 'Annual (confirmation)',
  price: { amount: 12000, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
  renewal: { policy: 'confirmation', reminderDays: [30] },
};

async function as(groups: string[], method: string, path: string, body?: unknown) {
  const token = (await t.request('POST', '/_local/token', { orgId: 'e2e-club', email: 'marie@club.example', groups })).body.token as string;
  return t.request(method, path, body, { authorization: `Bearer ${token}` });
}

const personal = (value: unknown) => {
  const text = JSON.stringify(value).toLowerCase();
  return ['zoé', 'zoe.lavoie', 'lavoie', 'ouellet'].filter((needle) => text.includes(needle));
};
const schedulesOf = async (id: string) =>
  ((await t.request('GET', '/_local/schedules')).body.items as { name: string }[]).filter((s) => s.name.startsWith(`${id}-`));

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const p = await t.ok('POST', '/api/plans', plan);
  memberId = (await t.ok('POST', '/api/members', { name: NAME, email: EMAIL, communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } })).id;
  membershipId = (await t.ok('POST', '/api/memberships', { memberId, planId: p.id })).id;
  // A second member whose only membership was voided (R-CAN-6): voided memberships leave the member's list, not the erase.
  other.memberId = (await t.ok('POST', '/api/members', { name: 'Hugo Brisebois', email: 'hugo.b@example.org' })).id;
  const record = await t.ok('POST', '/api/memberships', { memberId: other.memberId, planId: p.id });
  other = { ...other, membershipId: record.id, invoiceId: record.invoices[0].id };
});
afterAll(async () => {
  await t?.stop();
});

describe('erasing a member (R-PRV-1)', () => {
  it('R-PRV-1: refused while a membership is live (staff cancel or void it first), changing nothing', async () => {
    const before = await t.api('GET', `/api/members/${memberId}`);
    const reply = await t.api('POST', `/api/members/${memberId}/erase`, { confirm: EMAIL });
    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatchObject({ code: 'member_has_live_membership', details: [{ rule: 'R-PRV-1', field: 'memberships' }] });
    expect(reply.body.error.message).toContain(membershipId);
    const after = await t.api('GET', `/api/members/${memberId}`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(after.body.name).toBe(NAME);
  });

  it('R-PRV-1: the membership runs its course: a reminder with a link, then it ends unrenewed', async () => {
    await t.setClock('2027-12-15T14:00:30Z');
    const mails = await t.emails(EMAIL);
    expect(mails.length).toBeGreaterThanOrEqual(1);
    renewPath = new URL(linkIn(mails.at(-1)!)).pathname;
    await t.setClock('2028-01-15T05:00:30Z');
    expect((await t.membership(membershipId)).status).toBe('terminated');
    expect(personal(await t.membership(membershipId))).not.toEqual([]);
    // R-LNK-4: the "ended" e-mail's footer link to the member's own page still works (until erased).
    const ended = (await t.emails(EMAIL)).at(-1)!;
    managePath = new URL(ended.text.match(/https?:\/\/[^\s"'<>]+\/l\/[A-Za-z0-9._~%-]+/g)!.at(-1)!).pathname;
    const page = await t.request('GET', managePath);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Zoé');
  });

  it('R-PRV-1: a wrong or missing confirmation is refused naming confirm, and changes nothing', async () => {
    const before = await t.api('GET', `/api/members/${memberId}`);
    const wrong = await t.api('POST', `/api/members/${memberId}/erase`, { confirm: 'someone@example.org' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'erase_not_confirmed', details: [{ field: 'confirm', rule: 'R-PRV-1' }] });
    const missing = await t.api('POST', `/api/members/${memberId}/erase`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('confirm');
    const after = await t.api('GET', `/api/members/${memberId}`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(after.body).toMatchObject({ name: NAME, email: EMAIL });
  });

  it('R-PRV-1: staff may not erase (owners only)', async () => {
    const reply = await as(['staff'], 'POST', `/api/members/${memberId}/erase`, { confirm: EMAIL });
    expect(reply.status).toBe(403);
    expect((await t.ok('GET', `/api/members/${memberId}`)).name).toBe(NAME);
  });

  it('R-PRV-1: erased: a pseudonym everywhere, search finds nothing, invoices kept with their amounts, the link no longer valid', async () => {
    const invoicesBefore = (await t.membership(membershipId)).invoices;
    expect(invoicesBefore.length).toBeGreaterThanOrEqual(1);
    const reply = await t.api('POST', `/api/members/${memberId}/erase`, { confirm: ' Zoe.Lavoie@example.org '.replace('Zoe', 'zoe').trim().toUpperCase() });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id: memberId,
      name: expect.stringMatching(/^Erased member [0-9A-Z]{4}$/),
      email: '',
      paymentMethod: null,
      customerRef: null,
      erased: { at: '2028-01-15T05:00:30.000Z', by: expect.stringContaining('admin:') },
      erasure: { erased: true, gatewayCustomer: expect.stringMatching(/^cus_/), memberships: [membershipId] },
    });
    const member = await t.ok('GET', `/api/members/${memberId}`);
    expect(member.name).toBe(reply.body.name);
    expect(personal(member)).toEqual([]);

    for (const q of ['zoe', 'lavoie', 'ouellet', 'zoe.lavoie@']) expect((await t.ok('GET', `/api/members?q=${q}`)).items).toEqual([]);
    expect((await t.ok('GET', '/api/members')).items.map((m: { id: string }) => m.id)).toContain(memberId);

    const record = await t.membership(membershipId);
    expect(personal(record)).toEqual([]);
    expect(record.timeline.map((e: { type: string }) => e.type)).toContain('member_erased');
    expect(record.emails.length).toBeGreaterThan(0);
    expect(record.emails.every((m: { to: string[] }) => m.to.every((a) => a === ''))).toBe(true);
    // Invoices stay for accounting: the same ids, amounts and dates.
    expect(record.invoices.map((i: { id: string; amount: unknown; issueDate: string }) => [i.id, i.amount, i.issueDate])).toEqual(
      invoicesBefore.map((i: { id: string; amount: unknown; issueDate: string }) => [i.id, i.amount, i.issueDate]),
    );
    expect(record.invoices[0].amount).toEqual({ amount: 12000, currency: 'CAD' });

    for (const path of [managePath, renewPath]) {
      const page = await t.request('GET', path);
      expect(page.status).toBe(410);
      expect(page.body).not.toContain('Zoé');
    }
    expect(await schedulesOf(membershipId)).toEqual([]);
  });

  it('R-PRV-1: erasing twice acts once; nothing new can be done for an erased member', async () => {
    const before = await t.api('GET', `/api/members/${memberId}`);
    const again = await t.api('POST', `/api/members/${memberId}/erase`, { confirm: EMAIL });
    expect(again.status).toBe(200);
    expect(again.body.erasure).toEqual({ erased: false, gatewayCustomer: null, memberships: [membershipId] });
    const after = await t.api('GET', `/api/members/${memberId}`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    const events = (await t.membership(membershipId)).timeline.filter((e: { type: string }) => e.type === 'member_erased');
    expect(events).toHaveLength(1);

    const patch = await t.api('PATCH', `/api/members/${memberId}`, { name: NAME });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('member_erased');
    const plans = (await t.ok('GET', '/api/plans')).items;
    const create = await t.api('POST', '/api/memberships', { memberId, planId: plans[0].id });
    expect(create.status).toBe(409);
    expect(create.body.error.code).toBe('member_erased');
  });

  it('R-PRV-1: no later e-mail reaches the erased member', async () => {
    const before = (await t.emails(EMAIL)).length;
    await t.setClock('2029-01-20T15:00:00Z');
    expect((await t.emails(EMAIL)).length).toBe(before);
  });

  it('R-PRV-1: a voided membership (off the member list) is erased too', async () => {
    await t.ok('POST', `/api/invoices/${other.invoiceId}/void`, { refund: false });
    const voided = await t.membership(other.membershipId);
    expect(voided.status).toBe('voided');
    expect((await t.ok('GET', `/api/members/${other.memberId}/memberships`)).items).toEqual([]);
    expect(JSON.stringify(voided)).toContain('hugo.b@example.org');

    const reply = await t.api('POST', `/api/members/${other.memberId}/erase`, { confirm: 'hugo.b@example.org' });
    expect(reply.status).toBe(200);
    expect(reply.body.erasure.memberships).toEqual([other.membershipId]);
    const record = await t.membership(other.membershipId);
    expect(JSON.stringify(record)).not.toContain('Brisebois');
    expect(JSON.stringify(record)).not.toContain('hugo.b@');
    expect(record.timeline.map((e: { type: string }) => e.type)).toContain('member_erased');
    expect((await t.ok('GET', `/api/invoices/${other.invoiceId}`)).amount).toEqual({ amount: 12000, currency: 'CAD' });
  });
});

describe('erasing a member: notices and mail still waiting (R-PRV-1)', () => {
  let c: TestCloud;
  let sesFails = false;
  const NOTICE_PLAN = {
    name: 'Chamber membership',
    price: { amount: 50000, currency: 'CAD' },
    termMonths: 1,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 10, remindAfterDays: 3 } },
  };
  beforeAll(async () => {
    c = await TestCloud.start({ at: '2027-01-15T15:00:00Z', faults: { ses: { next: () => (sesFails ? 'fail' : 'none') } } });
    await c.ok('PUT', '/api/settings', SETTINGS);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('R-PRV-1: the renewal notice keeps its decision but loses the name, e-mail and any text naming the member', async () => {
    const plan = await c.ok('POST', '/api/plans', NOTICE_PLAN);
    const member = await c.ok('POST', '/api/members', { name: 'Maëlle Fortier', email: 'maelle.f@example.org', locale: 'en', paymentMethod: { token: 'pm_card_visa' } });
    const ms = await c.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    await c.setClock('2027-02-04T15:00:00Z');
    const noticeId = (await c.membership(ms.id)).notice.id as string;
    const reason = await c.ok('POST', '/api/refusal-reasons', { label: 'Moved away' });
    await c.ok('POST', `/api/renewals/${noticeId}/refuse`, { reasonId: reason.id, note: 'Maëlle Fortier called on Feb 5' });
    await c.setClock('2027-02-15T06:00:00Z');
    expect((await c.membership(ms.id)).status).toBe('terminated');
    const before = await c.ok('GET', `/api/renewals/${noticeId}`);
    expect(before).toMatchObject({ memberName: 'Maëlle Fortier', memberEmail: 'maelle.f@example.org', status: 'refused' });

    await c.ok('POST', `/api/members/${member.id}/erase`, { confirm: 'maelle.f@example.org' });
    const after = await c.ok('GET', `/api/renewals/${noticeId}`);
    expect(after).toMatchObject({ memberName: expect.stringMatching(/^Erased member /), memberEmail: '', status: 'refused', refusal: { reasonId: reason.id, label: 'Moved away' } });
    expect(JSON.stringify(after)).not.toMatch(/Maëlle|Fortier|maelle/);
    expect(JSON.stringify(await c.membership(ms.id))).not.toMatch(/Maëlle|Fortier|maelle/);
  });

  it('R-PRV-1: an e-mail still waiting for SES is dropped, and never sent after the erase', async () => {
    const plan = (await c.ok('GET', '/api/plans')).items[0];
    const member = await c.ok('POST', '/api/members', { name: 'Olivier Dion', email: 'olivier.d@example.org' });
    const ms = await c.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    sesFails = true;
    await c.ok('POST', `/api/invoices/${ms.invoices[0].id}/void`, { refund: false });
    sesFails = false;
    // SES failed: the e-mail waits for its next try (pending, or unknown when the answer is in doubt).
    const waiting = (await c.membership(ms.id)).emails.filter((e: { status: string }) => e.status === 'pending' || e.status === 'unknown');
    expect(waiting.length).toBeGreaterThan(0);
    const sentBefore = (await c.emails('olivier.d@example.org')).length;

    await c.ok('POST', `/api/members/${member.id}/erase`, { confirm: 'olivier.d@example.org' });
    const emails = (await c.membership(ms.id)).emails as { id: string; status: string }[];
    for (const w of waiting) expect(emails.find((e) => e.id === w.id)?.status).toBe('dropped');
    await c.advance('P1D');
    expect((await c.emails('olivier.d@example.org')).length).toBe(sentBefore);
    expect(((await c.membership(ms.id)).emails as { status: string }[]).some((e) => e.status !== 'dropped')).toBe(false);
  });
});
