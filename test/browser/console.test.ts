import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit, connectChromium, watchedPage } from '../support/browser.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * The admin console in real headless Chromium against the local cloud (issue 11): a person or a
 * test lands inside signed in with GET /_local/login; every page loads without a page error and
 * passes axe-core's WCAG 2.2 AA audit, at desktop width and at 390 px.
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
  Object.assign(ids, { plan: plan.id, member: member.id, membership: ms.id });
  browser = await connectChromium();
});

afterAll(async () => {
  await browser?.disconnect();
  await t?.stop();
});

const PAGES = ['#/members', '#/members/{member}', '#/memberships/{membership}', '#/plans', '#/plans/{plan}', '#/invoices', '#/settings'];
const fill = (hash: string) => hash.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]!);

describe('the console in Chromium (issue 11)', () => {
  it('R-CON-4: GET /_local/login lands signed in on the page asked for; following the menu moves the focus to the new page\'s heading', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${t.url}/_local/login?org=e2e-club&to=${encodeURIComponent('#/members')}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('main h1');
    expect(new URL(page.url()).hash).toBe('#/members');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.$eval('main h1', (h) => h.textContent)).toMatch(/Members/);
    expect(await page.content()).toContain('Léa Tremblay');

    // Following a link from the menu moves the focus to the new page's heading.
    await page.click('nav a[data-section="plans"]');
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string } | null } }).document.activeElement?.tagName === 'H1');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toMatch(/Plans/);
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
    it(`R-CON-4: every page passes axe-core (WCAG 2.2 AA) at ${viewport.width} px, with no page error`, async () => {
      const { page, errors } = await watchedPage(browser, viewport);
      const report: Record<string, unknown> = {};
      await page.goto(`${t.url}/_local/login?org=e2e-club&to=${encodeURIComponent('#/members')}`, { waitUntil: 'networkidle0' });
      for (const hash of PAGES) {
        // A new hash in the same document only re-renders: reload, so the audit sees this page whole.
        await page.goto(`${t.url}/console/${fill(hash)}`);
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
