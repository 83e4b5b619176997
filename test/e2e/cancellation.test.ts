import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Email, linkIn, type Reply, SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Cancellation end to end (SPEC §3, R-CAN-1…8), over HTTP and the local clock only. Each flow
 * has its own local cloud, so each has its own clock starting on Friday 2027-01-15 at 10:00 in
 * America/Toronto (UTC−5 until 2027-03-14, UTC−4 after: local midnight is 05:00Z in winter and
 * 04:00Z from April). The organisation's locale is `en`; e-mails are recognised by the subjects
 * and wording of templates/emails/i18n/en.ts.
 *
 * Every membership starts on 2027-01-15 at 25.00 CAD a month with a Visa card on file, so a
 * fixed-day-1 plan charges 13.71 for Jan 15–31 (17 of 31 days), then 25.00 on each 1st; a
 * purchase-date plan charges 25.00 on each 15th.
 */
const START = '2027-01-15T15:00:00Z';
const ORG = SETTINGS.name;
const STAFF = SETTINGS.mainContactEmail;
const PRICE = { amount: 2500, currency: 'CAD' };
const FIRST_MONTH_PRORATED = 1371;

const SUBJECT = {
  cancelledByAdmin: `${ORG}: your membership has been cancelled`,
  cancellationConfirmed: `${ORG}: your membership cancellation is confirmed`,
  memberCancelledToStaff: (name: string) => `${ORG}: ${name} cancelled their membership`,
  requestToStaff: (name: string) => `${ORG}: cancellation request from ${name}`,
  requestReceived: `${ORG}: we received your cancellation request`,
  requestAccepted: `${ORG}: your cancellation request was accepted`,
  requestDeclined: `${ORG}: your cancellation request was declined`,
  voided: (invoiceId: string) => `${ORG}: your membership and invoice ${invoiceId} were voided`,
  renewsOn: (date: string) => `${ORG}: your membership renews on ${date}`,
  paymentFailed: `${ORG}: we could not charge your card for your membership`,
  paymentFailedToStaff: (name: string) => `${ORG}: an automatic payment from ${name} failed`,
};

type Plan = { anchor: { type: 'fixedDay'; day: number } | { type: 'purchaseDate' }; memberMode?: 'immediate' | 'request'; reminderDays?: number[] };
interface Joined {
  id: string;
  memberId: string;
  email: string;
  name: string;
}
interface Invoice {
  id: string;
  status: string;
  amount: { amount: number; currency: string };
  periodStart: string;
  periodEnd: string | null;
}

async function openCloud(): Promise<TestCloud> {
  const t = await TestCloud.start({ at: START });
  await t.ok('PUT', '/api/settings', SETTINGS);
  return t;
}

/** A 12-month monthly plan that renews automatically (a Quebec 12-month plan needs a renewal option, R-REN-8). */
async function createPlan(t: TestCloud, name: string, p: Plan): Promise<string> {
  const plan = await t.ok('POST', '/api/plans', {
    name,
    price: PRICE,
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: p.anchor },
    renewal: { policy: 'automatic', reminderDays: p.reminderDays ?? [30] },
    cancellation: { memberMode: p.memberMode ?? 'immediate' },
  });
  return plan.id;
}

async function join(t: TestCloud, key: string, planId: string, card = 'pm_card_visa'): Promise<Joined> {
  const name = `Member ${key}`;
  const email = `${key}@example.org`;
  const member = await t.ok('POST', '/api/members', { name, email, locale: 'en', communicationsOptIn: true, paymentMethod: { token: card } });
  const membership = await t.ok('POST', '/api/memberships', { memberId: member.id, planId });
  return { id: membership.id, memberId: member.id, email, name };
}

const read = (t: TestCloud, id: string) => t.membership(id);

/** The invoices of a membership as `periodStart..periodEnd amount status`, in period order. */
function invoiceLines(m: { invoices: Invoice[] }): string[] {
  return [...m.invoices]
    .sort((a, b) => (a.periodStart < b.periodStart ? -1 : 1))
    .map((i) => `${i.periodStart}..${i.periodEnd} ${i.amount.amount} ${i.amount.currency} ${i.status}`);
}

/** The amounts the simulated gateway charged to a member, oldest first. */
async function chargedTo(t: TestCloud, memberId: string): Promise<number[]> {
  const { items } = (await t.request('GET', '/_local/payments')).body as { items: { memberId: string; amount: { amount: number }; result: { status: string } }[] };
  return items.filter((c) => c.memberId === memberId && c.result.status === 'succeeded').map((c) => c.amount.amount);
}

async function refunds(t: TestCloud): Promise<{ idempotencyKey: string; chargeReference: string; amount: { amount: number; currency: string }; metadata: { invoiceId: string }; result: { status: string; reference: string } }[]> {
  return (await t.request('GET', '/_local/payments')).body.refunds;
}

// The card-expiry notices (R-DUN-7) of the cards saved here are years away: these tests are about the rest.
const timersOf = (m: { timers: { kind: string; at: string }[] }) => m.timers.filter((x) => x.kind !== 'card_expiry').map((x) => `${x.kind}@${x.at}`);

/**
 * Everything a refused request must leave as it was: the membership's version (ETag), its
 * state and dates, its invoices and timers, and the e-mails sent by the whole cloud.
 */
async function snapshot(t: TestCloud, id: string) {
  const reply = await t.api('GET', `/api/memberships/${id}`);
  const m = reply.body;
  return {
    etag: reply.headers.get('etag'),
    status: m.status,
    terminationDate: m.terminationDate,
    nextBillingDate: m.nextBillingDate,
    cancellation: m.cancellation,
    invoices: (m.invoices as Invoice[]).map((i) => `${i.id} ${i.status}`).sort(),
    timers: m.timers,
    emails: (await t.emails()).length,
  };
}

function expectError(reply: Reply, status: number, code: string): void {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
}

