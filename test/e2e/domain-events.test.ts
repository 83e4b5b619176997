import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventType, schemaPathOf } from '../../shared/domain/events.js';
import { linkIn, SETTINGS, TestCloud } from '../support/cloud.js';
import { validate } from '../support/json-schema.js';

/**
 * R-EVT-1: every one of the sixteen domain events, produced by its real action through the local
 * cloud (API, member links, the clock, the Stripe emulator), published once on the local bus
 * (`GET /_local/events`) and valid against its versioned JSON Schema. Every stream batch is
 * delivered twice in this file (the duplicate-delivery fault), so "once" holds under redelivery.
 *
 * The club is in Toronto (SETTINGS). Start: 2027-01-15 10:00 local.
 */
const START = '2027-01-15T15:00:00Z';
const ORG = 'e2e-club';

let t: TestCloud;
let duplicates = 0;

beforeAll(async () => {
  t = await TestCloud.start({
    at: START,
    faults: {
      duplicateStreamBatch: () => {
        duplicates++;
        return true;
      },
    },
  });
  await t.ok('PUT', '/api/settings', SETTINGS);
});
afterAll(async () => {
  await t?.stop();
});

const schemas = new Map(DOMAIN_EVENT_TYPES.map((type) => [type, JSON.parse(readFileSync(schemaPathOf(type), 'utf8')) as Record<string, unknown>]));

async function events(query: { type?: DomainEventType; orgId?: string } = {}): Promise<DomainEvent[]> {
  const params = new URLSearchParams({ orgId: query.orgId ?? ORG, ...(query.type ? { type: query.type } : {}) });
  const reply = await t.request('GET', `/_local/events?${params}`);
  expect(reply.status).toBe(200);
  return reply.body.items as DomainEvent[];
}

/** The events of one membership, by type, in publishing order. */
async function eventsOf(membershipId: string): Promise<DomainEvent[]> {
  return (await events()).filter((e) => (e.data as { membershipId: string }).membershipId === membershipId);
}
const typesOf = (list: DomainEvent[]) => list.map((e) => e.type);

async function member(key: string, token: string | null, extra: Record<string, unknown> = {}) {
  return t.ok('POST', '/api/members', { name: `Member ${key}`, email: `${key}@example.org`, locale: 'en', ...(token ? { paymentMethod: { token } } : {}), ...extra });
}

const monthly = (name: string) => ({
  name,
  price: { amount: 2500, currency: 'CAD' },
  billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
  dunning: { retryDays: [3], finalAction: 'cancel', fallbackPlanId: null },
});

const ids: Record<string, string> = {};

