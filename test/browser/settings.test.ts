import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit, connectChromium } from '../support/browser.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';
import { choose, clickButton, fill, go, openConsole, textOf, waitForHeading, waitForText } from '../support/console.js';

/**
 * Issue 11: plans, the organisation's settings and the Stripe connection in the console. Each
 * action is done through the UI in Chromium and checked through the API.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');
let browser: Browser;
const ids: Record<string, string> = {};

const ANNUAL = {
  name: 'Annual swim',
  price: { amount: 2500, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
  renewal: { policy: 'automatic', reminderDays: [30, 14] },
};

beforeAll(async () => {
  ids.basic = (await cloud().ok('POST', '/api/plans', { ...ANNUAL, name: 'Basic monthly', price: { amount: 1000, currency: 'CAD' } })).id;
  ids.annual = (await cloud().ok('POST', '/api/plans', ANNUAL)).id;
  browser = await connectChromium();
});

afterAll(async () => {
  await browser?.disconnect();
});

/** Page errors, less the one the browser logs for an answer the test expects the API to refuse with `status`. */
const unexpected = (errors: string[], status: number) => errors.filter((e) => !e.includes(`Failed to load resource: the server responded with a status of ${status}`));

type Plan = { id: string; name: string; [k: string]: any };
const plans = async (): Promise<Plan[]> => (await cloud().ok('GET', '/api/plans')).items;
const planNamed = async (name: string) => (await plans()).find((p) => p.name === name);

/** The text of the error shown next to the field labelled `label` (its label starts with it). */
async function errorNextTo(page: Page, label: string): Promise<string> {
  await page.waitForFunction(
    (l: string) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null; closest(s: string): { querySelector(s: string): { textContent: string | null } | null } | null }> } }).document;
      const found = Array.from(doc.querySelectorAll('main label')).find((x) => (x.textContent ?? '').trim().startsWith(l));
      return Boolean(found?.closest('.field')?.querySelector('.field-error'));
    },
    { timeout: 10_000 },
    label,
  );
  return page.evaluate((l: string) => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null; closest(s: string): { querySelector(s: string): { textContent: string | null } | null } | null }> } }).document;
    const found = Array.from(doc.querySelectorAll('main label')).find((x) => (x.textContent ?? '').trim().startsWith(l));
    return found?.closest('.field')?.querySelector('.field-error')?.textContent ?? '';
  }, label);
}

