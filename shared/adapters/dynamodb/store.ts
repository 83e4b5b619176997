import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError, ValidationError } from '../../domain/errors.js';
import type { Invoice, InvoiceStatus } from '../../domain/invoice.js';
import type { Member } from '../../domain/member.js';
import type { Membership, MembershipStatus, Term } from '../../domain/membership.js';
import type { Plan } from '../../domain/plan.js';
import type { Settings } from '../../domain/settings.js';
import type { TimelineEvent } from '../../domain/timeline.js';
import type { LinkUse, MembershipRecord, OutboxEmail, Page, PageRequest, Store, Write } from '../../ports/store.js';
import { invoiceItem, invoiceKey, invoicesByStatus, invoicesOfMembership } from './entities/invoice.js';
import { INDEX, type Item, membershipPk, valueOf } from './entities/keys.js';
import { memberItem, memberKey, membersOfOrg } from './entities/member.js';
import {
  eventItem,
  linkUseItem,
  membershipItem,
  membershipKey,
  membershipsByStatus,
  membershipsOfMember,
  OUTBOX_RETENTION_SECONDS,
  outboxItem,
  outboxKey,
  termItem,
} from './entities/membership.js';
import { PLAN_PREFIX, planItem, planKey } from './entities/plan.js';
import { settingsItem, settingsKey } from './entities/settings.js';

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

interface PutSpec {
  item: Item;
  condition: string;
  values?: Record<string, unknown>;
  describe: string;
}

function versioned(item: Item, version: number, describe: string): PutSpec {
  return version === 0
    ? { item: { ...item, version: 1 }, condition: 'attribute_not_exists(pk)', describe }
    : { item: { ...item, version: version + 1 }, condition: 'version = :expected', values: { ':expected': version }, describe };
}

function toPut(write: Write): PutSpec {
  switch (write.kind) {
    case 'settings':
      return versioned(settingsItem(write.value), write.value.version, `settings ${write.value.orgId}`);
    case 'plan':
      return versioned(planItem(write.value), write.value.version, `plan ${write.value.id}`);
    case 'member':
      return versioned(memberItem(write.value), write.value.version, `member ${write.value.id}`);
    case 'membership':
      return versioned(membershipItem(write.value), write.value.version, `membership ${write.value.id}`);
    case 'term':
      return versioned(termItem(write.value), write.value.version, `term ${write.value.membershipId}/${write.value.seq}`);
    case 'invoice':
      return versioned(invoiceItem(write.value), write.value.version, `invoice ${write.value.id}`);
    case 'event':
      return { item: eventItem(write.value), condition: 'attribute_not_exists(pk)', describe: `event ${write.value.id}` };
    case 'outbox':
      return { item: { ...outboxItem(write.value), version: 1 }, condition: 'attribute_not_exists(pk)', describe: `e-mail ${write.value.id}` };
    case 'link_use':
      return { item: linkUseItem(write.value), condition: 'attribute_not_exists(pk)', describe: `link ${write.value.jti}` };
  }
}

/** Cursors are the opaque, base64url-encoded LastEvaluatedKey of a Query on a known partition. */
function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

function decodeCursor(cursor: string | undefined, partitionAttr: string, partition: string): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (typeof key !== 'object' || key === null || (key as Item)[partitionAttr] !== partition) {
    throw new ValidationError('cursor is not valid for this list', [{ field: 'cursor', message: 'use the nextCursor of the previous page' }]);
  }
  return key as Record<string, unknown>;
}

