import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Email, linkIn, SETTINGS, TestCloud } from '../support/cloud.js';
import { ScriptedGateway } from '../support/scripted.js';

/**
 * Money under races and faults (issue 7, observations 1–8 and 10; SPEC §9, R-MNY-1…7), over
 * HTTP and the local clock only. Each flow has its own local cloud whose gateway can be told to
 * fail a call or lose its answer. Clocks start on Friday 2027-01-15 at 10:00 in America/Toronto.
 */
const START = '2027-01-15T15:00:00Z';

interface Charge {
  idempotencyKey: string;
  memberId: string;
  amount: { amount: number; currency: string };
  metadata: { invoiceId: string; attemptId: string };
  result: { status: string; reference: string };
}

async function open(gateway?: { current: ScriptedGateway | null }): Promise<TestCloud> {
  const t = await TestCloud.start({
    at: START,
    wrapPayments: gateway
      ? (inner) => {
          gateway.current = new ScriptedGateway(inner);
          return gateway.current;
        }
      : undefined,
  });
  await t.ok('PUT', '/api/settings', SETTINGS);
  return t;
}

async function payments(t: TestCloud): Promise<{ charges: Charge[]; refunds: Charge[] }> {
  const body = (await t.request('GET', '/_local/payments')).body;
  return { charges: body.items, refunds: body.refunds };
}

async function member(t: TestCloud, key: string, extra: Record<string, unknown> = {}): Promise<{ id: string; email: string }> {
  const email = `${key}@example.org`;
  const m = await t.ok('POST', '/api/members', { name: `Member ${key}`, email, locale: 'en', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' }, ...extra });
  return { id: m.id, email };
}

const read = (t: TestCloud, id: string) => t.membership(id);
const types = (m: { timeline: { type: string }[] }) => m.timeline.map((e) => e.type);

describe('observation 1 — R-MNY-1: concurrent purchases of one plan by one member', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-MNY-1: five concurrent POST /api/memberships give one 201 and four 409 membership_exists; one membership, one charge', async () => {
    const plan = await t.ok('POST', '/api/plans', { name: 'Monthly', price: { amount: 2500, currency: 'CAD' }, billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } } });
    const m = await member(t, 'five');
    const token = await t.freshToken();
    const replies = await Promise.all(
      [1, 2, 3, 4, 5].map(() => t.request('POST', '/api/memberships', { memberId: m.id, planId: plan.id }, { authorization: `Bearer ${token}` })),
    );
    await t.settle();

    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ code: 'membership_exists', details: [expect.objectContaining({ rule: 'R-MNY-1' })] });
    expect((await t.ok('GET', `/api/members/${m.id}/memberships`)).items).toHaveLength(1);
    expect((await payments(t)).charges.filter((c) => c.memberId === m.id)).toHaveLength(1);
  });

  it('R-MNY-1: once the membership is voided, its place is free: the member can buy the plan again', async () => {
    const plan = await t.ok('POST', '/api/plans', { name: 'Again', price: { amount: 1000, currency: 'CAD' }, billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } } });
    const m = await member(t, 'again');
    const first = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id });
    expect((await t.api('POST', '/api/memberships', { memberId: m.id, planId: plan.id })).status).toBe(409);
    await t.ok('POST', `/api/invoices/${first.lastInvoiceId}/void`, { refund: false });
    expect((await t.api('POST', '/api/memberships', { memberId: m.id, planId: plan.id })).status).toBe(201);
  });
});

