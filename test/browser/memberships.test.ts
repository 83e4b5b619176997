import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit } from '../support/browser.js';
import { connectChromium } from '../support/browser.js';
import { TestCloud } from '../support/cloud.js';
import { choose, clickButton, fill, go, openConsole, textOf, waitForHeading, waitForText } from '../support/console.js';

/**
 * The memberships and invoices pages of the console (issue 11) in Chromium against the local
 * cloud: every admin action on a membership or an invoice is done through the page, after a
 * review that states its dates and amounts (R-CON-1), and checked through the API.
 *
 * The clock stands on Friday 2027-01-15 at 10:00 in America/Toronto. Memberships start today at
 * 25.00 CAD a month, billed on the 1st (13.71 for January 15–31) unless said otherwise.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');
let browser: Browser;

const PRICE = { amount: 2500, currency: 'CAD' };
const ids: Record<string, string> = {};

async function plan(name: string, anchor: { type: 'fixedDay'; day: number } | { type: 'purchaseDate' }): Promise<string> {
  const body = {
    name,
    price: PRICE,
    termMonths: 12,
    billing: { cadence: 'monthly', anchor },
    renewal: { policy: 'automatic', reminderDays: [30] },
    cancellation: { memberMode: 'request' },
  };
  return (await cloud().ok('POST', '/api/plans', body)).id;
}

/** A member and their membership; `card` false leaves the first invoice open. */
async function join(key: string, name: string, planId: string, card = true): Promise<{ id: string; memberId: string; email: string; invoiceId: string }> {
  const email = `${key}@example.org`;
  const member = await cloud().ok('POST', '/api/members', { name, email, locale: 'en', ...(card ? { paymentMethod: { token: 'pm_card_visa' } } : {}) });
  const membership = await cloud().ok('POST', '/api/memberships', { memberId: member.id, planId });
  return { id: membership.id, memberId: member.id, email, invoiceId: membership.invoices[0].id };
}

const read = (id: string) => cloud().membership(id);
const invoice = (id: string) => cloud().ok('GET', `/api/invoices/${id}`);

/** The purpose written in a signed link's payload (`v1.<kid>.<payload>.<signature>`). */
function purposeOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[2]!, 'base64url').toString('utf8')).p;
}

/** The signed links (`/l/<token>`) in a text, as tokens. */
const tokensIn = (text: string) => [...text.matchAll(/\/l\/([A-Za-z0-9._~-]+)/g)].map((m) => m[1]!);

/**
 * R-CAN-5: the member asks to cancel from a signed link, as test/e2e/cancellation.test.ts does:
 * the invoice e-mail (sent again through the API) links to the member's own page, which offers
 * the cancellation link; its form sends the request.
 */
async function requestCancellation(invoiceId: string, email: string, reason: string): Promise<void> {
  await cloud().ok('POST', `/api/invoices/${invoiceId}/resend`);
  const mail = (await cloud().emails(email)).at(-1)!;
  const manage = tokensIn(mail.text).find((token) => purposeOf(token) === 'manage');
  expect(manage, 'the e-mail links to the member page').toBeDefined();
  const page = await cloud().request('GET', `/l/${manage}`);
  const cancel = tokensIn(String(page.body)).find((token) => purposeOf(token) === 'cancel');
  expect(cancel, 'the member page offers a cancellation link').toBeDefined();
  const sent = await cloud().post(`/l/${cancel}`, new URLSearchParams({ purpose: 'cancel', reason }).toString());
  expect(sent.status).toBe(200);
}

/**
 * Picks a date in the date field labelled `label`, as the browser's date picker does (typing
 * into a native date field depends on the browser's own locale).
 */
async function pickDate(page: Page, label: string, value: string): Promise<void> {
  await page.evaluate(
    (text: string, v: string) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string; htmlFor: string }>; getElementById(id: string): { value: string; dispatchEvent(e: unknown): void } | null } }).document;
      const label = Array.from(doc.querySelectorAll('label')).find((l) => l.textContent.trim().startsWith(text));
      const input = label && doc.getElementById(label.htmlFor);
      if (!input) throw new Error(`no field labelled ${text}`);
      input.value = v;
      input.dispatchEvent(new (globalThis as unknown as { Event: new (type: string, init: unknown) => unknown }).Event('input', { bubbles: true }));
    },
    label,
    value,
  );
}

