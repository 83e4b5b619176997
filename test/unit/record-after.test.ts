import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../shared/domain/invoice.js';
import type { Membership, Term } from '../../shared/domain/membership.js';
import type { TimelineEvent } from '../../shared/domain/timeline.js';
import { type MembershipRecord, type OutboxEmail, RECORD_LIMITS, type Store, type Write } from '../../shared/ports/store.js';
import { recordAfter } from '../../shared/use-cases/membership-change.js';
import { membershipFixture } from '../support/fixtures.js';

/**
 * Issue 13: a change's answer reads the history eventually consistently and lays the change's
 * own writes over it, so the answer shows the change even when the read lags behind it.
 */
const m = membershipFixture({ version: 4 });
const term = (seq: number, version: number, end: string) => ({ orgId: m.orgId, membershipId: m.id, seq, start: '2027-01-15', end, status: 'active', invoiceId: null, version }) as unknown as Term & { orgId: string; version: number };
const invoice = (id: string, version: number, status: Invoice['status'], createdAt: string) => ({ id, orgId: m.orgId, membershipId: m.id, status, createdAt, version }) as unknown as Invoice;
const event = (id: string, at: string): TimelineEvent & { orgId: string; membershipId: string } => ({ id, at, type: id, actor: { type: 'system', id: 'relance' }, data: {}, orgId: m.orgId, membershipId: m.id });
const mail = (id: string, version: number) => ({ id, orgId: m.orgId, membershipId: m.id, version }) as unknown as OutboxEmail;

describe('issue 13: the answer of a change (recordAfter)', () => {
  it('R-MNY-7: lays the written membership, terms, invoices and events over a lagging read, the newer version winning, in the store\'s order', async () => {
    // What the eventually consistent read saw: the state before the change, and an invoice
    // another writer moved on since the change read it.
    const lagging: MembershipRecord = {
      membership: { ...m },
      terms: [term(1, 1, '2027-12-31')],
      invoices: [invoice('inv_01JAAAAAAAAAAAAAAAAAAAAAAB', 6, 'paid', '2027-02-01T05:00:00.000Z'), invoice('inv_01JAAAAAAAAAAAAAAAAAAAAAAA', 1, 'open', '2027-01-15T15:00:00.000Z')],
      timeline: [event('evt_01JAAAAAAAAAAAAAAAAAAAAAAA', '2027-01-15T15:00:00.000Z')],
      more: { terms: false, invoices: false, timeline: false },
    };
    const asked: unknown[] = [];
    const store = {
      getMembershipRecord: async (_org: string, _id: string, options: unknown) => (asked.push(options), structuredClone(lagging)),
    } as unknown as Store;
    const writes: Write[] = [
      { kind: 'membership', value: { ...m, status: 'cancel_scheduled' } as Membership },
      { kind: 'term', value: term(1, 1, '2027-06-30') },
      { kind: 'invoice', value: invoice('inv_01JAAAAAAAAAAAAAAAAAAAAAAA', 1, 'paid', '2027-01-15T15:00:00.000Z') },
      // Written at version 3 by the change, read at 6 since: the read is newer.
      { kind: 'invoice', value: invoice('inv_01JAAAAAAAAAAAAAAAAAAAAAAB', 3, 'open', '2027-02-01T05:00:00.000Z') },
      { kind: 'event', value: event('evt_01JBBBBBBBBBBBBBBBBBBBBBBB', '2027-03-01T12:00:00.000Z') },
      { kind: 'outbox', value: mail('eml_01JBBBBBBBBBBBBBBBBBBBBBBB', 0) },
    ];

    const record = await recordAfter({ store }, writes);

    expect(asked).toEqual([{ consistent: false, membership: { ...m, status: 'cancel_scheduled', version: 5 } }]);
    expect(record.membership).toMatchObject({ status: 'cancel_scheduled', version: 5 });
    expect(record.terms.map((t) => [t.seq, t.end, t.version])).toEqual([[1, '2027-06-30', 2]]);
    expect(record.invoices.map((i) => [i.id, i.status, i.version])).toEqual([
      ['inv_01JAAAAAAAAAAAAAAAAAAAAAAB', 'paid', 6],
      ['inv_01JAAAAAAAAAAAAAAAAAAAAAAA', 'paid', 2],
    ]);
    expect(record.timeline.map((e) => e.id)).toEqual(['evt_01JBBBBBBBBBBBBBBBBBBBBBBB', 'evt_01JAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(record.more).toEqual({ terms: false, invoices: false, timeline: false });
  });

  it('issue 13: a list the writes push past its bound says it holds more, and keeps only the latest', async () => {
    const full: MembershipRecord = {
      membership: { ...m },
      terms: [],
      invoices: [],
      timeline: Array.from({ length: RECORD_LIMITS.timeline }, (_, i) => event(`evt_01JAAAAAAAAAAAAAAAAAAAAAA${i}`, `2027-01-1${i}T00:00:00.000Z`)).reverse(),
      more: { terms: true, invoices: false, timeline: false },
    };
    const store = { getMembershipRecord: async () => structuredClone(full) } as unknown as Store;
    const record = await recordAfter({ store }, [
      { kind: 'membership', value: { ...m } as Membership },
      { kind: 'event', value: event('evt_01JBBBBBBBBBBBBBBBBBBBBBBB', '2027-03-01T12:00:00.000Z') },
    ]);
    expect(record.timeline).toHaveLength(RECORD_LIMITS.timeline);
    expect(record.timeline[0]!.id).toBe('evt_01JBBBBBBBBBBBBBBBBBBBBBBB');
    expect(record.timeline.map((e) => e.id)).not.toContain('evt_01JAAAAAAAAAAAAAAAAAAAAAA0');
    expect(record.more).toEqual({ terms: true, invoices: false, timeline: true });
  });

  it('refuses writes that hold no membership', async () => {
    await expect(recordAfter({ store: {} as Store }, [])).rejects.toThrow(/no membership/);
  });
});
