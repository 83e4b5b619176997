import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_LIMITS } from '../../shared/ports/store.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Issue 13: the access patterns behind the benchmark's figures, checked for their shape (which
 * calls, in which order), not their speed: `npm run bench` has the capacity figures.
 */
let t: TestCloud;
let plan: { id: string };

/** The DynamoDB commands sent while `run` runs, by name, and their inputs (every caller in this process). */
async function commandsOf<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[]; inputs: Record<string, unknown>[] }> {
  const proto = DynamoDBDocumentClient.prototype as unknown as { send: (command: { input?: object }, ...rest: unknown[]) => Promise<unknown> };
  const send = proto.send;
  const commands: string[] = [];
  const inputs: Record<string, unknown>[] = [];
  proto.send = function (this: unknown, command: { input?: object }, ...rest: unknown[]) {
    commands.push(command.constructor.name);
    inputs.push({ command: command.constructor.name, ...command.input });
    return send.call(this, command, ...rest);
  };
  try {
    return { result: await run(), commands, inputs };
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
    expect(after).toEqual(['QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect(cancelled.body.timeline.map((e: { type: string }) => e.type)).toContain('cancellation_scheduled');
    expect((await t.ok('GET', `/api/memberships/${created.id}/emails`)).items[0]).toMatchObject({ template: 'cancellation_by_admin' });
    const read = await t.request('GET', `/api/memberships/${created.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(cancelled.body).toEqual(read.body);
    expect(cancelled.headers.get('etag')).toBe(read.headers.get('etag'));
    await t.settle();

    // R-CAN-3: the same month again changes nothing; its answer reads the membership once (the change's own read), not twice.
    const { result: repeated, inputs } = await commandsOf(() => t.request('POST', `/api/memberships/${created.id}/cancel`, { month: '2027-06' }, { authorization: `Bearer ${token}` }));
    expect(repeated.status).toBe(200);
    expect(inputs.filter((i) => i.command === 'GetCommand' && (i.Key as { sk?: string } | undefined)?.sk === 'MEMBERSHIP')).toHaveLength(1);
    expect(inputs.map((i) => i.command)).not.toContain('TransactWriteCommand');
    const unchanged = await t.request('GET', `/api/memberships/${created.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(repeated.body).toEqual(unchanged.body);

    // R-CON-1: staff's card request answers the same way.
    const { result: requested, commands: asked } = await commandsOf(() => t.request('POST', `/api/memberships/${created.id}/card-request`, undefined, { authorization: `Bearer ${token}` }));
    expect(requested.status).toBe(202);
    expect(asked.slice(asked.lastIndexOf('TransactWriteCommand') + 1)).toEqual(['QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect(requested.body.timeline.map((e: { type: string }) => e.type)).toContain('card_requested');
    const again = await t.request('GET', `/api/memberships/${created.id}`, undefined, { authorization: `Bearer ${token}` });
    expect(requested.body).toEqual(again.body);
    expect(requested.headers.get('etag')).toBe(again.headers.get('etag'));
    await t.settle();
  });

  it('GET /api/memberships/{id} of a membership with months of history: four bounded reads at once, eventually consistent unless `consistent=true`; each list pages back through all of it, newest first', async () => {
    const monthly = await t.ok('POST', '/api/plans', {
      name: 'Month by month',
      price: { amount: 2000, currency: 'CAD' },
      termMonths: 1,
      billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays: [3] },
    });
    const member = await t.ok('POST', '/api/members', { name: 'Ève Roy', email: 'eve@example.org', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    const ms = await t.ok('POST', '/api/memberships', { memberId: member.id, planId: monthly.id });
    await t.settle();
    for (let month = 0; month < 7; month++) {
      await t.advance('P31D');
      await t.settle();
    }
    const token = await t.freshToken();
    const get = (query = '') => commandsOf(() => t.request('GET', `/api/memberships/${ms.id}${query}`, undefined, { authorization: `Bearer ${token}` }));

    const { result: plain, inputs } = await get();
    expect(plain.status).toBe(200);
    expect(inputs.map((i) => [i.command, i.ConsistentRead, i.Limit])).toEqual([
      ['GetCommand', false, undefined],
      ['QueryCommand', false, RECORD_LIMITS.terms],
      ['QueryCommand', false, RECORD_LIMITS.timeline],
      ['QueryCommand', undefined, RECORD_LIMITS.invoices],
    ]);
    expect(plain.body.terms).toHaveLength(RECORD_LIMITS.terms);
    expect(plain.body.invoices).toHaveLength(RECORD_LIMITS.invoices);
    expect(plain.body.timeline).toHaveLength(RECORD_LIMITS.timeline);
    expect(plain.body.more).toEqual({ terms: true, invoices: true, timeline: true });
    expect(plain.body).not.toHaveProperty('emails');
    expect(JSON.stringify(plain.body.timeline)).not.toContain('e2e-club');

    const { result: strong, inputs: strongInputs } = await get('?consistent=true');
    expect(strongInputs.filter((i) => i.IndexName === undefined).map((i) => i.ConsistentRead)).toEqual([true, true, true]);
    expect(strong.body).toEqual(plain.body);
    expect((await t.request('GET', `/api/memberships/${ms.id}?consistent=yes`, undefined, { authorization: `Bearer ${token}` })).body.error).toMatchObject({ code: 'validation_failed' });

    // Each list, a page of 2 at a time: every item once, newest first, the record's latest at its head.
    const pages = async (list: string) => {
      const items: { id?: string; seq?: number }[] = [];
      let cursor: string | null = null;
      let calls = 0;
      do {
        const page: { items: { id?: string; seq?: number }[]; nextCursor: string | null } = await t.ok('GET', `/api/memberships/${ms.id}/${list}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        items.push(...page.items);
        cursor = page.nextCursor;
        calls++;
      } while (cursor && calls < 100);
      return items;
    };
    const terms = await pages('terms');
    expect(terms.map((x) => x.seq)).toEqual(Array.from({ length: terms.length }, (_, i) => terms.length - i));
    expect(terms.length).toBeGreaterThan(RECORD_LIMITS.terms);
    expect(terms.slice(0, RECORD_LIMITS.terms).reverse()).toEqual(plain.body.terms);
    const invoices = await pages('invoices');
    expect(invoices.length).toBeGreaterThan(RECORD_LIMITS.invoices);
    expect(new Set(invoices.map((i) => i.id)).size).toBe(invoices.length);
    expect(invoices.slice(0, RECORD_LIMITS.invoices)).toEqual(plain.body.invoices);
    const timeline = await pages('timeline');
    expect(new Set(timeline.map((e) => e.id)).size).toBe(timeline.length);
    expect(timeline.slice(0, RECORD_LIMITS.timeline)).toEqual(plain.body.timeline);
    expect(timeline.map((e) => (e as { type: string }).type)).toContain('membership_started');
    const emails = await pages('emails');
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((e) => (e as { to: string[] }).to[0] === 'eve@example.org')).toBe(true);

    // A cursor of one list is refused by another; an unknown membership is a 404.
    const termCursor = (await t.ok('GET', `/api/memberships/${ms.id}/terms?limit=1`)).nextCursor as string;
    const refused = await t.api('GET', `/api/memberships/${ms.id}/timeline?cursor=${termCursor}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    expect((await t.api('GET', '/api/memberships/ms_01JAAAAAAAAAAAAAAAAAAAAAAA/invoices')).status).toBe(404);
  });
});
