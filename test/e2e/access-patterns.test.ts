import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Issue 13: the access patterns behind the benchmark's figures, checked for their shape (which
 * calls, in which order), not their speed: `npm run bench` has the capacity figures.
 */
let t: TestCloud;
let plan: { id: string };

/** The DynamoDB commands sent while `run` runs, by name (every caller in this process). */
async function commandsOf<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
  const proto = DynamoDBDocumentClient.prototype as unknown as { send: (command: object, ...rest: unknown[]) => Promise<unknown> };
  const send = proto.send;
  const commands: string[] = [];
  proto.send = function (this: unknown, command: object, ...rest: unknown[]) {
    commands.push(command.constructor.name);
    return send.call(this, command, ...rest);
  };
  try {
    return { result: await run(), commands };
  } finally {
    proto.send = send;
  }
}

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
  await t.ok('PUT', '/api/settings', SETTINGS);
  plan = await t.ok('POST', '/api/plans', {
    name: 'Annual',
    price: { amount: 12000, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30, 14] },
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('issue 13: access patterns', () => {
  it('POST /api/memberships answers what it wrote, with no read after its transaction; a GET right after reads the same', async () => {
    const member = await t.ok('POST', '/api/members', { name: 'Léa Tremblay', email: 'lea@example.org', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    const token = await t.freshToken();
    // No settle between the two: the worker has not charged yet, so both see the state of the commit.
    const { result: created, commands } = await commandsOf(() => t.request('POST', '/api/memberships', { memberId: member.id, planId: plan.id }, { authorization: `Bearer ${token}` }));
    expect(created.status).toBe(201);
    expect(commands.length).toBeLessThanOrEqual(6);
    expect(commands.at(-1)).toBe('TransactWriteCommand');
    const read = await t.request('GET', `/api/memberships/${created.body.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(read.status).toBe(200);
    expect(created.body).toEqual(read.body);
    expect(created.headers.get('etag')).toBe(read.headers.get('etag'));
    expect(created.body.timeline.map((e: { type: string }) => e.type)).toEqual(['payment_requested', 'invoice_issued', 'membership_started']);
    await t.settle();
  });

  it('R-CAN-2: POST cancel answers its change with the history read after the transaction (eventually consistent, the change laid over it) and no read of the membership; a GET right after reads the same', async () => {
    const member = await t.ok('POST', '/api/members', { name: 'Marc Gagnon', email: 'marc@example.org', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    const created = await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    await t.settle();
    const token = await t.freshToken();
    const { result: cancelled, commands } = await commandsOf(() => t.request('POST', `/api/memberships/${created.id}/cancel`, { month: '2027-06' }, { authorization: `Bearer ${token}` }));
    expect(cancelled.status).toBe(200);
    const after = commands.slice(commands.lastIndexOf('TransactWriteCommand') + 1);
    expect(after).toEqual(['QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect(cancelled.body.timeline.map((e: { type: string }) => e.type)).toContain('cancellation_scheduled');
    expect(cancelled.body.emails[0]).toMatchObject({ template: 'cancellation_by_admin' });
    const read = await t.request('GET', `/api/memberships/${created.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(cancelled.body).toEqual(read.body);
    expect(cancelled.headers.get('etag')).toBe(read.headers.get('etag'));
    await t.settle();

    // R-CON-1: staff's card request answers the same way.
    const { result: requested, commands: asked } = await commandsOf(() => t.request('POST', `/api/memberships/${created.id}/card-request`, undefined, { authorization: `Bearer ${token}` }));
    expect(requested.status).toBe(202);
    expect(asked.slice(asked.lastIndexOf('TransactWriteCommand') + 1)).toEqual(['QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect(requested.body.timeline.map((e: { type: string }) => e.type)).toContain('card_requested');
    const again = await t.request('GET', `/api/memberships/${created.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(requested.body).toEqual(again.body);
    expect(requested.headers.get('etag')).toBe(again.headers.get('etag'));
    await t.settle();
  });
});
