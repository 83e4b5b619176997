import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../support/aws.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';
import { ScriptedSes } from '../support/scripted.js';
import type { Store } from '../../shared/ports/store.js';
import { handleTimer } from '../../shared/use-cases/timers.js';

/**
 * Mail that delivers itself and timers that cannot stall (issue 7, observations 11–16; R-MNY-6,
 * R-REN-6, R-REN-9), over HTTP and the local clock. SES can be taken down and brought back.
 * Clocks start on Friday 2027-01-15 at 10:00 in America/Toronto.
 */
const START = '2027-01-15T15:00:00Z';
const TIMER = 'arn:aws:lambda:ca-central-1:000000000000:function:relance-local-timer';

async function open(ses?: ScriptedSes): Promise<TestCloud> {
  const t = await TestCloud.start({ at: START, faults: ses ? { ses } : undefined });
  await t.ok('PUT', '/api/settings', SETTINGS);
  return t;
}

const ANNUAL = {
  name: 'Annual',
  price: { amount: 12000, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
  renewal: { policy: 'automatic', reminderDays: [30, 7] },
};

async function join(t: TestCloud, key: string, planId: string, extra: Record<string, unknown> = {}) {
  const email = `${key}@example.org`;
  const { startDate, ...memberFields } = extra;
  const member = await t.ok('POST', '/api/members', { name: `Member ${key}`, email, locale: 'en', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' }, ...memberFields });
  const ms = await t.ok('POST', '/api/memberships', { memberId: member.id, planId, ...(startDate ? { startDate } : {}) });
  return { id: ms.id as string, memberId: member.id as string, email };
}

const read = (t: TestCloud, id: string) => t.membership(id);

describe('observation 11 — R-MNY-6: SES down at a reminder\'s instant', () => {
  const ses = new ScriptedSes();
  let t: TestCloud;
  let soon: { id: string; email: string };
  let late: { id: string; email: string };
  beforeAll(async () => {
    t = await open(ses);
    const plan = await t.ok('POST', '/api/plans', ANNUAL);
    soon = await join(t, 'soon', plan.id);
    late = await join(t, 'late', plan.id);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-MNY-6: down for a few minutes at 09:00: the reminder goes out within minutes of SES coming back, not with the next timer', async () => {
    ses.down();
    try {
      await t.setClock('2027-12-15T14:05:00Z');
      expect(await t.emails(soon.email)).toEqual([]);
    } finally {
      ses.up();
    }
    await t.setClock('2027-12-15T14:30:00Z');
    const [reminder, ...more] = await t.emails(soon.email);
    expect(more).toEqual([]);
    expect(reminder!.subject).toContain('renews on January 15, 2028');
    expect(Date.parse(reminder!.at) - Date.parse('2027-12-15T14:00:00Z')).toBeLessThanOrEqual(15 * 60_000);
  });

  it('R-MNY-6: down until after the last reminder\'s deadline (the term end): it is dropped and recorded, never sent stale', async () => {
    // Both memberships' 30-day reminders went out above; now SES is down across `late`'s 7-day reminder window.
    await t.setClock('2028-01-07T13:00:00Z');
    ses.down();
    try {
      await t.setClock('2028-01-15T06:00:00Z');
    } finally {
      ses.up();
    }
    await t.setClock('2028-01-15T12:00:00Z');
    const subjects = (await t.emails(late.email)).map((e) => e.subject);
    expect(subjects.filter((s) => s.includes('renews on January 15, 2028'))).toHaveLength(1);
    const m = await read(t, late.id);
    const dropped = m.timeline.filter((e: { type: string }) => e.type === 'email_dropped');
    expect(dropped).toEqual([expect.objectContaining({ data: expect.objectContaining({ template: 'reminder_automatic', notAfter: '2028-01-15T05:00:00.000Z' }) })]);
    expect(m.emails.find((e: { template: string; status: string }) => e.status === 'dropped')).toMatchObject({ template: 'reminder_automatic' });
  });
});

describe('observation 12 — R-MNY-6: e-mails of admin actions while SES is down', () => {
  const ses = new ScriptedSes();
  let t: TestCloud;
  beforeAll(async () => {
    t = await open(ses);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-CAN-4, R-MNY-6: the cancellation notice is sent within minutes of SES coming back, though the membership\'s next timer is months away', async () => {
    const plan = await t.ok('POST', '/api/plans', ANNUAL);
    const m = await join(t, 'notice', plan.id);
    ses.down();
    try {
      await t.ok('POST', `/api/memberships/${m.id}/cancel`, { month: '2027-06' });
      expect(await t.emails(m.email)).toEqual([]);
      // SES answered 500: it may or may not have taken it; the worker waits for SES's Send event, then tries again.
      expect((await read(t, m.id)).emails).toEqual([expect.objectContaining({ template: 'cancellation_by_admin', status: 'unknown' })]);
    } finally {
      ses.up();
    }
    await t.advance('PT15M');
    expect((await t.emails(m.email)).map((e) => e.subject)).toEqual([`${SETTINGS.name}: your membership has been cancelled`]);
    expect((await read(t, m.id)).timers[0].at > '2027-12-01').toBe(true);
  });

  it('R-MNY-6: an answer lost by SES is settled by SES\'s own Send event: the mail is not sent twice', async () => {
    const plan = await t.ok('POST', '/api/plans', { ...ANNUAL, name: 'Annual 2' });
    const m = await join(t, 'lost', plan.id);
    ses.queue.push('lose_answer');
    await t.ok('POST', `/api/memberships/${m.id}/cancel`, { month: '2027-06' });
    await t.advance('PT30M');
    expect(await t.emails(m.email)).toHaveLength(1);
    expect((await read(t, m.id)).emails).toEqual([expect.objectContaining({ status: 'sent' })]);
  });
});

describe('observation 13 — R-REN-9: a plan edit re-plans every live membership of the plan', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-REN-9: a reminder offset added to the plan reaches memberships bought before the edit, on its day; an offset removed is never sent', async () => {
    const plan = await t.ok('POST', '/api/plans', ANNUAL);
    const members = [await join(t, 'edit-a', plan.id), await join(t, 'edit-b', plan.id)];
    const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...body } = await t.ok('GET', `/api/plans/${plan.id}`);
    await t.ok('PUT', `/api/plans/${plan.id}`, { ...body, renewal: { ...body.renewal, reminderDays: [10, 7] } });
    for (const m of members) expect((await read(t, m.id)).timers.filter((x: { kind: string }) => x.kind === 'reminder').map((x: { at: string }) => x.at)).toEqual(['2028-01-04T14:00:00.000Z', '2028-01-07T14:00:00.000Z']);
    await t.setClock('2028-01-08T12:00:00Z');
    for (const m of members) expect((await t.emails(m.email)).map((e) => e.at)).toEqual(['2028-01-04T14:00:00.000Z', '2028-01-07T14:00:00.000Z']);
  });
});

