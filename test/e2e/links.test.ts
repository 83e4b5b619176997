import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../shared/domain/links.js';
import { linkIn, SETTINGS, TestCloud } from '../support/cloud.js';

/** Issue 3, R-LNK-1…3: every broken link gets an error page and changes nothing; GET never acts. */
let t: TestCloud;
let renewPath = '';
let cancelPath = '';
const ids: Record<string, string> = {};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function snapshot(id: string) {
  const reply = await t.api('GET', `/api/memberships/${id}`);
  return { etag: reply.headers.get('etag'), emails: (await t.emails()).length, status: reply.body.status };
}

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const plan = (policy: string) => ({
    name: `Annual ${policy}`,
    price: { amount: 12000, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy, reminderDays: [30] },
  });
  for (const policy of ['confirmation', 'automatic']) {
    const p = await t.ok('POST', '/api/plans', plan(policy));
    const member = await t.ok('POST', '/api/members', { name: `Member ${policy}`, email: `${policy}@example.org`, communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    ids[policy] = (await t.ok('POST', '/api/memberships', { memberId: member.id, planId: p.id })).id;
  }
  await t.setClock('2027-12-15T14:00:30Z');
  renewPath = new URL(linkIn((await t.emails('confirmation@example.org'))[0]!)).pathname;
  cancelPath = new URL(linkIn((await t.emails('automatic@example.org'))[0]!)).pathname;
});
afterAll(async () => {
  await t?.stop();
});

describe('signed member links', () => {
  it('R-LNK-2: GET shows one button and changes nothing, however often a mail scanner opens it', async () => {
    for (const [path, id] of [[renewPath, ids.confirmation!], [cancelPath, ids.automatic!]] as const) {
      const before = await snapshot(id);
      for (let i = 0; i < 3; i++) {
        const page = await t.request('GET', path);
        expect(page.status).toBe(200);
        expect(page.body.match(/<form method="post"/g)).toHaveLength(1);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(page.headers.get('content-security-policy')).not.toContain('script-src');
        expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      }
      expect(await snapshot(id)).toEqual(before);
    }
  });

  it('R-LNK-3: a tampered link (payload or signature) gets an error page and changes nothing', async () => {
    const before = await snapshot(ids.confirmation!);
    const [, , v, kid, payload, sig] = renewPath.split(/[/.]/);
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, m: ids.automatic, p: 'cancel' })).toString('base64url');
    for (const path of [`/l/${v}.${kid}.${otherPayload}.${sig}`, `/l/${v}.${kid}.${payload}.${sig!.slice(0, -3)}abc`, '/l/not-a-token']) {
      for (const method of ['GET', 'POST']) {
        const page = await t.request(method, path, method === 'POST' ? 'purpose=renew' : undefined, method === 'POST' ? FORM : {});
        expect(page.status).toBe(400);
        expect(page.body).not.toContain('<form');
      }
    }
    expect(await snapshot(ids.confirmation!)).toEqual(before);
  });

  it('R-LNK-3: a link naming another membership, or another organisation’s, is invalid even when genuinely signed', async () => {
    const keys = t.cloud.deps.linkKeys;
    const exp = Math.floor(Date.parse('2028-01-15T05:00:00Z') / 1000);
    const cases: [string, string][] = [
      ['e2e-club', 'ms_01AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['another-club', ids.confirmation!],
    ];
    for (const [orgId, membershipId] of cases) {
      const page = await t.request('POST', `/l/${signLink(keys, { purpose: 'renew', orgId, membershipId, exp })}`, 'purpose=renew', FORM);
      expect(page.status).toBe(400);
    }
  });

  it('R-LNK-3: a form posted for another purpose is refused and changes nothing', async () => {
    const before = await snapshot(ids.confirmation!);
    const page = await t.request('POST', renewPath, 'purpose=cancel', FORM);
    expect(page.status).toBe(400);
    expect(await snapshot(ids.confirmation!)).toEqual(before);
  });

  it('R-LNK-3: a single-use link acts once; replayed, it gets an error page and changes nothing', async () => {
    const first = await t.request('POST', renewPath, 'purpose=renew', FORM);
    expect(first.status).toBe(200);
    const after = await snapshot(ids.confirmation!);
    const replay = await t.request('POST', renewPath, 'purpose=renew', FORM);
    expect(replay.status).toBe(409);
    expect(replay.body).not.toContain('<form');
    expect(await snapshot(ids.confirmation!)).toEqual(after);
    expect((await t.request('GET', renewPath)).status).toBe(409);
  });

  it('R-LNK-3: an expired link gets an error page, branded, and changes nothing', async () => {
    await t.setClock('2028-01-15T04:59:00Z');
    expect((await t.request('GET', cancelPath)).status).toBe(200);
    await t.setClock('2028-01-15T05:00:00Z');
    const before = await snapshot(ids.automatic!);
    const page = await t.request('POST', cancelPath, 'purpose=cancel', FORM);
    expect(page.status).toBe(410);
    expect(page.body).toContain('Club de natation de Laval');
    expect(await snapshot(ids.automatic!)).toEqual(before);
  });
});
