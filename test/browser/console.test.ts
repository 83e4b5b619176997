import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit, connectChromium } from '../support/browser.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';
import { clickButton, focused, go, openConsole, textOf, waitForHeading, waitForText } from '../support/console.js';

/**
 * The console's frame in real headless Chromium against the local cloud (issue 11): landing
 * signed in with GET /_local/login, the language (R-CON-2), roles (R-CON-5), the keyboard and
 * the focus (R-CON-4), a session that ends, and an axe-core WCAG 2.2 AA sweep of every page at
 * 1366 and 390 px. Each area's actions are tested in its own file.
 */
let t: TestCloud;
let browser: Browser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const plan = await t.ok('POST', '/api/plans', {
    name: 'Annual',
    price: { amount: 2500, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30, 14] },
  });
  const member = await t.ok('POST', '/api/members', { name: 'Léa Tremblay', email: 'lea@example.org', paymentMethod: { token: 'pm_card_visa' } });
  const ms = await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
  await t.settle();
  const record = await t.membership(ms.id);
  Object.assign(ids, { plan: plan.id, member: member.id, membership: ms.id, invoice: record.invoices[0]?.id ?? 'none' });
  browser = await connectChromium();
});

afterAll(async () => {
  await browser?.disconnect();
  await t?.stop();
});

/** Every page of the console (routes.tsx), with the test data's ids. */
const PAGES = [
  '#/members',
  '#/members?q=lea',
  '#/members/new',
  '#/members/{member}',
  '#/members/{member}/edit',
  '#/memberships?status=active',
  '#/memberships/{membership}',
  '#/renewals',
  '#/dunning',
  '#/invoices?status=paid',
  '#/invoices/{invoice}',
  '#/plans',
  '#/plans/new',
  '#/plans/{plan}',
  '#/plans/{plan}/edit',
  '#/reasons',
  '#/settings',
  '#/settings/edit',
  '#/settings/gateway',
  '#/no/such/page',
];
const withIds = (hash: string) => hash.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]!);

describe('the console in Chromium (issue 11)', () => {
  it("R-CON-4: GET /_local/login lands signed in on the page asked for; following the menu moves the focus to the new page's heading", async () => {
    const { page, errors } = await openConsole(browser, t, '#/members');
    expect(new URL(page.url()).hash).toBe('#/members');
    expect(new URL(page.url()).search).toBe('');
    await waitForText(page, 'Léa Tremblay');

    await page.click('nav a[data-section="plans"]');
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement?.tagName === 'H1');
    expect((await focused(page)).text).toMatch(/Plans/);
    expect(await page.$eval('nav a[aria-current="page"]', (a) => a.getAttribute('data-section'))).toBe('plans');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-CON-4: the first Tab reaches the skip link, which moves the keyboard to the page', async () => {
    const { page, errors } = await openConsole(browser, t, '#/plans');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect((await focused(page)).tag).toBe('MAIN');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("R-CON-2: the console speaks the organisation's locale; an admin's own choice is kept in this browser and survives a reload", async () => {
    await t.ok('PUT', '/api/settings', { ...SETTINGS, locale: 'fr-CA' });
    try {
      const { page, errors } = await openConsole(browser, t, '#/plans');
      await waitForHeading(page, /Forfaits/);
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('fr-CA');
      expect(await textOf(page, 'nav.main-nav')).toContain('Membres');

      await page.select('[data-testid="language"]', 'en');
      await waitForHeading(page, /^Plans$/);
      expect(await textOf(page, 'nav.main-nav')).toContain('Members');
      await page.reload({ waitUntil: 'networkidle0' });
      await waitForHeading(page, /^Plans$/);
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('en');
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await t.ok('PUT', '/api/settings', SETTINGS);
    }
  });

  it('R-CON-5: staff see the settings but an owner page answers that only owners may open it', async () => {
    const { page, errors } = await openConsole(browser, t, '#/settings/edit', { role: 'staff' });
    await waitForText(page, 'Only the organisation’s owners can open this page.');
    expect(await textOf(page, '.user')).toContain('staff');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an unknown address says so; a session that ended returns to the sign-in screen with a message', async () => {
    const { page, errors } = await openConsole(browser, t, '#/no/such/page');
    await waitForHeading(page, /Page not found/);
    // The development token lives an hour of the local clock.
    await t.advance('PT2H');
    try {
      await go(page, '#/members');
      await waitForText(page, 'Your session has ended. Please sign in again.');
      await clickButton(page, 'Development login');
      await waitForHeading(page, /Members/);
    } finally {
      await t.freshToken();
    }
    // The 401 the ended session met is the browser's own console error, not a page error.
    expect(errors.filter((e) => !/\b401\b/.test(e))).toEqual([]);
    await page.close();
  });

  for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
    it(`R-CON-4: every page passes axe-core (WCAG 2.2 AA) at ${viewport.width} px, with no page error`, async () => {
      const { page, errors } = await openConsole(browser, t, '#/members', { viewport });
      const report: Record<string, unknown> = {};
      for (const hash of PAGES) {
        // A new hash in the same document only re-renders: reload, so the audit sees this page whole.
        await page.goto(`${t.url}/console/${withIds(hash)}`);
        await page.reload({ waitUntil: 'networkidle0' });
        await page.waitForSelector('main h1');
        const violations = await axeAudit(page);
        if (violations.length > 0) report[hash] = violations;
      }
      expect(report).toEqual({});
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