describe('R-EVT-1: domain events through the local cloud', () => {
  it('R-EVT-1: membership.started, invoice.issued and invoice.paid when a member buys with a card; membership.renewed at the term end (with the renewal invoice, paid)', async () => {
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Monthly pass (upfront)',
      price: { amount: 4000, currency: 'CAD' },
      termMonths: 1,
      billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'automatic', reminderDays: [] },
    });
    const m = await member('renews', 'pm_card_visa');
    const ms = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id });
    ids.renews = ms.id;
    await t.settle();
    const bought = await eventsOf(ms.id);
    expect(typesOf(bought)).toEqual(['membership.started', 'invoice.issued', 'invoice.paid']);
    expect(bought[0]!.data).toMatchObject({ membershipId: ms.id, memberId: m.id, planId: plan.id, status: 'active' });
    expect(bought[1]!.data).toMatchObject({ invoiceId: ms.invoices[0].id, amount: { amount: 4000, currency: 'CAD' } });
    expect(bought[2]!.data).toMatchObject({ invoiceId: ms.invoices[0].id, method: 'card' });

    await t.setClock('2027-02-15T12:00:00Z');
    await t.settle();
    const renewed = (await eventsOf(ms.id)).slice(3);
    expect(typesOf(renewed)).toEqual(['invoice.issued', 'membership.renewed', 'invoice.paid']);
    expect(renewed[1]!.data).toMatchObject({ termSeq: 2, start: '2027-02-15', invoiceId: (renewed[0]!.data as { invoiceId: string }).invoiceId });
  });

  it('R-EVT-1: membership.voided and invoice.refunded when staff void a paid invoice with a refund', async () => {
    const plan = await t.ok('POST', '/api/plans', { name: 'Season', price: { amount: 12000, currency: 'CAD' }, termMonths: 6, billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } }, renewal: { policy: 'automatic', reminderDays: [] } });
    const m = await member('voided', 'pm_card_visa');
    const ms = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id });
    ids.voided = ms.id;
    await t.ok('POST', `/api/invoices/${ms.invoices[0].id}/void`, { refund: true });
    await t.settle();
    const list = await eventsOf(ms.id);
    expect(typesOf(list)).toEqual(['membership.started', 'invoice.issued', 'invoice.paid', 'membership.voided', 'invoice.refunded']);
    expect(list[3]!.data).toMatchObject({ invoiceId: ms.invoices[0].id, refunded: { amount: 12000, currency: 'CAD' } });
    expect(list[4]!.data).toMatchObject({ invoiceId: ms.invoices[0].id, attemptId: `${ms.invoices[0].id}.r1`, amount: { amount: 12000, currency: 'CAD' } });
  });

  it('R-EVT-1: invoice.payment_failed and dunning.started on a decline; dunning.recovered and invoice.paid when staff record the payment', async () => {
    const plan = await t.ok('POST', '/api/plans', monthly('Swim (recovered)'));
    const m = await member('recovered', 'pm_card_chargeCustomerFail');
    const ms = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id });
    ids.recovered = ms.id;
    const invoiceId = ms.invoices[0].id as string;
    const failed = await eventsOf(ms.id);
    expect(typesOf(failed)).toEqual(['membership.started', 'invoice.issued', 'invoice.payment_failed', 'dunning.started']);
    expect(failed[2]!.data).toMatchObject({ invoiceId, attemptId: `${invoiceId}.c1`, hard: false, amount: { amount: 2500, currency: 'CAD' } });
    expect(failed[3]!.data).toMatchObject({ invoiceId, finalAction: 'cancel', amount: { amount: 2500, currency: 'CAD' } });

    await t.ok('POST', `/api/invoices/${invoiceId}/pay`, { method: 'cheque', reference: '1234' });
    const paid = (await eventsOf(ms.id)).slice(4);
    expect(typesOf(paid)).toEqual(['invoice.paid', 'dunning.recovered']);
    expect(paid[0]!.data).toMatchObject({ invoiceId, method: 'cheque' });
    expect(paid[1]!.data).toMatchObject({ invoiceId, by: 'staff' });
  });

  it('R-EVT-1: dunning.lost and membership.cancellation_scheduled when the last retry fails; membership.terminated when it ends', async () => {
    const plan = await t.ok('POST', '/api/plans', monthly('Swim (lost)'));
    const m = await member('lost', 'pm_card_chargeCustomerFail');
    const ms = await t.ok('POST', '/api/memberships', { memberId: m.id, planId: plan.id });
    ids.lost = ms.id;
    // Bought on 2027-02-15: the retry on 2027-02-18 fails, the run is lost and the membership is
    // cancelled to the billing eve (2027-03-14); it terminates at the start of 2027-03-15.
    await t.setClock('2027-03-16T15:00:00Z');
    await t.settle();
    const list = await eventsOf(ms.id);
    const types = typesOf(list);
    expect(types.slice(0, 4)).toEqual(['membership.started', 'invoice.issued', 'invoice.payment_failed', 'dunning.started']);
    expect(types.filter((x) => x === 'dunning.lost')).toHaveLength(1);
    expect(types.filter((x) => x === 'membership.cancellation_scheduled')).toHaveLength(1);
    expect(types.filter((x) => x === 'membership.terminated')).toHaveLength(1);
    expect(types.indexOf('dunning.lost')).toBeLessThan(types.indexOf('membership.terminated'));
    expect(list.find((e) => e.type === 'dunning.lost')!.data).toMatchObject({ outcome: 'cancel' });
    expect(list.find((e) => e.type === 'membership.cancellation_scheduled')!.data).toMatchObject({ by: 'system' });
  });

  it('R-EVT-1: notice.sent; notice.answered and notice.approved when the member accepts; notice.answered when another asks for changes, notice.refused when staff refuse', async () => {
    const plan = await t.ok('POST', '/api/plans', {
      name: 'Chamber membership',
      price: { amount: 50000, currency: 'CAD' },
      termMonths: 1,
      billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
      renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 10, remindAfterDays: 3 } },
    });
    const accepts = await member('accepts', 'pm_card_visa', { autoRenew: false });
    const asks = await member('asks', 'pm_card_visa', { autoRenew: false });
    const a = await t.ok('POST', '/api/memberships', { memberId: accepts.id, planId: plan.id });
    const b = await t.ok('POST', '/api/memberships', { memberId: asks.id, planId: plan.id });
    ids.accepts = a.id;
    ids.asks = b.id;
    // Bought on 2027-03-16: the term ends on 2027-04-15; notices go 10 days before, at 09:00.
    await t.setClock('2027-04-06T15:00:00Z');
    await t.settle();
    for (const id of [a.id, b.id]) expect(typesOf(await eventsOf(id)).filter((x) => x === 'notice.sent')).toHaveLength(1);

    const noticeMail = async (to: string) => (await t.emails(to)).filter((e) => /renewal notice/i.test(e.subject)).at(-1)!;
    expect((await t.post(new URL(linkIn(await noticeMail('accepts@example.org'))).pathname, 'action=accept')).status).toBe(200);
    const all = await eventsOf(a.id);
    const accepted = all.slice(all.findIndex((e) => e.type === 'notice.sent')).filter((e) => e.type.startsWith('notice.') || e.type === 'invoice.issued');
    expect(typesOf(accepted)).toEqual(['notice.sent', 'invoice.issued', 'notice.answered', 'notice.approved']);
    expect(accepted[2]!.data).toMatchObject({ answer: 'accepted' });
    expect(accepted[3]!.data).toMatchObject({ by: 'member', invoiceId: (accepted[1]!.data as { invoiceId: string }).invoiceId });

    expect((await t.post(new URL(linkIn(await noticeMail('asks@example.org'))).pathname, 'action=change&message=A%20lower%20price%20please')).status).toBe(200);
    const asked = (await eventsOf(b.id)).filter((e) => e.type === 'notice.answered');
    expect(asked.map((e) => e.data)).toEqual([expect.objectContaining({ answer: 'change_requested' })]);
    // No personal data: the member's message stays in Relance.
    expect(JSON.stringify(asked)).not.toContain('lower price');

    const reason = await t.ok('POST', '/api/refusal-reasons', { label: 'Moved away' });
    const notice = (await t.membership(b.id)).notice;
    await t.ok('POST', `/api/renewals/${notice.id}/refuse`, { reasonId: reason.id });
    await t.ok('POST', `/api/renewals/${notice.id}/refuse`, { reasonId: reason.id });
    const refused = (await eventsOf(b.id)).filter((e) => e.type === 'notice.refused');
    expect(refused.map((e) => e.data)).toEqual([expect.objectContaining({ noticeId: notice.id, reasonId: reason.id, lastDay: '2027-04-15' })]);
  });

  it('R-EVT-1: every published event is valid against its JSON Schema, unique by id, carries no personal data, and every type was produced', async () => {
    const all = await events();
    const seen = new Set(all.map((e) => e.type));
    expect(DOMAIN_EVENT_TYPES.filter((type) => !seen.has(type))).toEqual([]);
    for (const e of all) expect(validate(schemas.get(e.type)!, e), `${e.type} ${e.id}`).toEqual([]);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const text = JSON.stringify(all);
    for (const personal of ['@example.org', 'Member ', 'pm_card', 'Visa', '4242']) expect(text).not.toContain(personal);
    // Filters: by type, and by organisation (another tenant's list is empty).
    expect((await events({ type: 'invoice.paid' })).every((e) => e.type === 'invoice.paid')).toBe(true);
    expect(await events({ orgId: 'another-club' })).toEqual([]);
    const unknown = await t.request('GET', '/_local/events?type=invoice.lost');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^type must be one of membership\.started/);
  });

  it('R-EVT-1: exactly once although every stream batch was delivered twice: one event per fact, each outbox item marked published', async () => {
    expect(duplicates).toBeGreaterThan(0);
    const all = await events();
    // One membership.started per membership created, one invoice.issued per invoice.
    const started = all.filter((e) => e.type === 'membership.started').map((e) => (e.data as { membershipId: string }).membershipId);
    expect(new Set(started).size).toBe(started.length);
    expect(started.sort()).toEqual(Object.values(ids).sort());
    const issued = all.filter((e) => e.type === 'invoice.issued').map((e) => (e.data as { invoiceId: string }).invoiceId);
    expect(new Set(issued).size).toBe(issued.length);
    // The outbox items are all published, each once (the store's record of it).
    for (const id of Object.values(ids)) {
      for (const e of await eventsOf(id)) {
        const record = await t.cloud.deps.store.getDomainEvent({ orgId: ORG, membershipId: id, id: e.id });
        expect(record).toMatchObject({ status: 'published', event: e });
      }
    }
    expect((await t.request('GET', '/_local/stream')).body.deadLetters).toEqual([]);
  });
});
