import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { settingsKey } from '../../shared/adapters/dynamodb/entities/settings.js';
import { documentClient, DynamoStore } from '../../shared/adapters/dynamodb/store.js';
import { ConcurrencyError, MembershipExistsError, ValidationError } from '../../shared/domain/errors.js';
import { newId } from '../../shared/domain/ids.js';
import type { Invoice } from '../../shared/domain/invoice.js';
import type { Member } from '../../shared/domain/member.js';
import type { Membership } from '../../shared/domain/membership.js';
import { committed, type OutboxEmail } from '../../shared/ports/store.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';
import { ANNUAL_PLAN_BODY, membershipFixture, SETTINGS_BODY } from '../support/fixtures.js';
import { planKey } from '../../shared/adapters/dynamodb/entities/plan.js';
import type { Plan } from '../../shared/domain/plan.js';
import { loadContext } from '../../shared/use-cases/membership-change.js';

let store: DynamoStore;
const ORG = 'org-store-test';
const at = new Date('2027-01-15T12:00:00Z');

function member(overrides: Partial<Member> = {}): Member {
  return {
    id: newId('mbr', new Date()),
    orgId: ORG,
    name: 'Léa Tremblay',
    email: 'lea@example.org',
    locale: null,
    communicationsOptIn: true,
    autoRenew: false,
    intervention: { required: false, reason: null },
    paymentMethod: null,
    version: 0,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    ...overrides,
  };
}

function membership(memberId: string, overrides: Partial<Membership> = {}): Membership {
  return membershipFixture({
    id: newId('ms', new Date()),
    orgId: ORG,
    memberId,
    billing: { price: { amount: 2500, currency: 'CAD' }, cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 }, termMonths: 12 },
    version: 0,
    ...overrides,
  });
}

