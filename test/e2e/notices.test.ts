import { afterEach, describe, expect, it } from 'vitest';
import { type Email, linkIn, SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Renewal notices (SPEC §5, R-NOT-1…9, R-REN-5) through the local cloud and its clock, as staff
 * and members meet them: the notice e-mail and its signed page, the staff API, the invoices,
 * the term that follows.
 *
 * The club is in Toronto. A one-month upfront plan with notices 10 days before the term end and
 * a reminder after 3 days: a membership bought on 2027-01-15 ends on 2027-02-14; its notice goes
 * out on 2027-02-04 at 09:00 (14:00Z); its automatic reminder on 2027-02-07 at 09:00; its term
 * ends at the start of 2027-02-15 (05:00Z).
 */
const START = '2027-01-15T15:00:00Z';
const NOTICE_AT = '2027-02-04T14:00:00.000Z';
const AFTER_NOTICE = '2027-02-04T15:00:00Z';
const AFTER_TERM_END = '2027-02-15T06:00:00Z';

let t: TestCloud;

afterEach(async () => {
  await t?.stop();
});

const PLAN = {
  name: 'Chamber membership',
  price: { amount: 50000, currency: 'CAD' },
  termMonths: 1,
  billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
  renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 10, remindAfterDays: 3 } },
};

async function club(): Promise<{ plan: any }> {
  t = await TestCloud.start({ at: START });
  await t.ok('PUT', '/api/settings', SETTINGS);
  return { plan: await t.ok('POST', '/api/plans', PLAN) };
}

async function join(planId: string, name: string, options: { autoRenew?: boolean } = {}): Promise<{ member: any; ms: any; email: string }> {
  const email = `${name.toLowerCase()}@example.org`;
  const member = await t.ok('POST', '/api/members', { name, email, locale: 'en', autoRenew: options.autoRenew ?? false, paymentMethod: { token: 'pm_card_visa' } });
  const ms = await t.ok('POST', '/api/memberships', { memberId: member.id, planId });
  return { member, ms, email };
}

const noticeOf = async (membershipId: string) => {
  const ms = await t.membership(membershipId);
  expect(ms.notice, 'the membership names its notice').toBeTruthy();
  return t.ok('GET', `/api/renewals/${ms.notice.id}`);
};

const templates = async (to: string) => (await t.emails(to)).map((e) => e.subject);
const last = async (to: string, subject: RegExp): Promise<Email> => {
  const mail = (await t.emails(to)).filter((e) => subject.test(e.subject)).at(-1);
  if (!mail) throw new Error(`no e-mail to ${to} with a subject like ${subject}: ${JSON.stringify(await templates(to))}`);
  return mail;
};
const charges = async (memberId: string) => ((await t.request('GET', '/_local/payments')).body.items as { memberId: string; kind?: string }[]).filter((c) => c.memberId === memberId).length;
const board = async (name: string) => (await t.ok('GET', `/api/renewals?board=${name}`)).items as any[];
const onBoard = async (name: string, id: string) => (await board(name)).some((n) => n.id === id);