describe('observation 2 — R-MNY-4: an unrenewed expiry ends the membership, whatever later cancellation date', () => {
  let t: TestCloud;
  let id: string;
  beforeAll(async () => {
    t = await open();
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Quarter, renew by click',
      price: { amount: 2500, currency: 'CAD' },
      termMonths: 3,
      billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
      renewal: { policy: 'confirmation', reminderDays: [] },
    });
    id = (await t.ok('POST', '/api/memberships', { memberId: (await member(t, 'noclick')).id, planId: plan.id })).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-MNY-4, R-REN-4: cancelled for July, a term ending April 14 without a click expires on April 15 and ends on the April 30 billing eve', async () => {
    expect((await t.ok('POST', `/api/memberships/${id}/cancel`, { month: '2027-07' })).terminationDate).toBe('2027-06-30');
    await t.setClock('2027-04-15T12:00:00Z');
    expect(await read(t, id)).toMatchObject({ status: 'expired', terminationDate: '2027-04-30' });
  });

  it('R-MNY-4: nothing is billed after the expiry: no May or June invoice; terminated on May 1', async () => {
    await t.setClock('2027-08-01T12:00:00Z');
    const m = await read(t, id);
    expect(m.status).toBe('terminated');
    expect(m.invoices.map((i: { periodStart: string }) => i.periodStart).sort()).toEqual(['2027-01-15', '2027-02-01', '2027-03-01', '2027-04-01']);
    expect(m.timers).toEqual([]);
  });
});

describe('observation 3 — R-MNY-7: a pending cancellation request holds the automatic renewal', () => {
  let t: TestCloud;
  let id: string;
  let memberId: string;
  let reminder: Email;
  beforeAll(async () => {
    t = await open();
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Annual, cancel on request',
      price: { amount: 12000, currency: 'CAD' },
      termMonths: 12,
      billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays: [30] },
      cancellation: { memberMode: 'request' },
    });
    const m = await member(t, 'asker');
    memberId = m.id;
    id = (await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id })).id;
    await t.setClock('2027-12-15T14:00:30Z');
    [reminder] = (await t.emails(m.email)) as [Email];
    const sent = await t.post(new URL(linkIn(reminder)).pathname, 'purpose=cancel&reason=Moving');
    expect(sent.status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-MNY-7: the term end passes while the request waits: no renewal, no renewal invoice, no charge', async () => {
    await t.setClock('2028-01-20T12:00:00Z');
    const m = await read(t, id);
    expect(m).toMatchObject({ status: 'cancellation_requested', currentTerm: { seq: 1, end: '2028-01-14' } });
    expect(m.invoices).toHaveLength(1);
    expect((await payments(t)).charges.filter((c) => c.memberId === memberId)).toHaveLength(1);
  });

  it('R-CAN-5, R-MNY-7: staff can then confirm the request for the current term: it ends with the term, nothing more is charged', async () => {
    const confirmed = await t.api('POST', `/api/memberships/${id}/cancellation-request/confirm`, { finalBillingDate: '2027-01-15' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2028-01-14' });
    await t.advance('PT5M');
    const m = await read(t, id);
    expect(m.status).toBe('terminated');
    expect(m.invoices).toHaveLength(1);
    expect((await payments(t)).charges.filter((c) => c.memberId === memberId)).toHaveLength(1);
  });
});