describe('plans in the console (issue 11)', () => {
  it('R-DUN-2, R-DUN-6: a monthly plan made through the form is stored with every setting it shows, its fallback plan included', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/plans/new');
    await waitForHeading(page, /New plan/);
    await fill(page, 'Name', 'Monthly swim', 'main');
    await fill(page, 'Price', '25.50', 'main');
    await fill(page, 'Term in months', '12', 'main');
    await fill(page, 'Day of the month', '15', 'main');
    await fill(page, 'Reminders', '30, 7', 'main');
    await choose(page, 'When a member cancels', 'request', 'main');
    await fill(page, 'Retries', '2, 6, 12', 'main');
    await choose(page, 'After the last failed retry', 'downgrade', 'main');
    await choose(page, 'Fallback plan', ids.basic!, 'main');
    await fill(page, 'Warn before a saved card expires', '21', 'main');
    await clickButton(page, 'Create the plan', 'main');
    await waitForHeading(page, /Monthly swim/);
    await waitForText(page, 'Plan “Monthly swim” created.');
    await waitForText(page, 'CA$25.50 per month');
    await waitForText(page, 'Every month, on day 15');
    await waitForText(page, 'the membership moves to the plan “Basic monthly”');

    const plan = await planNamed('Monthly swim');
    expect(plan).toMatchObject({
      price: { amount: 2550, currency: 'CAD' },
      termMonths: 12,
      billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 15 } },
      renewal: { policy: 'automatic', reminderDays: [30, 7] },
      cancellation: { memberMode: 'request' },
      dunning: { retryDays: [2, 6, 12], finalAction: 'downgrade', fallbackPlanId: ids.basic },
      cardExpiryNoticeDays: 21,
    });
    expect(plan!.renewal.notice).toBeUndefined();
    expect(new URL(page.url()).hash).toBe(`#/plans/${plan!.id}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-REN-5, R-NOT-1, R-NOT-8: an annual plan with the notice policy (upfront billing) is accepted, its notice settings stored', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/plans/new');
    await fill(page, 'Name', 'Annual notice', 'main');
    await fill(page, 'Price', '300', 'main');
    await fill(page, 'Term in months', '12', 'main');
    await choose(page, 'Payment schedule', 'upfront', 'main');
    // An upfront plan is charged at each term start: the monthly day is not asked.
    expect(await page.$$eval('main label', (ls) => ls.map((l) => l.textContent ?? ''))).not.toContain('Day of the month');
    await choose(page, 'Renewal policy', 'notice', 'main');
    await fill(page, 'Send the notice', '60', 'main');
    await fill(page, 'Remind after', '10', 'main');
    await choose(page, 'After the last failed retry', 'leave_unpaid', 'main');
    await clickButton(page, 'Create the plan', 'main');
    await waitForHeading(page, /Annual notice/);
    await waitForText(page, 'CA$300.00 per term');
    await waitForText(page, 'The notice goes out 60 days before the end; a reminder follows after 10 days without an answer.');

    const plan = await planNamed('Annual notice');
    expect(plan).toMatchObject({
      price: { amount: 30000, currency: 'CAD' },
      termMonths: 12,
      billing: { cadence: 'upfront' },
      renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 60, remindAfterDays: 10 } },
      dunning: { retryDays: [3, 8, 13], finalAction: 'leave_unpaid', fallbackPlanId: null },
      cardExpiryNoticeDays: 14,
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-REN-5: a notice policy on a monthly plan is refused, the rule in words next to the policy; no plan is made', async () => {
    const before = (await plans()).length;
    const { page, errors } = await openConsole(browser, cloud(), '#/plans/new');
    await fill(page, 'Name', 'Monthly notice', 'main');
    await fill(page, 'Price', '20', 'main');
    await choose(page, 'Renewal policy', 'notice', 'main');
    await clickButton(page, 'Create the plan', 'main');
    const text = await errorNextTo(page, 'Renewal policy');
    expect(text).toContain('needs the upfront payment schedule');
    expect(text).toContain('(R-REN-5)');
    expect(await textOf(page, 'main .alert-error')).toContain('The plan was not saved');
    expect(new URL(page.url()).hash).toBe('#/plans/new');
    expect(await plans()).toHaveLength(before);
    // The refusal, in place, passes the audit too.
    expect(await axeAudit(page)).toEqual([]);

    // Client checks: a bad amount never reaches the API.
    await fill(page, 'Price', '20.505', 'main');
    await clickButton(page, 'Create the plan', 'main');
    expect(await errorNextTo(page, 'Price')).toBe('Enter an amount such as 25 or 25.50.');
    expect(await plans()).toHaveLength(before);
    expect(unexpected(errors, 422)).toEqual([]);
    await page.close();
  });

  it('R-CON-1: a price edit is reviewed (was → now) and saved with If-Match; the API has the new price', async () => {
    const before = await cloud().ok('GET', `/api/plans/${ids.annual}`);
    const { page, errors } = await openConsole(browser, cloud(), `#/plans/${ids.annual}/edit`);
    await waitForHeading(page, /Edit Annual swim/);
    expect(await page.$eval('main input[inputmode="decimal"]', (i) => (i as unknown as { value: string }).value)).toBe('25.00');
    await fill(page, 'Price', '30', 'main');
    await clickButton(page, 'Review the changes', 'main');
    await waitForText(page, 'Was: CA$25.00 per month');
    await waitForText(page, 'Now: CA$30.00 per month');
    await waitForText(page, 'keep their dates and their current price until they renew');
    // Nothing is saved before the confirmation.
    expect((await cloud().ok('GET', `/api/plans/${ids.annual}`)).price.amount).toBe(2500);
    expect(await axeAudit(page)).toEqual([]);
    await clickButton(page, 'Save the plan', 'main');
    await waitForHeading(page, /^Annual swim$/);
    await waitForText(page, 'Plan saved.');
    await waitForText(page, 'CA$30.00 per month');
    const after = await cloud().ok('GET', `/api/plans/${ids.annual}`);
    expect(after.price).toEqual({ amount: 3000, currency: 'CAD' });
    expect(after.version).toBe(before.version + 1);
    expect(after.renewal).toEqual(before.renewal);
    expect(after.dunning).toEqual(before.dunning);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-REN-8: in Quebec, a 12-month plan that does not renew is refused after the review, the rule in words next to the policy; the plan is unchanged', async () => {
    const before = await cloud().ok('GET', `/api/plans/${ids.annual}`);
    const { page, errors } = await openConsole(browser, cloud(), `#/plans/${ids.annual}/edit`);
    await waitForHeading(page, /Edit/);
    await waitForText(page, 'Renewal policy');
    await choose(page, 'Renewal policy', 'none', 'main');
    await waitForText(page, 'In Quebec, a plan of 12 months or more must renew (R-REN-8).');
    await clickButton(page, 'Review the changes', 'main');
    await waitForText(page, 'Now: Does not renew: the membership expires at the end of its term.');
    await clickButton(page, 'Save the plan', 'main');
    const text = await errorNextTo(page, 'Renewal policy');
    expect(text).toBe('In Quebec, a plan of 12 months or more must renew: choose automatic renewal, confirmation or a notice (R-REN-8)');
    expect(await cloud().ok('GET', `/api/plans/${ids.annual}`)).toEqual(before);
    expect(unexpected(errors, 422)).toEqual([]);
    await page.close();
  });

  it('R-CON-2: a plan in French: money, billing day and policy in Quebec French', async () => {
    const { page, errors } = await openConsole(browser, cloud(), `#/plans/${ids.basic}`, { locale: 'fr-CA' });
    await waitForHeading(page, /Basic monthly/);
    await waitForText(page, /10,00\s\$ par mois/);
    await waitForText(page, 'Chaque mois, le 1er');
    await waitForText(page, 'Rappels 30 et 14 jours avant la fin.');
    await go(page, '#/plans', /Forfaits/);
    await waitForText(page, 'Renouvellement automatique');
    await go(page, '#/settings', /Paramètres/);
    await waitForText(page, 'Québec (QC)');
    await waitForText(page, 'Connexion Stripe');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('fr-CA');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('settings and the Stripe connection in the console (issue 11)', () => {
  it('R-CON-2: an owner edits the settings with If-Match; the organisation now speaks fr-CA and the console follows (no personal choice stored)', async () => {
    const before = await cloud().ok('GET', '/api/settings');
    const { page, errors } = await openConsole(browser, cloud(), '#/settings');
    try {
      await waitForHeading(page, /Settings/);
      await waitForText(page, 'America/Toronto (now GMT');
      await waitForText(page, 'Quebec (QC)');
      await clickButton(page, 'Edit', 'main');
      await waitForHeading(page, /Edit the settings/);
      await fill(page, 'Name', 'Club de natation de Laval-Ouest', 'main');
      await choose(page, 'Time zone', 'America/Vancouver', 'main');
      await choose(page, 'Language', 'fr-CA', 'main');
      await clickButton(page, 'Save the settings', 'main');
      await waitForHeading(page, /^Paramètres$/);
      await waitForText(page, 'Paramètres enregistrés.');
      await waitForText(page, 'America/Vancouver (actuellement UTC');
      await waitForText(page, 'Français (Canada)');
      expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('relance.locale'))).toBeNull();
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('fr-CA');

      const after = await cloud().ok('GET', '/api/settings');
      expect(after).toMatchObject({ ...SETTINGS, name: 'Club de natation de Laval-Ouest', timeZone: 'America/Vancouver', locale: 'fr-CA' });
      expect(after.version).toBe(before.version + 1);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await cloud().ok('PUT', '/api/settings', SETTINGS);
    }
  });

  it('R-DUN-8: a no-reply sender is refused, the rule in words next to the field; the settings are unchanged', async () => {
    const before = await cloud().ok('GET', '/api/settings');
    const { page, errors } = await openConsole(browser, cloud(), '#/settings/edit');
    await waitForHeading(page, /Edit the settings/);
    await fill(page, 'Sender’s e-mail', 'no-reply@club.example', 'main');
    await clickButton(page, 'Save the settings', 'main');
    const text = await errorNextTo(page, 'Sender’s e-mail');
    expect(text).toBe('Member mail must come from, and be answered at, an address a person reads: no-reply addresses are refused (R-DUN-8)');
    expect(await textOf(page, 'main .alert-error')).toContain('The settings were not saved');
    expect(new URL(page.url()).hash).toBe('#/settings/edit');
    expect(await cloud().ok('GET', '/api/settings')).toEqual(before);
    expect(await axeAudit(page)).toEqual([]);
    expect(unexpected(errors, 422)).toEqual([]);
    await page.close();
  });

  it('R-CON-5: staff read the settings but see no Edit link and no Stripe section; the owner pages are forbidden to them', async () => {
    const { page, errors } = await openConsole(browser, cloud(), '#/settings', { role: 'staff' });
    await waitForHeading(page, /Settings/);
    await waitForText(page, 'Sophie Gagnon <sophie@club.example>');
    const main = await textOf(page, 'main');
    expect(main).not.toContain('Stripe');
    expect(main).not.toMatch(/\bEdit\b/);
    expect(await page.$$('main a[href="#/settings/edit"], main a[href="#/settings/gateway"]')).toHaveLength(0);
    await go(page, '#/settings/edit', /Something went wrong/);
    await waitForText(page, 'Only the organisation’s owners can open this page.');
    expect(await page.$$('main form')).toHaveLength(0);
    await go(page, '#/settings/gateway', /Something went wrong/);
    await waitForText(page, 'Only the organisation’s owners can open this page.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-PAY-1: an owner replaces the Stripe keys after a review; a key Stripe refuses changes nothing; the secrets are never shown back', async () => {
    const accounts = (await cloud().request('GET', '/_local/gateway')).body.stripe.accounts as Record<string, string>;
    const secretKey = accounts['e2e-club']!;
    const webhookSecret = 'whsec_consoleRotatedSecret0123456789';
    const before = await cloud().ok('GET', '/api/gateway');
    expect(before.connected).toBe(true);

    const { page, errors } = await openConsole(browser, cloud(), '#/settings/gateway');
    await waitForHeading(page, /Stripe connection/);
    await waitForText(page, 'Connected');
    await waitForText(page, `Secret key ending in ${before.keyLast4}`);
    await waitForText(page, 'Test mode (no real money)');
    await waitForText(page, `${cloud().url}/webhooks/stripe/e2e-club`);

    // A key the emulator does not know: refused by Stripe, explained at the key, nothing changed.
    await fill(page, 'Restricted or secret key', 'sk_test_NotAnAccountOfTheEmulator000', 'main');
    await fill(page, 'Webhook signing secret', webhookSecret, 'main');
    await clickButton(page, 'Check the keys', 'main');
    await waitForText(page, 'ending in r000, in test mode');
    await clickButton(page, 'Replace the keys', 'main .review');
    expect(await errorNextTo(page, 'Restricted or secret key')).toContain('Stripe refused this key');
    expect(await cloud().ok('GET', '/api/gateway')).toEqual(before);

    await fill(page, 'Restricted or secret key', secretKey, 'main');
    await clickButton(page, 'Check the keys', 'main');
    await waitForText(page, `ending in ${secretKey.slice(-4)}, in test mode`);
    await clickButton(page, 'Replace the keys', 'main .review');
    await waitForText(page, `Stripe is connected in test mode, with the key ending in ${secretKey.slice(-4)}.`);
    await waitForText(page, `Ending in ${webhookSecret.slice(-4)}`);

    const after = await cloud().ok('GET', '/api/gateway');
    expect(after).toMatchObject({ connected: true, mode: 'test', keyLast4: secretKey.slice(-4), webhookSecretLast4: webhookSecret.slice(-4), version: before.version + 1 });
    // Write-only: not in the page, not in its inputs.
    const html = await page.content();
    expect(html).not.toContain(secretKey);
    expect(html).not.toContain(webhookSecret);
    expect(await page.$$eval('main input', (inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual(['', '']);
    expect(unexpected(errors, 422)).toEqual([]);
    await page.close();
  });
});

describe('accessibility of the plans and settings pages (R-CON-4)', () => {
  const pages = ['#/plans', '#/plans/new', '#/plans/{annual}', '#/plans/{annual}/edit', '#/settings', '#/settings/edit', '#/settings/gateway'];
  for (const viewport of [
    { width: 1366, height: 900 },
    { width: 390, height: 844 },
  ]) {
    it(`R-CON-4: axe-core finds no violation on each page at ${viewport.width} px, and no page error`, async () => {
      const report: Record<string, unknown> = {};
      const { page, errors } = await openConsole(browser, cloud(), '#/plans', { viewport });
      for (const hash of pages) {
        await page.goto(`${cloud().url}/console/${hash.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]!)}`);
        await page.reload({ waitUntil: 'networkidle0' });
        await page.waitForSelector('main h1');
        await page.waitForFunction(() => !(globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes('Loading…'));
        const violations = await axeAudit(page);
        if (violations.length > 0) report[hash] = violations;
      }
      expect(report).toEqual({});
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