describe('observation 14 — R-REN-6: a reminder whose instant passed while the membership waited for its start', () => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await open();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('R-REN-6: is skipped, not sent late at the start; the reminder that falls after the start is sent on its day', async () => {
    const plan = await t.ok('POST', '/api/plans', { ...ANNUAL, termMonths: 1, renewal: { policy: 'automatic', reminderDays: [35, 5] } });
    const m = await join(t, 'waiting', plan.id, { startDate: '2027-02-24' });
    // Term Feb 24 – Mar 23: the 35-day reminder (Feb 16) comes before the start, the 5-day one (Mar 18) after.
    await t.setClock('2027-03-01T12:00:00Z');
    expect(await t.emails(m.email)).toEqual([]);
    await t.setClock('2027-03-19T12:00:00Z');
    expect((await t.emails(m.email)).map((e) => e.at)).toEqual(['2027-03-18T13:00:00.000Z']);
  });
});

describe('observations 15 and 16 — timers that cannot stall', () => {
  let t: TestCloud;
  let scheduler: SchedulerClient;
  beforeAll(async () => {
    t = await open();
    scheduler = new SchedulerClient({ ...LOCAL_AWS, endpoint: t.cloud.urls.scheduler });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const schedulesOf = async (id: string) =>
    ((await t.request('GET', '/_local/schedules')).body.items as { name: string; at: string; target: { input: string } }[]).filter((s) => s.name.startsWith(`${id}-`));

  it('R-REN-9: a delivery that arrives before its instant re-arms the timer, which then acts on time', async () => {
    const plan = await t.ok('POST', '/api/plans', ANNUAL);
    const m = await join(t, 'early', plan.id);
    await t.setClock('2027-12-15T13:55:00Z');
    const [armed] = await schedulesOf(m.id);
    expect(armed!.at).toBe('2027-12-15T14:00:00.000Z');
    const payload = { orgId: 'e2e-club', membershipId: m.id, name: armed!.name, at: armed!.at };
    await scheduler.send(new DeleteScheduleCommand({ Name: armed!.name, GroupName: 'relance-local' }));

    const outcome = (await t.cloud.functions.invoke(TIMER, payload)) as { outcome: string; rearmed: string };

    expect(outcome).toEqual({ outcome: 'early', rearmed: `${armed!.name}.e1` });
    expect((await schedulesOf(m.id)).map((s) => [s.name, s.at])).toEqual([[`${armed!.name}.e1`, '2027-12-15T14:00:00.000Z']]);
    await t.setClock('2027-12-15T14:01:00Z');
    expect((await t.emails(m.email)).map((e) => e.at)).toEqual(['2027-12-15T14:00:00.000Z']);
  });

  it('R-MNY-6: two e-mails of the same template decided in one delivery both go out (each outbox id is its own)', async () => {
    const plan = await t.ok('POST', '/api/plans', { name: 'Monthly', price: { amount: 2500, currency: 'CAD' }, billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } } });
    const m = await join(t, 'backlog', plan.id, { paymentMethod: undefined });
    const [armed] = await schedulesOf(m.id);
    const payload = { orgId: 'e2e-club', membershipId: m.id, name: armed!.name, at: armed!.at };
    await scheduler.send(new DeleteScheduleCommand({ Name: armed!.name, GroupName: 'relance-local' }));
    // The timer is delivered only after two billing dates passed (a backlog after an outage).
    await t.setClock('2028-03-02T12:00:00Z');
    const outcome = (await t.cloud.functions.invoke(TIMER, payload)) as { outcome: string; kinds: string[] };
    expect(outcome).toEqual({ outcome: 'acted', kinds: ['billing', 'billing', 'billing'] });
    await t.settle();
    const invoices = (await t.emails(m.email)).filter((e) => e.subject.includes('invoice'));
    expect(invoices).toHaveLength(3);
    expect(new Set(invoices.map((e) => e.reference)).size).toBe(3);
  });

  it('R-REN-9: a duplicate delivery that reads the membership before the other copy commits, and its notice after, leaves one schedule', async () => {
    const plan = await t.ok('POST', '/api/plans', { ...ANNUAL, termMonths: 1, renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 10, remindAfterDays: 3 } } });
    const m = await join(t, 'torn', plan.id, { paymentMethod: undefined });
    // Wherever the clock is (the tests before moved it), the notice goes out first, then its reminder is armed.
    const [notice] = await schedulesOf(m.id);
    expect(notice!.name).toContain('-notice-');
    await t.setClock(notice!.at);
    const [armed] = await schedulesOf(m.id);
    expect(armed!.name).toContain('-notice_rem-');
    await scheduler.send(new DeleteScheduleCommand({ Name: armed!.name, GroupName: 'relance-local' }));
    await t.setClock(armed!.at);
    const payload = { orgId: 'e2e-club', membershipId: m.id, name: armed!.name, at: armed!.at };
    // The second copy reads the membership, then the first copy runs to its end, then the second
    // reads the rest (the notice, already reminded): the view it decides on is torn.
    const deps = t.cloud.deps;
    let interleave: (() => Promise<unknown>) | null = () => handleTimer(deps, payload);
    const store = Object.assign(Object.create(deps.store) as Store, {
      getMembershipState: async (orgId: string, id: string) => {
        const state = await deps.store.getMembershipState(orgId, id);
        const first = interleave;
        interleave = null;
        if (first) expect(await first()).toEqual({ outcome: 'acted', kinds: ['notice_reminder'] });
        return state;
      },
    });

    const second = await handleTimer({ ...deps, store }, payload);

    expect(interleave).toBeNull();
    expect(second).toMatchObject({ outcome: 'stale' });
    const after = (await deps.store.getMembership('e2e-club', m.id))!;
    expect(after.armed!.name).toContain('-term_end-');
    // The armed term end is the only schedule: no `….e1` re-arm was left behind.
    expect((await schedulesOf(m.id)).map((s) => s.name)).toEqual([after.armed!.name]);
  });
});

