import { DeleteScheduleCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timerName } from '../../shared/domain/timers.js';
import { LOCAL_AWS } from '../support/aws.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Issue 3: timers are idempotent under duplicate and concurrent delivery, and every change
 * re-plans them so that no stale reminder arrives (R-REN-9).
 */
let t: TestCloud;
const ms: Record<string, { id: string; memberId: string; email: string }> = {};
const TIMER = 'relance-local-timer';

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const plan = await t.ok('POST', '/api/plans', {
    name: 'Annual',
    price: { amount: 12000, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
  });
  for (const [key, optIn] of [['dup', true], ['move', true], ['cancel', true], ['optout', true], ['never', false]] as const) {
    const email = `${key}@example.org`;
    const member = await t.ok('POST', '/api/members', { name: `Member ${key}`, email, communicationsOptIn: optIn, paymentMethod: { token: 'pm_card_visa' } });
    ms[key] = { id: (await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id })).id, memberId: member.id, email };
  }
});
afterAll(async () => {
  await t?.stop();
});

const mails = async (key: string) => t.emails(ms[key]!.email);
const membership = (key: string) => t.membership(ms[key]!.id);

/** Takes the armed timer away from the local Scheduler, so the test delivers it itself. */
async function holdArmedTimer(key: string): Promise<{ orgId: string; membershipId: string; name: string; at: string }> {
  const [next] = (await membership(key)).timers as { kind: 'reminder' | 'term_end'; at: string }[];
  const name = timerName(ms[key]!.id, next!.kind, new Date(next!.at));
  await new SchedulerClient({ ...LOCAL_AWS, endpoint: t.cloud.urls.scheduler }).send(new DeleteScheduleCommand({ Name: name, GroupName: 'relance-local' }));
  return { orgId: 'e2e-club', membershipId: ms[key]!.id, name, at: next!.at };
}

const deliver = (payload: unknown) => t.cloud.functions.invoke(`arn:aws:lambda:ca-central-1:000000000000:function:${TIMER}`, payload) as Promise<{ outcome: string }>;

