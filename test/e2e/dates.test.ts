import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Issue 3, date tests in America/Toronto: terms ending on the 31st, on Feb 29, and across both
 * daylight-saving changes get their reminders at 09:00 local time on the right day.
 */
let t: TestCloud;
const ms: Record<string, string> = {};

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-01T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  const start = async (key: string, termMonths: number, reminderDays: number[], startDate: string) => {
    const plan = await t.ok('POST', '/api/plans', {
      name: `Plan ${key}`,
      price: { amount: 1000, currency: 'CAD' },
      termMonths,
      billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays },
    });
    const member = await t.ok('POST', '/api/members', { name: key, email: `${key}@example.org`, communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    ms[key] = (await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id, startDate })).id;
  };
  await start('month-end', 1, [14, 3], '2027-01-01');
  await start('leap-day', 12, [30, 14, 3], '2027-03-01');
  await start('spring-forward', 2, [14, 3], '2027-01-21');
  await start('fall-back', 6, [7, 3], '2027-05-11');
});
afterAll(async () => {
  await t?.stop();
});

const sent = async (key: string) => (await t.emails(`${key}@example.org`)).map((e) => e.at);

describe('reminder dates (R-REN-6)', () => {
  it('a term ending on January 31 reminds on the 17th and 28th at 09:00 EST and renews at midnight', async () => {
    await t.setClock('2027-02-01T06:00:00Z');
    expect(await sent('month-end')).toEqual(['2027-01-17T14:00:00.000Z', '2027-01-28T14:00:00.000Z', '2027-02-01T05:00:00.000Z']);
    const m = await t.membership(ms['month-end']);
    expect(m.currentTerm).toEqual({ seq: 2, start: '2027-02-01', end: '2027-02-28' });
  });

  it('a term ending across the spring-forward change reminds at 09:00 EST before it and 09:00 EDT after it', async () => {
    await t.setClock('2027-03-22T00:00:00Z');
    expect(await sent('spring-forward')).toEqual(['2027-03-06T14:00:00.000Z', '2027-03-17T13:00:00.000Z', '2027-03-21T04:00:00.000Z']);
  });

  it('a term ending across the fall-back change reminds at 09:00 EDT before it and 09:00 EST after it', async () => {
    await t.setClock('2027-11-12T00:00:00Z');
    expect(await sent('fall-back')).toEqual(['2027-11-03T13:00:00.000Z', '2027-11-07T14:00:00.000Z', '2027-11-11T05:00:00.000Z']);
  });

  it('a term ending on February 29, 2028 reminds on Jan 30, Feb 15 and Feb 26 and the next term ends Feb 28, 2029', async () => {
    await t.setClock('2028-03-02T00:00:00Z');
    expect(await sent('leap-day')).toEqual(['2028-01-30T14:00:00.000Z', '2028-02-15T14:00:00.000Z', '2028-02-26T14:00:00.000Z', '2028-03-01T05:00:00.000Z']);
    const m = await t.membership(ms['leap-day']);
    expect(m.currentTerm).toEqual({ seq: 2, start: '2028-03-01', end: '2029-02-28' });
    const mail = (await t.emails('leap-day@example.org'))[0]!;
    expect(mail.text).toContain('February 29, 2028');
    expect(mail.text).toContain('March 1, 2028');
  });
});