function invoice(membershipId: string, memberId: string, status: Invoice['status'], dueDate: string): Invoice {
  return {
    id: newId('inv', new Date()),
    orgId: ORG,
    membershipId,
    memberId,
    status,
    amount: { amount: 2500, currency: 'CAD' },
    description: 'Annual',
    periodStart: dueDate,
    periodEnd: null,
    issueDate: dueDate,
    dueDate,
    chargeAttempts: 0,
    openAttemptId: null,
    lastFailure: null,
    payment: null,
    payments: [],
    refunds: [],
    credit: null,
    version: 0,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
}

let tableName: string;
beforeAll(async () => {
  const client = dynamodbClient();
  tableName = await createTestTable(client);
  store = new DynamoStore(documentClient(client), tableName);
});

describe('DynamoStore against DynamoDB Local', () => {
  it('creates an item once: a second create of the same id is a concurrency error', async () => {
    const m = member();
    await store.commit([{ kind: 'member', value: m }]);
    expect(await store.getMember(ORG, m.id)).toMatchObject({ id: m.id, version: 1 });
    await expect(store.commit([{ kind: 'member', value: m }])).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('updates only from the version read (optimistic concurrency)', async () => {
    const m = committed(member());
    await store.commit([{ kind: 'member', value: { ...m, version: 0 } }]);
    await store.commit([{ kind: 'member', value: { ...m, name: 'First writer' } }]);
    await expect(store.commit([{ kind: 'member', value: { ...m, name: 'Second writer' } }])).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.getMember(ORG, m.id)).toMatchObject({ name: 'First writer', version: 2 });
  });

  it('writes a transaction all or nothing', async () => {
    const owner = member();
    await store.commit([{ kind: 'member', value: owner }]);
    const ms = membership(owner.id);
    const stale = { ...committed(owner), version: 7 };
    await expect(
      store.commit([
        { kind: 'membership', value: ms },
        { kind: 'member', value: stale },
      ]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.getMembership(ORG, ms.id)).toBeNull();
  });

  it('reads a membership whole: terms, invoices, timeline newest first, outbox', async () => {
    const owner = member();
    const ms = membership(owner.id);
    const inv = invoice(ms.id, owner.id, 'open', '2027-01-15');
    await store.commit([
      { kind: 'member', value: owner },
      { kind: 'membership', value: ms },
      { kind: 'term', value: { membershipId: ms.id, seq: 1, start: '2027-01-15', end: '2028-01-14', status: 'active', invoiceId: inv.id, createdAt: at.toISOString(), orgId: ORG, version: 0 } },
      { kind: 'invoice', value: inv },
      { kind: 'event', value: { id: 'evt_1', at: '2027-01-15T12:00:00.000Z', type: 'first', actor: { type: 'system', id: 't' }, data: {}, orgId: ORG, membershipId: ms.id } },
      { kind: 'event', value: { id: 'evt_2', at: '2027-01-15T12:00:01.000Z', type: 'second', actor: { type: 'system', id: 't' }, data: {}, orgId: ORG, membershipId: ms.id } },
    ]);
    const record = await store.getMembershipRecord(ORG, ms.id);
    expect(record?.membership.id).toBe(ms.id);
    expect(record?.terms.map((t) => t.seq)).toEqual([1]);
    expect(record?.invoices.map((i) => i.id)).toEqual([inv.id]);
    expect(record?.timeline.map((e) => e.type)).toEqual(['second', 'first']);
    expect(await store.getMembershipRecord('another-org', ms.id)).toBeNull();
  });

  it('lists members newest first with cursors, and refuses a cursor from another list', async () => {
    const org = `${ORG}-list`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = member({ orgId: org, id: newId('mbr', new Date(Date.UTC(2027, 0, 1 + i))) });
      ids.push(m.id);
      await store.commit([{ kind: 'member', value: m }]);
    }
    const first = await store.listMembers(org, { limit: 2 });
    const second = await store.listMembers(org, { limit: 2, cursor: first.nextCursor! });
    const third = await store.listMembers(org, { limit: 2, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((m) => m.id)).toEqual([...ids].reverse());
    await expect(store.listMembers(ORG, { limit: 2, cursor: first.nextCursor! })).rejects.toBeInstanceOf(ValidationError);
  });

  it('R-CAN-6: a voided membership leaves the member lists (sparse index) but stays readable', async () => {
    const owner = member();
    const ms = membership(owner.id);
    await store.commit([{ kind: 'member', value: owner }, { kind: 'membership', value: ms }]);
    expect((await store.listMembershipsOfMember(ORG, owner.id, { limit: 10 })).items.map((m) => m.id)).toEqual([ms.id]);
    await store.commit([{ kind: 'membership', value: { ...committed(ms), status: 'voided' } }]);
    expect((await store.listMembershipsOfMember(ORG, owner.id, { limit: 10 })).items).toEqual([]);
    expect(await store.getMembership(ORG, ms.id)).toMatchObject({ status: 'voided' });
  });

  it('lists a membership\'s invoices newest first even when their ids are not time-ordered', async () => {
    const owner = member();
    const ms = membership(owner.id);
    const older = { ...invoice(ms.id, owner.id, 'paid', '2027-01-15'), id: 'inv_ZZZZZZZZZZZZZZZZZZZZZZZZZZ', createdAt: '2027-01-15T05:00:00.000Z' };
    const newer = { ...invoice(ms.id, owner.id, 'open', '2027-02-01'), id: 'inv_00000000000000000000000000', createdAt: '2027-02-01T05:00:00.000Z' };
    await store.commit([{ kind: 'membership', value: ms }, { kind: 'invoice', value: older }, { kind: 'invoice', value: newer }]);
    expect((await store.getMembershipRecord(ORG, ms.id))?.invoices.map((i) => i.id)).toEqual([newer.id, older.id]);
  });

  it('lists invoices by status, oldest due first, following status changes', async () => {
    const org = `${ORG}-invoices`;
    const a = { ...invoice('ms_a', 'mbr_a', 'open', '2027-03-01'), orgId: org };
    const b = { ...invoice('ms_b', 'mbr_b', 'open', '2027-02-01'), orgId: org };
    await store.commit([{ kind: 'invoice', value: a }, { kind: 'invoice', value: b }]);
    expect((await store.listInvoicesByStatus(org, 'open', { limit: 10 })).items.map((i) => i.id)).toEqual([b.id, a.id]);
    await store.commit([{ kind: 'invoice', value: { ...committed(b), status: 'paid' } }]);
    expect((await store.listInvoicesByStatus(org, 'open', { limit: 10 })).items.map((i) => i.id)).toEqual([a.id]);
    expect((await store.listInvoicesByStatus(org, 'paid', { limit: 10 })).items.map((i) => i.id)).toEqual([b.id]);
  });

  it('R-MNY-6: lets exactly one worker claim an outbox e-mail, a crashed claim be taken over after the lease, and SES\'s Send event settle it', async () => {
    const owner = member();
    const ms = membership(owner.id);
    const email: OutboxEmail = {
      id: newId('eml', at), orgId: ORG, membershipId: ms.id, template: 'expired', data: { memberName: 'Léa', planName: 'Annual', termEnd: '2027-12-31' }, locale: 'en',
      to: { name: 'Léa', email: 'lea@example.org' }, audience: 'member', notAfter: null, status: 'pending', tries: 0, claimedAt: null, nextTryAt: null, lastError: null,
      subject: null, sentAt: null, messageId: null, createdAt: at.toISOString(), version: 0,
    };
    await store.commit([{ kind: 'membership', value: ms }, { kind: 'outbox', value: email }]);
    const claims = await Promise.all([1, 2, 3, 4].map(() => store.claimMail(email, at, 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(claims.find(Boolean)).toMatchObject({ status: 'sending', tries: 1 });
    expect(await store.claimMail(email, new Date(at.getTime() + 30_000), 60_000)).toBeNull();
    expect(await store.claimMail(email, new Date(at.getTime() + 61_000), 60_000)).toMatchObject({ tries: 2 });
    expect(await store.markMailSent(email, 'ses-1', at)).toBe(true);
    expect(await store.markMailSent(email, 'ses-1', at)).toBe(false);
    expect(await store.claimMail(email, new Date(at.getTime() + 3_600_000), 60_000)).toBeNull();
    expect((await store.listEmailsOfMembership(ORG, ms.id, { limit: 5 })).items[0]).toMatchObject({ status: 'sent', messageId: 'ses-1' });
  });

  it('R-MNY-1: a member\'s place on a plan is taken by one membership at a time, and given back', async () => {
    const owner = member();
    const claim = (membershipId: string) => ({ orgId: ORG, memberId: owner.id, planId: 'pln_unique', membershipId });
    const results = await Promise.allSettled(['ms_1', 'ms_2', 'ms_3'].map((id) => store.commit([{ kind: 'claim', value: claim(id) }])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof MembershipExistsError)).toBe(true);
    const winner = ['ms_1', 'ms_2', 'ms_3'][results.findIndex((r) => r.status === 'fulfilled')]!;
    await expect(store.commit([{ kind: 'release', value: claim('ms_other') }])).rejects.toBeInstanceOf(ConcurrencyError);
    await store.commit([{ kind: 'release', value: claim(winner) }]);
    await store.commit([{ kind: 'claim', value: claim('ms_4') }]);
    await expect(store.commit([{ kind: 'claim', value: claim('ms_5') }])).rejects.toBeInstanceOf(MembershipExistsError);
  });
});

describe('issue 13: warm copies of settings and plans (ReadOptions)', () => {
  const org = 'org-store-recent';
  const settings = (name: string, version: number) => ({
    ...SETTINGS_BODY,
    name,
    orgId: org,
    version,
    updatedAt: at.toISOString(),
  });
  /** Another container's write: straight to the table, not through this store. */
  const elsewhere = (name: string, version: number) =>
    dynamodbClient().send(new PutItemCommand({ TableName: tableName, Item: marshall({ ...settingsKey(org), entity: 'settings', ...settings(name, version) }) }));

  it('answers a copy younger than maxAgeMs; a read without it, or this process\'s own write, sees the table', async () => {
    await store.commit([{ kind: 'settings', value: settings('Club A', 0) }]);
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club A');
    await elsewhere('Club B', 2);
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club A');
    expect((await store.getSettings(org))?.name).toBe('Club B');
    const fresh = (await store.getSettings(org))!;
    await store.commit([{ kind: 'settings', value: { ...fresh, name: 'Club C' } }]);
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club C');
  });

  it('forgets its copies after a write conflict, and after maxAgeMs', async () => {
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club C');
    await elsewhere('Club D', 9);
    await expect(store.commit([{ kind: 'settings', value: settings('Club E', 3) }])).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club D');
    await elsewhere('Club F', 10);
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club D');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await store.getSettings(org, { maxAgeMs: 1 }))?.name).toBe('Club F');
  });

  it('keeps its copies after a conflict on anything else: a member or membership changed meanwhile says nothing of the settings', async () => {
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club F');
    await elsewhere('Club G', 11);
    const someone = member({ orgId: org });
    await store.commit([{ kind: 'member', value: someone }]);
    // Alone (a conditional Put), then in a transaction: both conflict on the member's version.
    await expect(store.commit([{ kind: 'member', value: someone }])).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.commit([{ kind: 'member', value: someone }, { kind: 'member', value: member({ orgId: org }) }])).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.getSettings(org, { maxAgeMs: 60_000 }))?.name).toBe('Club F');
    expect((await store.getSettings(org))?.name).toBe('Club G');
  });
});

describe('issue 13: a change never plans with a copy older than the plan it was last planned with', () => {
  it('loadContext reads the plan afresh when its warm copy is older than membership.planVersion', async () => {
    const org = 'org-store-planversion';
    const plan = { ...ANNUAL_PLAN_BODY, id: 'pln_01JPLANVERSIONAAAAAAAAAAAA', orgId: org, version: 0, createdAt: at.toISOString(), updatedAt: at.toISOString() } as unknown as Plan;
    const m = member({ orgId: org });
    await store.commit([
      { kind: 'settings', value: { ...SETTINGS_BODY, orgId: org, version: 0, updatedAt: at.toISOString() } },
      { kind: 'plan', value: plan },
      { kind: 'member', value: m },
    ]);
    expect((await store.getPlan(org, plan.id, { maxAgeMs: 60_000 }))?.version).toBe(1);
    // A plan edit and its re-plan job, in another container: the plan is at version 2, and so is the membership's plan of timers.
    await dynamodbClient().send(new PutItemCommand({ TableName: tableName, Item: marshall({ ...planKey(org, plan.id), entity: 'plan', ...plan, name: 'Renamed', version: 2 }) }));
    const ms = membership(m.id, { orgId: org, planId: plan.id, planVersion: 2 });
    await store.commit([{ kind: 'membership', value: ms }]);
    expect((await store.getPlan(org, plan.id, { maxAgeMs: 60_000 }))?.version).toBe(1);
    const ctx = await loadContext({ store }, org, ms.id);
    expect(ctx.plan).toMatchObject({ version: 2, name: 'Renamed' });
  });
});
