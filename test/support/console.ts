import type { Browser, Page } from 'puppeteer-core';
import { type PageWatch, watchedPage } from './browser.js';
import type { TestCloud } from './cloud.js';

/**
 * Driving the console (issue 11) in the run's Chromium against a file's local cloud. Tests act
 * through the UI (labels, buttons, links as a person sees them) and check the result through
 * the API.
 */

/** The tests' TypeScript has no DOM types: in page functions, globalThis is the window. */
type Doc = {
  document: {
    activeElement: { tagName: string; textContent: string } | null;
    querySelector(s: string): { textContent: string | null } | null;
    documentElement: { lang: string };
  };
  location: { hash: string };
};

export interface OpenOptions {
  role?: 'owners' | 'staff';
  viewport?: { width: number; height: number };
  /** The admin's language choice in this browser profile (default: the organisation's locale). */
  locale?: 'fr-CA' | 'en';
}

/** A new page signed in through GET /_local/login, on `hash`, its heading rendered. */
export async function openConsole(browser: Browser, t: TestCloud, hash: string, options: OpenOptions = {}): Promise<PageWatch> {
  // A browser context of its own: storage (the admin's language choice, the token) starts empty.
  const context = await browser.createBrowserContext();
  const watch = await watchedPage(context, options.viewport);
  const { page } = watch;
  page.once('close', () => void context.close().catch(() => undefined));
  if (options.locale) {
    // The admin's own choice, as if made earlier in this browser (the page may change it).
    await page.evaluateOnNewDocument((choice: string) => {
      const storage = (globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;
      if (storage.getItem('relance.locale-set-by-test') === null) {
        storage.setItem('relance.locale', choice);
        storage.setItem('relance.locale-set-by-test', '1');
      }
    }, options.locale);
  }
  const query = new URLSearchParams({ org: 'e2e-club', to: hash, role: options.role ?? 'owners' });
  await page.goto(`${t.url}/_local/login?${query.toString()}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('main h1');
  return watch;
}

/** Follows an in-console address (as a link would) and waits for the heading to read `heading`. */
export async function go(page: Page, hash: string, heading?: RegExp): Promise<void> {
  await page.evaluate((h: string) => {
    (globalThis as unknown as Doc).location.hash = h;
  }, hash);
  await waitForHeading(page, heading);
}

export async function waitForHeading(page: Page, heading?: RegExp): Promise<void> {
  await page.waitForSelector('main h1');
  if (heading) {
    await page.waitForFunction(
      (source: string, flags: string) => new RegExp(source, flags).test((globalThis as unknown as Doc).document.querySelector('main h1')?.textContent ?? ''),
      { timeout: 10_000 },
      heading.source,
      heading.flags,
    );
  }
}

/** Waits until the page's text contains `text` (or matches it). */
export async function waitForText(page: Page, text: string | RegExp, timeout = 10_000): Promise<void> {
  const [source, flags] = typeof text === 'string' ? [text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), ''] : [text.source, text.flags];
  await page.waitForFunction(
    (s: string, f: string) => new RegExp(s, f).test((globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText),
    { timeout },
    source,
    flags,
  );
}

/** Clicks the button (or link) whose visible text matches `name`, inside `scope` (a CSS selector) if given. */
export async function clickButton(page: Page, name: string | RegExp, scope = 'body'): Promise<void> {
  const [source, flags] = typeof name === 'string' ? [`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, ''] : [name.source, name.flags];
  const handle = await page.waitForFunction(
    (sel: string, s: string, fl: string) => {
      const root = (globalThis as unknown as { document: { querySelector(x: string): { querySelectorAll(x: string): ArrayLike<{ textContent: string | null; disabled?: boolean }> } | null } }).document.querySelector(sel);
      if (!root) return null;
      const re = new RegExp(s, fl);
      return Array.from(root.querySelectorAll('button, a')).find((el) => re.test(el.textContent ?? '') && !el.disabled) ?? null;
    },
    { timeout: 10_000 },
    scope,
    source,
    flags,
  );
  await (handle as unknown as { click(): Promise<void> }).click();
}

/** Types into the field labelled `label` (its text, exact or a RegExp), replacing what it held. */
export async function fill(page: Page, label: string | RegExp, value: string, scope = 'body'): Promise<void> {
  const id = await labelledId(page, label, scope);
  const selector = `[id="${id}"]`;
  await page.$eval(selector, (el) => {
    (el as unknown as { value: string }).value = '';
  });
  await page.type(selector, value);
}

/** Chooses `value` (an option's value) in the select labelled `label`. */
export async function choose(page: Page, label: string | RegExp, value: string, scope = 'body'): Promise<void> {
  const id = await labelledId(page, label, scope);
  await page.select(`[id="${id}"]`, value);
}

async function labelledId(page: Page, label: string | RegExp, scope: string): Promise<string> {
  const [source, flags] = typeof label === 'string' ? [`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, ''] : [label.source, label.flags];
  const handle = await page.waitForFunction(
    (sel: string, s: string, fl: string) => {
      const root = (globalThis as unknown as { document: { querySelector(x: string): { querySelectorAll(x: string): ArrayLike<{ textContent: string | null; htmlFor: string }> } | null } }).document.querySelector(sel);
      if (!root) return null;
      const re = new RegExp(s, fl);
      return Array.from(root.querySelectorAll('label')).find((l) => l.htmlFor && re.test(l.textContent ?? ''))?.htmlFor ?? null;
    },
    { timeout: 10_000 },
    scope,
    source,
    flags,
  );
  return (await handle.jsonValue()) as string;
}

/** The visible text of `selector` (first match). */
export async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as unknown as { innerText: string }).innerText);
}

/** Which element has the keyboard focus: its tag and text. */
export async function focused(page: Page): Promise<{ tag: string; text: string }> {
  return page.evaluate(() => {
    const el = (globalThis as unknown as Doc).document.activeElement;
    return { tag: el?.tagName ?? '', text: el?.textContent ?? '' };
  });
}
