import { describe, expect, it } from 'vitest';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * R-OPS-1, R-OPS-2 through the local cloud: the local SES answers SES's mailbox simulator
 * addresses (bounce@, complaint@, suppressionlist@, success@ simulator.amazonses.com) with the
 * events SES publishes to EventBridge, and the feedback function records them.
 */
const cloud = TestCloud.forFile('2027-01-15T15:00:00Z');

const SIM = 'simulator.amazonses.com';
const label = () => Math.random().toString(36).slice(2, 8);

interface MailRow {
  id: string;
  template: string;
  to: string[];
  status: string;
  delivery: { status: string; permanent: boolean; detail: string | null } | null;
}

async function memberOnPlan(t: TestCloud, email: string, name = `Léa ${label()}`) {
  const plan = await t.ok('POST', '/api/plans', {
    name: `Mensuel ${label()}`,
    price: { amount: 2500, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30] },
  });
  const member = await t.ok('POST', '/api/members', { name, email, locale: 'fr-CA' });
  const ms = await t.ok('POST', `/api/memberships`, { memberId: member.id, planId: plan.id });
  return { member, ms };
}

async function record(t: TestCloud, membershipId: string): Promise<{ emails: MailRow[]; timeline: { type: string; data: Record<string, unknown> }[] }> {
  return t.membership(membershipId);
}

const staffNotices = (r: { emails: MailRow[] }) => r.emails.filter((e) => e.template === 'email_undeliverable_org');
const cardRequests = (r: { emails: MailRow[] }) => r.emails.filter((e) => e.template === 'card_request');

