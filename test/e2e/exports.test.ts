import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * R-PRV-2: members, memberships and invoices exported as CSV for a period: RFC 4180, UTF-8 with
 * a BOM, safe from formula injection, money in major units, paged with a continuation cursor.
 */
let t: TestCloud;
const ids: Record<string, string> = {};

/** An RFC 4180 reader, to check what a spreadsheet would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) throw new Error('the CSV does not end with CRLF');
  return rows;
}

async function download(path: string, groups?: string[]) {
  const token = groups
    ? ((await t.request('POST', '/_local/token', { orgId: 'e2e-club', email: 'marie@club.example', groups })).body.token as string)
    : await t.freshToken();
  const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') };
}

/** Every row of an export, following the cursor; answers the rows and the number of requests. */
async function all(kind: string, query: string) {
  let path: string | null = `/api/exports/${kind}.csv?${query}`;
  const rows: string[][] = [];
  let header: string[] = [];
  let requests = 0;
  while (path) {
    const got = await download(path);
    expect(got.status).toBe(200);
    requests++;
    const [h, ...body] = parseCsv(got.text.slice(1));
    header = h!;
    rows.push(...body);
    const next = got.headers.get('x-next-cursor');
    const link = got.headers.get('link');
    if (next) {
      expect(link).toMatch(/^<\/api\/exports\/[a-z]+\.csv\?[^>]*cursor=[^>]+>; rel="next"$/);
      path = /^<([^>]+)>/.exec(link!)![1]!;
    } else {
      expect(link).toBeNull();
      path = null;
    }
  }
  return { header, rows, requests, col: (name: string) => header.indexOf(name) };
}

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const plan = await t.ok('POST', '/api/plans', {
    name: 'Annual',
    price: { amount: 12050, currency: 'CAD' },
    termMonths: 6,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'none', reminderDays: [] },
  });
  ids.plan = plan.id;
  ids.comma = (await t.ok('POST', '/api/members', { name: 'Dupont, "Jojo" Jean', email: 'jojo@example.org' })).id;
  ids.formula = (await t.ok('POST', '/api/members', { name: '=HYPERLINK("http://evil.example","x")', email: 'formula@example.org' })).id;
  ids.accent = (await t.ok('POST', '/api/members', { name: 'Émilie Côté-Bérubé', email: 'emilie@example.org' })).id;
  ids.ms1 = (await t.ok('POST', '/api/memberships', { memberId: ids.comma, planId: plan.id })).id;
  // Two months later (in February, Toronto time): another member and membership.
  await t.setClock('2027-02-20T15:00:00Z');
  ids.late = (await t.ok('POST', '/api/members', { name: '+Plus Tard', email: 'later@example.org' })).id;
  ids.ms2 = (await t.ok('POST', '/api/memberships', { memberId: ids.late, planId: plan.id })).id;
});
afterAll(async () => {
  await t?.stop();
});

