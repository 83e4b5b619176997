import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Email, linkIn, SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Issue 3, end to end over HTTP and the clock: each renewal policy with reminders at 30, 14
 * and 3 days before a term ending 2028-01-14 (America/Toronto), from the first reminder to the
 * term end.
 */
let t: TestCloud;
const ms: Record<string, { id: string; email: string }> = {};
const plan = (name: string, policy: string, reminderDays: number[], termMonths = 12) => ({
  name,
  price: { amount: 12000, currency: 'CAD' },
  termMonths,
  billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
  renewal: { policy, reminderDays },
});
const mailsOf = async (key: string) => (await t.emails(ms[key]!.email)).map((e) => ({ ...e, path: safePath(e) }));
const safePath = (e: Email) => {
  try {
    return new URL(linkIn(e)).pathname;
  } catch {
    return null;
  }
};

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const automatic = await t.ok('POST', '/api/plans', plan('Annual (automatic)', 'automatic', [30, 14, 3]));
  const confirmation = await t.ok('POST', '/api/plans', plan('Annual (confirmation)', 'confirmation', [30, 14, 3]));
  const none = await t.ok('POST', '/api/plans', plan('Six months (no renewal)', 'none', [], 6));
  const start = async (key: string, planId: string, card: string | null) => {
    const email = `${key}@example.org`;
    const member = await t.ok('POST', '/api/members', { name: `Member ${key}`, email, communicationsOptIn: true, ...(card ? { paymentMethod: { token: card } } : {}) });
    ms[key] = { id: (await t.ok('POST', '/api/memberships', { memberId: member.id, planId })).id, email };
  };
  await start('auto-card', automatic.id, 'pm_card_visa');
  await start('auto-nocard', automatic.id, null);
  await start('confirm-click', confirmation.id, 'pm_card_visa');
  await start('confirm-noclick', confirmation.id, 'pm_card_visa');
  await start('none', none.id, 'pm_card_visa');
});
afterAll(async () => {
  await t?.stop();
});