describe('R-NOT-8, R-MNY-6: a renewal notice still queued when staff decide', () => {
  const ses = new ScriptedSes();
  let t: TestCloud;
  afterAll(async () => {
    await t?.stop();
  });

  it('R-NOT-2, R-MNY-6: SES is down at the notice time and staff approve meanwhile: the queued notice is dropped, the invoice goes', async () => {
    t = await open(ses);
    const plan = await t.ok('POST', '/api/plans', {
      ...ANNUAL,
      termMonths: 1,
      renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 10, remindAfterDays: 3 } },
    });
    const m = await join(t, 'notice', plan.id, { paymentMethod: undefined });
    ses.down();
    try {
      await t.setClock('2027-02-04T15:00:00Z');
      expect((await t.emails(m.email)).map((e) => e.subject)).toEqual([]);
      const noticeId = (await read(t, m.id)).notice.id;
      await t.ok('POST', `/api/renewals/${noticeId}/approve`);
    } finally {
      ses.up();
    }
    await t.advance('PT30M');
    await t.settle();
    const subjects = (await t.emails(m.email)).map((e) => e.subject);
    expect(subjects.some((s) => /your invoice for/.test(s))).toBe(true);
    expect(subjects.some((s) => /renewal notice/.test(s))).toBe(false);
    const dropped = (await read(t, m.id)).timeline.find((e: { type: string; data: { template?: string } }) => e.type === 'email_dropped' && e.data.template === 'renewal_notice');
    expect(dropped).toMatchObject({ data: { reason: 'the notice is approved' } });
  });
});
