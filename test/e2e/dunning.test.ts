import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Email, SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Dunning, end to end (SPEC §4, R-DUN-1…11, R-LNK-4, R-PAY-3): a failed automatic payment, its
 * ladder of retries and e-mails driven by the local Step Functions on a frozen clock, the plan's
 * final action, and every way a run is recovered. Everything is observed from outside: the admin
 * API, the mail SES accepted, the Stripe emulator's PaymentIntents and the local executions.
 *
 * One local cloud per describe block; within a block, the members share one timeline and the
 * tests run in order. The organisation is in America/Toronto (UTC−5 in January–March 2027):
 * purchases at 2027-01-15T15:00Z are 10:00 there; with the default ladder [3, 8, 13] the retries
 * are on January 18, 23 and 28 at 10:00 (15:00Z), the final warning on January 26 at 09:00
 * (14:00Z), and the final action right after the last retry.
 */

const START = '2027-01-15T15:00:00Z';
const ORG = 'e2e-club';
const ADMIN = 'admin@club.example';
const FAILING = 'pm_card_chargeCustomerFail';
const LONG = 180_000;

const RETRY_1 = '2027-01-18T15:00:00Z';
const RETRY_2 = '2027-01-23T15:00:00Z';
const WARNING = '2027-01-26T14:00:00Z';
const RETRY_3 = '2027-01-28T15:00:00Z';

type Dunning = { retryDays: number[]; finalAction: 'cancel' | 'downgrade' | 'leave_unpaid'; fallbackPlanId: string | null };

/** A monthly plan billed on the purchase date's anniversary, CAD. */
const monthlyPlan = (name: string, amount: number, dunning: Dunning) => ({
  name,
  price: { amount, currency: 'CAD' },
  billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
  dunning,
});

const LADDER = [3, 8, 13];

// ---- mail -------------------------------------------------------------------------------------

/** Which template a mail came from, by the subjects of templates/emails/i18n/en.ts. */
function kindOf(mail: Email): string {
  const s = mail.subject;
  if (/we could not charge your card/.test(s)) return 'payment_failed';
  if (/final warning/i.test(s)) return 'dunning_final_warning';
  if (/your payment still didn’t go through|don’t lose your|is still due$|due by /.test(s)) return 'dunning_followup';
  if (/reminder – invoice/.test(s)) return 'invoice_reminder';
  if (/your invoice for .* is due/.test(s)) return 'invoice';
  if (/receipt for your payment/.test(s)) return 'payment_receipt';
  if (/your membership has been cancelled/.test(s)) return 'dunning_cancelled';
  if (/your membership has moved to/.test(s)) return 'dunning_downgraded';
  if (/remains unpaid/.test(s)) return 'dunning_unpaid_org';
  if (/an automatic payment from .* failed/.test(s)) return 'payment_failed_org';
  return 'other';
}

/** Templates of the dunning series: never accepted by SES once their invoice is paid. */
const DUNNING_KINDS = new Set(['payment_failed', 'dunning_followup', 'dunning_final_warning', 'invoice_reminder', 'invoice']);

const ofKind = (mails: Email[], kind: string) => mails.filter((m) => kindOf(m) === kind);