/** The signed link of an e-mail, as a path on the local cloud. */
const pathOf = (email: Email) => new URL(linkIn(email)).pathname;
const postForm = (t: TestCloud, path: string, form: Record<string, string>) =>
  t.request('POST', path, new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

describe('admin cancellation for a month (R-CAN-1, R-CAN-2, R-CAN-4)', () => {
  let t: TestCloud;
  let fixed: Joined;
  let anniversary: Joined;

  beforeAll(async () => {
    t = await openCloud();
    fixed = await join(t, 'fixed', await createPlan(t, 'Monthly, billed on the 1st', { anchor: { type: 'fixedDay', day: 1 } }));
    anniversary = await join(t, 'anniversary', await createPlan(t, 'Monthly, billed on the purchase date', { anchor: { type: 'purchaseDate' } }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-2, R-CAN-4: fixed day 1, cancel in June → access to May 31, last invoice May 1; the account owner is told both dates', async () => {
    const before = await t.api('GET', `/api/memberships/${fixed.id}`);

    const reply = await t.api('POST', `/api/memberships/${fixed.id}/cancel`, { month: '2027-06' });

    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(reply.body).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-05-31', nextBillingDate: '2027-02-01', cancellation: { by: 'admin', month: '2027-06' } });
    expect(timersOf(reply.body)).toEqual(['billing@2027-02-01T05:00:00.000Z', 'termination@2027-06-01T04:00:00.000Z']);
    expect(reply.body.timeline.map((e: { type: string }) => e.type)).toContain('cancellation_scheduled');
    // R-MNY-6: the decision wrote the e-mail in its transaction; the mail worker sent it after.
    expect(reply.body).not.toHaveProperty('emails');
    expect((await read(t, fixed.id)).emails).toEqual([expect.objectContaining({ template: 'cancellation_by_admin', to: [fixed.email], status: 'sent' })]);
    const mails = await t.emails(fixed.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: [fixed.email], subject: SUBJECT.cancelledByAdmin, at: '2027-01-15T15:00:00.000Z', from: '"Sophie Gagnon" <sophie@club.example>', replyTo: ['membres@club.example'] });
    expect(mails[0]!.text).toContain('You keep access until May 31, 2027');
    expect(mails[0]!.text).toContain('You will be billed one last time on May 1, 2027; nothing will be billed after that.');
    expect(await t.emails(STAFF)).toEqual([]);
  });

  it('R-CAN-2, R-CAN-4: purchase-date billing, cancel in June → access to June 14, the day before the June 15 billing date; last invoice May 15', async () => {
    const m = await t.ok('POST', `/api/memberships/${anniversary.id}/cancel`, { month: '2027-06' });

    expect(m).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-06-14', nextBillingDate: '2027-02-15' });
    expect(timersOf(m)).toEqual(['billing@2027-02-15T05:00:00.000Z', 'termination@2027-06-15T04:00:00.000Z']);
    const [mail, ...more] = await t.emails(anniversary.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ to: [anniversary.email], subject: SUBJECT.cancelledByAdmin });
    expect(mail!.text).toContain('You keep access until June 14, 2027');
    expect(mail!.text).toContain('You will be billed one last time on May 15, 2027');
  });

  it('R-CAN-1: the fixed-day membership is still billed through May and stays cancel_scheduled until the end of May 31', async () => {
    await t.setClock('2027-06-01T03:59:00Z');

    const m = await read(t, fixed.id);
    expect(m.status).toBe('cancel_scheduled');
    expect(invoiceLines(m)).toEqual([
      `2027-01-15..2027-01-31 ${FIRST_MONTH_PRORATED} CAD paid`,
      '2027-02-01..2027-02-28 2500 CAD paid',
      '2027-03-01..2027-03-31 2500 CAD paid',
      '2027-04-01..2027-04-30 2500 CAD paid',
      '2027-05-01..2027-05-31 2500 CAD paid',
    ]);
    expect(timersOf(m)).toEqual(['termination@2027-06-01T04:00:00.000Z']);
  });

  it('R-CAN-1: terminated at the start of June 1, before anything of that day is billed; no June invoice or charge; still in the member\'s history', async () => {
    await t.setClock('2027-06-02T12:00:00Z');

    const m = await read(t, fixed.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-05-31' });
    expect(m.timers).toEqual([]);
    expect(m.terms).toEqual([expect.objectContaining({ seq: 1, status: 'ended' })]);
    expect(m.timeline.find((e: { type: string }) => e.type === 'membership_terminated')).toMatchObject({ at: '2027-06-01T04:00:00.000Z' });
    expect(m.invoices.map((i: Invoice) => i.periodStart)).not.toContain('2027-06-01');
    expect(await chargedTo(t, fixed.memberId)).toEqual([FIRST_MONTH_PRORATED, 2500, 2500, 2500, 2500]);
    const history = await t.ok('GET', `/api/members/${fixed.memberId}/memberships`);
    expect(history.items.map((x: { id: string; status: string }) => `${x.id} ${x.status}`)).toEqual([`${fixed.id} terminated`]);
    expect((await t.emails(fixed.email)).map((e) => e.subject)).toEqual([SUBJECT.cancelledByAdmin]);
  });

  it('R-CAN-1: the purchase-date membership is billed on May 15 for the last time and terminated at the start of June 15', async () => {
    await t.setClock('2027-06-15T03:59:00Z');
    expect((await read(t, anniversary.id)).status).toBe('cancel_scheduled');

    await t.setClock('2027-06-16T12:00:00Z');

    const m = await read(t, anniversary.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-06-14' });
    expect(m.timers).toEqual([]);
    expect(invoiceLines(m)).toEqual([
      '2027-01-15..2027-02-14 2500 CAD paid',
      '2027-02-15..2027-03-14 2500 CAD paid',
      '2027-03-15..2027-04-14 2500 CAD paid',
      '2027-04-15..2027-05-14 2500 CAD paid',
      '2027-05-15..2027-06-14 2500 CAD paid',
    ]);
    expect(await chargedTo(t, anniversary.memberId)).toEqual([2500, 2500, 2500, 2500, 2500]);
    expect((await t.emails(anniversary.email)).map((e) => e.subject)).toEqual([SUBJECT.cancelledByAdmin]);
  });

  it('R-CAN-1: a terminated membership cannot be cancelled again (409) and nothing changes', async () => {
    const before = await snapshot(t, fixed.id);

    const reply = await t.api('POST', `/api/memberships/${fixed.id}/cancel`, { month: '2027-07' });

    // R-MNY-7: the status table refuses it, naming the status.
    expectError(reply, 409, 'transition_refused');
    expect(reply.body.error.message).toContain('is terminated');
    expect(reply.body.error.message).toContain('terminated');
    expect(await snapshot(t, fixed.id)).toEqual(before);
  });
});

describe('moving an admin cancellation (R-CAN-3)', () => {
  let t: TestCloud;
  let ms: Joined;

  beforeAll(async () => {
    t = await openCloud();
    ms = await join(t, 'mover', await createPlan(t, 'Monthly, billed on the 1st', { anchor: { type: 'fixedDay', day: 1 } }));
    await t.ok('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-09' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-2, R-CAN-3: GET …/cancel?month= previews what the POST would do (the console confirms it first) and changes nothing', async () => {
    const before = await snapshot(t, ms.id);
    const preview = await t.ok('GET', `/api/memberships/${ms.id}/cancel?month=2027-07`);
    expect(preview).toEqual({ month: '2027-07', terminationDate: '2027-06-30', lastBillingDate: '2027-06-01', previousTerminationDate: '2027-08-31', unchanged: false });
    expect((await t.ok('GET', `/api/memberships/${ms.id}/cancel?month=2027-09`)).unchanged).toBe(true);
    const later = await t.api('GET', `/api/memberships/${ms.id}/cancel?month=2027-10`);
    expectError(later, 409, 'cancellation_date_locked');
    expect((await t.api('GET', `/api/memberships/${ms.id}/cancel?month=July`)).status).toBe(400);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-3: moving the cancellation earlier (September → July) works and the account owner gets the new dates', async () => {
    expect((await read(t, ms.id)).terminationDate).toBe('2027-08-31');

    const m = await t.ok('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-07' });

    expect(m).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-06-30', cancellation: { by: 'admin', month: '2027-07' } });
    expect(timersOf(m)).toEqual(['billing@2027-02-01T05:00:00.000Z', 'termination@2027-07-01T04:00:00.000Z']);
    expect(m.timeline.find((e: { type: string }) => e.type === 'cancellation_moved_earlier')).toMatchObject({
      data: { month: '2027-07', terminationDate: '2027-06-30', previous: '2027-08-31' },
    });
    const mails = await t.emails(ms.email);
    expect(mails.map((e) => e.subject)).toEqual([SUBJECT.cancelledByAdmin, SUBJECT.cancelledByAdmin]);
    expect(mails[0]!.text).toContain('You keep access until August 31, 2027');
    expect(mails[1]!.text).toContain('You keep access until June 30, 2027');
    expect(mails[1]!.text).toContain('You will be billed one last time on June 1, 2027');
  });

  it('R-CAN-3: moving it later (July → August) is refused with 409 naming R-CAN-3, and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-08' });

    expectError(reply, 409, 'cancellation_date_locked');
    expect(reply.body.error.message).toMatch(/^R-CAN-3: .*2027-06-30.*only be moved earlier/);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'month', rule: 'R-CAN-3' })]);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-3: clearing it (month null) is refused with 409 naming R-CAN-3, and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month: null });

    expectError(reply, 409, 'cancellation_date_locked');
    expect(reply.body.error.message).toMatch(/^R-CAN-3: .*2027-06-30 cannot be removed/);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ rule: 'R-CAN-3' })]);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-3: asking again for the same month changes nothing and sends no second notice', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-07' });

    expect(reply.status).toBe(200);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-1: terminates at the start of July 1 on the moved date; the last invoice is June 1', async () => {
    await t.setClock('2027-07-02T12:00:00Z');

    const m = await read(t, ms.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-06-30' });
    expect(m.invoices.map((i: Invoice) => i.periodStart).sort()).toEqual(['2027-01-15', '2027-02-01', '2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01']);
    expect(await chargedTo(t, ms.memberId)).toEqual([FIRST_MONTH_PRORATED, 2500, 2500, 2500, 2500, 2500]);
  });
});

