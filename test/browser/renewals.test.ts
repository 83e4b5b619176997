import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit, connectChromium } from '../support/browser.js';
import { linkIn, TestCloud } from '../support/cloud.js';
import { choose, clickButton, fill, go, openConsole, textOf, waitForHeading, waitForText } from '../support/console.js';

/**
 * The renewal notices, refusal reasons and dunning pages of the console (issue 11; SPEC §5,
 * R-NOT-1…9, R-DUN-10) in Chromium against the local cloud: each action through the UI, each
 * outcome checked through the API.
 *
 * The club is in Toronto. A one-month upfront plan with notices 10 days before the term end:
 * memberships bought on 2027-01-15 end on 2027-02-14, so their notices go out on 2027-02-04 at
 * 09:00 (14:00Z); the tests run on 2027-02-04 at 10:00. Two members pay a monthly plan with a
 * card that declines: the first (from January 15) has been through every retry and is lost by
 * then; the second buys on February 4 and is still being retried.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');
const AFTER_NOTICE = '2027-02-04T15:00:00Z';
const DECLINING = 'pm_card_chargeCustomerFail';
let browser: Browser;

const NAMES = { ana: 'Ana Roy', ben: 'Ben Côté', cleo: 'Cleo Lavoie', dan: 'Dan Morin', eve: 'Eve Gagné', fay: 'Fay Bélanger', gus: 'Gus Pelletier' } as const;
type Key = keyof typeof NAMES;
const notices = {} as Record<Key, string>;
const emailOf = (key: Key) => `${key}@example.org`;
let reasonId = '';

type Win = {
  document: { body: { innerText: string }; querySelectorAll(s: string): ArrayLike<{ textContent: string | null; querySelector(s: string): { click(): void } | null }> };
  location: { hash: string };
};

beforeAll(async () => {
  const c = cloud();
  const plan = await c.ok('POST', '/api/plans', {
    name: 'Chamber membership',
    price: { amount: 50000, currency: 'CAD' },
    termMonths: 1,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 10, remindAfterDays: 3 } },
  });
  const monthly = await c.ok('POST', '/api/plans', {
    name: 'Pool pass',
    price: { amount: 2500, currency: 'CAD' },
    billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
    dunning: { retryDays: [3, 8, 13], finalAction: 'cancel', fallbackPlanId: null },
  });
  const memberships: Partial<Record<Key, string>> = {};
  for (const key of Object.keys(NAMES) as Key[]) {
    const member = await c.ok('POST', '/api/members', { name: NAMES[key], email: emailOf(key), locale: 'en', autoRenew: false, paymentMethod: { token: 'pm_card_visa' } });
    memberships[key] = (await c.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id })).id;
  }
  const hugo = await c.ok('POST', '/api/members', { name: 'Hugo Lost', email: 'hugo@example.org', locale: 'en', paymentMethod: { token: DECLINING } });
  await c.ok('POST', '/api/memberships', { memberId: hugo.id, planId: monthly.id });

  await c.setClock(AFTER_NOTICE);
  await c.settle();
  for (const key of Object.keys(NAMES) as Key[]) notices[key] = (await c.membership(memberships[key])).notice.id;
  const ivy = await c.ok('POST', '/api/members', { name: 'Ivy Active', email: 'ivy@example.org', locale: 'en', paymentMethod: { token: DECLINING } });
  await c.ok('POST', '/api/memberships', { memberId: ivy.id, planId: monthly.id });

  // Gus asks for changes from the notice's link (R-NOT-2).
  const mail = (await c.emails(emailOf('gus'))).filter((e) => /renewal notice/.test(e.subject)).at(-1)!;
  await c.post(new URL(linkIn(mail)).pathname, `action=change&message=${encodeURIComponent('Could I pay in two instalments?')}`);
  reasonId = (await c.ok('POST', '/api/refusal-reasons', { label: 'Moved away', labels: { 'fr-CA': 'Déménagé' } })).id;
  browser = await connectChromium();
}, 180_000);

afterAll(async () => {
  await browser?.disconnect();
});

const notice = (key: Key) => cloud().ok('GET', `/api/renewals/${notices[key]}`);

/** Waits until nothing on the page is still loading. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !/Loading…|Chargement…/.test((globalThis as unknown as Win).document.body.innerText), { timeout: 10_000 });
}

async function hash(page: Page): Promise<string> {
  return page.evaluate(() => decodeURIComponent((globalThis as unknown as Win).location.hash));
}

/** The member names of the board's rows. */
async function rowNames(page: Page): Promise<string[]> {
  return page.$$eval('main tbody tr td:nth-child(2) a', (links) => links.map((a) => (a.textContent ?? '').trim()));
}