describe('R-OPS-1: bounces and complaints come back through the configuration set', () => {
  it('R-OPS-1: a hard bounce (bounce@ simulator) suppresses the address, tells staff once, and no later mail goes to it', async () => {
    const t = cloud();
    const address = `bounce+${label()}@${SIM}`;
    const { member, ms } = await memberOnPlan(t, address);
    const before = staffNotices(await record(t, ms.id)).length;

    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    expect((await t.emails(address)).length).toBeGreaterThan(0);

    const view = await t.ok('GET', `/api/members/${member.id}`);
    expect(view.emailDelivery).toEqual(expect.objectContaining({ status: 'suppressed', reason: expect.stringContaining('Permanent/General') }));
    let r = await record(t, ms.id);
    expect(cardRequests(r)).toEqual([expect.objectContaining({ status: 'sent', delivery: expect.objectContaining({ status: 'bounced', permanent: true }) })]);
    expect(r.timeline.filter((e) => e.type === 'email_bounced' && e.data.emailId === cardRequests(r)[0]!.id)).toHaveLength(1);
    // One staff notification for the bounced dunning mail, sent to the organisation.
    const notices = staffNotices(r);
    expect(notices.length).toBe(before + 1);
    expect(notices[0]).toEqual(expect.objectContaining({ status: 'sent', to: [SETTINGS.mainContactEmail] }));
    const toStaff = (await t.emails(SETTINGS.mainContactEmail)).filter((m) => m.reference === notices[0]!.id);
    expect(toStaff).toHaveLength(1);
    expect(toStaff[0]!.text).toContain(address);
    expect(toStaff[0]!.text).toContain(member.name);

    // The next member mail is not sent: dropped with its reason, and staff told of it too.
    const sentBefore = (await t.emails(address)).length;
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    expect((await t.emails(address)).length).toBe(sentBefore);
    r = await record(t, ms.id);
    const dropped = cardRequests(r).find((e) => e.status === 'dropped');
    expect(dropped).toBeDefined();
    const drop = r.timeline.find((e) => e.type === 'email_dropped' && e.data.emailId === dropped!.id);
    expect(String(drop?.data.reason)).toMatch(/suppressed \(R-OPS-1\)/);
    expect(staffNotices(r).length).toBe(before + 2);

    // Settling again changes nothing: each failed mail told staff once.
    await t.settle();
    expect(staffNotices(await record(t, ms.id)).length).toBe(before + 2);
  });

  it('R-OPS-1: a complaint (complaint@ simulator) marks the address complained, tells staff, and holds later mail', async () => {
    const t = cloud();
    const address = `complaint+${label()}@${SIM}`;
    const { member, ms } = await memberOnPlan(t, address);
    const before = staffNotices(await record(t, ms.id)).length;
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);

    expect((await t.ok('GET', `/api/members/${member.id}`)).emailDelivery.status).toBe('complained');
    let r = await record(t, ms.id);
    expect(cardRequests(r)[0]!.delivery).toEqual(expect.objectContaining({ status: 'complained' }));
    expect(staffNotices(r).length).toBe(before + 1);

    const sentBefore = (await t.emails(address)).length;
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    expect((await t.emails(address)).length).toBe(sentBefore);
    r = await record(t, ms.id);
    expect(cardRequests(r).filter((e) => e.status === 'dropped')).toHaveLength(1);
  });

  it('R-OPS-1: an address on the suppression list (suppressionlist@ simulator) is suppressed', async () => {
    const t = cloud();
    const { member, ms } = await memberOnPlan(t, `suppressionlist+${label()}@${SIM}`);
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    const view = await t.ok('GET', `/api/members/${member.id}`);
    expect(view.emailDelivery).toEqual(expect.objectContaining({ status: 'suppressed', reason: expect.stringContaining('Permanent/Suppressed') }));
  });

  it('R-OPS-1: a corrected e-mail is deliverable again and mail flows to it; a delivery is recorded on the mail', async () => {
    const t = cloud();
    const { member, ms } = await memberOnPlan(t, `bounce+${label()}@${SIM}`);
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    expect((await t.ok('GET', `/api/members/${member.id}`)).emailDelivery.status).toBe('suppressed');

    const corrected = `success+${label()}@${SIM}`;
    const patched = await t.ok('PATCH', `/api/members/${member.id}`, { email: corrected });
    expect(patched.emailDelivery.status).toBe('deliverable');
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    expect(await t.emails(corrected)).toHaveLength(1);
    const r = await record(t, ms.id);
    const latest = cardRequests(r).find((e) => e.to[0] === corrected);
    expect(latest).toEqual(expect.objectContaining({ status: 'sent', delivery: expect.objectContaining({ status: 'delivered' }) }));
    expect((await t.ok('GET', `/api/members/${member.id}`)).emailDelivery.status).toBe('deliverable');
  });

  it('R-OPS-1: a member with an ordinary address stays deliverable', async () => {
    const t = cloud();
    const { member, ms } = await memberOnPlan(t, `lea-${label()}@example.org`);
    await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
    expect((await t.ok('GET', `/api/members/${member.id}`)).emailDelivery).toEqual({ status: 'deliverable', at: null, reason: null, emailId: null });
    expect(staffNotices(await record(t, ms.id))).toHaveLength(0);
  });
});