describe('timers, on one clock from 2027-12-15 to 2028-03-15', () => {
  it('a reminder delivered three times at once and once more later is sent once', async () => {
    const payload = await holdArmedTimer('dup');
    expect(payload.at).toBe('2027-12-15T14:00:00.000Z');
    await t.setClock('2027-12-15T14:00:20Z');
    const outcomes = await Promise.all([deliver(payload), deliver(payload), deliver(payload)]);
    outcomes.push(await deliver(payload));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['acted', 'stale', 'stale', 'stale']);
    const sent = await mails('dup');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toContain('January 15, 2028');
    const m = await membership('dup');
    expect(m.timers[0]).toMatchObject({ kind: 'reminder', at: '2027-12-31T14:00:00.000Z' });
    expect(m.timeline.filter((e: { type: string }) => e.type === 'reminder_sent')).toHaveLength(1);
  });

  it('R-REN-9: changing the term end, cancelling or opting out re-plans at once', async () => {
    await t.setClock('2027-12-20T15:00:00Z');
    const moved = await t.api('PATCH', `/api/memberships/${ms.move!.id}`, { termEnd: '2028-03-14' });
    expect(moved.status).toBe(200);
    expect(moved.body.timers.filter((x: { kind: string }) => x.kind !== 'card_expiry').map((x: { kind: string; at: string }) => `${x.kind}@${x.at}`)).toEqual([
      'reminder@2028-02-13T14:00:00.000Z',
      'reminder@2028-02-29T14:00:00.000Z',
      'reminder@2028-03-11T14:00:00.000Z',
      'term_end@2028-03-15T04:00:00.000Z',
    ]);
    const cancelled = await t.api('POST', `/api/memberships/${ms.cancel!.id}/cancel`, { month: '2027-12' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancel_scheduled', terminationDate: '2028-01-14' });
    expect(cancelled.body.timers.map((x: { kind: string }) => x.kind)).toEqual(['termination']);
    await t.ok('PATCH', `/api/members/${ms.optout!.memberId}`, { communicationsOptIn: false });
    expect((await membership('optout')).timers.map((x: { kind: string }) => x.kind).filter((k: string) => k !== 'card_expiry')).toEqual(['term_end']);
  });

  it('a term end delivered concurrently renews once and charges once', async () => {
    await t.setClock('2028-01-15T04:59:00Z');
    const payload = await holdArmedTimer('dup');
    expect(payload.at).toBe('2028-01-15T05:00:00.000Z');
    await t.setClock('2028-01-15T05:00:20Z');
    const outcomes = await Promise.all([deliver(payload), deliver(payload), deliver(payload), deliver(payload)]);
    expect(outcomes.filter((o) => o.outcome === 'acted')).toHaveLength(1);
    await t.settle();
    const m = await membership('dup');
    expect(m.currentTerm).toEqual({ seq: 2, start: '2028-01-15', end: '2029-01-14' });
    const renewal = m.invoices.filter((i: { periodStart: string }) => i.periodStart === '2028-01-15');
    expect(renewal).toHaveLength(1);
    expect(renewal[0].status).toBe('paid');
    const charges = (await t.request('GET', '/_local/payments')).body.items.filter((c: { metadata: { invoiceId: string } }) => c.metadata.invoiceId === renewal[0].id);
    expect(charges).toHaveLength(1);
    const confirmations = (await mails('dup')).filter((e) => e.subject.includes('January 14, 2029'));
    expect(confirmations).toHaveLength(1);
  });

  it('R-REN-9: after the term end moved, only the reminders of the new end arrive, on their days', async () => {
    await t.setClock('2028-03-15T04:00:30Z');
    expect((await mails('move')).map((e) => e.at)).toEqual([
      '2027-12-15T14:00:00.000Z',
      '2028-02-13T14:00:00.000Z',
      '2028-02-29T14:00:00.000Z',
      '2028-03-11T14:00:00.000Z',
      '2028-03-15T04:00:00.000Z',
    ]);
    expect((await membership('move')).currentTerm).toEqual({ seq: 2, start: '2028-03-15', end: '2029-03-14' });
    expect((await membership('move')).nextBillingDate).toBe('2029-03-15');
  });

  it('R-REN-9, R-CAN-1: after a cancellation no reminder and no renewal arrive; the membership terminates at the term end', async () => {
    const sent = await mails('cancel');
    expect(sent.map((e) => e.at)).toEqual(['2027-12-15T14:00:00.000Z', '2027-12-20T15:00:00.000Z']);
    expect(sent[1]!.subject).toMatch(/cancel/i);
    const m = await membership('cancel');
    expect(m).toMatchObject({ status: 'terminated', currentTerm: { seq: 1 }, terminationDate: '2028-01-14' });
    expect(m.invoices.filter((i: { periodStart: string }) => i.periodStart >= '2028-01-15')).toEqual([]);
  });

  it('R-REN-7, R-REN-9: after opting out no reminder arrives, but the renewal confirmation (transactional) does', async () => {
    const sent = await mails('optout');
    expect(sent.map((e) => e.at)).toEqual(['2027-12-15T14:00:00.000Z', '2028-01-15T05:00:00.000Z']);
    expect(sent[1]!.subject).toContain('January 14, 2029');
  });

  it('R-REN-7: a member who never opted in gets no reminder, only the renewal confirmation', async () => {
    const sent = await mails('never');
    expect(sent.map((e) => e.at)).toEqual(['2028-01-15T05:00:00.000Z']);
    expect((await membership('never')).timeline.some((e: { type: string }) => e.type === 'reminder_sent')).toBe(false);
  });
});

describe('a schedule that fired is gone, and the next one is armed', () => {
  it('after a delivered reminder the fired schedule no longer exists and the next timer has its schedule; the change deletes the one it replaced', async () => {
    const timers = t.cloud.deps.timers;
    const disarmed: string[] = [];
    const disarm = timers.disarm.bind(timers);
    timers.disarm = async (name) => {
      disarmed.push(name);
      await disarm(name);
    };
    try {
      // 'move' renewed on 2028-03-15; its next timer is its first reminder of the new term.
      const before = await membership('move');
      const fired = timerName(ms.move!.id, before.timers[0].kind, new Date(before.timers[0].at));
      const scheduler = new SchedulerClient({ ...LOCAL_AWS, endpoint: t.cloud.urls.scheduler });
      await expect(scheduler.send(new GetScheduleCommand({ Name: fired, GroupName: 'relance-local' }))).resolves.toBeDefined();
      await t.setClock(new Date(Date.parse(before.timers[0].at) + 30_000).toISOString());
      const after = await membership('move');
      expect(after.timeline.some((e: { type: string; at: string }) => e.type === 'reminder_sent' && e.at === before.timers[0].at)).toBe(true);
      expect(after.timers[0].at > before.timers[0].at).toBe(true);
      // Deleted again on purpose, although it deleted itself: a concurrent stale delivery may
      // have armed it again meanwhile (an orphan the soak found, seed 1301003).
      expect(disarmed).toContain(fired);
      await expect(scheduler.send(new GetScheduleCommand({ Name: fired, GroupName: 'relance-local' }))).rejects.toThrow(/does not exist/);
      const next = timerName(ms.move!.id, after.timers[0].kind, new Date(after.timers[0].at));
      await expect(scheduler.send(new GetScheduleCommand({ Name: next, GroupName: 'relance-local' }))).resolves.toBeDefined();
    } finally {
      timers.disarm = disarm;
    }
  });
});