/** Ticks the row checkbox labelled `label`. */
async function tick(page: Page, label: string): Promise<void> {
  await page.evaluate((text: string) => {
    const labels = Array.from((globalThis as unknown as Win).document.querySelectorAll('main label'));
    labels.find((l) => (l.textContent ?? '').trim() === text)!.querySelector('input')!.click();
  }, label);
}

/** Text with its no-break spaces (French money, times) as plain spaces. */
const words = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/** A RegExp for `text` whose spaces may be any space (no-break ones included). */
const loose = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s'));

/** Only the failed requests the test caused on purpose (a 409 the page words itself). */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource: the server responded with a status of 409/.test(e));

describe('renewal boards (R-NOT-9)', () => {
  it('R-NOT-9: the boards list the notices; switching board puts it in the URL, and a reload keeps it', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/renewals');
    await waitForHeading(page, /^Renewals$/);
    await settled(page);
    expect((await rowNames(page)).sort()).toEqual(Object.values(NAMES).sort());
    expect(await page.$eval('main .tabs a[aria-current="page"]', (a) => a.textContent)).toBe('All in progress');
    // A row in words: term end, offer, status, sent instant in the organisation's zone.
    const ana = await page.$$eval('main tbody tr', (rows) => rows.map((r) => (r as unknown as { innerText: string }).innerText).find((x) => x.includes('Ana Roy')) ?? '');
    expect(ana).toContain('February 14, 2027');
    expect(ana).toContain('Chamber membership, CA$500.00');
    expect(ana).toContain('February 15, 2027 to March 14, 2027');
    expect(ana).toContain('Sent');
    expect(ana).toMatch(/Feb 4, 2027, 9:00\sAM EST/);

    await clickButton(page, 'Change requests', 'main .tabs');
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('board=change-requests'));
    await waitForText(page, 'The member asked for changes');
    await settled(page);
    expect(await rowNames(page)).toEqual([NAMES.gus]);
    expect(await textOf(page, 'main tbody')).toContain('Changes requested');

    await page.reload({ waitUntil: 'networkidle0' });
    await waitForHeading(page, /^Renewals$/);
    await settled(page);
    expect(await hash(page)).toBe('#/renewals?board=change-requests');
    expect(await page.$eval('main .tabs a[aria-current="page"]', (a) => a.textContent)).toBe('Change requests');
    expect(await rowNames(page)).toEqual([NAMES.gus]);

    // Sent today: nobody has been waiting 7 days.
    await clickButton(page, 'Unanswered for 7 days', 'main .tabs');
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('board=unanswered-7d'));
    await waitForText(page, 'Nothing to show.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-NOT-3, R-CON-1: bulk approval says whom it approves, then gives one result per notice in words (one refused meanwhile is not approved)', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/renewals?board=active');
    await settled(page);
    await tick(page, `Select ${NAMES.ana}`);
    await tick(page, `Select ${NAMES.ben}`);
    await tick(page, `Select ${NAMES.eve}`);
    await waitForText(page, '3 renewals selected.');
    await clickButton(page, 'Review', 'main');
    await waitForText(page, /Approve 3 renewals: .*Ana Roy/);
    const review = await textOf(page, 'main .review');
    for (const key of ['ana', 'ben', 'eve'] as const) expect(review).toContain(NAMES[key]);
    expect(review).not.toContain(NAMES.cleo);
    expect((await notice('ana')).status).toBe('sent');

    // Someone refuses Eve's renewal while the approval is being reviewed.
    await cloud().ok('POST', `/api/renewals/${notices.eve}/refuse`, { reasonId });
    await clickButton(page, 'Approve them', 'main');
    await waitForText(page, 'Done for 2 of 3.');
    const result = await textOf(page, 'main .result');
    expect(result).toContain(`${NAMES.ana}: done — now approved`);
    expect(result).toContain(`${NAMES.ben}: done — now approved`);
    expect(result).toContain(`${NAMES.eve}: not done: This renewal was refused; it cannot be approved.`);

    for (const key of ['ana', 'ben'] as const) {
      const n = await notice(key);
      expect(n).toMatchObject({ status: 'approved', approved: { by: { type: 'admin' } } });
      expect(n.invoiceId).toBeTruthy();
    }
    expect((await notice('eve')).status).toBe('refused');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-NOT-3: bulk refusal needs a reason from the list; the notices are refused with it', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/renewals');
    await settled(page);
    await tick(page, `Select ${NAMES.cleo}`);
    await tick(page, `Select ${NAMES.dan}`);
    await choose(page, 'Action', 'refuse', 'main');
    await clickButton(page, 'Review', 'main');
    await waitForText(page, 'Check the fields marked below.');
    expect(await textOf(page, 'main .action-panel .field.invalid')).toContain('Required.');
    expect((await notice('cleo')).status).toBe('sent');

    await choose(page, 'Refusal reason', reasonId, 'main');
    await fill(page, 'Note for the file', 'Left the region', 'main');
    await clickButton(page, 'Review', 'main');
    await waitForText(page, /Refuse 2 renewals: /);
    expect(await textOf(page, 'main .review')).toContain('Reason: “Moved away”.');
    await clickButton(page, 'Refuse them', 'main');
    await waitForText(page, 'Done for 2 of 2.');
    expect(await textOf(page, 'main .result')).toContain(`${NAMES.dan}: done — now refused`);

    for (const key of ['cleo', 'dan'] as const) {
      expect(await notice(key)).toMatchObject({ status: 'refused', refusal: { reasonId, label: 'Moved away', note: 'Left the region' } });
    }
    // Refused notices leave the boards.
    await settled(page);
    expect(await rowNames(page)).not.toContain(NAMES.cleo);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('one renewal notice (R-NOT-3, R-NOT-7, R-NOT-8)', () => {
  it('R-NOT-7, R-CON-1: staff change the price, approve (invoice e-mailed), send the invoice again, reset (invoice voided) and refuse with a reason', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/renewals/${notices.fay}`);
    await waitForHeading(page, /Renewal notice — Fay Bélanger/);
    await settled(page);
    expect(await textOf(page, 'main')).toContain('February 15, 2027 to March 14, 2027');

    // The price: checked in the browser first.
    await fill(page, 'Price (CAD)', '4O0', 'main');
    await clickButton(page, 'Review the change', 'main');
    await waitForText(page, 'Enter an amount such as 25 or 25.50.');
    expect((await notice('fay')).next.price.amount).toBe(50000);
    await fill(page, 'Price (CAD)', '450', 'main');
    await clickButton(page, 'Review the change', 'main');
    await waitForText(page, 'Price: CA$500.00 → CA$450.00');
    await clickButton(page, 'Change the offer', 'main');
    await waitForText(page, 'The offer is now Chamber membership, CA$450.00, from February 15, 2027 to March 14, 2027.');
    expect((await notice('fay')).next.price).toEqual({ amount: 45000, currency: 'CAD' });

    await clickButton(page, 'Review the approval', 'main');
    await waitForText(page, `An invoice of CA$450.00 is e-mailed to ${emailOf('fay')}`);
    await clickButton(page, 'Approve the renewal', 'main');
    await waitForText(page, `Approved. The invoice of CA$450.00 was e-mailed to ${emailOf('fay')}.`);
    const approved = await notice('fay');
    expect(approved).toMatchObject({ status: 'approved', paidAt: null });
    expect((await cloud().ok('GET', `/api/invoices/${approved.invoiceId}`)).amount).toEqual({ amount: 45000, currency: 'CAD' });
    const invoiceMails = async () => (await cloud().emails(emailOf('fay'))).filter((m) => /CA\$450\.00/.test(m.subject)).length;
    expect(await invoiceMails()).toBe(1);
    await waitForText(page, 'Renewal invoice');
    expect(await textOf(page, 'main')).toContain('Not paid yet');

    // R-NOT-8: approved and unpaid, "remind" sends the invoice again.
    await clickButton(page, 'Review the reminder', 'main');
    await waitForText(page, `E-mail the renewal invoice of CA$450.00 again to ${emailOf('fay')}.`);
    await clickButton(page, 'Send the reminder', 'main');
    await waitForText(page, `E-mailed to ${emailOf('fay')}.`);
    expect(await invoiceMails()).toBe(2);

    await clickButton(page, 'Review the reset', 'main');
    await waitForText(page, 'The renewal invoice of CA$450.00 is voided');
    await clickButton(page, 'Reset the notice', 'main');
    await waitForText(page, 'Reset. The invoice was voided; the notice awaits a decision again.');
    expect(await notice('fay')).toMatchObject({ status: 'sent', invoiceId: null });
    expect((await cloud().ok('GET', `/api/invoices/${approved.invoiceId}`)).status).toBe('void');

    const mailsBefore = (await cloud().emails(emailOf('fay'))).length;
    await choose(page, 'Refusal reason', reasonId, 'main');
    await fill(page, 'Note for the file', 'Moving to Gatineau', 'main');
    await clickButton(page, 'Review the refusal', 'main');
    await waitForText(page, 'The membership ends on February 14, 2027, the last day of the current term');
    await clickButton(page, 'Refuse the renewal', 'main');
    await waitForText(page, 'Refused. The membership ends on February 14, 2027.');
    await waitForText(page, 'Nothing more can be done with this notice.');
    expect(await notice('fay')).toMatchObject({ status: 'refused', refusal: { reasonId, label: 'Moved away', note: 'Moving to Gatineau' } });
    expect((await cloud().emails(emailOf('fay'))).length).toBe(mailsBefore + 1);

    // The history in words, newest first.
    const history = await textOf(page, 'main .timeline');
    for (const line of ['Refused: Moved away', 'Reset: the invoice was voided', 'Renewal invoice e-mailed again', 'Approved; invoice of CA$450.00 e-mailed', 'Offer changed: CA$450.00, until March 14, 2027', 'Notice e-mailed to the member']) {
      expect(history).toContain(line);
    }
    expect(history.indexOf('Refused: Moved away')).toBeLessThan(history.indexOf('Notice e-mailed to the member'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-NOT-2, R-NOT-8: the notice shows the member’s request for changes; staff send the notice again (a new answer link)', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/renewals/${notices.gus}`);
    await waitForHeading(page, /Renewal notice — Gus Pelletier/);
    await settled(page);
    expect(await textOf(page, 'main')).toContain('Could I pay in two instalments?');
    // Offered only what the status allows: no reset before an approval.
    expect(await textOf(page, 'main')).not.toContain('Review the reset');

    const before = (await cloud().emails(emailOf('gus'))).filter((m) => /renewal notice/.test(m.subject)).length;
    await clickButton(page, 'Review the reminder', 'main');
    await waitForText(page, `E-mail the notice again to ${emailOf('gus')} (reminder 1).`);
    await clickButton(page, 'Send the reminder', 'main');
    await waitForText(page, `E-mailed to ${emailOf('gus')}.`);
    expect((await notice('gus')).reminders).toBe(1);
    expect((await cloud().emails(emailOf('gus'))).filter((m) => /renewal notice/.test(m.subject)).length).toBe(before + 1);
    await waitForText(page, 'Reminder e-mailed (reminder 1)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-2: in French, the board and a notice read in Quebec French with its money and dates', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/renewals?board=accepted-unpaid', { locale: 'fr-CA' });
    await waitForHeading(page, /^Renouvellements$/);
    await settled(page);
    expect((await rowNames(page)).sort()).toEqual([NAMES.ana, NAMES.ben].sort());
    const body = words(await textOf(page, 'main'));
    expect(body).toContain('Acceptés, non payés');
    expect(body).toContain('14 février 2027');
    expect(body).toContain('Chamber membership, 500,00 $');
    expect(body).toContain('Approuvé');
    expect(body).toContain('facture impayée');

    await go(page, `#/renewals/${notices.ana}`, /Avis de renouvellement — Ana Roy/);
    await settled(page);
    const notice = words(await textOf(page, 'main'));
    expect(notice).toContain('du 15 février 2027 au 14 mars 2027');
    expect(notice).toContain('Facture de renouvellement');
    expect(notice).toContain('Pas encore payée');
    expect(notice).toContain('Approuvé; facture de 500,00 $ envoyée');
    await clickButton(page, 'Vérifier la réinitialisation', 'main');
    await waitForText(page, loose('La facture de renouvellement de 500,00 $ est annulée et le terme du 15 février 2027 au 14 mars 2027 est retiré'));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('refusal reasons (R-NOT-3)', () => {
  it('R-NOT-3: staff add a reason (checked first), rename it with the version they read, and retire it; the list staff pick from changes', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/reasons');
    await waitForHeading(page, /^Refusal reasons$/);
    await settled(page);
    expect(await textOf(page, 'main table')).toContain('Moved away');
    expect(await textOf(page, 'main table')).toContain('Déménagé');

    const create = 'section[aria-labelledby="reason-create"]';
    await clickButton(page, 'Add the reason', create);
    await waitForText(page, 'Required.');
    await fill(page, 'Label', 'Too expensive', create);
    await fill(page, 'Label in French', 'Trop cher', create);
    await clickButton(page, 'Add the reason', create);
    await waitForText(page, 'Reason “Too expensive” added.');
    let all = (await cloud().ok('GET', '/api/refusal-reasons?retired=include')).items as any[];
    const added = all.find((r) => r.label === 'Too expensive');
    expect(added).toMatchObject({ labels: { 'fr-CA': 'Trop cher' }, retired: false });

    // The same words in another case are refused, in words.
    await fill(page, 'Label', 'too  EXPENSIVE', create);
    await clickButton(page, 'Add the reason', create);
    await waitForText(page, 'A reason in use already says this');
    expect((await cloud().ok('GET', '/api/refusal-reasons?retired=include')).items).toHaveLength(all.length);

    // Renamed with the version read when the form opened: a change made meanwhile is not overwritten.
    const rename = 'section[aria-labelledby="reason-rename"]';
    await clickButton(page, /^Rename Too expensive$/, 'main table');
    await waitForText(page, 'Rename “Too expensive”');
    await cloud().ok('PATCH', `/api/refusal-reasons/${added.id}`, { labels: { 'fr-CA': 'Trop cher', en: 'Too pricey' } });
    await fill(page, 'Label', 'Price too high', rename);
    await clickButton(page, 'Save', rename);
    await waitForText(page, 'Someone changed this in the meantime');
    expect((await cloud().ok('GET', `/api/refusal-reasons/${added.id}`)).label).toBe('Too expensive');
    await clickButton(page, 'Cancel', rename);
    await clickButton(page, /^Rename Too expensive$/, 'main table');
    await waitForText(page, 'Rename “Too expensive”');
    expect(await page.$eval(`${rename} input[lang="en"]`, (el) => (el as unknown as { value: string }).value)).toBe('Too pricey');
    await fill(page, 'Label', 'Price too high', rename);
    await clickButton(page, 'Save', rename);
    await waitForText(page, 'Renamed: “Price too high”.');
    expect(await cloud().ok('GET', `/api/refusal-reasons/${added.id}`)).toMatchObject({ label: 'Price too high', labels: { 'fr-CA': 'Trop cher', en: 'Too pricey' } });

    await clickButton(page, /^Retire Price too high$/, 'main table');
    await clickButton(page, 'Review', 'main .action-panel');
    await waitForText(page, '“Price too high” will no longer be offered when refusing a renewal.');
    expect((await cloud().ok('GET', `/api/refusal-reasons/${added.id}`)).retired).toBe(false);
    await clickButton(page, 'Retire the reason', 'main');
    await waitForText(page, '“Price too high” was retired.');
    expect((await cloud().ok('GET', `/api/refusal-reasons/${added.id}`)).retired).toBe(true);
    all = (await cloud().ok('GET', '/api/refusal-reasons')).items;
    expect(all.map((r) => r.id)).not.toContain(added.id);
    await clickButton(page, /^Restore Price too high$/, 'main table');
    await waitForText(page, 'Restore “Price too high”');
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  });
});

describe('dunning (R-DUN-10)', () => {
  it('R-DUN-10: the runs by state (in the URL) and the recovery figures of a period chosen with dates', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/dunning');
    await waitForHeading(page, /^Dunning$/);
    await settled(page);
    const runs = await textOf(page, 'main section[aria-labelledby="dunning-runs"] tbody');
    expect(runs).toContain('Ivy Active');
    expect(runs).toContain('$25.00');
    expect(runs).toContain('In progress');
    expect(runs).toMatch(/Next step: /);
    expect(runs).not.toContain('Hugo Lost');

    await clickButton(page, 'Lost', 'main .tabs');
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('state=lost'));
    await waitForText(page, 'Hugo Lost');
    expect(await textOf(page, 'main section[aria-labelledby="dunning-runs"] tbody')).toContain('Final action: membership cancelled');

    // The period defaults to this month so far: only Ivy's run started in it.
    const summary = 'section[aria-labelledby="dunning-summary"]';
    await waitForText(page, 'Runs started from February 1, 2027 to February 4, 2027');
    const rowOf = async (state: string) =>
      page.$$eval(`main ${summary} tbody tr`, (rows, s) => rows.map((r) => (r as unknown as { innerText: string }).innerText).find((x) => x.startsWith(s)) ?? '', state);
    expect(await rowOf('In progress')).toMatch(/1\s+CA\$25\.00/);
    expect(await rowOf('Lost')).toMatch(/^Lost\s+0/);

    await page.$eval(`main ${summary} input[type="date"]`, (el) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): void };
      input.value = '2027-01-01';
      input.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: unknown) => unknown }).Event('input', { bubbles: true }));
    });
    await clickButton(page, 'Show', `main ${summary}`);
    await waitForText(page, 'Runs started from January 1, 2027 to February 4, 2027');
    expect(await hash(page)).toContain('from=2027-01-01');
    expect(await rowOf('Lost')).toMatch(/1\s+CA\$25\.00/);
    expect(await rowOf('In progress')).toMatch(/1\s+CA\$25\.00/);

    await page.reload({ waitUntil: 'networkidle0' });
    await waitForText(page, 'Runs started from January 1, 2027 to February 4, 2027');
    await waitForText(page, 'Hugo Lost');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('accessibility (R-CON-4)', () => {
  for (const viewport of [
    { width: 1366, height: 900 },
    { width: 390, height: 844 },
  ]) {
    it(`R-CON-4: the renewals, notice, reasons and dunning pages pass axe-core (WCAG 2.2 AA) at ${viewport.width} px, with no page error`, async () => {
      const { page, errors } = await openConsole(browser, cloud(), '#/renewals', { viewport });
      const report: Record<string, unknown> = {};
      for (const target of ['#/renewals', `#/renewals/${notices.gus}`, `#/renewals/${notices.ana}`, '#/reasons', '#/dunning?state=lost&from=2027-01-01&to=2027-02-04']) {
        await page.goto(`${cloud().url}/console/${target}`);
        await page.reload({ waitUntil: 'networkidle0' });
        await page.waitForSelector('main h1');
        await settled(page);
        const violations = await axeAudit(page);
        if (violations.length > 0) report[target] = violations;
      }
      // A review step open (the bulk confirmation) is audited too.
      await page.goto(`${cloud().url}/console/#/renewals?board=accepted-unpaid`);
      await page.reload({ waitUntil: 'networkidle0' });
      await settled(page);
      await tick(page, `Select ${NAMES.ana}`);
      await clickButton(page, 'Review', 'main');
      await waitForText(page, /Approve 1 renewal: Ana Roy/);
      const review = await axeAudit(page);
      if (review.length > 0) report.review = review;
      expect(report).toEqual({});
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
