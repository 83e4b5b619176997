import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../test/support/browser.js';
import { startLocalCloud } from './cloud.js';
import { DEMO_ADMIN } from './seed.js';

/**
 * `npm run console:screens`: screenshots of the console's main pages for the README (issue 11).
 * Starts the local cloud with the demo organisation on a frozen clock, lets a year's first
 * year run (charges, a declined card, a renewal notice), then photographs each page in
 * Debian's Chromium at 1366 px, and the members page at 390 px and in English.
 */
const OUT = fileURLToPath(new URL('../../templates/console/screens/', import.meta.url));
const START = '2027-01-04T14:00:00Z';

type Shot = { name: string; hash: (ids: Ids) => string; viewport?: { width: number; height: number }; locale?: 'en' | 'fr-CA' };
type Ids = { member: string; membership: string; notice: string | undefined };

const SHOTS: Shot[] = [
  { name: 'members', hash: () => '#/members' },
  { name: 'member', hash: (ids) => `#/members/${ids.member}` },
  { name: 'membership', hash: (ids) => `#/memberships/${ids.membership}` },
  { name: 'memberships-by-status', hash: () => '#/memberships?status=active' },
  { name: 'renewals', hash: () => '#/renewals?board=active' },
  { name: 'notice', hash: (ids) => (ids.notice ? `#/renewals/${ids.notice}` : '#/renewals') },
  { name: 'dunning', hash: () => '#/dunning' },
  { name: 'invoices', hash: () => '#/invoices?status=open' },
  { name: 'plans', hash: () => '#/plans' },
  { name: 'settings', hash: () => '#/settings' },
  { name: 'members-en', hash: () => '#/members', locale: 'en' },
  { name: 'members-390', hash: () => '#/members', viewport: { width: 390, height: 844 } },
];

mkdirSync(OUT, { recursive: true });
const cloud = await startLocalCloud({ port: 0, clock: { start: new Date(START), mode: 'frozen' }, seed: true });
const browser = await launchChromium();
try {
  const get = async <T>(path: string): Promise<T> => (await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<T>;
  // Most of the club's first year: the monthly charges, a declined card and its dunning, the
  // renewal notice the corporate member gets 45 days before their term ends.
  await fetch(`${cloud.url}/_local/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: 'P321D' }) });
  await cloud.settle();
  // A token minted after the clock moved (tokens live an hour of the local clock).
  const token = ((await (await fetch(`${cloud.url}/_local/token`, { method: 'POST', body: '{}' })).json()) as { token: string }).token;

  const members = await get<{ items: { id: string; name: string }[] }>('/api/members');
  const lea = members.items.find((m) => m.name.startsWith('Léa')) ?? members.items[0]!;
  const memberships = await get<{ items: { id: string }[] }>(`/api/members/${lea.id}/memberships`);
  const board = await get<{ items: { id: string }[] }>('/api/renewals?board=active');
  const ids: Ids = { member: lea.id, membership: memberships.items[0]!.id, notice: board.items[0]?.id };

  for (const shot of SHOTS) {
    const page = await browser.newPage();
    await page.setViewport(shot.viewport ?? { width: 1366, height: 900 });
    await page.evaluateOnNewDocument((choice: string | null) => {
      const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
      if (choice) storage.setItem('relance.locale', choice);
    }, shot.locale ?? null);
    const query = new URLSearchParams({ org: DEMO_ADMIN.orgId, to: shot.hash(ids) });
    await page.goto(`${cloud.url}/_local/login?${query.toString()}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('main h1');
    // The page's data has arrived when no "Loading…" line is left.
    await page.waitForFunction(() => !/Loading…|Chargement…/.test((globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText));
    await page.waitForNetworkIdle({ idleTime: 200 });
    const file = `${OUT}${shot.name}.png`;
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    console.log(`  ${shot.name.padEnd(22)} ${file}`);
    await page.close();
  }
} finally {
  await browser.close();
  await cloud.stop();
}