describe('R-OPS-1: the same SES event delivered twice acts once', () => {
  it('R-OPS-1: every bounce event delivered twice, concurrently: one status change, one timeline entry, one staff notification', async () => {
    let duplicated = 0;
    const t = await TestCloud.start({
      at: '2027-01-15T15:00:00Z',
      faults: {
        ses: {
          next: () => 'none',
          duplicateEvent: () => {
            duplicated++;
            return true;
          },
        },
      },
    });
    try {
      await t.ok('PUT', '/api/settings', SETTINGS);
      const address = `bounce+${label()}@${SIM}`;
      const { member, ms } = await memberOnPlan(t, address);
      const before = staffNotices(await record(t, ms.id)).length;
      const eventsBefore = duplicated;
      await t.ok('POST', `/api/memberships/${ms.id}/card-request`);
      expect(duplicated).toBeGreaterThan(eventsBefore);

      const view = await t.ok('GET', `/api/members/${member.id}`);
      expect(view.emailDelivery.status).toBe('suppressed');
      const r = await record(t, ms.id);
      const mail = cardRequests(r)[0]!;
      expect(r.timeline.filter((e) => e.type === 'email_bounced' && e.data.emailId === mail.id)).toHaveLength(1);
      expect(staffNotices(r).length).toBe(before + 1);
      const notice = staffNotices(r)[0]!;
      expect((await t.emails(SETTINGS.mainContactEmail)).filter((m) => m.reference === notice.id)).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });
});

describe('R-OPS-2: organisations send only from identities they verified', () => {
  it('R-OPS-2: a domain answers its DKIM records, is verified once the clock moves, and only then may be the sender', async () => {
    const t = cloud();
    const domain = `piscine-${label()}.example`;
    const settings = await t.ok('GET', '/api/settings');
    const { version: _v, updatedAt: _u, ...document } = settings;
    const withSender = { ...document, sender: { name: 'Sophie Gagnon', email: `membres@${domain}` } };

    const refused = await t.api('PUT', '/api/settings', withSender);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ rule: 'R-OPS-2', field: 'sender.email' })]);

    const started = await t.api('POST', '/api/identities', { domain });
    expect(started.status).toBe(201);
    expect(started.body).toEqual(expect.objectContaining({ identity: domain, type: 'domain', verified: false, verification: 'pending' }));
    expect(started.body.dkimRecords).toHaveLength(3);
    for (const r of started.body.dkimRecords) {
      expect(r).toEqual({ name: expect.stringMatching(new RegExp(`^[a-z0-9]+\\._domainkey\\.${domain.replace(/\./g, '\\.')}$`)), type: 'CNAME', value: expect.stringMatching(/^[a-z0-9]+\.dkim\.amazonses\.com$/) });
    }
    // Asking again answers it as it stands.
    const again = await t.api('POST', '/api/identities', { domain });
    expect(again.status).toBe(200);
    expect(again.body.dkimRecords).toEqual(started.body.dkimRecords);
    expect((await t.api('PUT', '/api/settings', withSender)).status).toBe(422);

    await t.advance('PT2M');
    const list = await t.ok('GET', '/api/identities');
    expect(list.items).toEqual([expect.objectContaining({ identity: domain, verified: true, verification: 'success' })]);
    expect(list.mailDomain).toBe('club.example');
    const saved = await t.api('PUT', '/api/settings', withSender);
    expect(saved.status).toBe(200);
    expect(saved.body.sender.email).toBe(`membres@${domain}`);
    // Back to the deployment's own mail domain, which any organisation may use.
    expect((await t.api('PUT', '/api/settings', { ...withSender, sender: SETTINGS.sender })).status).toBe(200);
  });

  it('R-OPS-2: an address identity has no DKIM records; an identity SES already has for someone else is 409', async () => {
    const t = cloud();
    const address = `tresorier-${label()}@ailleurs.example`;
    const started = await t.api('POST', '/api/identities', { email: address });
    expect(started.status).toBe(201);
    expect(started.body).toEqual(expect.objectContaining({ identity: address, type: 'email', dkimRecords: [] }));
    const taken = await t.api('POST', '/api/identities', { domain: 'club.example' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('identity_in_use');
    const bad = await t.api('POST', '/api/identities', { domain: 'not a domain' });
    expect(bad.status).toBe(400);
  });

  it('R-OPS-2, R-CON-5: staff may neither read nor start identities (403)', async () => {
    const t = cloud();
    const token = (await t.request('POST', '/_local/token', { orgId: 'e2e-club', email: 'staff@club.example', groups: ['staff'] })).body.token;
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.request('GET', '/api/identities', undefined, headers)).status).toBe(403);
    expect((await t.request('POST', '/api/identities', { domain: `x-${label()}.example` }, headers)).status).toBe(403);
  });
});