/** Waits until the page's header (its status, once reloaded) reads `text`. */
async function headerSays(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (t: string) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.page-header')?.textContent.includes(t),
    { timeout: 10_000 },
    text,
  );
}

/** Opens the console on `hash` and waits for the page's data (a heading naming the member, or the list). */
async function open(hash: string, heading: RegExp, options: Parameters<typeof openConsole>[3] = {}) {
  const watch = await openConsole(browser, cloud(), hash, options);
  await waitForHeading(watch.page, heading);
  return watch;
}

/** The text of the review an ActionPanel shows before confirming. */
async function reviewText(page: Page): Promise<string> {
  await page.waitForSelector('.review');
  return textOf(page, '.review');
}

beforeAll(async () => {
  browser = await connectChromium();
  const monthly = await plan('Monthly swim', { type: 'fixedDay', day: 1 });
  const anniversary = await plan('Anniversary swim', { type: 'purchaseDate' });
  const made = {
    alice: await join('alice', 'Alice Martin', monthly),
    bruno: await join('bruno', 'Bruno Roy', monthly, false),
    chloe: await join('chloe', 'Chloé Gagnon', monthly, false),
    denis: await join('denis', 'Denis Côté', monthly),
    elise: await join('elise', 'Élise Bouchard', monthly, false),
    felix: await join('felix', 'Félix Lavoie', monthly),
    gaby: await join('gaby', 'Gabrielle Roy', monthly, false),
    hugo: await join('hugo', 'Hugo Pelletier', monthly, false),
    iris: await join('iris', 'Iris Tremblay', monthly, false),
    jade: await join('jade', 'Jade Fortin', anniversary),
  };
  for (const [key, m] of Object.entries(made)) Object.assign(ids, { [key]: m.id, [`${key}Member`]: m.memberId, [`${key}Invoice`]: m.invoiceId, [`${key}Email`]: m.email });
  await cloud().settle();
});

afterAll(async () => {
  await browser?.disconnect();
});