describe('observations 4 and 10 — R-MNY-2, R-MNY-4: a charge whose answer is lost', () => {
  const gateway: { current: ScriptedGateway | null } = { current: null };
  let t: TestCloud;
  let plan: string;
  beforeAll(async () => {
    t = await open(gateway);
    plan = (await t.ok('POST', '/api/plans', { name: 'Monthly', price: { amount: 2500, currency: 'CAD' }, billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } } })).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-MNY-4: a void while the purchase charge is in flight: the charge that went through is refunded, never kept', async () => {
    const m = await member(t, 'voider');
    // Stripe's webhook would tell the outcome too; here it is late, and the worker must find it itself.
    t.cloud.stripe.holdWebhooks(true);
    gateway.current!.queue.push('lose_answer');
    const created = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan });
    const invoiceId = created.lastInvoiceId as string;
    let invoice = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(invoice).toMatchObject({ status: 'open', openAttemptId: `${invoiceId}.c1` });

    await t.ok('POST', `/api/invoices/${invoiceId}/void`, { refund: false });
    await t.advance('PT3M');

    const { charges, refunds } = await payments(t);
    const charged = charges.filter((c) => c.metadata.invoiceId === invoiceId);
    expect(charged).toEqual([expect.objectContaining({ result: expect.objectContaining({ status: 'succeeded' }) })]);
    expect(refunds.filter((r) => r.metadata.invoiceId === invoiceId)).toEqual([
      expect.objectContaining({ chargeReference: charged[0]!.result.reference, amount: charged[0]!.amount, result: expect.objectContaining({ status: 'succeeded' }) }),
    ]);
    invoice = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(invoice).toMatchObject({ status: 'void', payments: [expect.objectContaining({ status: 'succeeded' })], refunds: [expect.objectContaining({ status: 'succeeded' })] });
    expect(types(await read(t, created.id))).toContain('payment_succeeded_not_owed');

    // The late webhooks change nothing: the outcomes are already known.
    t.cloud.stripe.holdWebhooks(false);
    await t.settle();
    expect(await t.ok('GET', `/api/invoices/${invoiceId}`)).toEqual(invoice);
  });

  it('R-MNY-2: an answer lost, then a card change: the first attempt is asked of the gateway, charged once on the old card; no dead letter; the timer stays armed', async () => {
    const m = await member(t, 'switcher');
    t.cloud.stripe.holdWebhooks(true);
    gateway.current!.queue.push('lose_answer');
    const created = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan });
    await t.ok('PATCH', `/api/members/${m.id}`, { paymentMethod: { token: 'pm_card_mastercard' } });
    const found = gateway.current!.reached.findCharge;
    await t.advance('PT3M');

    expect(gateway.current!.reached.findCharge).toBe(found + 1);
    const charges = (await payments(t)).charges.filter((c) => c.memberId === m.id);
    expect(charges).toEqual([expect.objectContaining({ result: expect.objectContaining({ status: 'succeeded' }) })]);
    const ms = await read(t, created.id);
    expect(ms.invoices[0]).toMatchObject({ status: 'paid', payments: [expect.objectContaining({ attemptId: `${created.lastInvoiceId}.c1`, status: 'succeeded' })] });
    const schedules = (await t.request('GET', '/_local/schedules')).body;
    expect(schedules.deadLetters).toEqual([]);
    expect((await t.request('GET', '/_local/stream')).body.deadLetters).toEqual([]);
    expect(ms.timers.length).toBeGreaterThan(0);
    expect(schedules.items.filter((s: { name: string }) => s.name.startsWith(`${created.id}-`))).toEqual([expect.objectContaining({ at: ms.timers[0].at })]);
    t.cloud.stripe.holdWebhooks(false);
    await t.settle();
    expect((await read(t, created.id)).invoices[0]).toEqual(ms.invoices[0]);
  });

  it('observation 6 — R-MNY-2: a transient gateway error during the purchase: 201, then the charge is retried within minutes', async () => {
    const m = await member(t, 'transient');
    gateway.current!.queue.push('fail');
    const created = await t.api('POST', '/api/memberships', { memberId: m.id, planId: plan });
    expect(created.status).toBe(201);
    expect((await t.ok('GET', `/api/invoices/${created.body.lastInvoiceId}`)).status).toBe('open');
    expect((await t.api('POST', '/api/memberships', { memberId: m.id, planId: plan })).body.error.code).toBe('membership_exists');

    await t.advance('PT2M');
    expect((await t.ok('GET', `/api/invoices/${created.body.lastInvoiceId}`)).status).toBe('paid');
    expect((await payments(t)).charges.filter((c) => c.memberId === m.id)).toHaveLength(1);
  });
});

