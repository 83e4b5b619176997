import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit, connectChromium } from '../support/browser.js';
import { TestCloud } from '../support/cloud.js';
import { choose, clickButton, fill, go, openConsole, textOf, waitForHeading, waitForText } from '../support/console.js';

/**
 * The members pages of the console (issue 11) and the local cloud's panel, in Chromium against
 * the local cloud: each action through the UI, each outcome checked through the API.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');
let browser: Browser;
const ids: Record<string, string> = {};

type Win = {
  document: { body: { innerText: string }; querySelectorAll(s: string): ArrayLike<{ textContent: string | null; click(): void }> };
  location: { hash: string };
  history: { back(): void };
};

beforeAll(async () => {
  const c = cloud();
  const plan = await c.ok('POST', '/api/plans', {
    name: 'Annual',
    price: { amount: 2500, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30] },
  });
  const member = (body: Record<string, unknown>) => c.ok('POST', '/api/members', body);
  ids.plan = plan.id;
  ids.lea = (await member({ name: 'Léa Tremblay', email: 'lea@example.org', locale: 'fr-CA', paymentMethod: { token: 'pm_card_visa' } })).id;
  ids.jf = (await member({ name: 'Jean-François Roy', email: 'jfroy@example.org' })).id;
  ids.marc = (await member({ name: 'Marc Gagnon', email: 'marc@example.org' })).id;
  ids.chloe = (await member({ name: 'Chloé Roy', email: 'chloe@example.org', paymentMethod: { token: 'pm_card_visa' } })).id;
  ids.hugo = (await member({ name: 'Hugo Pelletier', email: 'hugo@example.org' })).id;
  ids.nadia = (await member({ name: 'Nadia Bouchard', email: 'nadia@example.org', locale: 'fr-CA' })).id;
  browser = await connectChromium();
});

afterAll(async () => {
  await browser?.disconnect();
});

/** Waits until nothing on the page is still loading (the page's data and the local panel's). */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !/Loading…|Chargement…/.test((globalThis as unknown as Win).document.body.innerText), { timeout: 10_000 });
}

/** The visible text of `selector`, non-breaking spaces (money, French punctuation) as plain spaces. */
async function words(page: Page, selector: string): Promise<string> {
  return (await textOf(page, selector)).replace(/[\u00a0\u202f]/g, ' ');
}

async function hash(page: Page): Promise<string> {
  return page.evaluate(() => decodeURIComponent((globalThis as unknown as Win).location.hash));
}

async function rowNames(page: Page): Promise<string[]> {
  return page.$$eval('main tbody tr td:first-child', (cells) => cells.map((c) => (c.textContent ?? '').trim()));
}

/** Ticks the checkbox whose label reads `label`. */
async function tick(page: Page, label: string): Promise<void> {
  await page.evaluate((text: string) => {
    const labels = Array.from((globalThis as unknown as Win).document.querySelectorAll('main label'));
    labels.find((l) => (l.textContent ?? '').trim() === text)!.click();
  }, label);
}

/** Writes (anything but GET) the page sends to the API. */
function apiWrites(page: Page): string[] {
  const writes: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/') && r.method() !== 'GET') writes.push(`${r.method()} ${r.url()}`);
  });
  return writes;
}