/** Every signed link in the mail's text, in order (the button first, the footer's "manage" link last). */
function linksIn(mail: Email): string[] {
  return [...mail.text.matchAll(/https?:\/\/[^\s"'<>]+\/l\/[A-Za-z0-9._~%-]+/g)].map((m) => m[0]);
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The URL printed under a button or footer label in the text part ("Label:\nURL"). */
function linkLabelled(mail: Email, label: string): string {
  const escaped = escapeRe(label);
  const match = new RegExp(`${escaped}:?\\s*\\n(https?://[^\\s]+/l/[A-Za-z0-9._~%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no "${label}" link in e-mail "${mail.subject}"`);
  return match[1]!;
}

const pathOf = (url: string) => new URL(url).pathname;

/** The calendar date in the organisation's time zone at `ms`, and the day after. */
const torontoDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
const tomorrow = (ms: number) => torontoDate(ms + 86_400_000);

/** SES accepted the mail at the tick `iso`, or within the two minutes the test lets the clock run past it. */
function expectSentAt(mail: Email | { at: string; subject?: string }, iso: string): void {
  const at = Date.parse(mail.at);
  const what = `${mail.subject ?? 'charge'} at ${mail.at}`;
  expect(at, what).toBeGreaterThanOrEqual(Date.parse(iso));
  expect(at, what).toBeLessThanOrEqual(Date.parse(iso) + 120_000);
}

/** The text of a mail without its signed links (two mails with the same words compare equal). */
const wordsOf = (mail: Email) => mail.text.replace(/https?:\/\/\S+/g, '<link>');

// ---- the cloud ----------------------------------------------------------------------------------

interface Buyer {
  key: string;
  name: string;
  email: string;
  memberId: string;
  membershipId: string;
  invoiceId: string;
  cardRef: string | null;
}

class Harness {
  constructor(readonly t: TestCloud) {}

  static async start(): Promise<Harness> {
    const t = await TestCloud.start({ at: START });
    await t.ok('PUT', '/api/settings', SETTINGS);
    return new Harness(t);
  }

  async secretKey(): Promise<string> {
    const gateway = (await this.t.request('GET', '/_local/gateway')).body as { stripe: { accounts: Record<string, string> } };
    return gateway.stripe.accounts[ORG]!;
  }

  now(): number {
    return this.t.cloud.clock.now().getTime();
  }

  /** Moves the clock to `iso` unless it is already there or later. */
  async until(iso: string): Promise<void> {
    if (Date.parse(iso) > this.now()) await this.t.setClock(iso);
    await this.t.settle();
  }

  async plan(body: object): Promise<string> {
    return (await this.t.ok('POST', '/api/plans', body)).id;
  }

  /**
   * A member (locale en) with `token` as card (or none), optionally made to decline like another
   * test card after it was saved, who buys `planId` now.
   */
  async buy(key: string, planId: string, token: string | null, declineLike?: string): Promise<Buyer> {
    const name = `Member ${key}`;
    const email = `${key}@example.org`;
    const member = await this.t.ok('POST', '/api/members', { name, email, locale: 'en', ...(token ? { paymentMethod: { token } } : {}) });
    const cardRef = (member.paymentMethod?.reference as string | undefined) ?? null;
    if (declineLike) this.t.cloud.stripe.cardStartsDeclining(await this.secretKey(), cardRef!, declineLike);
    const membership = await this.t.ok('POST', '/api/memberships', { memberId: member.id, planId });
    const invoiceId = membership.invoices[0].id as string;
    return { key, name, email, memberId: member.id, membershipId: membership.id, invoiceId, cardRef };
  }

  async membership(b: Pick<Buyer, 'membershipId'>): Promise<any> {
    return this.t.membership(b.membershipId);
  }

  async invoice(id: string): Promise<any> {
    return this.t.ok('GET', `/api/invoices/${id}`);
  }

  /** The emulator's PaymentIntents for this member, oldest first. */
  async charges(b: Pick<Buyer, 'memberId'>): Promise<{ reference: string; at: string; metadata: Record<string, string>; result: { status: string; code: string | null } }[]> {
    const items = (await this.t.request('GET', '/_local/payments')).body.items as any[];
    return items.filter((i) => i.orgId === ORG && i.memberId === b.memberId);
  }

  async mails(b: Pick<Buyer, 'email'>): Promise<Email[]> {
    return this.t.emails(b.email);
  }

  /** Staff mail about this member (their e-mail address is in every staff notice). */
  async staffMails(b: Pick<Buyer, 'email'>): Promise<Email[]> {
    return (await this.t.emails(ADMIN)).filter((m) => m.text.includes(b.email));
  }

  async runs(state: string): Promise<any[]> {
    return (await this.t.ok('GET', `/api/dunning?state=${state}`)).items;
  }

  async run(state: string, invoiceId: string): Promise<any | undefined> {
    return (await this.runs(state)).find((r) => r.invoiceId === invoiceId);
  }

  async executions(invoiceId: string): Promise<any[]> {
    const items = (await this.t.request('GET', '/_local/executions')).body.items as any[];
    return items.filter((e) => String(e.name).includes(invoiceId));
  }

  async timeline(b: Pick<Buyer, 'membershipId'>): Promise<{ type: string; at: string; data: Record<string, any> }[]> {
    return (await this.membership(b)).timeline;
  }

  /**
   * The reminder of the issue (R-DUN-4): for every invoice of the member that is paid, SES
   * accepted no dunning e-mail about it from the moment it was paid.
   */
  async expectNoDunningMailAfterPaid(b: Pick<Buyer, 'memberId' | 'email' | 'key'>): Promise<number> {
    const memberships = (await this.t.ok('GET', `/api/members/${b.memberId}/memberships`)).items as { id: string }[];
    const mails = await this.mails(b);
    let paid = 0;
    for (const m of memberships) {
      const record = await this.t.membership(m.id);
      for (const invoice of record.invoices as any[]) {
        if (invoice.status !== 'paid' || !invoice.payment) continue;
        paid++;
        const paidAt = Date.parse(invoice.payment.paidAt);
        const late = mails.filter((mail) => DUNNING_KINDS.has(kindOf(mail)) && mail.text.includes(invoice.id) && Date.parse(mail.at) >= paidAt);
        expect(
          late.map((mail) => `${mail.at} ${mail.subject}`),
          `${b.key}: dunning e-mail about ${invoice.id} after it was paid at ${invoice.payment.paidAt}`,
        ).toEqual([]);
      }
    }
    return paid;
  }
}

/** Opens a signed link's page (GET). */
async function page(t: TestCloud, url: string) {
  return t.request('GET', pathOf(url));
}

/** The value of a fact row (`<dt>label</dt><dd>value</dd>`) on a link page. */
function fact(html: string, label: string): string | undefined {
  return new RegExp(`<dt>${escapeRe(label)}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
}

/** POSTs a link's form; answers the page with the gateway's hosted page link (`<a class="go">`). */
function goLinkOf(html: string): string | undefined {
  return /<a class="go" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
}

/** Completes the emulator's hosted checkout (card setup) page with `card`. */
async function completeCheckout(url: string, card = 'pm_card_visa'): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams({ card }), redirect: 'manual' });
}

// =================================================================================================

describe('the ladder to its final action (R-DUN-1…6, R-DUN-11, R-LNK-4)', () => {
  let h: Harness;
  let t: TestCloud;
  const b: Record<string, Buyer> = {};

  beforeAll(async () => {
    h = await Harness.start();
    t = h.t;
    const cancelPlan = await h.plan(monthlyPlan('Swim (cancel)', 2500, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    const basic = await h.plan(monthlyPlan('Basic swim', 1500, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    const premium = await h.plan(monthlyPlan('Premium swim', 4000, { retryDays: LADDER, finalAction: 'downgrade', fallbackPlanId: basic }));
    const unpaid = await h.plan(monthlyPlan('Swim (leave unpaid)', 3000, { retryDays: LADDER, finalAction: 'leave_unpaid', fallbackPlanId: null }));
    const hardPlan = await h.plan(monthlyPlan('Swim (hard)', 2000, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    b.soft = await h.buy('soft', cancelPlan, FAILING);
    b.down = await h.buy('down', premium, FAILING);
    b.unpaid = await h.buy('unpaid', unpaid, FAILING);
    b.hard = await h.buy('hard', hardPlan, 'pm_card_visa', 'pm_card_chargeDeclinedLostCard');
    b.fine = await h.buy('fine', cancelPlan, 'pm_card_visa');
  }, LONG);

  afterAll(async () => {
    await t?.stop();
  });

  it('R-DUN-1, R-DUN-3, R-DUN-11: a soft decline of the purchase starts one run: past_due, listed, one execution, e-mail 1 with the amount and the update link, one notice to the organisation', async () => {
    const s = b.soft!;
    expect((await h.invoice(s.invoiceId)).status).toBe('open');
    const m = await h.membership(s);
    expect(m.status).toBe('past_due');

    const run = await h.run('active', s.invoiceId);
    expect(run).toMatchObject({ membershipId: s.membershipId, state: 'active', retries: 0, amount: { amount: 2500, currency: 'CAD' }, finalAction: 'cancel' });
    expect(run.nextAttemptAt).toBe(new Date(RETRY_1).toISOString());
    expect(run.member).toMatchObject({ id: s.memberId, email: s.email });

    const executions = await h.executions(s.invoiceId);
    expect(executions).toHaveLength(1);
    expect(executions[0].status).toBe('RUNNING');
    const started = m.timeline.find((e: { type: string }) => e.type === 'dunning_started');
    expect(started?.data.executionName).toBe(executions[0].name);

    const charges = await h.charges(s);
    expect(charges).toHaveLength(1);
    expect(charges[0]!.result.status).toBe('declined');

    const mails = await h.mails(s);
    const first = ofKind(mails, 'payment_failed');
    expect(first).toHaveLength(1);
    expect(mails.filter((x) => DUNNING_KINDS.has(kindOf(x)))).toHaveLength(1);
    const mail = first[0]!;
    expect(mail.text).toContain('CA$25.00');
    expect(mail.text).toContain('January 28, 2027'); // the deadline: the last retry
    expect(mail.text).toContain('January 18, 2027'); // the next try
    expect(mail.text).toContain('February 14, 2027'); // what is lost, and when
    const update = linkLabelled(mail, 'Update my card');
    const shown = await page(t, update);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toContain('text/html');
    expect(shown.body).toContain('Update your card');

    const staff = await h.staffMails(s);
    expect(staff.map(kindOf)).toEqual(['payment_failed_org']);
  }, LONG);

  it('R-DUN-1: starting the same execution again is a no-op: one execution stays', async () => {
    const s = b.soft!;
    const [execution] = await h.executions(s.invoiceId);
    expect(execution).toBeDefined();
    const again = await t.cloud.deps.workflows.start('dunning', execution!.name, execution!.input as object);
    expect(again.executionArn).toBe(execution!.executionArn);
    await t.settle();
    const after = await h.executions(s.invoiceId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ executionArn: execution!.executionArn, status: 'RUNNING', startDate: execution!.startDate });
    // Nothing was charged or sent for it.
    expect(await h.charges(s)).toHaveLength(1);
    expect(ofKind(await h.mails(s), 'payment_failed')).toHaveLength(1);
  }, LONG);

  it('R-DUN-2, R-DUN-3: one charge per retry at 10:00 on days 3 and 8, a different follow-up after each, then the final warning stating the stop date', async () => {
    const s = b.soft!;
    const dunningMails = async () => (await h.mails(s)).filter((x) => DUNNING_KINDS.has(kindOf(x)));

    await h.until('2027-01-18T14:59:00Z');
    expect(await h.charges(s)).toHaveLength(1);
    expect(await dunningMails()).toHaveLength(1);

    await h.until('2027-01-18T15:01:00Z');
    let charges = await h.charges(s);
    expect(charges).toHaveLength(2);
    expectSentAt(charges[1]!, RETRY_1);
    expect(charges[1]!.result.status).toBe('declined');
    let mails = await dunningMails();
    expect(mails.map(kindOf)).toEqual(['payment_failed', 'dunning_followup']);
    const followUp1 = mails[1]!;
    expect(followUp1.text).toContain('CA$25.00');
    expect(followUp1.text).toContain('January 28, 2027');
    expect(followUp1.text).toContain('January 23, 2027'); // the next try
    expect(linkLabelled(followUp1, 'Update my card')).toMatch(/\/l\//);
    expect((await h.run('active', s.invoiceId))?.retries).toBe(1);
    expect((await h.membership(s)).status).toBe('past_due');

    await h.until('2027-01-23T14:59:00Z');
    expect(await h.charges(s)).toHaveLength(2);
    await h.until('2027-01-23T15:01:00Z');
    charges = await h.charges(s);
    expect(charges).toHaveLength(3);
    expectSentAt(charges[2]!, RETRY_2);
    mails = await dunningMails();
    expect(mails.map(kindOf)).toEqual(['payment_failed', 'dunning_followup', 'dunning_followup']);
    const followUp2 = mails[2]!;
    expect(followUp2.subject).not.toBe(followUp1.subject);
    expect(wordsOf(followUp2)).not.toBe(wordsOf(followUp1));
    expect(followUp2.text).toContain('CA$25.00');
    expect(followUp2.text).toContain('January 28, 2027');
    expect(linkLabelled(followUp2, 'Update my card')).toMatch(/\/l\//);

    // The final warning: 2 days before the last retry, 09:00, with the exact day service stops.
    await h.until('2027-01-26T13:59:00Z');
    expect(ofKind(await h.mails(s), 'dunning_final_warning')).toHaveLength(0);
    await h.until('2027-01-26T14:01:00Z');
    const warnings = ofKind(await h.mails(s), 'dunning_final_warning');
    expect(warnings).toHaveLength(1);
    expectSentAt(warnings[0]!, WARNING);
    expect(warnings[0]!.subject).toContain('February 14, 2027');
    expect(warnings[0]!.text).toContain('CA$25.00');
    expect(warnings[0]!.text).toContain('January 28, 2027');
    expect(linkLabelled(warnings[0]!, 'Update my card')).toMatch(/\/l\//);
    expect(await h.charges(s)).toHaveLength(3);
    expect((await h.membership(s)).status).toBe('past_due');
  }, LONG);

  it('R-DUN-6 cancel: after the last failed retry the invoice is uncollectible, the membership ends on the billing eve, the member is told, the run is lost; the organisation got only the first notice', async () => {
    const s = b.soft!;
    await h.until('2027-01-28T14:59:00Z');
    expect(await h.charges(s)).toHaveLength(3);
    expect((await h.membership(s)).status).toBe('past_due');
    await h.until('2027-01-28T15:01:00Z');

    const charges = await h.charges(s);
    expect(charges).toHaveLength(4);
    expectSentAt(charges[3]!, RETRY_3);
    expect((await h.invoice(s.invoiceId)).status).toBe('uncollectible');
    const m = await h.membership(s);
    expect(m.status).toBe('cancel_scheduled');
    expect(m.terminationDate).toBe('2027-02-14');

    const mails = await h.mails(s);
    // No follow-up after the last retry: the final action speaks for itself.
    expect(mails.map(kindOf)).toEqual(['payment_failed', 'dunning_followup', 'dunning_followup', 'dunning_final_warning', 'dunning_cancelled']);
    const cancelled = ofKind(mails, 'dunning_cancelled')[0]!;
    expect(cancelled.text).toContain('February 14, 2027');
    expect(cancelled.text).toContain('CA$25.00');

    expect(await h.run('active', s.invoiceId)).toBeUndefined();
    expect(await h.run('lost', s.invoiceId)).toMatchObject({ state: 'lost', outcome: 'cancel', retries: 3 });
    const executions = await h.executions(s.invoiceId);
    expect(executions).toHaveLength(1);
    expect(executions[0].status).toBe('SUCCEEDED');

    expect((await h.staffMails(s)).map(kindOf)).toEqual(['payment_failed_org']);
  }, LONG);

  it('R-DUN-6 downgrade: after the ladder the membership moves to the fallback plan, stays active, and the member is told', async () => {
    const d = b.down!;
    await h.until('2027-01-28T15:01:00Z');
    const basic = (await t.ok('GET', '/api/plans')).items.find((p: { name: string }) => p.name === 'Basic swim');
    const m = await h.membership(d);
    expect(m.planId).toBe(basic.id);
    expect(m.status).toBe('active');
    expect(m.billing.price).toEqual({ amount: 1500, currency: 'CAD' });
    expect((await h.invoice(d.invoiceId)).status).toBe('uncollectible');
    expect(await h.run('lost', d.invoiceId)).toMatchObject({ outcome: 'downgrade' });
    expect(await h.charges(d)).toHaveLength(4);

    const mails = await h.mails(d);
    const warning = ofKind(mails, 'dunning_final_warning');
    expect(warning).toHaveLength(1);
    expect(warning[0]!.text).toContain('Basic swim');
    const downgraded = ofKind(mails, 'dunning_downgraded');
    expect(downgraded).toHaveLength(1);
    expect(downgraded[0]!.text).toContain('Basic swim');
    expect(downgraded[0]!.text).toContain('CA$15.00');
    expect(downgraded[0]!.text).toContain('February 15, 2027');
    expect(ofKind(mails, 'dunning_cancelled')).toHaveLength(0);
  }, LONG);

  it('R-DUN-6 leave_unpaid: after the ladder the invoice is uncollectible, the membership stays past_due, the organisation is e-mailed, the run is lost', async () => {
    const u = b.unpaid!;
    await h.until('2027-01-28T15:01:00Z');
    expect((await h.invoice(u.invoiceId)).status).toBe('uncollectible');
    const m = await h.membership(u);
    expect(m.status).toBe('past_due');
    expect(m.terminationDate).toBeNull();
    expect(await h.run('lost', u.invoiceId)).toMatchObject({ outcome: 'leave_unpaid' });
    expect(await h.charges(u)).toHaveLength(4);

    const staff = await h.staffMails(u);
    expect(staff.map(kindOf)).toEqual(['payment_failed_org', 'dunning_unpaid_org']);
    const notice = staff[1]!;
    expect(notice.text).toContain(u.invoiceId);
    expect(notice.text).toContain('CA$30.00');
    expectSentAt(notice, RETRY_3);

    const mails = await h.mails(u);
    expect(mails.map(kindOf)).toEqual(['payment_failed', 'dunning_followup', 'dunning_followup', 'dunning_final_warning']);
    expect(ofKind(mails, 'dunning_final_warning')[0]!.text).toContain('January 28, 2027');
  }, LONG);

  it('R-DUN-5: a hard decline is never retried; the follow-ups ask for a new card; the final action comes at the deadline', async () => {
    const x = b.hard!;
    await h.until('2027-01-28T15:01:00Z');
    const charges = await h.charges(x);
    expect(charges).toHaveLength(1);
    expect(charges[0]!.result).toMatchObject({ status: 'declined', code: 'lost_card' });

    const mails = await h.mails(x);
    expect(mails.map(kindOf)).toEqual(['payment_failed', 'dunning_followup', 'dunning_followup', 'dunning_final_warning', 'dunning_cancelled']);
    const first = mails[0]!;
    expect(first.text).toContain('only a new card will do');
    expect(first.text).not.toContain('We will try again on');
    for (const followUp of ofKind(mails, 'dunning_followup')) {
      expect(followUp.text).toContain('only a new card will do');
      expect(followUp.text).not.toContain('We will try again on');
      expect(followUp.text).toContain('CA$20.00');
      expect(linkLabelled(followUp, 'Update my card')).toMatch(/\/l\//);
    }
    const followUps = ofKind(mails, 'dunning_followup');
    expect(followUps).toHaveLength(2);
    expectSentAt(followUps[0]!, RETRY_1);
    expectSentAt(followUps[1]!, RETRY_2);
    expectSentAt(ofKind(mails, 'dunning_cancelled')[0]!, RETRY_3);

    const timeline = await h.timeline(x);
    const skipped = timeline.filter((e) => e.type === 'dunning_retry_skipped');
    expect(skipped).toHaveLength(3);
    expect(skipped.every((e) => e.data.reason === 'hard_decline')).toBe(true);
    expect(timeline.filter((e) => e.type === 'dunning_retry')).toHaveLength(0);
    const m = await h.membership(x);
    expect(m.status).toBe('cancel_scheduled');
    expect(m.terminationDate).toBe('2027-02-14');
    expect(await h.run('lost', x.invoiceId)).toMatchObject({ outcome: 'cancel' });
  }, LONG);

  it('R-LNK-4: the "manage" link in the footer opens the member\'s page: status in words, card, invoices; GET changes nothing, POST is refused', async () => {
    await h.until('2027-01-28T15:01:00Z');
    const cases: [Buyer, string, string][] = [
      [b.soft!, 'Cancelled — access until February 14, 2027 (inclusive)', 'Visa ending in 0341'],
      [b.unpaid!, 'Payment overdue — your access continues while we retry', 'Visa ending in 0341'],
      [b.down!, 'Active', 'Visa ending in 0341'],
    ];
    for (const [buyer, status, card] of cases) {
      const mails = await h.mails(buyer);
      const latest = mails.at(-1)!;
      const manage = linkLabelled(latest, 'Manage my membership');
      expect(linksIn(latest).at(-1)).toBe(manage);
      const before = await h.membership(buyer);
      const invoice = await h.invoice(buyer.invoiceId);

      const shown = await page(t, manage);
      expect(shown.status, buyer.key).toBe(200);
      expect(shown.headers.get('content-type')).toContain('text/html');
      const html = String(shown.body);
      expect(fact(html, 'Status'), buyer.key).toBe(status);
      expect(fact(html, 'Card on file'), buyer.key).toMatch(new RegExp(`^${card} \\(expires \\d{2}/\\d{4}\\)$`));
      // The invoices: the one the ladder gave up on, in words, with its amount.
      const row = `<td>January 15, 2027 to February 14, 2027</td><td class="num">CA$${(invoice.amount.amount / 100).toFixed(2)}</td><td>Unpaid</td>`;
      expect(html, buyer.key).toContain(row);

      const refused = await t.post(pathOf(manage), '');
      expect(refused.status, buyer.key).toBeGreaterThanOrEqual(400);
      expect(refused.headers.get('content-type')).toContain('text/html');
      expect(String(refused.body)).toContain('This link is for a different action');

      const after = await h.membership(buyer);
      expect(after.version, buyer.key).toBe(before.version);
      expect(after.status).toBe(before.status);
      expect((await h.invoice(buyer.invoiceId)).version).toBe(invoice.version);
    }
  }, LONG);

  it('R-DUN-6: after the cancel, 40 more days bring no charge and no dunning e-mail for that invoice or member', async () => {
    const s = b.soft!;
    const x = b.hard!;
    await h.until('2027-01-28T15:01:00Z');
    const before = { s: (await h.charges(s)).length, x: (await h.charges(x)).length, sm: (await h.mails(s)).length, xm: (await h.mails(x)).length };
    await h.until('2027-03-09T15:01:00Z');
    expect(await h.charges(s)).toHaveLength(before.s);
    expect(await h.charges(x)).toHaveLength(before.x);
    const sLater = (await h.mails(s)).slice(before.sm);
    const xLater = (await h.mails(x)).slice(before.xm);
    expect(sLater.filter((m) => DUNNING_KINDS.has(kindOf(m))).map((m) => m.subject)).toEqual([]);
    expect(xLater.filter((m) => DUNNING_KINDS.has(kindOf(m))).map((m) => m.subject)).toEqual([]);
    expect((await h.membership(s)).status).toBe('terminated');
    expect((await h.staffMails(s)).map(kindOf)).toEqual(['payment_failed_org']);
  }, LONG);

  it('R-DUN-4 (issue reminder): no member got a dunning e-mail about an invoice after it was paid', async () => {
    for (const buyer of Object.values(b)) await h.expectNoDunningMailAfterPaid(buyer);
  }, LONG);
});

// =================================================================================================

describe('recovering a run (R-DUN-4, R-PAY-3)', () => {
  let h: Harness;
  let t: TestCloud;
  const b: Record<string, Buyer> = {};
  const AFTER_LADDER = '2027-02-01T15:00:00Z';

  beforeAll(async () => {
    h = await Harness.start();
    t = h.t;
    const planId = await h.plan(monthlyPlan('Swim', 2500, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    b.card = await h.buy('newcard', planId, FAILING);
    b.staff = await h.buy('staff', planId, FAILING);
    b.tds = await h.buy('tds', planId, 'pm_card_authenticationRequired');
    await h.until('2027-01-16T15:00:00Z');
  }, LONG);

  afterAll(async () => {
    await t?.stop();
  });

  it('R-DUN-4: a new card through the link of e-mail 1 pays the invoice at once; the run is recovered, one receipt, no more dunning', async () => {
    const c = b.card!;
    expect((await h.run('active', c.invoiceId))?.state).toBe('active');
    const mail = ofKind(await h.mails(c), 'payment_failed')[0]!;
    expect(mail).toBeDefined();
    const update = linkLabelled(mail, 'Update my card');
    const invoiceBefore = await h.invoice(c.invoiceId);
    const membershipBefore = await h.membership(c);

    // GET shows the page and changes nothing (R-LNK-2).
    const shown = await page(t, update);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Update your card');
    expect(shown.body).toContain('CA$25.00');
    await t.settle();
    expect((await h.invoice(c.invoiceId)).version).toBe(invoiceBefore.version);
    expect((await h.membership(c)).version).toBe(membershipBefore.version);
    expect(await h.charges(c)).toHaveLength(1);

    // POST answers the page with the gateway's hosted card page.
    const posted = await t.post(pathOf(update), '');
    expect(posted.status).toBe(200);
    const checkout = goLinkOf(String(posted.body));
    expect(checkout).toMatch(/\/checkout\/cs_/);
    const done = await completeCheckout(checkout!, 'pm_card_visa');
    expect(done.status).toBe(303);
    await t.settle();

    const invoice = await h.invoice(c.invoiceId);
    expect(invoice.status).toBe('paid');
    expect(invoice.payments.at(-1)).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^pi_/) });
    expect((await h.membership(c)).status).toBe('active');
    expect(await h.run('active', c.invoiceId)).toBeUndefined();
    expect(await h.run('recovered', c.invoiceId)).toMatchObject({ state: 'recovered', recovered: { by: 'new_card' } });
    const charges = await h.charges(c);
    expect(charges.map((x) => x.result.status)).toEqual(['declined', 'succeeded']);
    const receipts = ofKind(await h.mails(c), 'payment_receipt');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.text).toContain('CA$25.00');
    expect(receipts[0]!.text).toContain('ending in 4242');
    // The same link now says nothing is owed.
    expect((await page(t, update)).body).toContain('nothing is owed');
    expect((await h.mails(c)).filter((x) => DUNNING_KINDS.has(kindOf(x))).map(kindOf)).toEqual(['payment_failed']);
  }, LONG);

  it('R-DUN-4, R-DUN-9: staff record a cheque: bad input is a 400 naming the field and changes nothing; the payment ends the run with one receipt; paying again is a 409', async () => {
    const s = b.staff!;
    await h.until('2027-01-16T16:00:00Z');
    const invoiceBefore = await h.invoice(s.invoiceId);
    const membershipBefore = await h.membership(s);
    const mailsBefore = (await h.mails(s)).length;
    for (const [body, field] of [
      [{ method: 'bitcoin', reference: 'Chèque 1042' }, 'method'],
      [{ method: 'cheque', reference: 'Chèque 1042', paidOn: tomorrow(h.now()) }, 'paidOn'],
      [{ method: 'cheque' }, 'reference'],
      [{ method: 'cheque', reference: '   ' }, 'reference'],
    ] as const) {
      const reply = await t.api('POST', `/api/invoices/${s.invoiceId}/pay`, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.details.map((d: { field: string }) => d.field), JSON.stringify(body)).toContain(field);
    }
    expect((await h.invoice(s.invoiceId)).version).toBe(invoiceBefore.version);
    expect((await h.invoice(s.invoiceId)).status).toBe('open');
    expect((await h.membership(s)).version).toBe(membershipBefore.version);
    expect(await h.mails(s)).toHaveLength(mailsBefore);

    const paid = await t.api('POST', `/api/invoices/${s.invoiceId}/pay`, { method: 'cheque', reference: 'Chèque 1042' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: s.invoiceId, status: 'paid', payment: { offline: { method: 'cheque', reference: 'Chèque 1042', paidOn: torontoDate(h.now()) } } });
    expect((await h.membership(s)).status).toBe('active');
    expect(await h.run('recovered', s.invoiceId)).toMatchObject({ recovered: { by: 'staff' } });
    const receipts = ofKind(await h.mails(s), 'payment_receipt');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.text).toContain('Chèque 1042');
    expect(receipts[0]!.text).toContain('by cheque');

    const again = await t.api('POST', `/api/invoices/${s.invoiceId}/pay`, { method: 'cash', reference: 'Again' });
    expect(again.status).toBe(409);
    const after = await h.invoice(s.invoiceId);
    expect(after.payment.offline.reference).toBe('Chèque 1042');
    expect(after.version).toBe(paid.body.version);
    expect(ofKind(await h.mails(s), 'payment_receipt')).toHaveLength(1);
  }, LONG);

  it('R-PAY-3, R-DUN-4: a payment that needs 3-D Secure: e-mail 1 carries the approve link; approving on the bank\'s page pays the invoice; run recovered, one receipt, no more dunning', async () => {
    const x = b.tds!;
    const before = await h.invoice(x.invoiceId);
    expect(before).toMatchObject({ status: 'open', payments: [expect.objectContaining({ status: 'requires_action' })] });
    expect((await h.membership(x)).status).toBe('past_due');
    expect((await h.run('active', x.invoiceId))?.state).toBe('active');
    const mail = ofKind(await h.mails(x), 'payment_failed')[0]!;
    expect(mail.text).toContain('approve this payment');
    expect(mail.text).toContain('CA$25.00');
    const approve = linkLabelled(mail, 'Approve the payment');

    await h.until('2027-01-16T17:00:00Z');
    const shown = await page(t, approve);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Approve your payment');
    expect((await h.invoice(x.invoiceId)).version).toBe(before.version);
    const posted = await t.post(pathOf(approve), '');
    const bankPage = goLinkOf(String(posted.body));
    expect(bankPage).toMatch(/\/authenticate\/pi_/);
    const back = await fetch(bankPage!, { method: 'POST', body: new URLSearchParams({ result: 'complete' }), redirect: 'manual' });
    expect(back.status).toBe(303);
    await t.settle();

    expect((await h.invoice(x.invoiceId)).status).toBe('paid');
    expect((await h.membership(x)).status).toBe('active');
    expect(await h.run('recovered', x.invoiceId)).toMatchObject({ recovered: { by: 'authentication' } });
    expect(ofKind(await h.mails(x), 'payment_receipt')).toHaveLength(1);
    expect((await h.charges(x)).map((c) => c.result.status)).toEqual(['succeeded']);
  }, LONG);

  it('R-DUN-4: past the whole ladder, none of the recovered runs sent another dunning e-mail, charged again or sent a second receipt', async () => {
    await h.until(AFTER_LADDER);
    const expected: Record<string, string[]> = { newcard: ['declined', 'succeeded'], staff: ['declined'], tds: ['succeeded'] };
    for (const buyer of Object.values(b)) {
      const mails = await h.mails(buyer);
      expect(mails.filter((m) => DUNNING_KINDS.has(kindOf(m))).map(kindOf), buyer.key).toEqual(['payment_failed']);
      expect(ofKind(mails, 'payment_receipt'), buyer.key).toHaveLength(1);
      expect((await h.charges(buyer)).map((c) => c.result.status), buyer.key).toEqual(expected[buyer.key]);
      expect((await h.invoice(buyer.invoiceId)).status, buyer.key).toBe('paid');
      expect((await h.membership(buyer)).status, buyer.key).toBe('active');
      const executions = await h.executions(buyer.invoiceId);
      expect(executions, buyer.key).toHaveLength(1);
      expect(executions[0].status, buyer.key).toBe('SUCCEEDED');
    }
    expect(await h.runs('active')).toEqual([]);
  }, LONG);

  it('R-DUN-4 (issue reminder): no member got a dunning e-mail about an invoice after it was paid', async () => {
    await h.until(AFTER_LADDER);
    for (const buyer of Object.values(b)) expect(await h.expectNoDunningMailAfterPaid(buyer), buyer.key).toBeGreaterThanOrEqual(1);
  }, LONG);
});

// =================================================================================================

describe('an invoice without a card on file (R-DUN-9)', () => {
  let h: Harness;
  let t: TestCloud;
  let o: Buyer;
  let invoiceId: string;

  beforeAll(async () => {
    h = await Harness.start();
    t = h.t;
    const planId = await h.plan(monthlyPlan('Swim by invoice', 2500, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    o = await h.buy('offline', planId, null);
    // The first instalment is settled by transfer, so only the next billing date's invoice is owed.
    await t.ok('POST', `/api/invoices/${o.invoiceId}/pay`, { method: 'transfer', reference: 'Virement 77' });
  }, LONG);

  afterAll(async () => {
    await t?.stop();
  });

  it('R-DUN-9: the billing date e-mails the invoice with a "Pay by card" link; 7 days after its due date a reminder', async () => {
    await h.until('2027-02-15T05:01:00Z');
    const record = await h.membership(o);
    const invoice = record.invoices.find((i: { periodStart: string }) => i.periodStart === '2027-02-15');
    expect(invoice).toMatchObject({ status: 'open', dueDate: '2027-02-15', amount: { amount: 2500, currency: 'CAD' } });
    invoiceId = invoice.id;
    expect(await h.charges(o)).toHaveLength(0);

    const sent = ofKind(await h.mails(o), 'invoice');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain(invoiceId);
    expect(sent[0]!.text).toContain('CA$25.00');
    expect(sent[0]!.subject).toContain('February 15, 2027');
    expect(linkLabelled(sent[0]!, 'Pay by card')).toMatch(/\/l\//);

    await h.until('2027-02-22T13:59:00Z');
    expect(ofKind(await h.mails(o), 'invoice_reminder')).toHaveLength(0);
    await h.until('2027-02-22T14:01:00Z');
    const reminders = ofKind(await h.mails(o), 'invoice_reminder');
    expect(reminders).toHaveLength(1);
    expectSentAt(reminders[0]!, '2027-02-22T14:00:00Z');
    expect(reminders[0]!.subject).toContain(invoiceId);
    expect(reminders[0]!.text).toContain('CA$25.00');
    expect(linkLabelled(reminders[0]!, 'Pay by card')).toMatch(/\/l\//);
    // Not a failed-payment run: the staff's dunning list does not show it.
    expect(await h.run('active', invoiceId)).toBeUndefined();
  }, LONG);

  it('R-DUN-9: staff re-send an open invoice: the member gets it again', async () => {
    await h.until('2027-02-22T14:01:00Z');
    const before = ofKind(await h.mails(o), 'invoice').length;
    const reply = await t.api('POST', `/api/invoices/${invoiceId}/resend`);
    expect(reply.status).toBe(202);
    const sent = ofKind(await h.mails(o), 'invoice');
    expect(sent).toHaveLength(before + 1);
    expect(sent.at(-1)!.text).toContain('Here is your invoice again');
    expect(sent.at(-1)!.text).toContain(invoiceId);
    expect(linkLabelled(sent.at(-1)!, 'Pay by card')).toMatch(/\/l\//);
  }, LONG);

  it('R-DUN-9, R-DUN-4: paying by card through the link pays the invoice at once: one receipt, no second reminder; re-sending it is then a 409', async () => {
    await h.until('2027-02-23T15:00:00Z');
    const reminder = ofKind(await h.mails(o), 'invoice_reminder')[0]!;
    const pay = linkLabelled(reminder, 'Pay by card');
    const shown = await page(t, pay);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Pay by card');
    expect(shown.body).toContain('CA$25.00');
    expect((await h.invoice(invoiceId)).status).toBe('open');

    const posted = await t.post(pathOf(pay), '');
    expect(posted.status).toBe(200);
    const checkout = goLinkOf(String(posted.body));
    expect(checkout).toMatch(/\/checkout\/cs_/);
    expect((await completeCheckout(checkout!, 'pm_card_visa')).status).toBe(303);
    await t.settle();

    const invoice = await h.invoice(invoiceId);
    expect(invoice.status).toBe('paid');
    const charges = await h.charges(o);
    expect(charges.map((c) => c.result.status)).toEqual(['succeeded']);
    expect(charges[0]!.metadata.invoiceId).toBe(invoiceId);
    const receipts = ofKind(await h.mails(o), 'payment_receipt').filter((m) => m.text.includes(invoiceId));
    expect(receipts).toHaveLength(1);

    const invoicesSent = ofKind(await h.mails(o), 'invoice').length;
    await h.until('2027-03-02T15:00:00Z');
    expect(ofKind(await h.mails(o), 'invoice_reminder')).toHaveLength(1);
    expect(ofKind(await h.mails(o), 'payment_receipt').filter((m) => m.text.includes(invoiceId))).toHaveLength(1);

    const resend = await t.api('POST', `/api/invoices/${invoiceId}/resend`);
    expect(resend.status).toBe(409);
    expect(ofKind(await h.mails(o), 'invoice')).toHaveLength(invoicesSent);
  }, LONG);

  it('R-DUN-4 (issue reminder): no dunning e-mail about an invoice after it was paid', async () => {
    expect(await h.expectNoDunningMailAfterPaid(o)).toBeGreaterThanOrEqual(2);
  }, LONG);
});

// =================================================================================================

describe('card-network caps at run time (R-DUN-2)', () => {
  let h: Harness;
  let t: TestCloud;
  let first: Buyer;
  let second: { membershipId: string; invoiceId: string };
  const DAILY = [1, 2, 3, 4, 5, 6, 7, 8];

  beforeAll(async () => {
    h = await Harness.start();
    t = h.t;
    const a = await h.plan(monthlyPlan('Daily A', 1000, { retryDays: DAILY, finalAction: 'cancel', fallbackPlanId: null }));
    const bPlan = await h.plan(monthlyPlan('Daily B', 1200, { retryDays: DAILY, finalAction: 'cancel', fallbackPlanId: null }));
    first = await h.buy('caps', a, FAILING);
    const membership = await t.ok('POST', '/api/memberships', { memberId: first.memberId, planId: bPlan });
    second = { membershipId: membership.id, invoiceId: membership.invoices[0].id };
  }, LONG);

  afterAll(async () => {
    await t?.stop();
  });

  it('R-DUN-2: two runs on one Visa card never charge it more than 15 times in 30 days; the retries left out are on the timeline', async () => {
    expect((await h.runs('active')).map((r) => r.invoiceId).sort()).toEqual([first.invoiceId, second.invoiceId].sort());
    expect(await h.charges(first)).toHaveLength(2);
    await h.until('2027-01-24T16:00:00Z');

    const charges = await h.charges(first);
    const times = charges.map((c) => Date.parse(c.at)).sort((x, y) => x - y);
    const worst = Math.max(...times.map((from) => times.filter((x) => x >= from && x < from + 30 * 86_400_000).length));
    expect(worst).toBeLessThanOrEqual(15);
    expect(charges.length).toBeGreaterThanOrEqual(10); // the retries did happen

    const skipped = [...(await h.timeline(first)), ...(await h.timeline(second))].filter((e) => e.type === 'dunning_retry_skipped');
    const capped = skipped.filter((e) => String(e.data.reason).startsWith('network_cap'));
    expect(capped.length).toBeGreaterThanOrEqual(1);
    // Every retry of both ladders was either made or left out for the cap: 2 first failures + 16 retries.
    expect(charges.length + capped.length).toBe(18);
    for (const invoiceId of [first.invoiceId, second.invoiceId]) expect(await h.run('lost', invoiceId)).toMatchObject({ outcome: 'cancel' });
  }, LONG);
});

// =================================================================================================

describe('recovery figures (R-DUN-10)', () => {
  let h: Harness;
  let t: TestCloud;
  const b: Record<string, Buyer> = {};

  beforeAll(async () => {
    h = await Harness.start();
    t = h.t;
    const planId = await h.plan(monthlyPlan('Swim', 2500, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    const short = await h.plan(monthlyPlan('Swim (one retry)', 2500, { retryDays: [1], finalAction: 'cancel', fallbackPlanId: null }));
    b.retry = await h.buy('sumretry', planId, 'pm_card_visa', 'pm_card_chargeDeclined');
    b.staff = await h.buy('sumstaff', planId, FAILING);
    b.lost = await h.buy('sumlost', short, FAILING);
    b.active = await h.buy('sumactive', planId, FAILING);

    await h.until('2027-01-16T16:00:00Z');
    await t.ok('POST', `/api/invoices/${b.staff.invoiceId}/pay`, { method: 'cash', reference: 'Reçu 12' });
    await h.until('2027-01-17T12:00:00Z');
    // The bank lets the first member's card through again: the next retry succeeds.
    t.cloud.stripe.cardStartsDeclining(await h.secretKey(), b.retry.cardRef!, 'pm_card_visa');
    await h.until('2027-01-18T15:01:00Z');
  }, LONG);

  afterAll(async () => {
    await t?.stop();
  });

  it('R-DUN-10: the summary counts the runs started in the period: recovered (amount, by step), lost, the median days to recovery', async () => {
    expect((await h.invoice(b.retry!.invoiceId)).status).toBe('paid');
    expect(await h.run('recovered', b.retry!.invoiceId)).toMatchObject({ recovered: { by: 'retry', afterRetries: 1, days: 3 } });
    expect(await h.run('recovered', b.staff!.invoiceId)).toMatchObject({ recovered: { by: 'staff', afterRetries: 0, days: 1 } });
    expect(await h.run('lost', b.lost!.invoiceId)).toMatchObject({ outcome: 'cancel' });

    const summary = await t.ok('GET', '/api/dunning/summary?from=2027-01-01&to=2027-01-31');
    expect(summary).toMatchObject({
      from: '2027-01-01',
      to: '2027-01-31',
      started: 4,
      active: 1,
      recovered: { count: 2, amounts: [{ currency: 'CAD', amount: 5000 }], byStep: [{ retries: 0, count: 1 }, { retries: 1, count: 1 }] },
      lost: { count: 1, amounts: [{ currency: 'CAD', amount: 2500 }], byAction: { cancel: 1 } },
      canceled: 0,
      medianDaysToRecovery: 2,
    });
    expect(summary.recovered.by).toEqual({ staff: 1, retry: 1 });
    expect(summary.recoveryRate).toBeCloseTo(2 / 3, 2);

    // A cohort: runs started in another period are not counted there.
    const february = await t.ok('GET', '/api/dunning/summary?from=2027-02-01&to=2027-02-28');
    expect(february).toMatchObject({ started: 0, recovered: { count: 0 }, lost: { count: 0 }, medianDaysToRecovery: null });
    const day = await t.ok('GET', '/api/dunning/summary?from=2027-01-15&to=2027-01-15');
    expect(day.started).toBe(4);
  }, LONG);

  it('R-DUN-10: bad dates are a 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2027-02-30&to=2027-03-01', 'from'],
      ['from=2027-01-01&to=tomorrow', 'to'],
      ['from=2027-02-01&to=2027-01-01', 'from'],
      ['from=2027-1-1&to=2027-01-31', 'from'],
    ] as const) {
      const reply = await t.api('GET', `/api/dunning/summary?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.details.map((d: { field: string }) => d.field), query).toContain(field);
    }
  }, LONG);

  it('R-DUN-4 (issue reminder): no dunning e-mail about an invoice after it was paid; one receipt each', async () => {
    for (const buyer of [b.retry!, b.staff!]) {
      expect(await h.expectNoDunningMailAfterPaid(buyer)).toBe(1);
      expect(ofKind(await h.mails(buyer), 'payment_receipt'), buyer.key).toHaveLength(1);
    }
    await h.expectNoDunningMailAfterPaid(b.lost!);
    await h.expectNoDunningMailAfterPaid(b.active!);
  }, LONG);
});