export class DynamoStore implements Store {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get<T>(key: { pk: string; sk: string }): Promise<T | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? valueOf<T>(out.Item) : null;
  }

  private async page<T>(
    index: string,
    partitionAttr: string,
    partition: string,
    page: PageRequest,
    forward: boolean,
  ): Promise<Page<T>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': partitionAttr },
        ExpressionAttributeValues: { ':p': partition },
        ScanIndexForward: forward,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, partitionAttr, partition),
      }),
    );
    return { items: (out.Items ?? []).map((i) => valueOf<T>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  getSettings(orgId: string): Promise<Settings | null> {
    return this.get(settingsKey(orgId));
  }

  getPlan(orgId: string, planId: string): Promise<Plan | null> {
    return this.get(planKey(orgId, planId));
  }

  async listPlans(orgId: string): Promise<Plan[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': planKey(orgId, '').pk, ':prefix': PLAN_PREFIX },
    });
    return items.map((i) => valueOf<Plan>(i));
  }

  getMember(orgId: string, memberId: string): Promise<Member | null> {
    return this.get(memberKey(orgId, memberId));
  }

  listMembers(orgId: string, page: PageRequest): Promise<Page<Member>> {
    return this.page(INDEX.byParent, 'gsi1pk', membersOfOrg(orgId), page, false);
  }

  getMembership(orgId: string, membershipId: string): Promise<Membership | null> {
    return this.get(membershipKey(orgId, membershipId));
  }

  async getMembershipRecord(orgId: string, membershipId: string): Promise<MembershipRecord | null> {
    const [collection, invoiceItems] = await Promise.all([
      this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': membershipPk(orgId, membershipId) },
        ConsistentRead: true,
      }),
      this.queryAll({
        TableName: this.tableName,
        IndexName: INDEX.byParent,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': invoicesOfMembership(orgId, membershipId) },
        ScanIndexForward: false,
      }),
    ]);
    const root = collection.find((i) => i.entity === 'membership');
    if (!root) return null;
    const of = <T>(entity: string) => collection.filter((i) => i.entity === entity).map((i) => valueOf<T>(i));
    return {
      membership: valueOf<Membership>(root),
      terms: of<Term & { version: number }>('term'),
      invoices: invoiceItems.map((i) => valueOf<Invoice>(i)),
      timeline: of<TimelineEvent>('event').reverse(),
      outbox: of<OutboxEmail>('outbox'),
      linkUses: of<LinkUse>('link_use'),
    };
  }

  listMembershipsOfMember(orgId: string, memberId: string, page: PageRequest): Promise<Page<Membership>> {
    return this.page(INDEX.byParent, 'gsi1pk', membershipsOfMember(orgId, memberId), page, false);
  }

  listMembershipsByStatus(orgId: string, status: MembershipStatus, page: PageRequest): Promise<Page<Membership>> {
    return this.page(INDEX.byStatus, 'gsi2pk', membershipsByStatus(orgId, status), page, false);
  }

  getInvoice(orgId: string, invoiceId: string): Promise<Invoice | null> {
    return this.get(invoiceKey(orgId, invoiceId));
  }

  listInvoicesByStatus(orgId: string, status: InvoiceStatus, page: PageRequest): Promise<Page<Invoice>> {
    return this.page(INDEX.byStatus, 'gsi2pk', invoicesByStatus(orgId, status), page, true);
  }

  async commit(writes: Write[]): Promise<void> {
    if (writes.length === 0) return;
    const puts = writes.map(toPut);
    if (puts.length === 1) {
      const [put] = puts as [PutSpec];
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: put.item,
            ConditionExpression: put.condition,
            ExpressionAttributeValues: put.values,
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new ConcurrencyError(...splitDescribe(put.describe));
        throw error;
      }
      return;
    }
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: puts.map((p) => ({
            Put: {
              TableName: this.tableName,
              Item: p.item,
              ConditionExpression: p.condition,
              ExpressionAttributeValues: p.values,
            },
          })),
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
        if (failed >= 0) throw new ConcurrencyError(...splitDescribe(puts[failed]!.describe));
      }
      throw error;
    }
  }

  async claimOutbox(email: OutboxEmail, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(email),
          UpdateExpression: 'SET #s = :sending, claimedAt = :now ADD version :one',
          ConditionExpression: '#s = :pending OR (#s = :sending AND claimedAt < :abandoned)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':pending': 'pending',
            ':now': now.toISOString(),
            ':abandoned': new Date(now.getTime() - leaseMs).toISOString(),
            ':one': 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markOutboxSent(email: OutboxEmail, messageId: string, now: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: outboxKey(email),
        UpdateExpression: 'SET #s = :sent, sentAt = :now, messageId = :id, expiresAt = :exp ADD version :one',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':now': now.toISOString(),
          ':id': messageId,
          ':exp': Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
          ':one': 1,
        },
      }),
    );
  }
}

function splitDescribe(describe: string): [string, string] {
  const space = describe.indexOf(' ');
  return [describe.slice(0, space), describe.slice(space + 1)];
}
