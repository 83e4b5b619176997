import { execFileSync } from 'node:child_process';
import axe from 'axe-core';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { inject } from 'vitest';

/**
 * Issue 11: the console in a real browser. Debian's Chromium (`chromium` on the PATH, or
 * CHROMIUM_PATH), headless, one for the whole test run (started by the global setup); each test
 * file connects to it and opens its own pages. Nothing is downloaded.
 */
export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error("no Chromium on the PATH: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH");
  }
}

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in containers has no user namespaces for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--lang=en-CA'],
  });
}

/** The run's browser (global setup). */
export function connectChromium(): Promise<Browser> {
  return puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint') });
}

export interface PageWatch {
  page: Page;
  /** Uncaught errors and console errors seen so far. */
  errors: string[];
}

/** A new page that records its uncaught errors and console errors. */
export async function watchedPage(browser: Browser | BrowserContext, viewport = { width: 1366, height: 900 }): Promise<PageWatch> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${String(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { page, errors };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2.x A/AA (2.2 included) audit of the page as it is. axe is evaluated through
 * the DevTools protocol, so the page's strict CSP stays on.
 */
export async function axeAudit(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  // The function runs in the page (the tests' TypeScript has no DOM types: globalThis there is the window).
  return page.evaluate(async () => {
    const w = globalThis as unknown as { axe: { run: (opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } };
    const result = await w.axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