describe('renewal lifecycle', () => {
  it('plans the reminders and the term end at creation (R-REN-6)', async () => {
    const m = await t.membership(ms['auto-card']!.id);
    expect(m.currentTerm).toEqual({ seq: 1, start: '2027-01-15', end: '2028-01-14' });
    expect(m.timers.map((x: { kind: string; at: string }) => `${x.kind}@${x.at}`)).toEqual([
      'reminder@2027-12-15T14:00:00.000Z',
      'reminder@2027-12-31T14:00:00.000Z',
      'reminder@2028-01-11T14:00:00.000Z',
      'term_end@2028-01-15T05:00:00.000Z',
      // R-DUN-7: the card (valid through December 2030) renews this membership: its owner is told 14 days before and on its last day.
      'card_expiry@2030-12-17T14:00:00.000Z',
      'card_expiry@2030-12-31T14:00:00.000Z',
    ]);
  });

  it('R-REN-2: policy none sends nothing, then expires at the term end with an "expired" e-mail and terminates', async () => {
    await t.setClock('2027-07-15T03:59:00Z');
    expect(await mailsOf('none')).toEqual([]);
    await t.setClock('2027-07-15T04:00:30Z');
    const mails = await mailsOf('none');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['none@example.org'], at: '2027-07-15T04:00:00.000Z', from: '"Sophie Gagnon" <sophie@club.example>', replyTo: ['membres@club.example'] });
    expect(mails[0]!.subject).toMatch(/ended|expired/i);
    expect(mails[0]!.text).toContain('July 14, 2027');
    const m = await t.membership(ms.none!.id);
    expect(m.status).toBe('terminated');
    const types: string[] = m.timeline.map((e: { type: string }) => e.type);
    expect(types.filter((x) => x.startsWith('membership_'))).toEqual(['membership_terminated', 'membership_expired', 'membership_started']);
    expect(types).not.toContain('reminder_sent');
    expect(m.timers).toEqual([]);
  });

  it('sends nothing before 09:00 on the first reminder day', async () => {
    await t.setClock('2027-12-15T13:59:00Z');
    for (const key of ['auto-card', 'auto-nocard', 'confirm-click', 'confirm-noclick']) expect(await mailsOf(key)).toEqual([]);
  });

  it('R-REN-3: the automatic reminder gives the renewal date, the charge and a signed cancel link', async () => {
    await t.setClock('2027-12-15T14:00:30Z');
    const [card] = await mailsOf('auto-card');
    expect(card).toMatchObject({ at: '2027-12-15T14:00:00.000Z', to: ['auto-card@example.org'] });
    expect(card!.subject).toContain('January 15, 2028');
    expect(card!.text).toContain('January 15, 2028');
    expect(card!.text).toContain('January 14, 2029');
    expect(card!.text).toMatch(/4242/);
    expect(card!.path).toMatch(/^\/l\/v1\./);
    const [noCard] = await mailsOf('auto-nocard');
    expect(noCard!.text).toMatch(/invoice/i);
    expect(noCard!.text).not.toMatch(/4242/);
  });

  it('R-REN-4: the confirmation reminder carries a one-click renewal link and says when it expires otherwise', async () => {
    const [mail] = await mailsOf('confirm-noclick');
    expect(mail).toMatchObject({ at: '2027-12-15T14:00:00.000Z' });
    expect(mail!.text).toContain('January 14, 2028');
    expect(mail!.html).toContain('Renew my membership');
    expect(mail!.path).toMatch(/^\/l\/v1\./);
  });

  it('R-REN-4, R-LNK-2: opening the renew link changes nothing; the button renews for a full term and confirms by e-mail', async () => {
    const [mail] = await mailsOf('confirm-click');
    const before = await t.api('GET', `/api/memberships/${ms['confirm-click']!.id}`);
    const page = await t.request('GET', mail!.path!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(page.body).toContain('January 14, 2029');
    const again = await t.request('GET', mail!.path!);
    expect(again.status).toBe(200);
    const unchanged = await t.api('GET', `/api/memberships/${ms['confirm-click']!.id}`);
    expect(unchanged.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(await mailsOf('confirm-click')).toHaveLength(1);

    const done = await t.request('POST', mail!.path!, 'purpose=renew', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(done.status).toBe(200);
    expect(done.body).toContain('January 14, 2029');
    const mails = await mailsOf('confirm-click');
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toContain('January 14, 2029');
    const m = await t.membership(ms['confirm-click']!.id);
    expect(m.renewal).toMatchObject({ termSeq: 1 });
    expect(m.terms.map((x: { seq: number; status: string; start: string; end: string }) => `${x.seq}:${x.status}:${x.start}:${x.end}`)).toEqual([
      '1:active:2027-01-15:2028-01-14',
      '2:pending:2028-01-15:2029-01-14',
    ]);
    expect(m.timers.map((x: { kind: string }) => x.kind).filter((k: string) => k !== 'card_expiry')).toEqual(['term_end']);
  });

  it('R-REN-6: the 14- and 3-day reminders arrive at 09:00 local on their day; none after a click', async () => {
    await t.setClock('2028-01-11T14:00:30Z');
    for (const key of ['auto-card', 'auto-nocard', 'confirm-noclick']) {
      expect((await mailsOf(key)).map((e) => e.at)).toEqual(['2027-12-15T14:00:00.000Z', '2027-12-31T14:00:00.000Z', '2028-01-11T14:00:00.000Z']);
    }
    expect((await mailsOf('confirm-click')).map((e) => e.at)).toEqual(['2027-12-15T14:00:00.000Z', expect.any(String)]);
  });

  it('R-REN-3: at the term end a good card is charged once for a full term and the member gets the new expiry date', async () => {
    await t.setClock('2028-01-15T05:00:30Z');
    const mails = await mailsOf('auto-card');
    expect(mails).toHaveLength(4);
    expect(mails[3]).toMatchObject({ at: '2028-01-15T05:00:00.000Z' });
    expect(mails[3]!.subject).toContain('January 14, 2029');
    const m = await t.membership(ms['auto-card']!.id);
    expect(m).toMatchObject({ status: 'active', currentTerm: { seq: 2, start: '2028-01-15', end: '2029-01-14' }, nextBillingDate: '2029-01-15' });
    const renewal = m.invoices.find((i: { periodStart: string }) => i.periodStart === '2028-01-15');
    expect(renewal).toMatchObject({ status: 'paid', amount: { amount: 12000, currency: 'CAD' }, periodEnd: '2029-01-14' });
    const charges = (await t.request('GET', '/_local/payments')).body.items.filter((c: { metadata: { invoiceId: string } }) => c.metadata.invoiceId === renewal.id);
    expect(charges).toHaveLength(1);
  });

  it('R-REN-3: without a card on file the renewal invoice is e-mailed instead', async () => {
    const mails = await mailsOf('auto-nocard');
    expect(mails).toHaveLength(4);
    expect(mails[3]!.subject).toMatch(/invoice/i);
    expect(mails[3]!.text).toContain('CA$120.00');
    const m = await t.membership(ms['auto-nocard']!.id);
    expect(m).toMatchObject({ status: 'active', currentTerm: { seq: 2, end: '2029-01-14' } });
    expect(m.invoices.find((i: { periodStart: string }) => i.periodStart === '2028-01-15')).toMatchObject({ status: 'open', amount: { amount: 12000 } });
  });

  it('R-REN-4: a clicked renewal starts its new term at the term end, billed as usual, without another e-mail', async () => {
    expect(await mailsOf('confirm-click')).toHaveLength(2);
    const m = await t.membership(ms['confirm-click']!.id);
    expect(m).toMatchObject({ status: 'active', currentTerm: { seq: 2, start: '2028-01-15', end: '2029-01-14' }, renewal: null });
    expect(m.terms.map((x: { status: string }) => x.status)).toEqual(['ended', 'active']);
    expect(m.invoices.find((i: { periodStart: string }) => i.periodStart === '2028-01-15')).toMatchObject({ status: 'paid' });
  });

  it('R-REN-4: without a click the membership expires at the term end with an "expired" e-mail, then terminates (R-CAN-1)', async () => {
    const mails = await mailsOf('confirm-noclick');
    expect(mails).toHaveLength(4);
    expect(mails[3]).toMatchObject({ at: '2028-01-15T05:00:00.000Z' });
    expect(mails[3]!.text).toContain('January 14, 2028');
    const m = await t.membership(ms['confirm-noclick']!.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2028-01-14', timers: [] });
    expect(m.invoices.filter((i: { periodStart: string }) => i.periodStart >= '2028-01-15')).toEqual([]);
    const types = m.timeline.map((e: { type: string }) => e.type);
    expect(types.indexOf('membership_terminated')).toBeLessThan(types.indexOf('membership_expired'));
  });

  it('R-LNK-3: a used renew link shows an error page and changes nothing', async () => {
    const [first] = await mailsOf('confirm-click');
    const replay = await t.request('POST', first!.path!, 'purpose=renew', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(await mailsOf('confirm-click')).toHaveLength(2);
  });
});