describe('admin cancellation refused on bad input (R-CAN-2, R-CAN-5)', () => {
  let t: TestCloud;
  let ms: Joined;

  beforeAll(async () => {
    t = await openCloud();
    ms = await join(t, 'refused', await createPlan(t, 'Monthly, billed on the 1st', { anchor: { type: 'fixedDay', day: 1 } }));
    await t.setClock('2027-03-10T15:00:00Z');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([['2027-6'], ['June 2027'], ['2027-13'], ['2027-06-01'], [202706]])('refuses the month %j as malformed (400) and changes nothing', async (month) => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month });

    expectError(reply, 400, 'validation_failed');
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'month' })]);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('refuses a body that is not JSON or has no month (400) and changes nothing', async () => {
    const before = await snapshot(t, ms.id);

    const notJson = await t.api('POST', `/api/memberships/${ms.id}/cancel`, '{"month": ');
    const noMonth = await t.api('POST', `/api/memberships/${ms.id}/cancel`, {});

    expectError(notJson, 400, 'validation_failed');
    expectError(noMonth, 400, 'validation_failed');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-2: refuses a month in the past with a 422 naming the rule, and changes nothing', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-02' });

    expectError(reply, 422, 'rule_violation');
    expect(reply.body.error.message).toBe('R-CAN-2: 2027-02 is in the past; pick 2027-03 or later');
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'month', rule: 'R-CAN-2' })]);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-2: refuses the current month once its billing date (March 1) has passed (422), and changes nothing', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-03' });

    expectError(reply, 422, 'rule_violation');
    expect(reply.body.error.message).toMatch(/^R-CAN-2: .*2027-03-01.* has passed/);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-5: confirming or declining when no member request is pending is refused (409), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const confirm = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-04-01' });
    const decline = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/decline`, { reason: 'No.' });
    const declineEmpty = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/decline`);

    expectError(confirm, 409, 'no_cancellation_request');
    expectError(decline, 409, 'no_cancellation_request');
    expectError(declineEmpty, 409, 'no_cancellation_request');
    expect(confirm.body.error.message).toContain('no cancellation request');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('answers 404 for a membership that does not exist', async () => {
    const reply = await t.api('POST', '/api/memberships/ms_01ABCDEFGHJKMNPQRSTVWXYZ00/cancel', { month: '2027-06' });

    expectError(reply, 404, 'not_found');
  });

  it('after all the refusals the membership is exactly as before: active, billed on each 1st, no e-mail', async () => {
    const m = await read(t, ms.id);

    expect(m).toMatchObject({ status: 'active', terminationDate: null, cancellation: null, nextBillingDate: '2027-04-01' });
    expect(m.invoices).toHaveLength(3);
    expect(await t.emails()).toEqual([]);
  });
});