describe('renewal notices (R-NOT-1…9, R-REN-5)', () => {
  it('R-NOT-1, R-NOT-2, R-NOT-4: the notice goes out N days before the term end; the member accepts from the link; the invoice is paid; the term becomes active at the old end', async () => {
    const { plan } = await club();
    const { member, ms, email } = await join(plan.id, 'Lea');
    expect(ms.timers.map((x: { kind: string; at: string }) => `${x.kind}@${x.at}`)).toContain(`notice@${NOTICE_AT}`);

    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const mail = await last(email, /renewal notice for your “Chamber membership”/);
    expect(mail.text).toContain('February 14, 2027');
    const notice = await noticeOf(ms.id);
    expect(notice).toMatchObject({ status: 'sent', mode: 'notice', termEnd: '2027-02-14', next: { start: '2027-02-15', end: '2027-03-14', price: { amount: 50000 } } });
    expect(notice.sentAt).toBe(NOTICE_AT);
    expect(await onBoard('active', notice.id)).toBe(true);

    // R-LNK-4: the member's own page (the footer link of the notice e-mail) offers to answer it.
    const managePath = new URL(mail.text.match(/https?:\/\/[^\s"'<>]+\/l\/[A-Za-z0-9._~%-]+/g)!.at(-1)!).pathname;
    expect((await t.request('GET', managePath)).body).toContain('Answer the renewal notice');

    // The page only reads (R-LNK-2): opening it twice changes nothing.
    const link = new URL(linkIn(mail)).pathname;
    for (let i = 0; i < 2; i++) {
      const page = await t.request('GET', link);
      expect(page.status).toBe(200);
      expect(page.body).toContain('name="action" value="accept"');
    }
    expect((await noticeOf(ms.id)).version).toBe(notice.version);

    const accepted = await t.post(link, 'action=accept');
    expect(accepted.status).toBe(200);
    const approved = await noticeOf(ms.id);
    expect(approved).toMatchObject({ status: 'approved', approved: { by: { type: 'member', id: member.id } }, paidAt: null });
    const invoiceMail = await last(email, /your invoice for CA\$500\.00/);
    expect(invoiceMail.text).toContain(approved.invoiceId);
    expect(await onBoard('accepted-unpaid', notice.id)).toBe(true);
    expect(await onBoard('unanswered-7d', notice.id)).toBe(false);
    // Used once: the same link cannot accept again.
    expect((await t.post(link, 'action=accept')).status).toBe(409);

    const pending = await t.membership(ms.id);
    expect(pending.currentTerm).toMatchObject({ seq: 1, end: '2027-02-14' });
    expect(pending.terms.find((x: { seq: number }) => x.seq === 2)).toMatchObject({ status: 'pending', start: '2027-02-15', invoiceId: approved.invoiceId });

    await t.ok('POST', `/api/invoices/${approved.invoiceId}/pay`, { method: 'cheque', reference: 'Chèque 1042' });
    expect((await noticeOf(ms.id)).paidAt).not.toBeNull();
    expect(await onBoard('accepted-unpaid', notice.id)).toBe(false);
    expect(await onBoard('active', notice.id)).toBe(false);

    const chargesBefore = await charges(member.id);
    await t.setClock(AFTER_TERM_END);
    await t.settle();
    const renewed = await t.membership(ms.id);
    expect(renewed).toMatchObject({ status: 'active', currentTerm: { seq: 2, start: '2027-02-15', end: '2027-03-14' } });
    expect(renewed.terms.find((x: { seq: number }) => x.seq === 2)).toMatchObject({ status: 'active' });
    // The renewal was paid by cheque: the card on file is not charged.
    expect(await charges(member.id)).toBe(chargesBefore);
    expect(await templates(email)).toEqual(expect.arrayContaining([expect.stringMatching(/renewed until March 14, 2027/)]));
    // The next term gets its own notice.
    expect(renewed.timers.map((x: { kind: string }) => x.kind)).toContain('notice');
  });

  it('R-NOT-2, R-NOT-4, R-DUN-4: accepted, then paid by card from the "pay now" link on the page (the gateway\'s secure card page): one charge, one receipt; the term becomes active at the old end', async () => {
    const { plan } = await club();
    const { member, ms, email } = await join(plan.id, 'Kim');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const accepted = await t.post(new URL(linkIn(await last(email, /renewal notice/))).pathname, 'action=accept');
    const payUrl = /<a class="go" href="([^"]+)"/.exec(String(accepted.body))?.[1]?.replace(/&amp;/g, '&');
    expect(payUrl).toMatch(/\/l\//);
    const notice = await noticeOf(ms.id);
    const chargesBefore = await charges(member.id);

    const payPage = new URL(payUrl!).pathname;
    expect((await t.request('GET', payPage)).body).toContain('CA$500.00');
    const posted = await t.post(payPage, '');
    const checkout = /<a class="go" href="([^"]+)"/.exec(String(posted.body))?.[1]?.replace(/&amp;/g, '&');
    expect(checkout).toMatch(/\/checkout\/cs_/);
    expect((await fetch(checkout!, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_mastercard' }), redirect: 'manual' })).status).toBe(303);
    await t.settle();

    expect(await t.ok('GET', `/api/invoices/${notice.invoiceId}`)).toMatchObject({ status: 'paid', payment: { method: 'card' } });
    expect(await charges(member.id)).toBe(chargesBefore + 1);
    expect((await noticeOf(ms.id)).paidAt).not.toBeNull();
    expect((await t.emails(email)).filter((e) => e.text.includes(notice.invoiceId) && /receipt/i.test(e.subject))).toHaveLength(1);
    await t.setClock(AFTER_TERM_END);
    await t.settle();
    expect(await t.membership(ms.id)).toMatchObject({ status: 'active', currentTerm: { seq: 2, start: '2027-02-15' } });
    expect(await charges(member.id)).toBe(chargesBefore + 1);
  });

  it('R-NOT-4: an approved renewal not paid by the term end starts awaiting payment (past due); paying it later makes it active', async () => {
    const { plan } = await club();
    const { ms } = await join(plan.id, 'Marc');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);
    await t.ok('POST', `/api/renewals/${notice.id}/approve`);
    await t.setClock(AFTER_TERM_END);
    await t.settle();
    const owed = await t.membership(ms.id);
    expect(owed).toMatchObject({ status: 'past_due', currentTerm: { seq: 2, start: '2027-02-15' } });
    const approved = await noticeOf(ms.id);
    expect(owed.terms.find((x: { seq: number }) => x.seq === 2)).toMatchObject({ status: 'pending', invoiceId: approved.invoiceId });
    expect(await onBoard('accepted-unpaid', notice.id)).toBe(true);

    await t.ok('POST', `/api/invoices/${approved.invoiceId}/pay`, { method: 'transfer', reference: 'Virement 88' });
    const paid = await t.membership(ms.id);
    expect(paid).toMatchObject({ status: 'active', currentTerm: { seq: 2 }, unpaidInvoiceIds: [] });
    expect(paid.terms.find((x: { seq: number }) => x.seq === 2)).toMatchObject({ status: 'active' });
  });

  it('R-NOT-2, R-NOT-7: the member asks for changes; staff are told, move the renewal to another plan and price, and approve; the renewed term is on that plan', async () => {
    const { plan } = await club();
    const family = await t.ok('POST', '/api/plans', { ...PLAN, name: 'Family chamber membership', price: { amount: 80000, currency: 'CAD' } });
    const { member, ms, email } = await join(plan.id, 'Nora');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const link = new URL(linkIn(await last(email, /renewal notice/))).pathname;

    // A request without its message is asked again and uses nothing up.
    const empty = await t.post(link, 'action=change&message=%20');
    expect(empty.status).toBe(400);
    expect((await noticeOf(ms.id)).status).toBe('sent');

    const message = 'Please move us to the family membership <3';
    const asked = await t.post(link, `action=change&message=${encodeURIComponent(message)}`);
    expect(asked.status).toBe(200);
    const notice = await noticeOf(ms.id);
    expect(notice).toMatchObject({ status: 'change_requested', message });
    const staff = await last('admin@club.example', /Nora asks for changes to their renewal/);
    expect(staff.text).toContain(message);
    expect(staff.html).not.toContain('<3');
    expect(staff.text).toContain(`#/renewals/${notice.id}`);
    expect(await templates(email)).toEqual(expect.arrayContaining([expect.stringMatching(/we received your request for changes/)]));
    const requests = await board('change-requests');
    expect(requests.find((n) => n.id === notice.id)).toMatchObject({ memberName: 'Nora', membershipId: ms.id, planName: 'Chamber membership', termEnd: '2027-02-14', message });

    const wrongCurrency = await t.api('PATCH', `/api/renewals/${notice.id}`, { price: { amount: 100, currency: 'USD' } });
    expect(wrongCurrency.status).toBe(400);
    expect(wrongCurrency.body.error.details[0].field).toBe('price.currency');
    const edited = await t.ok('PATCH', `/api/renewals/${notice.id}`, { planId: family.id, price: { amount: 75000, currency: 'CAD' } });
    expect(edited.next).toMatchObject({ planId: family.id, planName: 'Family chamber membership', price: { amount: 75000 }, start: '2027-02-15', end: '2027-03-14' });

    const approved = await t.ok('POST', `/api/renewals/${notice.id}/approve`);
    expect(approved.status).toBe('approved');
    // The approved term holds its plan's place (R-MNY-1): the member cannot buy it twice.
    expect((await t.api('POST', '/api/memberships', { memberId: member.id, planId: family.id })).status).toBe(409);
    const invoice = await t.ok('GET', `/api/invoices/${approved.invoiceId}`);
    expect(invoice).toMatchObject({ status: 'open', amount: { amount: 75000, currency: 'CAD' }, periodStart: '2027-02-15', periodEnd: '2027-03-14' });
    await t.ok('POST', `/api/invoices/${approved.invoiceId}/pay`, { method: 'cheque', reference: '77' });

    await t.setClock(AFTER_TERM_END);
    await t.settle();
    const renewed = await t.membership(ms.id);
    expect(renewed).toMatchObject({ status: 'active', planId: family.id, billing: { price: { amount: 75000 } }, currentTerm: { seq: 2 } });
    // The old plan's place is free again; the family plan's is this membership's.
    const again = await t.api('POST', '/api/memberships', { memberId: member.id, planId: plan.id, startDate: '2027-02-20' });
    expect(again.status).toBe(201);
  });

  it('R-NOT-3, R-NOT-5: staff refuse with a reason from the list; the member is told, and the membership ends at the term end; the member stays', async () => {
    const { plan } = await club();
    const { member, ms, email } = await join(plan.id, 'Omar');
    const reason = await t.ok('POST', '/api/refusal-reasons', { label: 'Moved away', labels: { 'fr-CA': 'Déménagé', en: 'Moved away' } });
    const retired = await t.ok('POST', '/api/refusal-reasons', { label: 'Old reason' });
    await t.ok('PATCH', `/api/refusal-reasons/${retired.id}`, { retired: true });
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);

    const noReason = await t.api('POST', `/api/renewals/${notice.id}/refuse`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].field).toBe('reasonId');
    const retiredReason = await t.api('POST', `/api/renewals/${notice.id}/refuse`, { reasonId: retired.id });
    expect(retiredReason.status).toBe(422);
    expect(retiredReason.body.error.details[0]).toMatchObject({ field: 'reasonId', rule: 'R-NOT-3' });
    expect((await noticeOf(ms.id)).status).toBe('sent');

    const refused = await t.ok('POST', `/api/renewals/${notice.id}/refuse`, { reasonId: reason.id, note: 'Called on Feb 5' });
    expect(refused).toMatchObject({ status: 'refused', refusal: { reasonId: reason.id, label: 'Moved away', note: 'Called on Feb 5' } });
    // Idempotent: the same refusal again changes nothing and tells nobody twice.
    const again = await t.ok('POST', `/api/renewals/${notice.id}/refuse`, { reasonId: reason.id });
    expect(again.version).toBe(refused.version);
    expect((await templates(email)).filter((s) => /will not be renewed/.test(s))).toHaveLength(1);
    expect((await last(email, /will not be renewed/)).text).toContain('February 14, 2027');
    expect(await onBoard('active', notice.id)).toBe(false);
    // A refused notice cannot be approved.
    expect((await t.api('POST', `/api/renewals/${notice.id}/approve`)).status).toBe(409);

    const invoicesBefore = (await t.membership(ms.id)).invoices.length;
    await t.setClock(AFTER_TERM_END);
    await t.settle();
    const ended = await t.membership(ms.id);
    expect(ended).toMatchObject({ status: 'terminated', terminationDate: '2027-02-14' });
    expect(ended.invoices).toHaveLength(invoicesBefore);
    expect((await t.api('GET', `/api/members/${member.id}`)).status).toBe(200);
  });

  it('R-NOT-7: reset voids the first invoice and its reminders, returns the notice to sent; staff edit the price and approve again, which issues a new invoice and pending term', async () => {
    const { plan } = await club();
    const { ms, email } = await join(plan.id, 'Paul');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);
    const first = await t.ok('POST', `/api/renewals/${notice.id}/approve`);
    // Approving again is a no-op: one invoice.
    const twice = await t.ok('POST', `/api/renewals/${notice.id}/approve`);
    expect(twice.invoiceId).toBe(first.invoiceId);
    expect((await t.api('PATCH', `/api/renewals/${notice.id}`, { price: { amount: 45000, currency: 'CAD' } })).status).toBe(409);

    const reset = await t.ok('POST', `/api/renewals/${notice.id}/reset`);
    expect(reset).toMatchObject({ status: 'sent', invoiceId: null, approved: null });
    expect((await t.ok('GET', `/api/invoices/${first.invoiceId}`)).status).toBe('void');
    await t.ok('PATCH', `/api/renewals/${notice.id}`, { price: { amount: 45000, currency: 'CAD' } });
    const second = await t.ok('POST', `/api/renewals/${notice.id}/approve`);
    expect(second.invoiceId).not.toBe(first.invoiceId);
    expect(await t.ok('GET', `/api/invoices/${second.invoiceId}`)).toMatchObject({ status: 'open', amount: { amount: 45000 } });
    const record = await t.membership(ms.id);
    expect(record.terms.find((x: { seq: number }) => x.seq === 2)).toMatchObject({ status: 'pending', invoiceId: second.invoiceId });
    const invoiceMails = (await t.emails(email)).filter((e) => /your invoice for/.test(e.subject));
    expect(invoiceMails.map((e) => (e.text.includes(first.invoiceId) ? 'first' : e.text.includes(second.invoiceId) ? 'second' : '?'))).toEqual(['first', 'second']);

    // The voided invoice's reminders (7 days after its due date) never go out; the new one's do.
    await t.setClock('2027-02-23T15:00:00Z');
    await t.settle();
    const reminders = (await t.emails(email)).filter((e) => /reminder – invoice/.test(e.subject));
    expect(reminders.map((e) => e.subject.includes(second.invoiceId))).toEqual([true]);
  });

  it('R-REN-5: a member with auto-renew on gets the renewal invoice directly at the notice time (no question), approved by the system; the card is not charged', async () => {
    const { plan } = await club();
    const { member, ms, email } = await join(plan.id, 'Quinn', { autoRenew: true });
    const chargesBefore = await charges(member.id);
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);
    expect(notice).toMatchObject({ mode: 'invoice', status: 'approved', approved: { by: { type: 'system' } }, sentAt: NOTICE_AT });
    expect(await templates(email)).not.toEqual(expect.arrayContaining([expect.stringMatching(/renewal notice/)]));
    const invoice = await last(email, /your invoice for CA\$500\.00/);
    expect(invoice.text).toContain(notice.invoiceId);
    expect(invoice.at).toBe(NOTICE_AT);
    expect(await onBoard('accepted-unpaid', notice.id)).toBe(true);
    expect(await charges(member.id)).toBe(chargesBefore);
    // No reminder of a question never asked.
    expect((await t.membership(ms.id)).timers.map((x: { kind: string }) => x.kind)).not.toContain('notice_reminder');
  });

  it('R-MNY-4, R-NOT-5: a membership cancelled before its approved, paid renewal starts gets no renewed term; the renewal invoice is voided with its money given back, and the notice is closed', async () => {
    const { plan } = await club();
    const { ms, email } = await join(plan.id, 'Yann');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);
    const approved = await t.ok('POST', `/api/renewals/${notice.id}/approve`);
    await t.ok('POST', `/api/invoices/${approved.invoiceId}/pay`, { method: 'cheque', reference: '12' });

    const cancelled = await t.ok('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-02' });
    expect(cancelled).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-02-14' });
    const invoice = await t.ok('GET', `/api/invoices/${approved.invoiceId}`);
    expect(invoice).toMatchObject({ status: 'void', credit: { refund: true } });
    const closed = await noticeOf(ms.id);
    expect(closed).toMatchObject({ status: 'refused', refusal: { reasonId: null, label: 'the membership ends on 2027-02-14' } });
    expect(await onBoard('active', notice.id)).toBe(false);
    const record = await t.membership(ms.id);
    expect(record.terms.find((x: { seq: number }) => x.seq === 2)).toMatchObject({ status: 'voided' });

    await t.setClock(AFTER_TERM_END);
    await t.settle();
    const ended = await t.membership(ms.id);
    expect(ended).toMatchObject({ status: 'terminated', currentTerm: { seq: 1 } });
    // No refusal e-mail: the member was told of the cancellation itself.
    expect((await templates(email)).some((x) => /will not be renewed/.test(x))).toBe(false);
  });

  it('R-NOT-6, R-REN-5: a flagged auto-renew member gets no renewal invoice at the notice time; the notice waits on the intervention board; cleared, the invoice goes out', async () => {
    const { plan } = await club();
    const { member, ms, email } = await join(plan.id, 'Rita', { autoRenew: true });
    await t.ok('PATCH', `/api/members/${member.id}`, { intervention: { required: true, reason: 'Disputed last invoice' } });
    const mailsBefore = (await t.emails(email)).length;
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const held = await noticeOf(ms.id);
    expect(held).toMatchObject({ status: 'intervention_required', invoiceId: null, mode: 'invoice' });
    expect((await t.emails(email)).length).toBe(mailsBefore);
    expect(await onBoard('intervention', held.id)).toBe(true);
    expect((await t.api('POST', `/api/renewals/${held.id}/remind`)).status).toBe(409);

    await t.ok('PATCH', `/api/members/${member.id}`, { intervention: { required: false } });
    const released = await noticeOf(ms.id);
    expect(released).toMatchObject({ status: 'approved', mode: 'invoice', approved: { by: { type: 'system' } } });
    expect(await onBoard('intervention', held.id)).toBe(false);
    expect((await last(email, /your invoice for CA\$500\.00/)).text).toContain(released.invoiceId);
  });

  it('R-NOT-6: flagging a member whose notice is out shows it as intervention_required and holds its reminder; clearing returns it to sent', async () => {
    const { plan } = await club();
    const { member, ms } = await join(plan.id, 'Sam');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    expect((await noticeOf(ms.id)).status).toBe('sent');
    await t.ok('PATCH', `/api/members/${member.id}`, { intervention: { required: true, reason: 'Asked for a call' } });
    expect((await noticeOf(ms.id)).status).toBe('intervention_required');
    expect((await t.membership(ms.id)).timers.map((x: { kind: string }) => x.kind)).not.toContain('notice_reminder');
    await t.ok('PATCH', `/api/members/${member.id}`, { intervention: { required: false } });
    expect((await noticeOf(ms.id)).status).toBe('sent');
    expect((await t.membership(ms.id)).timers.map((x: { kind: string }) => x.kind)).toContain('notice_reminder');
  });

  it('R-NOT-8, R-NOT-9: one automatic reminder after remindAfterDays; staff can send more; the time-based boards follow the sent instant', async () => {
    const { plan } = await club();
    const { ms, email } = await join(plan.id, 'Tina');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);
    const noticeMails = async () => (await t.emails(email)).filter((e) => /renewal notice/.test(e.subject));
    expect(await noticeMails()).toHaveLength(1);
    expect(await onBoard('to-remind', notice.id)).toBe(false);

    // The automatic reminder goes 3 days on; "to remind" lists what is still unanswered 3 days after the last contact.
    await t.setClock('2027-02-07T13:59:00Z');
    expect(await onBoard('to-remind', notice.id)).toBe(false);
    await t.setClock('2027-02-07T15:00:00Z');
    await t.settle();
    const afterAuto = await noticeMails();
    expect(afterAuto.map((e) => /reminder/.test(e.subject))).toEqual([false, true]);
    expect(afterAuto[1]!.at).toBe('2027-02-07T14:00:00.000Z');
    expect(await onBoard('to-remind', notice.id)).toBe(false);
    expect(await onBoard('unanswered-7d', notice.id)).toBe(false);
    await t.setClock('2027-02-10T14:00:00Z');
    expect((await board('to-remind')).find((n) => n.id === notice.id)).toMatchObject({ memberName: 'Tina', membershipId: ms.id, status: 'sent', sentAt: NOTICE_AT, reminders: 1 });

    // Only one automatic reminder; 7 days after sending it is on the unanswered-7d board.
    await t.setClock('2027-02-11T15:00:00Z');
    await t.settle();
    expect(await noticeMails()).toHaveLength(2);
    expect(await onBoard('unanswered-7d', notice.id)).toBe(true);
    expect(await onBoard('unanswered-6m', notice.id)).toBe(false);
    expect(await onBoard('to-remind', notice.id)).toBe(true);

    const reminded = await t.ok('POST', `/api/renewals/${notice.id}/remind`);
    expect(reminded.reminders).toBe(2);
    expect(await noticeMails()).toHaveLength(3);
    expect(await onBoard('to-remind', notice.id)).toBe(false);
    // The fresh link in the staff reminder answers the notice.
    const link = new URL(linkIn((await noticeMails()).at(-1)!)).pathname;
    expect((await t.post(link, 'action=accept')).status).toBe(200);
    expect((await noticeOf(ms.id)).status).toBe('approved');
  });

  it('R-NOT-8: an unanswered notice lets the membership expire at its term end; six months on it is on the unanswered-6m board until staff refuse it', async () => {
    const { plan } = await club();
    const { ms, email } = await join(plan.id, 'Ugo');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const notice = await noticeOf(ms.id);
    const link = new URL(linkIn(await last(email, /renewal notice/))).pathname;
    await t.setClock(AFTER_TERM_END);
    await t.settle();
    expect((await t.membership(ms.id)).status).toBe('terminated');
    // Too late to answer from the link; staff cannot approve it either.
    expect((await t.request('GET', link)).status).toBe(409);
    expect((await t.api('POST', `/api/renewals/${notice.id}/approve`)).status).toBe(409);
    await t.setClock('2027-08-10T15:00:00Z');
    expect(await onBoard('unanswered-6m', notice.id)).toBe(true);
    const reason = await t.ok('POST', '/api/refusal-reasons', { label: 'No answer' });
    await t.ok('POST', `/api/renewals/${notice.id}/refuse`, { reasonId: reason.id });
    expect(await onBoard('unanswered-6m', notice.id)).toBe(false);
    expect((await templates(email)).some((s) => /will not be renewed/.test(s))).toBe(false);
  });

  it('R-NOT-3: bulk approve and refuse, with valid, repeated, refused and unknown ids: one result per id, each idempotent', async () => {
    const { plan } = await club();
    const a = await join(plan.id, 'Vera');
    const b = await join(plan.id, 'Will');
    const c = await join(plan.id, 'Xena');
    await t.setClock(AFTER_NOTICE);
    await t.settle();
    const [na, nb, nc] = await Promise.all([noticeOf(a.ms.id), noticeOf(b.ms.id), noticeOf(c.ms.id)]);
    const reason = await t.ok('POST', '/api/refusal-reasons', { label: 'Closed business' });
    await t.ok('POST', `/api/renewals/${nc.id}/refuse`, { reasonId: reason.id });
    const ghost = 'ntc_7ZZZZZZZZZZZZZZZZZZZZZZZZZ';

    const tooMany = await t.api('POST', '/api/renewals/bulk', { action: 'approve', ids: Array.from({ length: 101 }, () => ghost) });
    expect(tooMany.status).toBe(400);
    expect((await t.api('POST', '/api/renewals/bulk', { action: 'refuse', ids: [na.id] })).status).toBe(400);

    const first = await t.ok('POST', '/api/renewals/bulk', { action: 'approve', ids: [na.id, nb.id, na.id, nc.id, ghost] });
    expect(first.results).toEqual([
      { id: na.id, ok: true, status: 'approved', changed: true },
      { id: nb.id, ok: true, status: 'approved', changed: true },
      { id: nc.id, ok: false, error: { code: 'notice_refused', message: expect.stringContaining('refused') } },
      { id: ghost, ok: false, error: { code: 'not_found', message: expect.any(String) } },
    ]);
    const second = await t.ok('POST', '/api/renewals/bulk', { action: 'approve', ids: [na.id, nb.id] });
    expect(second.results.map((r: { changed: boolean }) => r.changed)).toEqual([false, false]);
    // One invoice each, whatever was sent twice.
    for (const m of [a, b]) {
      expect((await t.emails(m.email)).filter((e) => /your invoice for CA\$500\.00/.test(e.subject))).toHaveLength(1);
    }
    // Refusing an approved, unpaid renewal withdraws its invoice.
    const invoiceOfA = (await noticeOf(a.ms.id)).invoiceId;
    const refused = await t.ok('POST', '/api/renewals/bulk', { action: 'refuse', ids: [na.id], reasonId: reason.id });
    expect(refused.results).toEqual([{ id: na.id, ok: true, status: 'refused', changed: true }]);
    expect((await t.ok('GET', `/api/invoices/${invoiceOfA}`)).status).toBe('void');
  });
});