describe('a membership\'s page: every admin action after a review of its dates and amounts (R-CON-1)', () => {
  it('R-CON-1, R-CAN-2, R-CAN-4: cancelling for June shows the last day (May 31) and the last invoice (May 1, CA$25.00) before acting; the membership is then cancel_scheduled to May 31', async () => {
    const { page, errors } = await open(`#/memberships/${ids.alice}`, /Monthly swim — Alice Martin/);
    await waitForText(page, 'Cancel for a month');
    await choose(page, 'Cancellation month', '2027-06');
    await clickButton(page, 'Review the cancellation');

    const review = await reviewText(page);
    expect(review).toContain('June 2027');
    expect(review).toMatch(/Last day of access\s*May 31, 2027/);
    expect(review).toMatch(/Last invoice\s*May 1, 2027, CA\$25\.00/);
    expect(await cloud().membership(ids.alice)).toMatchObject({ status: 'active', terminationDate: null });

    await clickButton(page, 'Cancel the membership');
    await waitForText(page, 'Cancellation scheduled: the last day is May 31, 2027.');
    expect(await read(ids.alice!)).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-05-31', cancellation: { by: 'admin', month: '2027-06' } });
    // R-CAN-4: the member is told.
    await cloud().settle();
    expect((await cloud().emails(ids.aliceEmail)).map((e) => e.subject)).toContain('Club de natation de Laval: your membership has been cancelled');
    // The page reloaded: it now offers to move the date earlier only.
    await waitForText(page, 'Move the cancellation earlier');
    await clickButton(page, 'Close', '.action-panel');
    await page.waitForSelector('.action-panel select');
    const offered = await page.$$eval('.action-panel select option', (options) => options.map((o) => (o as unknown as { value: string }).value));
    expect(offered).toContain('2027-05');
    expect(offered).not.toContain('2027-06');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CAN-3: the cancellation is moved earlier, to March (last day February 28), after a review naming the date it replaces', async () => {
    const { page, errors } = await open(`#/memberships/${ids.alice}`, /Monthly swim — Alice Martin/);
    await waitForText(page, 'Move the cancellation earlier');
    await choose(page, 'Cancellation month', '2027-03');
    await clickButton(page, 'Review the cancellation');

    const review = await reviewText(page);
    expect(review).toMatch(/Last day of access\s*February 28, 2027/);
    expect(review).toMatch(/Replaces the last day\s*May 31, 2027/);
    expect(review).toMatch(/Last invoice\s*February 1, 2027, CA\$25\.00/);

    await clickButton(page, 'Move the cancellation');
    await waitForText(page, 'Cancellation scheduled: the last day is February 28, 2027.');
    expect(await read(ids.alice!)).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-02-28' });
    const timeline = (await read(ids.alice!)).timeline.map((e: { type: string }) => e.type);
    expect(timeline).toContain('cancellation_moved_earlier');
    // The history says it in words, with the dates.
    await waitForText(page, /Cancellation moved earlier/);
    expect(await textOf(page, '.timeline')).toMatch(/last day February 28, 2027 · instead of May 31, 2027 · for March 2027/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CAN-5, R-CON-3: a member\'s request is findable under "Cancellation requested"; staff confirm it with the final billing date, and the membership ends on the eve of the next one', async () => {
    await requestCancellation(ids.brunoInvoice!, ids.brunoEmail!, 'Moving to Gatineau');
    expect((await read(ids.bruno!)).status).toBe('cancellation_requested');

    const { page, errors } = await open('#/memberships?status=cancellation_requested', /Memberships/);
    await waitForText(page, 'Bruno Roy');
    await clickButton(page, /View\s*Bruno Roy/);
    await waitForHeading(page, /Monthly swim — Bruno Roy/);
    await waitForText(page, 'Their reason: “Moving to Gatineau”');

    await choose(page, 'Final billing date', '2027-03-01');
    await clickButton(page, 'Review the confirmation');
    const review = await reviewText(page);
    expect(review).toMatch(/Final billing date\s*March 1, 2027/);
    expect(review).toMatch(/Last day of access\s*March 31, 2027/);
    expect(review).toContain('CA$25.00 a month');

    await clickButton(page, 'Confirm the cancellation');
    await waitForText(page, 'Request confirmed: final billing date March 1, 2027, last day March 31, 2027.');
    expect(await read(ids.bruno!)).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2027-03-31', cancellation: { by: 'member', decision: 'scheduled' } });
    // Once reloaded, the panels of a request waiting are gone; the result stays.
    await headerSays(page, 'Cancellation scheduled');
    await waitForText(page, 'Request confirmed: final billing date March 1, 2027, last day March 31, 2027.');
    expect(await page.$$eval('button', (bs) => bs.map((b) => (b as unknown as { textContent: string }).textContent))).not.toContain('Review the decline');
    await cloud().settle();
    expect((await cloud().emails(ids.brunoEmail)).map((e) => e.subject)).toContain('Club de natation de Laval: your cancellation request was accepted');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CAN-5: staff decline a request with a reason; the membership goes on, active, and the member is told why', async () => {
    await requestCancellation(ids.chloeInvoice!, ids.chloeEmail!, 'Too expensive');
    const { page, errors } = await open(`#/memberships/${ids.chloe}`, /Monthly swim — Chloé Gagnon/);
    await fill(page, 'Reason for the member', 'Your commitment runs until January 2028.');
    await clickButton(page, 'Review the decline');
    const review = await reviewText(page);
    expect(review).toMatch(/Status afterwards\s*Active/);
    expect(review).toMatch(/Next billing date\s*February 1, 2027/);

    await clickButton(page, 'Decline the request');
    await waitForText(page, 'Request declined: the membership is Active.');
    expect(await read(ids.chloe!)).toMatchObject({ status: 'active', terminationDate: null, cancellation: { decision: 'declined' } });
    await cloud().settle();
    const declined = (await cloud().emails(ids.chloeEmail)).find((e) => e.subject.endsWith('your cancellation request was declined'));
    expect(declined?.text).toContain('Your commitment runs until January 2028.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CAN-6, R-MNY-3: voiding a paid invoice with a refund shows the amount refunded first; the invoice is void and its card payment refunded', async () => {
    expect((await invoice(ids.denisInvoice!)).status).toBe('paid');
    const { page, errors } = await open(`#/invoices/${ids.denisInvoice}`, /Invoice of Denis Côté/);
    await page.click('input[type="checkbox"]');
    await clickButton(page, 'Review the void');
    const review = await reviewText(page);
    expect(review).toMatch(/Refunded to the card\s*CA\$13\.71/);
    expect(review).toMatch(/Membership\s*Active → Voided/);

    await clickButton(page, 'Void the invoice');
    await waitForText(page, 'Invoice of CA$13.71 voided; the card payment is being refunded and the membership is voided.');
    await cloud().settle();
    const voided = await invoice(ids.denisInvoice!);
    expect(voided).toMatchObject({ status: 'void', credit: { refund: true, amount: { amount: 1371, currency: 'CAD' } } });
    expect(voided.refunds).toEqual([expect.objectContaining({ status: 'succeeded', amount: { amount: 1371, currency: 'CAD' } })]);
    expect((await read(ids.denis!)).status).toBe('voided');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CAN-6: voiding an open invoice from the membership page, without a refund: the preview says so; the invoice is void with nothing refunded', async () => {
    const { page, errors } = await open(`#/memberships/${ids.elise}`, /Monthly swim — Élise Bouchard/);
    expect(await page.$('.action-panel input[type="checkbox"]')).toBeNull();
    await clickButton(page, 'Review the void');
    const review = await reviewText(page);
    expect(review).toMatch(/Refunded to the card\s*No refund/);
    expect(review).toMatch(/Credited\s*CA\$13\.71/);

    await clickButton(page, 'Void the invoice');
    await waitForText(page, 'Invoice of CA$13.71 voided, without a refund; the membership is voided.');
    const voided = await invoice(ids.eliseInvoice!);
    expect(voided).toMatchObject({ status: 'void', credit: { refund: false }, refunds: [] });
    expect((await read(ids.elise!)).status).toBe('voided');
    // Nothing is offered on a voided membership.
    await headerSays(page, 'Voided');
    expect(await page.$$eval('button', (bs) => bs.map((b) => (b as unknown as { textContent: string }).textContent))).not.toContain('Review the cancellation');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-REN-9: the term end is changed with the version read (If-Match): the review states both dates; the API has the new end', async () => {
    const { page, errors } = await open(`#/memberships/${ids.felix}`, /Monthly swim — Félix Lavoie/);
    await pickDate(page, 'New term end', '2027-12-31');
    await clickButton(page, 'Review the change');
    const review = await reviewText(page);
    expect(review).toMatch(/Term end now\s*January 14, 2028/);
    expect(review).toMatch(/New term end\s*December 31, 2027/);

    await clickButton(page, 'Change the term end');
    await waitForText(page, 'The term now ends on December 31, 2027.');
    const m = await read(ids.felix!);
    expect(m.currentTerm.end).toBe('2027-12-31');
    expect(m.timeline.map((e: { type: string }) => e.type)).toContain('term_end_changed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-1: a term end before the term start is refused in the page, and nothing reaches the API', async () => {
    const before = (await cloud().api('GET', `/api/memberships/${ids.felix}`)).headers.get('etag');
    const { page, errors } = await open(`#/memberships/${ids.felix}`, /Monthly swim — Félix Lavoie/);
    await pickDate(page, 'New term end', '2026-12-31');
    await clickButton(page, 'Review the change');
    await waitForText(page, 'Pick January 15, 2027 or later.');
    expect(await page.$('.review')).toBeNull();
    expect((await cloud().api('GET', `/api/memberships/${ids.felix}`)).headers.get('etag')).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-DUN-9: a payment by cheque is recorded on the invoice\'s page; the invoice is paid and the member gets a receipt', async () => {
    const { page, errors } = await open(`#/invoices/${ids.gabyInvoice}`, /Invoice of Gabrielle Roy/);
    await clickButton(page, 'Review the payment');
    await waitForText(page, 'Required.');
    await choose(page, 'Paid by', 'cheque');
    await fill(page, 'Reference', 'Cheque 1042');
    await clickButton(page, 'Review the payment');
    const review = await reviewText(page);
    expect(review).toMatch(/Amount\s*CA\$13\.71/);
    expect(review).toMatch(/Paid by\s*cheque/);
    expect(review).toMatch(/Paid on\s*Today/);

    await clickButton(page, 'Record the payment');
    await waitForText(page, 'Payment of CA$13.71 by cheque recorded: the invoice is paid.');
    expect(await invoice(ids.gabyInvoice!)).toMatchObject({ status: 'paid', payment: { method: 'recorded', offline: { method: 'cheque', reference: 'Cheque 1042', paidOn: '2027-01-15' } } });
    await waitForText(page, 'By cheque (Cheque 1042), January 15, 2027');
    await cloud().settle();
    expect((await cloud().emails(ids.gabyEmail)).length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-DUN-9: an open invoice is sent again from the membership page; the member receives it', async () => {
    await cloud().settle();
    const before = (await cloud().emails(ids.hugoEmail)).length;
    const { page, errors } = await open(`#/memberships/${ids.hugo}`, /Monthly swim — Hugo Pelletier/);
    await clickButton(page, 'Review the e-mail');
    const review = await reviewText(page);
    expect(review).toMatch(/To\s*Hugo Pelletier <hugo@example\.org>/);
    expect(review).toMatch(/Due on\s*January 15, 2027/);

    await clickButton(page, 'Send the invoice');
    await waitForText(page, 'Invoice sent again to Hugo Pelletier <hugo@example.org>.');
    await cloud().settle();
    const mails = await cloud().emails(ids.hugoEmail);
    expect(mails.length).toBe(before + 1);
    expect(mails.at(-1)!.text).toContain('/l/');
    expect((await read(ids.hugo!)).timeline.map((e: { type: string }) => e.type)).toContain('invoice_resent');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('issue 13: the page shows the latest of a long history; "Show older" reads the rest a page at a time, with nothing repeated', async () => {
    const kim = await join('kim', 'Kim Nguyen', (await cloud().membership(ids.hugo!)).planId, false);
    // Each resend adds a timeline entry and an e-mail: more than the record's 6 entries and the page's 10 e-mails.
    for (let i = 0; i < 11; i++) await cloud().ok('POST', `/api/invoices/${kim.invoiceId}/resend`);
    await cloud().settle();
    const whole = await cloud().membership(kim.id);
    expect(whole.timeline.length).toBeGreaterThan(11);
    expect(whole.emails.length).toBe(11);

    const { page, errors } = await open(`#/memberships/${kim.id}`, /Monthly swim — Kim Nguyen/);
    const count = (selector: string) => page.$$eval(selector, (rows) => rows.length);
    const timeline = 'section[aria-labelledby="membership-timeline"]';
    const emails = 'section[aria-labelledby="membership-emails"]';
    expect(await count(`${timeline} ol.timeline > li`)).toBe(6);
    expect(await count(`${emails} tbody tr`)).toBe(10);
    // "Show older" until it is gone (a page that ends exactly at a list's end offers one more, empty, click).
    const showAll = async (section: string) => {
      for (let clicks = 0; clicks < 5; clicks++) {
        const more = await page.$$eval(`${section} button`, (buttons) => buttons.some((b) => /Show older/.test((b as unknown as { textContent: string }).textContent)));
        if (!more) return;
        await clickButton(page, 'Show older', section);
        await page.waitForNetworkIdle({ idleTime: 250, timeout: 10_000 });
      }
      throw new Error(`${section}: still offers older items after 5 pages`);
    };
    await showAll(timeline);
    await showAll(emails);
    expect(await count(`${timeline} ol.timeline > li`)).toBe(whole.timeline.length);
    expect(await count(`${emails} tbody tr`)).toBe(11);
    expect(await textOf(page, timeline)).toContain('Membership bought');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-1: a card request is e-mailed to the member from the membership page, after a review naming the address, the card and what the new card will pay', async () => {
    const { page, errors } = await open(`#/memberships/${ids.hugo}`, /Monthly swim — Hugo Pelletier/);
    const before = (await cloud().emails(ids.hugoEmail)).length;
    await clickButton(page, 'Review the card request');
    const review = await reviewText(page);
    expect(review).toContain(ids.hugoEmail);
    expect(review).toMatch(/Charged now\s*(CA\$[\d.]+: the open invoices|Nothing)/);
    expect((await cloud().emails(ids.hugoEmail)).length).toBe(before);
    await clickButton(page, 'Send the card request');
    await waitForText(page, `The card request was e-mailed to ${ids.hugoEmail}.`);
    const mails = (await cloud().emails(ids.hugoEmail)).slice(before);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/card/)]);
    expect(mails[0]!.text).toContain('/l/');
    expect((await read(ids.hugo!)).timeline.map((e: { type: string }) => e.type)).toContain('card_requested');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-PAY-2: a card page is made for the member from the membership page; the card saved there becomes the member\'s', async () => {
    const { page, errors } = await open(`#/memberships/${ids.hugo}`, /Monthly swim — Hugo Pelletier/);
    await clickButton(page, 'Review the card page');
    const review = await reviewText(page);
    expect(review).toMatch(/Card\s*No card on file/);
    await clickButton(page, 'Create the card page');
    await waitForText(page, 'The card page is ready until');
    const url = await page.$eval('a[data-card-setup]', (a) => (a as unknown as { href: string }).href);
    expect(url).toMatch(/\/checkout\/cs_test_/);

    const done = await fetch(url, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_mastercard' }), redirect: 'manual' });
    expect(done.status).toBe(303);
    await cloud().settle();
    expect((await cloud().ok('GET', `/api/members/${ids.hugoMember}`)).paymentMethod).toMatchObject({ brand: 'mastercard', last4: '4444' });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the lists of memberships and invoices', () => {
  it('R-CON-3: memberships by status with their counts; the filter is in the address, so it survives a reload and back returns to the previous one', async () => {
    const counts = (await cloud().ok('GET', '/api/memberships/counts')).counts;
    const { page, errors } = await open('#/memberships', /Memberships/);
    await page.waitForSelector('.counts .count');
    const chosen = await page.$eval('.counts a[aria-current="true"]', (a) => (a as unknown as { innerText: string }).innerText);
    expect(chosen.replace(/\s+/g, ' ').trim()).toBe(`Active ${counts.active}`);
    expect((await textOf(page, '.counts')).replace(/\s+/g, ' ')).toContain(`Cancellation scheduled ${counts.cancel_scheduled}`);
    await waitForText(page, 'Félix Lavoie');

    await clickButton(page, /Cancellation scheduled/, '.counts');
    await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash === '#/memberships?status=cancel_scheduled');
    await waitForText(page, 'Alice Martin');
    expect(await page.$eval('.counts a[aria-current="true"]', (a) => (a as unknown as { innerText: string }).innerText)).toContain('Cancellation scheduled');
    expect(await textOf(page, 'table')).not.toContain('Félix Lavoie');
    expect(await textOf(page, 'table')).toContain('Ends on February 28, 2027');

    await page.reload({ waitUntil: 'networkidle0' });
    await waitForText(page, 'Alice Martin');
    expect(await page.$eval('.counts a[aria-current="true"]', (a) => (a as unknown as { innerText: string }).innerText)).toContain('Cancellation scheduled');

    await page.goBack();
    await waitForText(page, 'Félix Lavoie');
    expect(await page.$eval('.counts a[aria-current="true"]', (a) => (a as unknown as { innerText: string }).innerText)).toContain('Active');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the invoices list names each member and fits a 1366 px screen; the status filter is in the address', async () => {
    const { page, errors } = await open('#/invoices', /Invoices/);
    await waitForText(page, 'Iris Tremblay');
    const listed = await cloud().ok('GET', '/api/invoices?status=open');
    expect(listed.items.map((i: { member: { name: string } }) => i.member.name)).toContain('Iris Tremblay');
    const names = await page.$$eval('tbody td:first-child a', (as) => as.map((a) => (a as unknown as { textContent: string }).textContent));
    expect(names.sort()).toEqual(listed.items.map((i: { member: { name: string } }) => i.member.name).sort());
    const fits = await page.$eval('.table-wrap', (el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return e.scrollWidth <= e.clientWidth;
    });
    expect(fits).toBe(true);

    await clickButton(page, 'Void', 'nav.tabs');
    await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash === '#/invoices?status=void');
    await waitForText(page, 'Denis Côté');
    await page.reload({ waitUntil: 'networkidle0' });
    await waitForText(page, 'Élise Bouchard');
    expect(await page.$eval('nav.tabs a[aria-current="page"]', (a) => (a as unknown as { textContent: string }).textContent)).toBe('Void');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-2: in French, statuses, money and dates are written as Quebec writes them', async () => {
    const { page, errors } = await open(`#/memberships/${ids.jade}`, /Anniversary swim — Jade Fortin/, { locale: 'fr-CA' });
    await waitForText(page, 'Prochaine date de facturation');
    const facts = await textOf(page, '.facts');
    expect(facts).toContain('15 février 2027');
    expect(facts).toMatch(/25,00\s\$ par mois/);
    expect(facts).toMatch(/Statut\s*Active/);
    await waitForText(page, 'Adhésion achetée');
    await choose(page, 'Mois d’annulation', '2027-04');
    await clickButton(page, 'Vérifier l’annulation');
    const review = await reviewText(page);
    expect(review).toMatch(/Dernier jour d’accès\s*14 avril 2027/);
    expect(review).toMatch(/Dernière facture\s*15 mars 2027, 25,00\s\$/);

    await go(page, '#/memberships?status=cancel_scheduled', /Adhésions/);
    await waitForText(page, 'Alice Martin');
    expect(await textOf(page, '.counts')).toContain('Annulation prévue');
    expect(await textOf(page, 'table')).toContain('Se termine le 28 février 2027');
    await go(page, '#/invoices?status=paid', /Factures/);
    await waitForText(page, 'Gabrielle Roy');
    expect(await textOf(page, 'table')).toMatch(/13,71\s\$/);
    expect(await textOf(page, 'table')).toContain('Payée');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('accessibility of the memberships and invoices pages (R-CON-4)', () => {
  beforeAll(async () => {
    // A request waiting: the page shows it and the panels to answer it.
    const kim = await join('kim', 'Kim Nguyen', (await read(ids.felix!)).planId, false);
    Object.assign(ids, { kim: kim.id });
    await requestCancellation(kim.invoiceId, kim.email, 'Back to school');
  });

  for (const viewport of [
    { width: 1366, height: 900 },
    { width: 390, height: 844 },
  ]) {
    it(`R-CON-4: axe-core finds nothing on each page at ${viewport.width} px, with no page error`, async () => {
      const pages = ['#/memberships', '#/memberships?status=cancel_scheduled', `#/memberships/${ids.bruno}`, `#/memberships/${ids.kim}`, `#/memberships/${ids.hugo}`, '#/invoices', `#/invoices/${ids.denisInvoice}`, `#/invoices/${ids.hugoInvoice}`];
      const { page, errors } = await openConsole(browser, cloud(), '#/memberships', { viewport });
      const report: Record<string, unknown> = {};
      for (const hash of pages) {
        await page.goto(`${cloud().url}/console/${hash}`);
        await page.reload({ waitUntil: 'networkidle0' });
        await page.waitForSelector('main h1');
        await page.waitForFunction(() => !(globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes('Loading…'));
        const violations = await axeAudit(page);
        if (violations.length > 0) report[hash] = violations;
      }
      // A review open (the confirmation step of an action) is audited too.
      await page.goto(`${cloud().url}/console/#/memberships/${ids.felix}`);
      await page.reload({ waitUntil: 'networkidle0' });
      await clickButton(page, 'Review the cancellation');
      await page.waitForSelector('.review');
      const review = await axeAudit(page);
      if (review.length > 0) report.review = review;
      expect(report).toEqual({});
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