describe('members (issue 11, R-CON-3)', () => {
  it('R-CON-3: a name prefix in another case and without accents finds the member, as does an e-mail prefix; reload and back keep the search', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/members');
    await fill(page, 'Find a member', 'LEA');
    await clickButton(page, 'Search');
    await waitForText(page, 'Members found for “LEA”: 1.');
    expect(await rowNames(page)).toEqual(['Léa Tremblay']);
    expect(await hash(page)).toBe('#/members?q=LEA');

    await page.reload({ waitUntil: 'networkidle0' });
    await waitForText(page, 'Members found for “LEA”: 1.');
    expect(await rowNames(page)).toEqual(['Léa Tremblay']);
    expect(await page.$eval('input[type="search"][name="q"]', (el) => (el as unknown as { value: string }).value)).toBe('LEA');

    // A word of the name that is not the first ("francois" finds "Jean-François Roy"), then an e-mail prefix.
    await fill(page, 'Find a member', 'francois');
    await clickButton(page, 'Search');
    await waitForText(page, 'Members found for “francois”: 1.');
    expect(await rowNames(page)).toEqual(['Jean-François Roy']);
    await fill(page, 'Find a member', 'CHLOE@EX');
    await clickButton(page, 'Search');
    await waitForText(page, 'Members found for “CHLOE@EX”: 1.');
    expect(await rowNames(page)).toEqual(['Chloé Roy']);

    await page.evaluate(() => (globalThis as unknown as Win).history.back());
    await waitForText(page, 'Members found for “francois”: 1.');
    expect(await hash(page)).toBe('#/members?q=francois');

    await fill(page, 'Find a member', 'zzz');
    await clickButton(page, 'Search');
    await waitForText(page, 'No member’s name or e-mail address starts with “zzz”.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-3: the list pages 25 members at a time; the cursor lives in the URL (reload and back keep the page)', async () => {
    for (let i = 1; i <= 26; i++) {
      const n = String(i).padStart(2, '0');
      await cloud().ok('POST', '/api/members', { name: `Zoé Paquette ${n}`, email: `zp${n}@example.net` });
    }
    const { page, errors } = await openConsole(browser, cloud(), '#/members');
    await waitForText(page, 'Next page');
    const first = await rowNames(page);
    expect(first).toHaveLength(25);
    await clickButton(page, 'Next page');
    await page.waitForFunction(() => (globalThis as unknown as Win).location.hash.includes('cursor='));
    await waitForText(page, 'First page');
    const second = await rowNames(page);
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((name) => first.includes(name))).toEqual([]);
    expect(first.length + second.length).toBe(32);

    await page.reload({ waitUntil: 'networkidle0' });
    await waitForText(page, 'First page');
    expect(await rowNames(page)).toEqual(second);

    await page.evaluate(() => (globalThis as unknown as Win).history.back());
    await page.waitForFunction(() => !(globalThis as unknown as Win).location.hash.includes('cursor='));
    await waitForText(page, 'Next page');
    expect(await rowNames(page)).toEqual(first);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-3: a member created through the form is saved; a second member with the same e-mail is saved with a warning in words that links to the first', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/members');
    await clickButton(page, 'New member');
    await waitForHeading(page, /^New member$/);
    await fill(page, 'Name', 'Émile Côté');
    await fill(page, 'E-mail', 'emile@example.org');
    await choose(page, 'Language', 'fr-CA');
    await tick(page, 'Agrees to receive communications');
    await clickButton(page, 'Create member');
    await waitForHeading(page, /^Émile Côté$/);
    await waitForText(page, 'Émile Côté was added.');
    const created = (await hash(page)).replace('#/members/', '');
    const emile = await cloud().ok('GET', `/api/members/${created}`);
    expect(emile).toMatchObject({ name: 'Émile Côté', email: 'emile@example.org', locale: 'fr-CA', communicationsOptIn: true, autoRenew: false, paymentMethod: null });
    expect(await page.content()).not.toContain('this e-mail address is shared');

    await go(page, '#/members/new', /^New member$/);
    await fill(page, 'Name', 'Léo Tremblay');
    await fill(page, 'E-mail', 'lea@example.org');
    await clickButton(page, 'Create member');
    await waitForHeading(page, /^Léo Tremblay$/);
    await waitForText(page, 'Saved, but this e-mail address is shared');
    await waitForText(page, 'Another member also has the address lea@example.org.');
    // The other member, by name, as a link to their page.
    await page.waitForFunction(
      (sel: string) => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(sel)?.textContent === 'Léa Tremblay',
      { timeout: 10_000 },
      `main .alert-warn a[href="#/members/${ids.lea}"]`,
    );
    const leo = await cloud().ok('GET', `/api/members/${(await hash(page)).replace('#/members/', '')}`);
    expect(leo).toMatchObject({ name: 'Léo Tremblay', email: 'lea@example.org', locale: null });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-3: a bad e-mail is refused in words next to the field, and nothing is sent to the API', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/members/new');
    const writes = apiWrites(page);
    await fill(page, 'Name', 'Paul Gauthier');
    await fill(page, 'E-mail', 'paul-at-example.org');
    await clickButton(page, 'Create member');
    await waitForText(page, 'Enter an e-mail address such as name@example.org.');
    expect(await page.$eval('input[name="email"]', (el) => el.getAttribute('aria-invalid'))).toBe('true');
    // The field's error is its description, so a screen reader reads it with the field.
    const described = await page.$eval('input[name="email"]', (el) => el.getAttribute('aria-describedby'));
    expect(await textOf(page, `[id="${described}"]`)).toBe('Enter an e-mail address such as name@example.org.');
    await page.click('input[name="name"]', { clickCount: 3 });
    await page.keyboard.press('Backspace');
    await clickButton(page, 'Create member');
    await waitForText(page, 'Required.');
    expect(writes).toEqual([]);
    expect(await hash(page)).toBe('#/members/new');
    expect((await cloud().ok('GET', '/api/members?q=paul')).items).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-3: correcting a member\'s name, e-mail and language is saved (checked through the API) and the search finds the new name', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/members/${ids.marc}`);
    await waitForHeading(page, /^Marc Gagnon$/);
    await clickButton(page, 'Edit');
    await waitForHeading(page, /^Correct Marc Gagnon$/);
    await fill(page, 'Name', 'Marc-André Gagnon');
    await fill(page, 'E-mail', 'marcandre@example.org');
    await choose(page, 'Language', 'en');
    await clickButton(page, 'Save');
    await waitForHeading(page, /^Marc-André Gagnon$/);
    await waitForText(page, 'Saved.');
    const marc = await cloud().ok('GET', `/api/members/${ids.marc}`);
    expect(marc).toMatchObject({ name: 'Marc-André Gagnon', email: 'marcandre@example.org', locale: 'en' });
    expect((await cloud().ok('GET', '/api/members?q=andre')).items.map((m: { id: string }) => m.id)).toEqual([ids.marc]);
    expect(await textOf(page, 'main .facts')).toMatch(/Language\s+English\n/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-1, R-MNY-1: a membership started from the member page states the plan, price, start and first invoice first; what it said is what the API did', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/members/${ids.chloe}`);
    await waitForHeading(page, /^Chloé Roy$/);
    await settled(page);
    await choose(page, 'Plan', ids.plan!);
    await clickButton(page, 'Review the membership');
    await waitForText(page, 'Check before confirming');
    const review = await words(page, 'main .review');
    expect(review).toContain('Annual — CA$25.00 per month');
    expect(review).toContain('January 15, 2027');
    expect(review).toContain('CA$13.71, for January 15, 2027 to January 31, 2027');
    expect(review).toContain('CA$25.00 on February 1, 2027');
    expect(review).toContain('January 14, 2028');
    expect(review).toContain('Charged to the card on file (Visa •••• 4242)');
    expect((await cloud().ok('GET', `/api/members/${ids.chloe}/memberships`)).items).toEqual([]);

    await clickButton(page, 'Start the membership');
    await waitForText(page, 'The membership on Annual starts on January 15, 2027.');
    const [ms] = (await cloud().ok('GET', `/api/members/${ids.chloe}/memberships`)).items;
    expect(ms).toMatchObject({ planId: ids.plan, status: 'active', startDate: '2027-01-15' });
    const record = await cloud().membership(ms.id);
    expect(record.invoices[0].amount).toEqual({ amount: 1371, currency: 'CAD' });
    // The member's memberships were read again: the new one is listed, in words, with a link.
    await page.waitForSelector(`main a[href="#/memberships/${ms.id}"]`);
    await waitForText(page, 'January 15, 2027 to January 14, 2028');
    expect(await textOf(page, 'main tbody')).toContain('Active');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-PAY-2: a card-setup link is prepared after a confirmation; the card saved on its page becomes the member\'s card', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/members/${ids.hugo}`);
    await waitForHeading(page, /^Hugo Pelletier$/);
    await clickButton(page, 'Prepare a link');
    await waitForText(page, 'A card page will be prepared for Hugo Pelletier (hugo@example.org).');
    await clickButton(page, 'Create the link');
    await waitForText(page, /The card page is ready\. Its link works until .+ \d{4}/);
    const url = await page.$eval('main input[readonly]', (el) => (el as unknown as { value: string }).value);
    expect(url).toMatch(/\/checkout\/cs_test_/);
    expect(await page.$eval('main a[href^="mailto:"]', (a) => a.getAttribute('href'))).toContain(encodeURIComponent(url));

    // The member fills the gateway's page; the gateway sends them back to the console.
    const done = await fetch(url, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_mastercard' }), redirect: 'manual' });
    expect(done.status).toBe(303);
    await cloud().settle();
    expect((await cloud().ok('GET', `/api/members/${ids.hugo}`)).paymentMethod).toMatchObject({ brand: 'mastercard', last4: '4444' });
    await page.goto(done.headers.get('location')!, { waitUntil: 'networkidle0' });
    await waitForText(page, 'The member finished the card page.');
    await waitForText(page, 'Mastercard •••• 4444, expires');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-2: in French, the member page speaks Quebec French with its dates and money ("1er février 2027", "25,00 $")', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/members/${ids.nadia}`, { locale: 'fr-CA' });
    await waitForHeading(page, /^Nadia Bouchard$/);
    await settled(page);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('fr-CA');
    const facts = await words(page, 'main .facts');
    expect(facts).toContain('Courriel');
    expect(facts).toContain('Français');
    expect(facts).toContain('Carte au dossier');
    expect(facts).toMatch(/Création\s+15 janv\. 2027/);
    await choose(page, 'Forfait', ids.plan!);
    await clickButton(page, 'Vérifier l’adhésion');
    await waitForText(page, 'Vérifiez avant de confirmer');
    const review = await words(page, 'main .review');
    expect(review).toContain('Annual — 25,00 $ par mois');
    expect(review).toContain('13,71 $, du 15 janvier 2027 au 31 janvier 2027');
    expect(review).toContain('25,00 $ le 1er février 2027');
    expect(review).toContain('Aucune carte au dossier : la facture reste ouverte');
    await clickButton(page, 'Commencer l’adhésion');
    await waitForText(page, 'L’adhésion au forfait Annual commence le 15 janvier 2027.');
    await waitForText(page, '1er février 2027');
    expect((await cloud().ok('GET', `/api/members/${ids.nadia}/memberships`)).items).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const viewport of [
    { width: 1366, height: 900 },
    { width: 390, height: 844 },
  ]) {
    it(`R-CON-4: each members page and the local panel pass axe-core at ${viewport.width} px, with no page error`, async () => {
      const { page, errors } = await openConsole(browser, cloud(), '#/members', { viewport });
      const report: Record<string, unknown> = {};
      for (const at of ['#/members', '#/members?q=roy', '#/members/new', `#/members/${ids.chloe}`, `#/members/${ids.lea}/edit`]) {
        await page.goto(`${cloud().url}/console/${at}`);
        await page.reload({ waitUntil: 'networkidle0' });
        await page.waitForSelector('main h1');
        await settled(page);
        const violations = await axeAudit(page);
        if (violations.length > 0) report[at] = violations;
      }
      // A form showing its errors, and an action under review.
      await go(page, '#/members/new', /^New member$/);
      await clickButton(page, 'Create member');
      await waitForText(page, 'Required.');
      const invalid = await axeAudit(page);
      if (invalid.length > 0) report['#/members/new (errors)'] = invalid;
      await go(page, `#/members/${ids.lea}`, /^Léa Tremblay$/);
      await settled(page);
      await clickButton(page, 'Prepare a link');
      await waitForText(page, 'Check before confirming');
      const review = await axeAudit(page);
      if (review.length > 0) report['member (review)'] = review;
      expect(report).toEqual({});
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

describe('the card on file (R-CON-1)', () => {
  it('R-CON-1: removing the card on file says which card before removing it; the API no longer has it', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/members/${ids.lea}`);
    await waitForHeading(page, /^Léa Tremblay$/);
    await clickButton(page, 'Review the removal');
    await waitForText(page, 'Visa •••• 4242, expires');
    expect(await textOf(page, 'main .review')).toContain('will be removed from Léa Tremblay’s file');
    expect((await cloud().ok('GET', `/api/members/${ids.lea}`)).paymentMethod).not.toBeNull();
    await clickButton(page, 'Remove the card');
    await waitForText(page, 'The card was removed.');
    expect((await cloud().ok('GET', `/api/members/${ids.lea}`)).paymentMethod).toBeNull();
    await page.waitForFunction(() => /Card on file\s+None/.test((globalThis as unknown as Win).document.body.innerText));
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the local cloud panel (issue 11)', () => {
  it('moves the local clock forward (GET /_local/clock agrees), says what fired, keeps the admin signed in, and lists the e-mails sent', async () => {
    // An e-mail to show: the open first invoice of a member without a card, sent again.
    const ines = await cloud().ok('POST', '/api/members', { name: 'Inès Morin', email: 'ines@example.org' });
    const ms = await cloud().ok('POST', '/api/memberships', { memberId: ines.id, planId: ids.plan });
    await cloud().ok('POST', `/api/invoices/${ms.invoices[0].id}/resend`);
    const before = (await cloud().request('GET', '/_local/clock')).body.now as string;
    const { page, errors } = await openConsole(browser, cloud(), '#/members');
    await settled(page);
    const panel = 'aside.local-cloud';
    expect(await textOf(page, `${panel} h2`)).toBe('Local cloud');
    // The newest e-mail SES accepted is listed first.
    const mails = await cloud().emails();
    expect(mails.length).toBeGreaterThan(0);
    expect(await textOf(page, `${panel} .email-list li`)).toContain(mails[mails.length - 1]!.subject);

    await clickButton(page, '+1 day', panel);
    await waitForText(page, /The clock moved to Jan 16, 2027/);
    const after = (await cloud().request('GET', '/_local/clock')).body.now as string;
    expect(Date.parse(after) - Date.parse(before)).toBe(24 * 3600 * 1000);
    expect(await textOf(page, `${panel} .clock`)).toContain('Jan 16, 2027');
    // The page was read again with a fresh token.
    await waitForHeading(page, /^Members$/);
    await settled(page);
    expect(await textOf(page, 'main tbody')).toContain('Inès Morin');
    expect(await textOf(page, `${panel} .fired`)).toContain('Nothing fell due.');

    // A month on, the memberships' billing timers fire; the panel lists them.
    await clickButton(page, '+30 days', panel);
    await waitForText(page, /The clock moved to Feb 15, 2027/);
    await waitForText(page, /Timers fired: \d+\./);
    expect(await page.$$eval(`${panel} .fired-list li`, (items) => items.length)).toBeGreaterThan(0);
    expect(Date.parse((await cloud().request('GET', '/_local/clock')).body.now) - Date.parse(after)).toBe(30 * 24 * 3600 * 1000);
    await settled(page);

    // Filtered by recipient: exactly that member's e-mails.
    const chloes = await cloud().emails('chloe@example.org');
    await fill(page, 'Recipient', 'chloe@example.org', panel);
    await clickButton(page, 'Filter', panel);
    await page.waitForFunction(
      (sel: string, n: number) => (globalThis as unknown as Win).document.querySelectorAll(sel).length === n,
      { timeout: 10_000 },
      `${panel} .email-list li`,
      chloes.length,
    );
    if (chloes.length === 0) await waitForText(page, 'No e-mails yet.');
    expect(await textOf(page, `${panel} .email-list`)).not.toContain('ines@example.org');
    expect(errors).toEqual([]);
    await page.close();
  });
});