describe('admin cancellation of a membership bought ahead of its start (R-CAN-1, R-CAN-2)', () => {
  let t: TestCloud;
  let ms: Joined;

  beforeAll(async () => {
    t = await openCloud();
    const planId = await createPlan(t, 'Monthly, billed on the 1st', { anchor: { type: 'fixedDay', day: 1 } });
    const member = await t.ok('POST', '/api/members', { name: 'Member early', email: 'early@example.org', paymentMethod: { token: 'pm_card_visa' } });
    const membership = await t.ok('POST', '/api/memberships', { memberId: member.id, planId, startDate: '2027-02-10' });
    ms = { id: membership.id, memberId: member.id, email: 'early@example.org', name: 'Member early' };
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is invoiced and charged for its first period (Feb 10–28: 19 of 28 days) when bought', async () => {
    const m = await read(t, ms.id);

    expect(m).toMatchObject({ status: 'pending', startDate: '2027-02-10', nextBillingDate: '2027-03-01' });
    expect(invoiceLines(m)).toEqual(['2027-02-10..2027-02-28 1696 CAD paid']);
  });

  it('R-CAN-1, R-CAN-2: cancelling in February, whose first billing date (Feb 10) is already invoiced, is refused (422), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-02' });

    expectError(reply, 422, 'rule_violation');
    expect(reply.body.error.message).toMatch(/^R-CAN-2: .*\(2027-02-10\) is already invoiced; pick a later month/);
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'month', rule: 'R-CAN-2' })]);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-2, R-CAN-4: cancelling in March keeps the paid period (access to Feb 28) and tells the owner nothing more will be billed', async () => {
    const m = await t.ok('POST', `/api/memberships/${ms.id}/cancel`, { month: '2027-03' });

    expect(m).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-02-28' });
    expect(timersOf(m)).toContain('termination@2027-03-01T05:00:00.000Z');
    expect(timersOf(m)).not.toContain('billing@2027-03-01T05:00:00.000Z');
    const [mail, ...more] = await t.emails(ms.email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(SUBJECT.cancelledByAdmin);
    expect(mail!.text).toContain('You keep access until February 28, 2027');
    expect(mail!.text).toContain('You will not be asked for any further payment.');
  });

  it('R-CAN-1: the membership starts on Feb 10, still scheduled to end on Feb 28', async () => {
    await t.setClock('2027-02-11T15:00:00Z');

    const started = await read(t, ms.id);
    expect(started).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-02-28' });
    // A membership cancelled before its start still starts: term 1 becomes active on Feb 10
    // and the status stays cancel_scheduled.
    expect(started.terms).toEqual([expect.objectContaining({ seq: 1, status: 'active' })]);
    expect(started.timeline.map((e: { type: string }) => e.type)).toContain('membership_activated');
  });

  it('R-CAN-1: terminates at the start of March 1, with no March invoice or charge', async () => {
    await t.setClock('2027-03-02T15:00:00Z');

    const m = await read(t, ms.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-02-28' });
    expect(invoiceLines(m)).toEqual(['2027-02-10..2027-02-28 1696 CAD paid']);
    expect(await chargedTo(t, ms.memberId)).toEqual([1696]);
  });
});