describe('observation 5 — bounded transactions: void with refund of a membership with 100 terms', () => {
  let t: TestCloud;
  let id: string;
  beforeAll(async () => {
    t = await open();
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Monthly term',
      price: { amount: 1000, currency: 'CAD' },
      termMonths: 1,
      billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays: [] },
    });
    id = (await t.ok('POST', '/api/memberships', { memberId: (await member(t, 'old')).id, planId: plan.id })).id;
    await t.setClock('2035-04-20T12:00:00Z');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-6, R-MNY-3: the void commits in one bounded transaction, then the refund is made once', async () => {
    const m = await read(t, id);
    expect(m.currentTerm.seq).toBe(100);
    const reply = await t.api('POST', `/api/invoices/${m.lastInvoiceId}/void`, { refund: true });
    expect(reply.status).toBe(200);
    const after = await read(t, id);
    expect(after.status).toBe('voided');
    expect(await t.ok('GET', `/api/invoices/${m.lastInvoiceId}`)).toMatchObject({ status: 'void', refunds: [expect.objectContaining({ status: 'succeeded' })] });
    expect((await payments(t)).refunds.filter((r) => r.metadata.invoiceId === m.lastInvoiceId)).toHaveLength(1);
    // The older terms are not rewritten; the membership's view shows them voided all the same.
    expect(after.terms.every((x: { status: string }) => x.status === 'voided')).toBe(true);
  });
});

describe('observation 7 — R-REN-3: an annual membership cancelled for a month after its term end gets its reminders before the renewal charge', () => {
  let t: TestCloud;
  let m: { id: string; email: string };
  let id: string;
  beforeAll(async () => {
    t = await open();
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Annual',
      price: { amount: 12000, currency: 'CAD' },
      termMonths: 12,
      billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays: [30, 7] },
    });
    m = await member(t, 'later');
    id = (await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id })).id;
    expect((await t.ok('POST', `/api/memberships/${id}/cancel`, { month: '2028-03' })).terminationDate).toBe('2029-01-14');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-REN-3, R-REN-7: both reminders arrive before the January 15 renewal charge', async () => {
    await t.setClock('2028-01-16T12:00:00Z');
    const mails = (await t.emails(m.email)).map((e) => `${e.at} ${e.subject}`);
    expect(mails.slice(0, 3)).toEqual([
      `2027-01-15T15:00:00.000Z ${SETTINGS.name}: your membership has been cancelled`,
      `2027-12-15T14:00:00.000Z ${SETTINGS.name}: your membership renews on January 15, 2028`,
      `2028-01-07T14:00:00.000Z ${SETTINGS.name}: your membership renews on January 15, 2028`,
    ]);
    const renewal = (await read(t, id)).invoices.find((i: { periodStart: string }) => i.periodStart === '2028-01-15');
    expect(renewal).toMatchObject({ status: 'paid' });
  });
});

describe('observation 8 — R-MNY-7: a voided membership accepts nothing', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-MNY-7, R-CAN-6: after voiding the last invoice, voiding an earlier one is refused (409 naming voided): no refund, no e-mail', async () => {
    const plan = await t.ok('POST', '/api/plans', { name: 'Monthly', price: { amount: 2500, currency: 'CAD' }, billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } } });
    const m = await member(t, 'twice');
    const created = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id });
    await t.setClock('2027-02-01T06:00:00Z');
    const ms = await read(t, created.id);
    const [january, february] = [...ms.invoices].sort((a: { periodStart: string }, b: { periodStart: string }) => (a.periodStart < b.periodStart ? -1 : 1));
    await t.ok('POST', `/api/invoices/${february.id}/void`, { refund: true });
    const mails = (await t.emails(m.email)).length;
    const refunds = (await payments(t)).refunds.length;

    const again = await t.api('POST', `/api/invoices/${january.id}/void`, { refund: true });

    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'transition_refused', message: expect.stringContaining('is voided') });
    expect((await t.emails(m.email)).length).toBe(mails);
    expect((await payments(t)).refunds.length).toBe(refunds);
    expect((await t.ok('GET', `/api/invoices/${january.id}`)).status).toBe('paid');
  });
});