describe('CSV exports (R-PRV-2)', () => {
  it('R-PRV-2: members.csv is UTF-8 with a BOM, a header row, RFC 4180 quoting, formula cells escaped, accents intact', async () => {
    const got = await download('/api/exports/members.csv?from=2027-01-01&to=2027-01-31');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="members-2027-01-01-2027-01-31.csv"');
    expect([...got.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(got.text).toContain('"Dupont, ""Jojo"" Jean"');
    expect(got.text).toContain('Émilie Côté-Bérubé');
    const [header, ...rows] = parseCsv(got.text.slice(1));
    expect(header).toEqual(['id', 'name', 'email', 'locale', 'communicationsOptIn', 'autoRenew', 'card', 'createdAt', 'updatedAt', 'erasedAt']);
    expect(rows.map((r) => r[0]).sort()).toEqual([ids.comma, ids.formula, ids.accent].sort());
    const byId = Object.fromEntries(rows.map((r) => [r[0], r]));
    expect(byId[ids.comma!]![1]).toBe('Dupont, "Jojo" Jean');
    expect(byId[ids.formula!]![1]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(byId[ids.accent!]![1]).toBe('Émilie Côté-Bérubé');
    expect(byId[ids.accent!]![7]).toBe('2027-01-15T15:00:00.000Z');
  });

  it('R-PRV-2: the period filters by the day of creation in the organisation’s time zone; a later member is in its own period', async () => {
    const feb = await all('members', 'from=2027-02-01&to=2027-02-28');
    expect(feb.rows.map((r) => r[0])).toEqual([ids.late]);
    expect(feb.rows[0]![feb.col('name')]).toBe("'+Plus Tard");
    expect((await all('members', 'from=2026-01-01&to=2027-01-14')).rows).toEqual([]);
    expect((await all('members', 'from=2027-01-15&to=2027-02-20')).rows).toHaveLength(4);
  });

  it('R-PRV-2: a cap per request with a continuation cursor: every row once, in bounded requests', async () => {
    const paged = await all('members', 'from=2027-01-01&to=2027-12-31&limit=1');
    expect(paged.requests).toBeGreaterThanOrEqual(4);
    expect(paged.rows.map((r) => r[0]).sort()).toEqual([ids.comma, ids.formula, ids.accent, ids.late].sort());
    const first = await download('/api/exports/members.csv?from=2027-01-01&to=2027-12-31&limit=2');
    expect(first.headers.get('x-row-count')).toBe('2');
    expect(first.headers.get('x-next-cursor')).toBeTruthy();
    const tampered = await download(`/api/exports/members.csv?from=2027-01-01&to=2027-12-31&cursor=${Buffer.from('{"s":9,"c":null}').toString('base64url')}`);
    expect(tampered.status).toBe(400);
    expect(JSON.parse(tampered.text).error.details[0].field).toBe('cursor');
  });

  it('R-PRV-2: invoices.csv: money in major units with the currency, dates ISO, by due date', async () => {
    const jan = await all('invoices', 'from=2027-01-01&to=2027-01-31');
    expect(jan.header).toEqual(['id', 'membershipId', 'memberId', 'status', 'description', 'amount', 'currency', 'periodStart', 'periodEnd', 'issueDate', 'dueDate', 'paidAt', 'refunded', 'createdAt']);
    expect(jan.rows).toHaveLength(1);
    const row = jan.rows[0]!;
    expect(row[jan.col('membershipId')]).toBe(ids.ms1);
    expect(row[jan.col('amount')]).toBe('120.50');
    expect(row[jan.col('currency')]).toBe('CAD');
    expect(row[jan.col('dueDate')]).toMatch(/^2027-01-\d\d$/);
    expect(row[jan.col('refunded')]).toBe('0.00');
    const feb = await all('invoices', 'from=2027-02-01&to=2027-02-28&limit=1');
    expect(feb.rows.map((r) => r[feb.col('membershipId')])).toEqual([ids.ms2]);
  });

  it('R-PRV-2: memberships.csv lists the memberships changed in the period with their state now', async () => {
    const jan = await all('memberships', 'from=2027-01-01&to=2027-01-31');
    expect(jan.rows.map((r) => r[0])).toEqual([ids.ms1]);
    expect(jan.rows[0]![jan.col('termStart')]).toBe('2027-01-15');
    expect(jan.rows[0]![jan.col('status')]).toMatch(/^[a-z_]+$/);
    const year = await all('memberships', 'from=2027-01-01&to=2027-12-31&limit=1');
    expect(year.rows.map((r) => r[0]).sort()).toEqual([ids.ms1, ids.ms2].sort());
  });

  it('R-PRV-2: owners only; a bad period is a 400 naming the field', async () => {
    expect((await download('/api/exports/members.csv?from=2027-01-01&to=2027-01-31', ['staff'])).status).toBe(403);
    const reversed = await download('/api/exports/members.csv?from=2027-02-01&to=2027-01-31');
    expect(reversed.status).toBe(400);
    expect(JSON.parse(reversed.text).error.details[0].field).toBe('to');
    const missing = await download('/api/exports/invoices.csv?from=2027-02-01');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).error.details[0].field).toBe('to');
  });
});