describe('member cancellation from the signed link of an automatic-renewal reminder (R-CAN-5 immediate, R-CAN-7)', () => {
  let t: TestCloud;
  let ms: Joined;
  let reminder: Email;

  beforeAll(async () => {
    t = await openCloud();
    // Term 2027-01-15 → 2028-01-14; a reminder 300 days before its end arrives on 2027-03-20 at 09:00 (13:00Z).
    ms = await join(t, 'leaver', await createPlan(t, 'Monthly, cancel at once', { anchor: { type: 'fixedDay', day: 1 }, reminderDays: [300] }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-REN-3: the reminder reaches the account owner at 09:00 on 2027-03-20 with a signed cancel link', async () => {
    await t.setClock('2027-03-20T13:00:30Z');

    const mails = await t.emails(ms.email);
    expect(mails).toHaveLength(1);
    reminder = mails[0]!;
    expect(reminder).toMatchObject({ to: [ms.email], subject: SUBJECT.renewsOn('January 15, 2028'), at: '2027-03-20T13:00:00.000Z' });
    expect(reminder.html).toContain('Cancel my membership');
    expect(pathOf(reminder)).toMatch(/^\/l\/v1\./);
  });

  it('R-LNK-2: opening the link shows what cancelling means (access to March 31) and changes nothing', async () => {
    const before = await snapshot(t, ms.id);

    const page = await t.request('GET', pathOf(reminder));

    expect(page.status).toBe(200);
    expect(page.body).toContain('Cancel your membership');
    expect(page.body).toContain('March 31, 2027');
    expect(page.body).toContain('<form method="post"');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-5, R-CAN-7: confirming cancels at once: no further charge, access to the billing eve March 31; the member and the organisation are e-mailed', async () => {
    const done = await postForm(t, pathOf(reminder), { purpose: 'cancel', reason: 'Moving to Québec City' });

    expect(done.status).toBe(200);
    expect(done.body).toContain('Your membership is cancelled');
    expect(done.body).toContain('March 31, 2027');
    const m = await read(t, ms.id);
    expect(m).toMatchObject({
      status: 'cancel_scheduled',
      terminationDate: '2027-03-31',
      cancellation: { by: 'member', reason: 'Moving to Québec City', decision: 'scheduled' },
    });
    expect(timersOf(m)).toEqual(['termination@2027-04-01T04:00:00.000Z']);
    expect(m.timeline.find((e: { type: string }) => e.type === 'cancelled_by_member')).toMatchObject({ actor: { type: 'member', id: ms.memberId } });
    expect(m.emails.map((e: { template: string; to: string[] }) => `${e.template} → ${e.to.join()}`).sort()).toEqual([
      `cancellation_confirmed_member → ${ms.email}`,
      `cancellation_notice_org → ${STAFF}`,
      `reminder_automatic → ${ms.email}`,
    ]);

    const toMember = await t.emails(ms.email);
    expect(toMember.map((e) => e.subject)).toEqual([SUBJECT.renewsOn('January 15, 2028'), SUBJECT.cancellationConfirmed]);
    expect(toMember[1]!.text).toContain('You keep access until March 31, 2027 (inclusive), and you will not be charged again.');
    const toStaff = await t.emails(STAFF);
    expect(toStaff).toHaveLength(1);
    expect(toStaff[0]).toMatchObject({ to: [STAFF], subject: SUBJECT.memberCancelledToStaff(ms.name), at: '2027-03-20T13:00:30.000Z' });
    expect(toStaff[0]!.text).toContain(`(${ms.email}) cancelled their “Monthly, cancel at once” membership`);
    expect(toStaff[0]!.text).toContain('Access ends on March 31, 2027');
    expect(toStaff[0]!.text).toContain(`/console/#/memberships/${ms.id}`);
  });

  it('R-LNK-3: the used link cannot cancel again (409 page) and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const replay = await postForm(t, pathOf(reminder), { purpose: 'cancel' });

    expect(replay.status).toBe(409);
    expect(replay.body).toContain('This link has already been used');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-1: terminated at the start of April 1 with no April invoice; the invoices stop at March', async () => {
    await t.setClock('2027-04-01T03:59:00Z');
    expect((await read(t, ms.id)).status).toBe('cancel_scheduled');

    await t.setClock('2027-04-02T12:00:00Z');

    const m = await read(t, ms.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-03-31' });
    expect(m.timers).toEqual([]);
    expect(invoiceLines(m)).toEqual([
      `2027-01-15..2027-01-31 ${FIRST_MONTH_PRORATED} CAD paid`,
      '2027-02-01..2027-02-28 2500 CAD paid',
      '2027-03-01..2027-03-31 2500 CAD paid',
    ]);
    expect(await chargedTo(t, ms.memberId)).toEqual([FIRST_MONTH_PRORATED, 2500, 2500]);
    expect((await t.emails(ms.email)).map((e) => e.subject)).toEqual([SUBJECT.renewsOn('January 15, 2028'), SUBJECT.cancellationConfirmed]);
  });
});

describe('member cancellation request, confirmed by an admin (R-CAN-5 request, R-CAN-7, R-CAN-8)', () => {
  let t: TestCloud;
  let ms: Joined;
  let reminder: Email;

  beforeAll(async () => {
    t = await openCloud();
    ms = await join(t, 'asker', await createPlan(t, 'Monthly, cancel on request', { anchor: { type: 'fixedDay', day: 1 }, memberMode: 'request', reminderDays: [300] }));
    await t.setClock('2027-03-20T13:00:30Z');
    [reminder] = (await t.emails(ms.email)) as [Email];
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-LNK-2: the link page offers to send a request and changes nothing', async () => {
    const before = await snapshot(t, ms.id);

    const page = await t.request('GET', pathOf(reminder));

    expect(page.status).toBe(200);
    expect(page.body).toContain('Request to cancel your membership');
    expect(page.body).toContain('Send my request');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-5, R-CAN-7, R-MNY-7: sending the request sets cancellation_requested, notifies the main contact and acknowledges to the member; the next charge and the renewal are held', async () => {
    const done = await postForm(t, pathOf(reminder), { purpose: 'cancel', reason: 'Too far from home' });

    expect(done.status).toBe(200);
    expect(done.body).toContain('Your request was sent');
    const m = await read(t, ms.id);
    expect(m).toMatchObject({
      status: 'cancellation_requested',
      terminationDate: null,
      nextBillingDate: '2027-04-01',
      cancellation: { by: 'member', reason: 'Too far from home', decision: null, previousStatus: 'active' },
    });
    // R-MNY-7: a pending request holds the next-period charge and the renewal until staff answer.
    expect(timersOf(m)).toEqual([]);
    const toStaff = await t.emails(STAFF);
    expect(toStaff.map((e) => e.subject)).toEqual([SUBJECT.requestToStaff(ms.name)]);
    expect(toStaff[0]!.text).toContain(`(${ms.email}) asked to cancel their “Monthly, cancel on request” membership. The request was received on March 20, 2027.`);
    expect(m.emails.map((e: { template: string; to: string[] }) => `${e.template} → ${e.to.join()}`).sort()).toEqual([
      `cancellation_request_org → ${STAFF}`,
      `cancellation_request_received → ${ms.email}`,
      `reminder_automatic → ${ms.email}`,
    ]);
    expect(toStaff[0]!.text).toContain(`/console/#/memberships/${ms.id}`);
    expect((await t.emails(ms.email)).map((e) => e.subject)).toEqual([SUBJECT.renewsOn('January 15, 2028'), SUBJECT.requestReceived]);
  });

  it('R-CAN-5: a final billing date that is not one of the billing dates is refused (422, naming the next one), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-04-15' });

    expectError(reply, 422, 'rule_violation');
    expect(reply.body.error.message).toBe("R-CAN-5: 2027-04-15 is not one of the membership's billing dates (the next one is 2027-05-01)");
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'finalBillingDate', rule: 'R-CAN-5' })]);
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-5: a final billing date before the current period (Feb 1 while in March) is refused (422), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-02-01' });

    expectError(reply, 422, 'rule_violation');
    expect(reply.body.error.message).toContain('2027-03-01');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('a malformed final billing date is refused (400), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-5-1' });

    expectError(reply, 400, 'validation_failed');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-MNY-7: while the request waits, the April 1 charge is held: no April invoice, nothing charged', async () => {
    await t.setClock('2027-04-02T15:00:00Z');

    const m = await read(t, ms.id);
    expect(m.status).toBe('cancellation_requested');
    expect(m.invoices.map((i: Invoice) => i.periodStart).sort()).toEqual(['2027-01-15', '2027-02-01', '2027-03-01']);
    expect(await chargedTo(t, ms.memberId)).toEqual([FIRST_MONTH_PRORATED, 2500, 2500]);
  });

  it('R-CAN-5, R-CAN-8: the admin confirms with final billing date May 1 → access to May 31; the held April charge goes at once; the account owner is told both dates, staff get nothing more', async () => {
    const m = await t.ok('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-05-01' });

    expect(m).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-05-31', cancellation: { by: 'member', decision: 'scheduled', reason: 'Too far from home' } });
    expect(timersOf(m)).toEqual(['billing@2027-04-01T04:00:00.000Z', 'termination@2027-06-01T04:00:00.000Z']);
    await t.advance('PT2M');
    expect(invoiceLines(await read(t, ms.id)).at(-1)).toBe('2027-04-01..2027-04-30 2500 CAD paid');
    const mails = await t.emails(ms.email);
    expect(mails.map((e) => e.subject)).toEqual([SUBJECT.renewsOn('January 15, 2028'), SUBJECT.requestReceived, SUBJECT.requestAccepted]);
    expect(mails[2]).toMatchObject({ to: [ms.email], at: '2027-04-02T15:00:00.000Z' });
    expect(mails[2]!.text).toContain('Your final billing date is May 1, 2027; nothing will be billed after it.');
    expect(mails[2]!.text).toContain('You keep access until May 31, 2027 (inclusive).');
    expect((await t.emails(STAFF)).map((e) => e.subject)).toEqual([SUBJECT.requestToStaff(ms.name)]);
  });

  it('R-CAN-5: once decided, the request can be neither confirmed nor declined again (409), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const confirm = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-04-01' });
    const decline = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/decline`, {});

    expectError(confirm, 409, 'no_cancellation_request');
    expectError(decline, 409, 'no_cancellation_request');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-1: billed May 1 for the last time, terminated at the start of June 1 with no June invoice', async () => {
    await t.setClock('2027-06-02T12:00:00Z');

    const m = await read(t, ms.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-05-31' });
    expect(m.timers).toEqual([]);
    expect(invoiceLines(m)).toEqual([
      `2027-01-15..2027-01-31 ${FIRST_MONTH_PRORATED} CAD paid`,
      '2027-02-01..2027-02-28 2500 CAD paid',
      '2027-03-01..2027-03-31 2500 CAD paid',
      '2027-04-01..2027-04-30 2500 CAD paid',
      '2027-05-01..2027-05-31 2500 CAD paid',
    ]);
    expect(await chargedTo(t, ms.memberId)).toEqual([FIRST_MONTH_PRORATED, 2500, 2500, 2500, 2500]);
  });
});

describe('member cancellation request, declined by an admin (R-CAN-5 request)', () => {
  let t: TestCloud;
  let ms: Joined;
  let reminder: Email;

  beforeAll(async () => {
    t = await openCloud();
    ms = await join(t, 'stayer', await createPlan(t, 'Monthly, cancel on request', { anchor: { type: 'fixedDay', day: 1 }, memberMode: 'request', reminderDays: [300] }));
    await t.setClock('2027-03-20T13:00:30Z');
    [reminder] = (await t.emails(ms.email)) as [Email];
    const sent = await postForm(t, pathOf(reminder), { purpose: 'cancel' });
    expect(sent.status).toBe(200);
    await t.setClock('2027-03-22T14:00:00Z');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-5, R-CAN-7: the request reached the main contact and was acknowledged to the member', async () => {
    expect((await read(t, ms.id)).status).toBe('cancellation_requested');
    expect((await t.emails(STAFF)).map((e) => e.subject)).toEqual([SUBJECT.requestToStaff(ms.name)]);
    expect((await t.emails(ms.email)).map((e) => e.subject)).toEqual([SUBJECT.renewsOn('January 15, 2028'), SUBJECT.requestReceived]);
  });

  it('R-CAN-5: declining returns the membership to active with no cancellation date; the member is told why', async () => {
    const reply = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/decline`, { reason: 'Your commitment runs until January 2028.' });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'active', terminationDate: null, cancellation: { decision: 'declined', decidedAt: '2027-03-22T14:00:00.000Z' } });
    expect(timersOf(reply.body)).toEqual(['billing@2027-04-01T04:00:00.000Z', 'term_end@2028-01-15T05:00:00.000Z']);
    const mails = await t.emails(ms.email);
    expect(mails.map((e) => e.subject)).toEqual([SUBJECT.renewsOn('January 15, 2028'), SUBJECT.requestReceived, SUBJECT.requestDeclined]);
    expect(mails[2]).toMatchObject({ to: [ms.email], at: '2027-03-22T14:00:00.000Z' });
    expect(mails[2]!.text).toContain('we are unable to accept your request to cancel your “Monthly, cancel on request” membership. Your membership continues as usual.');
    expect(mails[2]!.text).toContain('Your commitment runs until January 2028.');
    expect((await t.emails(STAFF)).map((e) => e.subject)).toEqual([SUBJECT.requestToStaff(ms.name)]);
  });

  it('R-CAN-5: the declined request cannot be declined or confirmed again (409), and nothing changes', async () => {
    const before = await snapshot(t, ms.id);

    const decline = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/decline`, { reason: 'Again.' });
    const confirm = await t.api('POST', `/api/memberships/${ms.id}/cancellation-request/confirm`, { finalBillingDate: '2027-04-01' });

    expectError(decline, 409, 'no_cancellation_request');
    expectError(confirm, 409, 'no_cancellation_request');
    expect(await snapshot(t, ms.id)).toEqual(before);
  });

  it('R-CAN-5: the membership goes on: billed on April 1 and May 1, still active', async () => {
    await t.setClock('2027-05-02T12:00:00Z');

    const m = await read(t, ms.id);
    expect(m).toMatchObject({ status: 'active', terminationDate: null, nextBillingDate: '2027-06-01' });
    expect(m.invoices.map((i: Invoice) => `${i.periodStart} ${i.status}`).sort()).toEqual([
      '2027-01-15 paid',
      '2027-02-01 paid',
      '2027-03-01 paid',
      '2027-04-01 paid',
      '2027-05-01 paid',
    ]);
  });
});

describe('member cancellation from a reminder a week before the term end (R-CAN-1, R-CAN-5, R-REN-3)', () => {
  let t: TestCloud;
  let ms: Joined;

  beforeAll(async () => {
    t = await openCloud();
    // A 3-month term (2027-01-15 → 2027-04-14) renewing automatically; the reminder goes 7 days
    // before its end, on 2027-04-07 at 09:00 (13:00Z), and says "cancel before April 15".
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Quarterly, billed on the 1st',
      price: PRICE,
      termMonths: 3,
      billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
      renewal: { policy: 'automatic', reminderDays: [7] },
    });
    ms = await join(t, 'quarterly', plan.id);
    await t.setClock('2027-04-07T13:00:30Z');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-5: cancelling from the link before the renewal date ends access on the billing eve, April 30', async () => {
    const [reminder] = await t.emails(ms.email);
    expect(reminder!.subject).toBe(SUBJECT.renewsOn('April 15, 2027'));

    const done = await postForm(t, pathOf(reminder!), { purpose: 'cancel' });

    expect(done.status).toBe(200);
    expect(await read(t, ms.id)).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-04-30' });
    expect((await t.emails(STAFF)).map((e) => e.subject)).toEqual([SUBJECT.memberCancelledToStaff(ms.name)]);
  });

  it('R-CAN-1, R-REN-3: the cancelled membership is not renewed at the term end and terminates at the start of May 1 with no May invoice', async () => {
    await t.setClock('2027-05-02T12:00:00Z');

    const m = await read(t, ms.id);
    expect(m).toMatchObject({ status: 'terminated', terminationDate: '2027-04-30' });
    expect(m.invoices.map((i: Invoice) => i.periodStart).sort()).toEqual(['2027-01-15', '2027-02-01', '2027-03-01', '2027-04-01']);
    // The member cancelled before the renewal date, as the reminder told them to: no renewal and
    // no renewal e-mail at the term end; term 1 is the last term, access runs to the billing eve.
    expect(m.currentTerm).toEqual({ seq: 1, start: '2027-01-15', end: '2027-04-14' });
    expect(m.terms.map((x: { seq: number }) => x.seq)).toEqual([1]);
    expect((await t.emails(ms.email)).map((e) => e.subject)).toEqual([SUBJECT.renewsOn('April 15, 2027'), SUBJECT.cancellationConfirmed]);
  });
});

describe('void from the last invoice (R-CAN-6)', () => {
  let t: TestCloud;
  let keep: Joined;
  let refund: Joined;
  let unpaid: Joined;
  let several: Joined;
  const firstInvoice = async (ms: Joined): Promise<Invoice> => (await read(t, ms.id)).invoices[0];

  beforeAll(async () => {
    t = await openCloud();
    const plan = await createPlan(t, 'Monthly, billed on the 1st', { anchor: { type: 'fixedDay', day: 1 } });
    keep = await join(t, 'void-keep', plan);
    refund = await join(t, 'void-refund', plan);
    unpaid = await join(t, 'void-unpaid', plan, 'pm_card_chargeCustomerFail');
    several = await join(t, 'void-several', plan);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-6: void without refund: the invoice is void and credited, the membership voided at once, out of the member\'s lists, timers cleared; the owner is e-mailed', async () => {
    const invoice = await firstInvoice(keep);
    expect(invoice).toMatchObject({ status: 'paid', amount: { amount: FIRST_MONTH_PRORATED, currency: 'CAD' } });

    const reply = await t.api('POST', `/api/invoices/${invoice.id}/void`, { refund: false });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: invoice.id, status: 'void', credit: { amount: { amount: FIRST_MONTH_PRORATED, currency: 'CAD' }, refund: false }, refunds: [] });
    const m = await read(t, keep.id);
    expect(m).toMatchObject({ status: 'voided', terminationDate: null });
    expect(m.timers).toEqual([]);
    expect(m.terms).toEqual([expect.objectContaining({ seq: 1, status: 'voided' })]);
    expect((await t.ok('GET', `/api/members/${keep.memberId}/memberships`)).items).toEqual([]);
    expect(await t.ok('GET', `/api/invoices/${invoice.id}`)).toMatchObject({ status: 'void', membershipId: keep.id });
    expect((await t.ok('GET', '/api/invoices?status=void')).items.map((i: Invoice) => i.id)).toEqual([invoice.id]);
    expect((await refunds(t)).filter((r) => r.metadata.invoiceId === invoice.id)).toEqual([]);
    const mails = await t.emails(keep.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: [keep.email], subject: SUBJECT.voided(invoice.id), at: '2027-01-15T15:00:00.000Z' });
    expect(mails[0]!.text).toContain('The membership ends immediately');
    expect(mails[0]!.text).toContain('No refund was issued for this invoice.');
    // Voiding notifies only the owner; staff heard only of the declined card at the purchase (R-CAN-7).
    expect((await t.emails(STAFF)).map((e) => e.subject)).toEqual([SUBJECT.paymentFailedToStaff(unpaid.name)]);
  });

  it('R-CAN-6: void with refund: the paid amount is refunded once through the gateway and the owner is told the amount', async () => {
    const invoice = await firstInvoice(refund);
    // R-CON-1: the console confirms first: GET previews the void (the amount refunded) and changes nothing.
    const before = await snapshot(t, refund.id);
    expect(await t.ok('GET', `/api/invoices/${invoice.id}/void?refund=true`)).toEqual({
      invoiceId: invoice.id,
      membershipId: refund.id,
      membershipStatus: { from: 'active', to: 'voided' },
      refund: true,
      refunded: { amount: FIRST_MONTH_PRORATED, currency: 'CAD' },
    });
    expect((await t.api('GET', `/api/invoices/${invoice.id}/void`)).status).toBe(400);
    expect(await snapshot(t, refund.id)).toEqual(before);

    const voided = await t.ok('POST', `/api/invoices/${invoice.id}/void`, { refund: true });

    // R-MNY-3: the void wrote the refund as a payment attempt; the worker made it after the commit.
    expect(voided).toMatchObject({ status: 'void', credit: { amount: { amount: FIRST_MONTH_PRORATED }, refund: true }, refunds: [{ attemptId: `${invoice.id}.r1`, status: 'requires_confirmation' }] });
    const [made, ...more] = (await refunds(t)).filter((r) => r.metadata.invoiceId === invoice.id);
    expect(more).toEqual([]);
    expect(made).toMatchObject({ idempotencyKey: `relance:e2e-club:${invoice.id}.r1`, amount: { amount: FIRST_MONTH_PRORATED, currency: 'CAD' }, result: { status: 'succeeded', reference: expect.stringMatching(/^re_/) } });
    expect(await t.ok('GET', `/api/invoices/${invoice.id}`)).toMatchObject({ refunds: [{ status: 'succeeded', reference: made!.result.reference }] });
    expect((await read(t, refund.id)).status).toBe('voided');
    const [mail, ...others] = await t.emails(refund.email);
    expect(others).toEqual([]);
    expect(mail!.subject).toBe(SUBJECT.voided(invoice.id));
    expect(mail!.text).toContain('A refund of CA$13.71 has been issued to your payment method.');
  });

  it('R-CAN-6: voiding the same invoice twice is refused (409): no second refund, no e-mail, nothing changes', async () => {
    const invoice = await firstInvoice(refund);
    const before = await snapshot(t, refund.id);
    const refundsBefore = await refunds(t);

    const reply = await t.api('POST', `/api/invoices/${invoice.id}/void`, { refund: true });

    expectError(reply, 409, 'invoice_already_void');
    expect(await snapshot(t, refund.id)).toEqual(before);
    expect(await refunds(t)).toEqual(refundsBefore);
  });

  it('R-CAN-6: refunding an unpaid invoice is refused (422), and nothing changes', async () => {
    const invoice = await firstInvoice(unpaid);
    expect(invoice.status).toBe('open');
    const before = await snapshot(t, unpaid.id);

    const reply = await t.api('POST', `/api/invoices/${invoice.id}/void`, { refund: true });

    expectError(reply, 422, 'nothing_to_refund');
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'refund' })]);
    expect(await snapshot(t, unpaid.id)).toEqual(before);
  });

  it('R-CAN-6: an unpaid invoice can be voided without refund; the owner is told no refund was issued', async () => {
    const invoice = await firstInvoice(unpaid);

    await t.ok('POST', `/api/invoices/${invoice.id}/void`, { refund: false });

    expect(await read(t, unpaid.id)).toMatchObject({ status: 'voided', timers: [] });
    // R-CAN-8: the owner heard of the declined card at the purchase, then of the void.
    expect((await t.emails(unpaid.email)).map((e) => e.subject)).toEqual([SUBJECT.paymentFailed, SUBJECT.voided(invoice.id)]);
  });

  it('R-CAN-6: voiding an invoice that is not the membership\'s last is refused (409), and nothing changes', async () => {
    await t.setClock('2027-02-01T05:00:30Z');
    const m = await read(t, several.id);
    const january = m.invoices.find((i: Invoice) => i.periodStart === '2027-01-15');
    const february = m.invoices.find((i: Invoice) => i.periodStart === '2027-02-01');
    expect(february).toMatchObject({ status: 'paid', amount: PRICE });
    const before = await snapshot(t, several.id);

    const reply = await t.api('POST', `/api/invoices/${january.id}/void`, { refund: false });

    expectError(reply, 409, 'not_last_invoice');
    expect(reply.body.error.message).toContain(february.id);
    expect(await snapshot(t, several.id)).toEqual(before);
  });

  it('R-CAN-6: the last of several invoices voids the membership; the earlier invoice stays paid and readable', async () => {
    const m = await read(t, several.id);
    const january = m.invoices.find((i: Invoice) => i.periodStart === '2027-01-15');
    const february = m.invoices.find((i: Invoice) => i.periodStart === '2027-02-01');

    await t.ok('POST', `/api/invoices/${february.id}/void`, { refund: true });

    expect(await read(t, several.id)).toMatchObject({ status: 'voided', timers: [] });
    expect(await t.ok('GET', `/api/invoices/${january.id}`)).toMatchObject({ status: 'paid' });
    expect((await refunds(t)).filter((r) => r.metadata.invoiceId === february.id)).toEqual([expect.objectContaining({ amount: PRICE, result: expect.objectContaining({ status: 'succeeded' }) })]);
  });

  it('R-CAN-6: voided memberships are never billed again', async () => {
    await t.setClock('2027-04-02T12:00:00Z');

    for (const ms of [keep, refund, unpaid]) expect((await read(t, ms.id)).invoices).toHaveLength(1);
    expect((await read(t, several.id)).invoices).toHaveLength(2);
    expect(await chargedTo(t, keep.memberId)).toEqual([FIRST_MONTH_PRORATED]);
    expect(await chargedTo(t, several.memberId)).toEqual([FIRST_MONTH_PRORATED, 2500]);
  });
});
