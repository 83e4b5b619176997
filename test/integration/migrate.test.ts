import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate, newLayout } from '../../infra/bin/migrate.js';
import { invoiceItem } from '../../shared/adapters/dynamodb/entities/invoice.js';
import { type Item } from '../../shared/adapters/dynamodb/entities/keys.js';
import { membershipItem, membershipKey, membershipsByStatus, membershipsOfMember } from '../../shared/adapters/dynamodb/entities/membership.js';
import { invoicesByStatus, invoicesOfMembership } from '../../shared/adapters/dynamodb/entities/invoice.js';
import { documentClient, DynamoStore } from '../../shared/adapters/dynamodb/store.js';
import type { Invoice } from '../../shared/domain/invoice.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';
import { membershipFixture } from '../support/fixtures.js';

/** Issue 13: `npm run migrate` moves a pre-issue-13 deployment's memberships and invoices to gsi4/gsi5. */
const ORG = 'org-migrate';
const doc = documentClient(dynamodbClient());
let table: string;
let store: DynamoStore;

const membership = membershipFixture({ id: 'ms_01JMIGRATEAAAAAAAAAAAAAAAA', orgId: ORG, memberId: 'mbr_01JMIGRATEAAAAAAAAAAAAAAAA', status: 'past_due', version: 3, updatedAt: '2027-02-03T04:05:06.000Z' });
const invoice: Invoice = {
  id: 'inv_01JMIGRATEAAAAAAAAAAAAAAAA',
  orgId: ORG,
  membershipId: membership.id,
  memberId: membership.memberId,
  status: 'open',
  amount: { amount: 2500, currency: 'CAD' },
  description: 'Annual',
  periodStart: '2027-02-01',
  periodEnd: null,
  issueDate: '2027-02-01',
  dueDate: '2027-02-01',
  chargeAttempts: 1,
  openAttemptId: null,
  lastFailure: null,
  payment: null,
  payments: [],
  refunds: [],
  credit: null,
  version: 2,
  createdAt: '2027-02-01T05:00:00.000Z',
  updatedAt: '2027-02-01T05:00:00.000Z',
};

/** The item as the code before issue 13 wrote it: gsi1 and gsi2 (projecting everything), no gsi5. */
function legacy(item: Item, gsi: Record<string, string>): Item {
  const { gsi5pk: _p, gsi5sk: _s, ...rest } = item;
  return { ...rest, ...gsi };
}

beforeAll(async () => {
  table = await createTestTable();
  store = new DynamoStore(doc, table);
  const { statusChangedAt: _since, ...m } = membership;
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: legacy(membershipItem(m), {
        gsi1pk: membershipsOfMember(ORG, m.memberId),
        gsi1sk: m.id,
        gsi2pk: membershipsByStatus(ORG, m.status),
        gsi2sk: `${m.updatedAt}#${m.id}`,
      }),
    }),
  );
  await doc.send(new PutCommand({ TableName: table, Item: legacy(invoiceItem(invoice), { gsi1pk: invoicesOfMembership(ORG, membership.id), gsi1sk: `${invoice.createdAt}#${invoice.id}`, gsi2pk: invoicesByStatus(ORG, 'open'), gsi2sk: `${invoice.dueDate}#${invoice.id}` }) }));
});

describe('issue 13: npm run migrate', () => {
  it('a dry run finds the old-layout items and changes nothing', async () => {
    const lines: string[] = [];
    expect(await migrate(doc, table, { dryRun: true, log: (l) => lines.push(l) })).toEqual({ found: 2, moved: 0, skipped: 0 });
    expect(lines.at(-1)).toContain('dry run');
    expect((await store.listMembershipsByStatus(ORG, 'past_due', { limit: 10 })).items).toEqual([]);
    expect((await store.listInvoicesByStatus(ORG, 'open', { limit: 10 })).items).toEqual([]);
  });

  it('moves them to gsi4/gsi5 at the same version, so the lists find them; a second run finds nothing to do', async () => {
    expect(await migrate(doc, table, { log: () => undefined })).toEqual({ found: 2, moved: 2, skipped: 0 });
    expect((await store.listMembershipsByStatus(ORG, 'past_due', { limit: 10 })).items.map((m) => m.id)).toEqual([membership.id]);
    expect((await store.listMembershipsOfMember(ORG, membership.memberId, { limit: 10 })).items.map((m) => m.id)).toEqual([membership.id]);
    expect((await store.listInvoicesByStatus(ORG, 'open', { limit: 10 })).items.map((i) => i.id)).toEqual([invoice.id]);
    const { Item: item } = await doc.send(new GetCommand({ TableName: table, Key: membershipKey(ORG, membership.id) }));
    expect(item).toMatchObject({ version: 3, statusChangedAt: membership.updatedAt, gsi5sk: `${membership.updatedAt}#${membership.id}` });
    expect(Object.keys(item!).filter((k) => /^gsi[12]/.test(k))).toEqual([]);
    expect(await store.getMembership(ORG, membership.id)).toEqual({ ...membership, statusChangedAt: membership.updatedAt });
    expect(await migrate(doc, table, { log: () => undefined })).toEqual({ found: 0, moved: 0, skipped: 0 });
  });

  it('leaves items already in the new layout, and other entities, alone', () => {
    expect(newLayout(membershipItem(membership))).toBeNull();
    expect(newLayout({ pk: `ORG#${ORG}`, sk: 'SETTINGS', entity: 'settings' })).toBeNull();
  });
});
