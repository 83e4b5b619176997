import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAudit, connectChromium } from '../support/browser.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';
import { clickButton, fill, openConsole, textOf, waitForHeading, waitForText } from '../support/console.js';

/**
 * R-PRV-1 in the console: an owner erases a member from the member's page, after typing the
 * member's e-mail address and reviewing what happens; staff are not offered the action.
 */
let t: TestCloud;
let browser: Browser;
let memberId = '';

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  memberId = (await t.ok('POST', '/api/members', { name: 'Noémie Gauthier', email: 'noemie.g@example.org' })).id;
  browser = await connectChromium();
});

afterAll(async () => {
  await browser?.disconnect();
  await t?.stop();
});

describe('erasing a member in the console (R-PRV-1)', () => {
  it('R-PRV-1: staff are not offered the erase action', async () => {
    const { page, errors } = await openConsole(browser, t, `#/members/${memberId}`, { role: 'staff' });
    await waitForHeading(page, /Noémie Gauthier/);
    expect(await textOf(page, 'body')).not.toContain('Erase this member');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('R-PRV-1: an owner types the e-mail, reviews what happens, confirms; the page then shows the pseudonym and no action', async () => {
    const { page, errors } = await openConsole(browser, t, `#/members/${memberId}`);
    await waitForHeading(page, /Noémie Gauthier/);
    await waitForText(page, 'Erase this member');
    expect(await axeAudit(page)).toEqual([]);
    await fill(page, 'The member’s e-mail address, to confirm', 'someone@example.org');
    await clickButton(page, 'Review the erasure');
    await waitForText(page, 'Type the member’s e-mail address exactly.');
    expect((await t.ok('GET', `/api/members/${memberId}`)).name).toBe('Noémie Gauthier');

    await fill(page, 'The member’s e-mail address, to confirm', 'noemie.g@example.org');
    await clickButton(page, 'Review the erasure');
    await waitForText(page, 'This cannot be undone.');
    await clickButton(page, 'Erase for good');
    await waitForText(page, /The member was erased; the file now reads “Erased member [0-9A-Z]{4}”/);
    expect((await t.ok('GET', `/api/members/${memberId}`)).name).toMatch(/^Erased member /);

    await page.reload({ waitUntil: 'networkidle0' });
    await waitForHeading(page, /Erased member/);
    await waitForText(page, 'This member’s personal data was erased on');
    const text = await textOf(page, 'body');
    expect(text).not.toContain('Noémie');
    expect(text).not.toContain('Erase this member');
    expect(errors).toEqual([]);
    await page.close();
  });
});