// =================================================================================================

describe('card-expiry notices (R-DUN-7, R-CAN-7, R-CAN-8)', () => {
  let h: Harness;
  let t: TestCloud;

  beforeAll(async () => {
    h = await Harness.start();
    t = h.t;
  }, LONG);

  afterAll(async () => {
    await t?.stop();
  });

  it('R-DUN-7: owner and organisation are told 14 days before the last valid day and on it, at 09:00; a new card or an automatic update first cancels them', async () => {
    const planId = await h.plan(monthlyPlan('Swim monthly', 2500, { retryDays: LADDER, finalAction: 'cancel', fallbackPlanId: null }));
    const key = await h.secretKey();
    const told = await h.buy('expiring', planId, 'pm_card_visa');
    const replaced = await h.buy('replaced', planId, 'pm_card_visa');
    const updated = await h.buy('updated', planId, 'pm_card_visa');
    // The card account updater says these cards now end in March 2027.
    for (const b of [told, replaced, updated]) t.cloud.stripe.updateCardAutomatically(key, b.cardRef!, { expMonth: 3, expYear: 2027 });
    await t.settle();
    // Toronto is on daylight time from March 14: 09:00 is 13:00Z.
    const notices = async (b: Buyer) => ((await h.membership(b)).timers as { kind: string; at: string }[]).filter((x) => x.kind === 'card_expiry').map((x) => x.at);
    for (const b of [told, replaced, updated]) expect(await notices(b)).toEqual(['2027-03-17T13:00:00.000Z', '2027-03-31T13:00:00.000Z']);

    await h.until('2027-03-01T15:00:00Z');
    await t.ok('PATCH', `/api/members/${replaced.memberId}`, { paymentMethod: { token: 'pm_card_mastercard' } });
    t.cloud.stripe.updateCardAutomatically(key, updated.cardRef!, { expMonth: 9, expYear: 2029 });
    await t.settle();
    expect(await notices(replaced)).toEqual(['2030-12-17T14:00:00.000Z', '2030-12-31T14:00:00.000Z']);
    expect(await notices(updated)).toEqual(['2029-09-16T13:00:00.000Z', '2029-09-30T13:00:00.000Z']);

    const expiryMails = async (b: Buyer) => (await h.mails(b)).filter((m) => /your card expires/.test(m.subject));
    const staffNotices = async () => (await t.emails('admin@club.example')).filter((m) => /card expires/.test(m.subject));
    await h.until('2027-03-17T12:59:00Z');
    expect(await expiryMails(told)).toEqual([]);
    await h.until('2027-03-17T13:01:00Z');
    const first = await expiryMails(told);
    expect(first).toHaveLength(1);
    expectSentAt(first[0]!, '2027-03-17T13:00:00Z');
    expect(first[0]!.subject).toContain('March 31, 2027');
    expect(first[0]!.text).toContain('4242');
    expect(linkLabelled(first[0]!, 'Update my card')).toMatch(/\/l\//);
    expect((await staffNotices()).map((m) => m.subject)).toEqual([expect.stringContaining('Member expiring')]);

    await h.until('2027-03-31T13:01:00Z');
    const all = await expiryMails(told);
    expect(all).toHaveLength(2);
    expect(all[1]!.subject).toMatch(/expires today/);
    expect(await staffNotices()).toHaveLength(2);
    // The replaced and the updated cards were never announced as expiring.
    expect(await expiryMails(replaced)).toEqual([]);
    expect(await expiryMails(updated)).toEqual([]);
    expect((await staffNotices()).every((m) => m.subject.includes('Member expiring'))).toBe(true);
  }, LONG);
});
