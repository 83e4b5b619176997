import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError, MembershipExistsError } from '../../domain/errors.js';
import type { Invoice, InvoiceStatus } from '../../domain/invoice.js';
import type { Member } from '../../domain/member.js';
import { MEMBERSHIP_STATUSES, type Membership, type MembershipStatus, type Term } from '../../domain/membership.js';
import type { PaymentAttempt } from '../../domain/payment.js';
import type { Plan } from '../../domain/plan.js';
import type { RefusalReason } from '../../domain/refusal.js';
import type { Notice, NoticeBoard } from '../../domain/notice.js';
import type { Settings } from '../../domain/settings.js';
import type { CardLog, DunningRun, RunKind, RunState } from '../../domain/dunning.js';
import type { GatewayConnection, WebhookReceipt } from '../../domain/gateway.js';
import type { TimelineEvent } from '../../domain/timeline.js';
import {
  type LinkUse,
  type MembershipRecord,
  type MembershipState,
  type OutboxEmail,
  type Page,
  type PageRequest,
  type ReplanJob,
  type MemberSearchKey,
  type SenderIdentity,
  type ReadOptions,
  type Store,
  type WorkRef,
  type Write,
  RECORD_LIMITS,
} from '../../ports/store.js';
import { decodeCursor, encodeCursor, keyAttrsOf } from './cursor.js';
import { invoiceItem, invoiceKey, invoicesByStatus, invoicesOfMembership } from './entities/invoice.js';
import { jobItem, jobKey } from './entities/job.js';
import { INDEX, type Item, membershipPk, orgPk, valueOf } from './entities/keys.js';
import { memberItem, memberKey, membersOfOrg, SEARCH_PARTITION, searchKeyItem, searchKeyItemKey } from './entities/member.js';
import {
  allMembershipsOfMember,
  attemptItem,
  attemptKey,
  claimKey,
  EVENT_PREFIX,
  eventItem,
  linkUseItem,
  linkUseKey,
  liveMembershipsOfPlan,
  membershipItem,
  membershipKey,
  membershipsByStatus,
  membershipsOfMember,
  OUTBOX_PREFIX,
  OUTBOX_RETENTION_SECONDS,
  outboxItem,
  outboxKey,
  TERM_PREFIX,
  termItem,
} from './entities/membership.js';
import { PLAN_PREFIX, planItem, planKey } from './entities/plan.js';
import { settingsItem, settingsKey } from './entities/settings.js';
import { gatewayItem, gatewayKey, webhookReceiptItem, webhookReceiptKey } from './entities/gateway.js';
import { REASON_PREFIX, refusalReasonItem, refusalReasonKey } from './entities/refusal.js';
import { boardQuery, noticeItem, noticeKey } from './entities/notice.js';
import { DOMAIN_EVENT_RETENTION_SECONDS, domainEventItem, domainEventKey } from './entities/domain-event.js';
import type { DomainEventRecord } from '../../domain/events.js';
import { activeRunsOfMember, cardChangeItem, cardLogItem, cardLogKey, runItem, runKey, runsByState } from './entities/dunning.js';
import { IDENTITY_PREFIX, identityItem } from './entities/identity.js';
import { webhookDeliveryItem, webhookDeliveryKey, webhookItem, webhookKey } from './entities/webhook-out.js';
import type { WebhookDelivery, WebhookEndpoint } from '../../domain/webhook-out.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The 10-character time part of a ULID for an instant (milliseconds). */
function ulidTime(ms: number): string {
  let out = '';
  let t = Math.max(0, ms);
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}


type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

interface Spec {
  item: TransactItem;
  /** What failed when this item's condition fails. */
  conflict: () => Error;
}

/** Another transaction held one of the items: a plain, retryable concurrency error. */
function busy(spec: Spec): ConcurrencyError {
  const error = spec.conflict();
  return error instanceof ConcurrencyError ? error : new ConcurrencyError('item', 'held by a concurrent transaction');
}

function versioned(table: string, item: Item, version: number, entity: string, id: string): Spec {
  const conflict = () => new ConcurrencyError(entity, id);
  return version === 0
    ? { item: { Put: { TableName: table, Item: { ...item, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } }, conflict }
    : {
        item: {
          Put: {
            TableName: table,
            Item: { ...item, version: version + 1 },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': version },
          },
        },
        conflict,
      };
}

function appendOnly(table: string, item: Item, entity: string, id: string): Spec {
  return { item: { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, conflict: () => new ConcurrencyError(entity, id) };
}

function toSpec(table: string, write: Write): Spec {
  switch (write.kind) {
    case 'settings':
      return versioned(table, settingsItem(write.value), write.value.version, 'settings', write.value.orgId);
    case 'plan':
      return versioned(table, planItem(write.value), write.value.version, 'plan', write.value.id);
    case 'member':
      return versioned(table, memberItem(write.value), write.value.version, 'member', write.value.id);
    case 'membership':
      return versioned(table, membershipItem(write.value), write.value.version, 'membership', write.value.id);
    case 'term':
      return versioned(table, termItem(write.value), write.value.version, 'term', `${write.value.membershipId}/${write.value.seq}`);
    case 'invoice':
      return versioned(table, invoiceItem(write.value), write.value.version, 'invoice', write.value.id);
    case 'outbox':
      return versioned(table, outboxItem(write.value), write.value.version, 'e-mail', write.value.id);
    case 'attempt':
      return versioned(table, attemptItem(write.value), write.value.version, 'payment attempt', write.value.id);
    case 'job':
      return versioned(table, jobItem(write.value), write.value.version, 're-plan job', write.value.planId);
    case 'event':
      return appendOnly(table, eventItem(write.value), 'event', write.value.id);
    case 'link_use':
      return appendOnly(table, linkUseItem(write.value), 'link', write.value.jti);
    case 'event_redact':
      return {
        item: { Put: { TableName: table, Item: eventItem(write.value), ConditionExpression: 'attribute_exists(pk)' } },
        conflict: () => new ConcurrencyError('event', write.value.id),
      };
    case 'gateway':
      return versioned(table, gatewayItem(write.value), write.value.version, 'gateway connection', write.value.orgId);
    case 'webhook_receipt':
      return appendOnly(table, webhookReceiptItem(write.value), 'webhook event', write.value.eventId);
    case 'dunning':
      return versioned(table, runItem(write.value), write.value.version, 'dunning run', write.value.invoiceId);
    case 'refusal_reason':
      return versioned(table, refusalReasonItem(write.value), write.value.version, 'refusal reason', write.value.id);
    case 'notice':
      return versioned(table, noticeItem(write.value), write.value.version, 'renewal notice', write.value.id);
    case 'status_count': {
      const c = write.value;
      return {
        item: {
          Update: {
            TableName: table,
            Key: { pk: orgPk(c.orgId), sk: `${COUNT_PREFIX}${c.status}#${String(c.shard).padStart(2, '0')}` },
            UpdateExpression: 'ADD #n :d SET entity = :e',
            ExpressionAttributeNames: { '#n': 'count' },
            ExpressionAttributeValues: { ':d': c.delta, ':e': 'status_count' },
          },
        },
        conflict: () => new ConcurrencyError('membership counts', c.orgId),
      };
    }
    case 'member_search':
      return { item: { Put: { TableName: table, Item: searchKeyItem(write.value) } }, conflict: () => new ConcurrencyError('member', write.value.memberId) };
    case 'member_search_delete':
      return {
        item: { Delete: { TableName: table, Key: searchKeyItemKey(write.value.orgId, write.value.memberId, write.value.key) } },
        conflict: () => new ConcurrencyError('member', write.value.memberId),
      };
    case 'card_log':
      return versioned(table, cardLogItem(write.value), write.value.version, 'card log', write.value.card);
    case 'card_change':
      return appendOnly(table, cardChangeItem(write.value), 'card change', write.value.id);
    case 'domain_event':
      return appendOnly(table, domainEventItem(write.value), 'domain event', write.value.id);
    case 'identity':
      return versioned(table, identityItem(write.value), write.value.version, 'sending identity', write.value.identity);
    case 'webhook_endpoint':
      return versioned(table, webhookItem(write.value), write.value.version, 'webhook', write.value.orgId);
    case 'webhook_delivery':
      return versioned(table, webhookDeliveryItem(write.value), write.value.version, 'webhook delivery', write.value.id);
    case 'claim': {
      const c = write.value;
      return {
        item: {
          Put: {
            TableName: table,
            Item: { ...claimKey(c), entity: 'membership_claim', ...c },
            // Free, or given back by a membership that stopped being live.
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_type(membershipId, :null)',
            ExpressionAttributeValues: { ':null': 'NULL' },
          },
        },
        conflict: () => new MembershipExistsError(c.memberId, c.planId),
      };
    }
    case 'release': {
      const c = write.value;
      return {
        item: {
          Put: {
            TableName: table,
            Item: { ...claimKey(c), entity: 'membership_claim', orgId: c.orgId, memberId: c.memberId, planId: c.planId, membershipId: null, releasedBy: c.membershipId },
            // Held by this membership (or never written, for a membership older than claims).
            ConditionExpression: 'attribute_not_exists(pk) OR membershipId = :mine',
            ExpressionAttributeValues: { ':mine': c.membershipId },
          },
        },
        conflict: () => new ConcurrencyError('membership claim', `${c.memberId}/${c.planId}`),
      };
    }
    case 'plan_check':
      return {
        item: {
          ConditionCheck: {
            TableName: table,
            Key: planKey(write.orgId, write.planId),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': write.version },
          },
        },
        conflict: () => new ConcurrencyError('plan', write.planId),
      };
  }
}

/** The most settings and plans a process keeps copies of (ReadOptions). */
const RECENT_LIMIT = 1_000;

/** R-CON-3: the shards of the counts of memberships by status, in the organisation's partition. */
const COUNT_PREFIX = 'COUNT#MS#';

export class DynamoStore implements Store {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get<T>(key: { pk: string; sk: string }, consistent = true): Promise<T | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }));
    return out.Item ? valueOf<T>(out.Item) : null;
  }

  /**
   * One page of an index partition. The rows of a keys-only index (gsi5) or of gsi4's membership
   * rows become their items (`hydrate`); `filter` leaves rows out before that.
   */
  private async page<T>(
    index: string,
    partition: string,
    page: PageRequest,
    forward: boolean,
    options: { hydrate?: boolean; filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> } } = {},
  ): Promise<Page<T>> {
    const partitionAttr = `${index}pk`;
    const { filter } = options;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#p = :p',
        ...(filter ? { FilterExpression: filter.expression } : {}),
        ExpressionAttributeNames: { '#p': partitionAttr, ...filter?.names },
        ExpressionAttributeValues: { ':p': partition, ...filter?.values },
        ScanIndexForward: forward,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { partitionAttr, partition, keyAttrs: keyAttrsOf(index) }),
      }),
    );
    const rows = out.Items ?? [];
    return { items: options.hydrate ? await this.hydrate<T>(rows) : rows.map((i) => valueOf<T>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /**
   * A page of a keys-only index (gsi5), or of gsi4's membership rows: the items themselves, in the
   * index's order (eventually consistent, as the index is). An item deleted since the index was
   * read is left out.
   */
  private async hydrate<T>(rows: Item[]): Promise<T[]> {
    return (await this.getMany<T>(rows.map((r) => ({ pk: String(r.pk), sk: String(r.sk) })), false)).filter((v): v is T => v !== null);
  }

  /** Items by key, in the order asked (null for one that is not there): one BatchGetItem per 100 keys. */
  private async getMany<T>(keys: { pk: string; sk: string }[], consistent: boolean): Promise<(T | null)[]> {
    const id = (k: Record<string, unknown>) => `${String(k.pk)}\u0000${String(k.sk)}`;
    const found = new Map<string, Item>();
    for (let from = 0; from < keys.length; from += 100) {
      for (const item of await this.batchGet(keys.slice(from, from + 100), consistent)) found.set(id(item), item);
    }
    return keys.map((k) => {
      const item = found.get(id(k));
      return item ? valueOf<T>(item) : null;
    });
  }

  /** One BatchGetItem of at most 100 keys; keys it leaves unprocessed are asked again, with a growing pause. */
  private async batchGet(keys: Record<string, unknown>[], consistent: boolean): Promise<Item[]> {
    const items: Item[] = [];
    let left = keys;
    for (let round = 0; left.length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: left, ConsistentRead: consistent } } }));
      items.push(...(out.Responses?.[this.tableName] ?? []));
      left = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
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

  /** Issue 13: settings and plans this process read lately (ReadOptions), by item key. */
  private readonly recent = new Map<string, { at: number; value: unknown }>();

  private async recentGet<T>(key: { pk: string; sk: string }, options: ReadOptions | undefined): Promise<T | null> {
    if (!options?.maxAgeMs) return this.get<T>(key);
    const id = `${key.pk}\u0000${key.sk}`;
    const hit = this.recent.get(id);
    if (hit && Date.now() - hit.at < options.maxAgeMs) return structuredClone(hit.value) as T;
    const value = await this.get<T>(key);
    // Bounded: a process serving many organisations starts over rather than growing.
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    if (value) this.recent.set(id, { at: Date.now(), value: structuredClone(value) });
    return value;
  }

  getSettings(orgId: string, options?: ReadOptions): Promise<Settings | null> {
    return this.recentGet(settingsKey(orgId), options);
  }

  getGateway(orgId: string): Promise<GatewayConnection | null> {
    return this.get(gatewayKey(orgId));
  }

  getWebhookReceipt(orgId: string, eventId: string): Promise<WebhookReceipt | null> {
    return this.get(webhookReceiptKey(orgId, eventId));
  }

  getPlan(orgId: string, planId: string, options?: ReadOptions): Promise<Plan | null> {
    return this.recentGet(planKey(orgId, planId), options);
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

  async getMembers(orgId: string, memberIds: string[]): Promise<Member[]> {
    // One BatchGetItem (a page holds at most 100 ids).
    return (await this.batchGet([...new Set(memberIds)].map((id) => memberKey(orgId, id)), true)).map((i) => valueOf<Member>(i));
  }

  listMembers(orgId: string, page: PageRequest): Promise<Page<Member>> {
    return this.page(INDEX.byParent, membersOfOrg(orgId), page, false);
  }

  getMembership(orgId: string, membershipId: string, options: { consistent?: boolean } = {}): Promise<Membership | null> {
    return this.get(membershipKey(orgId, membershipId), options.consistent !== false);
  }

  async getMembershipState(orgId: string, membershipId: string): Promise<MembershipState | null> {
    const [membership, terms] = await Promise.all([
      this.getMembership(orgId, membershipId),
      this.ofMembership<Term & { version: number }>(orgId, membershipId, TERM_PREFIX, { limit: 2 }, true).then((p) => p.items),
    ]);
    return membership ? { membership, terms } : null;
  }

  async getMembershipRecord(orgId: string, membershipId: string, options: { consistent?: boolean; membership?: Membership } = {}): Promise<MembershipRecord | null> {
    const consistent = options.consistent !== false;
    // Four reads at once: the membership (unless the caller holds it), and one Query for each
    // list, each bounded (RECORD_LIMITS) so that it stays under 4 KB, whatever the membership's age.
    const [membership, terms, timeline, invoices] = await Promise.all([
      options.membership ?? this.getMembership(orgId, membershipId, { consistent }),
      this.ofMembership<Term & { version: number }>(orgId, membershipId, TERM_PREFIX, { limit: RECORD_LIMITS.terms }, consistent),
      this.ofMembership<TimelineEvent>(orgId, membershipId, EVENT_PREFIX, { limit: RECORD_LIMITS.timeline }, consistent),
      this.invoicesOf(orgId, membershipId, { limit: RECORD_LIMITS.invoices }),
    ]);
    if (!membership) return null;
    // Terms oldest first, as staff read a history; the rest newest first.
    return {
      membership,
      terms: [...terms.items].reverse(),
      timeline: timeline.items,
      invoices: invoices.items,
      more: { terms: terms.nextCursor !== null, timeline: timeline.nextCursor !== null, invoices: invoices.nextCursor !== null },
    };
  }

  listTermsOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<Term & { version: number }>> {
    return this.ofMembership(orgId, membershipId, TERM_PREFIX, page, false);
  }

  listTimelineOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<TimelineEvent>> {
    return this.ofMembership(orgId, membershipId, EVENT_PREFIX, page, false);
  }

  listEmailsOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<OutboxEmail>> {
    return this.ofMembership(orgId, membershipId, OUTBOX_PREFIX, page, false);
  }

  listInvoicesOfMembership(orgId: string, membershipId: string, page: PageRequest): Promise<Page<Invoice>> {
    return this.invoicesOf(orgId, membershipId, page);
  }

  /** One page of one kind of a membership's items (its sort-key prefix), newest first. */
  private async ofMembership<T>(orgId: string, membershipId: string, prefix: string, page: { limit: number; cursor?: string | undefined }, consistent: boolean): Promise<Page<T>> {
    const pk = membershipPk(orgId, membershipId);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ScanIndexForward: false,
        Limit: page.limit,
        ConsistentRead: consistent,
        ExclusiveStartKey: decodeCursor(page.cursor, { partitionAttr: 'pk', partition: pk, keyAttrs: keyAttrsOf(undefined), sortPrefix: prefix }),
      }),
    );
    return { items: (out.Items ?? []).map((i) => valueOf<T>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** One page of a membership's invoices, newest first (gsi1 projects them whole). */
  private invoicesOf(orgId: string, membershipId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<Invoice>> {
    return this.page(INDEX.byParent, invoicesOfMembership(orgId, membershipId), page, false);
  }

  listMembershipsOfMember(orgId: string, memberId: string, page: PageRequest): Promise<Page<Membership>> {
    // gsi4 rows carry the status: voided memberships are left out before the items are read (R-CAN-6).
    return this.page(INDEX.byDue, allMembershipsOfMember(orgId, memberId), page, false, {
      hydrate: true,
      filter: { expression: '#st <> :voided', names: { '#st': 'status' }, values: { ':voided': 'voided' } },
    });
  }

  listMembershipsByStatus(orgId: string, status: MembershipStatus, page: PageRequest): Promise<Page<Membership>> {
    return this.page(INDEX.byStatusKeys, membershipsByStatus(orgId, status), page, false, { hydrate: true });
  }

  async listLiveMembershipsOfPlan(orgId: string, planId: string, page: PageRequest): Promise<Page<string>> {
    // The index holds keys only: the membership id is its sort key.
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byPlan,
        KeyConditionExpression: 'gsi3pk = :p',
        ExpressionAttributeValues: { ':p': liveMembershipsOfPlan(orgId, planId) },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { partitionAttr: 'gsi3pk', partition: liveMembershipsOfPlan(orgId, planId), keyAttrs: keyAttrsOf(INDEX.byPlan) }),
      }),
    );
    return { items: (out.Items ?? []).map((i) => String(i.gsi3sk)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  getInvoice(orgId: string, invoiceId: string): Promise<Invoice | null> {
    return this.get(invoiceKey(orgId, invoiceId));
  }

  listInvoicesByStatus(orgId: string, status: InvoiceStatus, page: PageRequest): Promise<Page<Invoice>> {
    return this.page(INDEX.byStatusKeys, invoicesByStatus(orgId, status), page, true, { hydrate: true });
  }

  getLinkUse(orgId: string, membershipId: string, jti: string): Promise<LinkUse | null> {
    return this.get(linkUseKey(orgId, membershipId, jti));
  }

  getAttempt(ref: WorkRef): Promise<PaymentAttempt | null> {
    return this.get(attemptKey(ref));
  }

  getMail(ref: WorkRef): Promise<OutboxEmail | null> {
    return this.get(outboxKey(ref));
  }

  getRun(orgId: string, invoiceId: string): Promise<DunningRun | null> {
    return this.get(runKey(orgId, invoiceId));
  }

  listRuns(orgId: string, kind: RunKind, state: RunState, page: PageRequest): Promise<Page<DunningRun>> {
    return this.page(INDEX.byStatus, runsByState(orgId, kind, state), page, false);
  }

  async runsStartedBetween(orgId: string, kind: RunKind, state: RunState, from: string, to: string): Promise<DunningRun[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: INDEX.byStatus,
      // The sort key is `<startedAt>#<invoiceId>`: every key of an instant in [from, to) sorts between these.
      KeyConditionExpression: 'gsi2pk = :p AND gsi2sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':p': runsByState(orgId, kind, state), ':from': from, ':to': `${to}` },
    });
    return items.map((i) => valueOf<DunningRun>(i)).filter((r) => r.startedAt >= from && r.startedAt < to);
  }

  async listRefusalReasons(orgId: string): Promise<RefusalReason[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': refusalReasonKey(orgId, '').pk, ':prefix': REASON_PREFIX },
      ConsistentRead: true,
    });
    return items.map((i) => valueOf<RefusalReason>(i));
  }

  async membershipCounts(orgId: string): Promise<Record<MembershipStatus, number>> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':p': orgPk(orgId), ':prefix': COUNT_PREFIX },
      ConsistentRead: true,
    });
    const counts = Object.fromEntries(MEMBERSHIP_STATUSES.map((s) => [s, 0])) as Record<MembershipStatus, number>;
    for (const item of items) {
      const status = String(item.sk).slice(COUNT_PREFIX.length).split('#')[0] as MembershipStatus;
      if (status in counts) counts[status] += Number(item.count ?? 0);
    }
    return counts;
  }

  async searchMembers(orgId: string, prefix: string, page: PageRequest): Promise<Page<MemberSearchKey>> {
    const partition = SEARCH_PARTITION(orgId);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':p': partition, ':prefix': prefix },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { partitionAttr: 'pk', partition, keyAttrs: keyAttrsOf(undefined) }),
      }),
    );
    return { items: (out.Items ?? []).map((i) => valueOf<MemberSearchKey>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  getNotice(orgId: string, id: string): Promise<Notice | null> {
    return this.get(noticeKey(orgId, id));
  }

  /**
   * R-NOT-9: one board, newest first: one Query on a sparse index. "Unanswered for more than N
   * days" and "due a reminder" bound the sort key (an instant) in the key condition.
   */
  async listNotices(orgId: string, board: NoticeBoard, now: Date, page: PageRequest): Promise<Page<Notice>> {
    const q = boardQuery(orgId, board);
    const bound = q.olderThanDays !== undefined ? new Date(now.getTime() - q.olderThanDays * 86_400_000).toISOString() : q.due ? now.toISOString() : null;
    const names: Record<string, string> = { '#p': `${q.index}pk` };
    const values: Record<string, unknown> = { ':p': q.partition };
    let condition = '#p = :p';
    if (bound !== null) {
      names['#s'] = `${q.index}sk`;
      // Sort keys are `<instant>#<id>`: '$' sorts right after '#', so an instant equal to the bound is included.
      values[':bound'] = `${bound}$`;
      condition += ' AND #s < :bound';
    }
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: q.index,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { partitionAttr: `${q.index}pk`, partition: q.partition, keyAttrs: keyAttrsOf(q.index) }),
      }),
    );
    return { items: (out.Items ?? []).map((i) => valueOf<Notice>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  getRefusalReason(orgId: string, id: string): Promise<RefusalReason | null> {
    return this.get(refusalReasonKey(orgId, id));
  }

  getCardLog(orgId: string, memberId: string, card: string): Promise<CardLog | null> {
    return this.get(cardLogKey(orgId, memberId, card));
  }

  async listIdentities(orgId: string): Promise<SenderIdentity[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': orgPk(orgId), ':prefix': IDENTITY_PREFIX },
      ConsistentRead: true,
    });
    return items.map((i) => valueOf<SenderIdentity>(i)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async activeRunsOfMember(orgId: string, memberId: string): Promise<DunningRun[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: INDEX.byParent,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': activeRunsOfMember(orgId, memberId) },
    });
    return items.map((i) => valueOf<DunningRun>(i));
  }

  async membershipIdsOfMember(orgId: string, memberId: string): Promise<string[]> {
    // gsi4 holds every membership (voided ones too); gsi1 those written before gsi4 keys existed.
    const [all, listed] = await Promise.all([
      this.queryAll({
        TableName: this.tableName,
        IndexName: INDEX.byDue,
        KeyConditionExpression: 'gsi4pk = :p',
        ExpressionAttributeValues: { ':p': allMembershipsOfMember(orgId, memberId) },
        Limit: 100,
      }),
      this.queryAll({
        TableName: this.tableName,
        IndexName: INDEX.byParent,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': membershipsOfMember(orgId, memberId) },
        ProjectionExpression: 'id',
        Limit: 100,
      }),
    ]);
    return [...new Set([...all.map((i) => String(i.gsi4sk)), ...listed.map((i) => String(i.id))])];
  }

  async membershipHistory(orgId: string, membershipId: string): Promise<{ events: (TimelineEvent & { orgId: string; membershipId: string })[]; outbox: OutboxEmail[] }> {
    const of = (prefix: string) =>
      this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': membershipPk(orgId, membershipId), ':prefix': prefix },
        ConsistentRead: true,
      });
    const [events, outbox] = await Promise.all([of(EVENT_PREFIX), of(OUTBOX_PREFIX)]);
    return {
      events: events.map((i) => valueOf<TimelineEvent & { orgId: string; membershipId: string }>(i)),
      outbox: outbox.map((i) => valueOf<OutboxEmail>(i)),
    };
  }

  /** One page of an index partition whose sort key lies in [low, high], oldest first; the cursor is checked like any list's. */
  private async range<T>(index: string, partition: string, low: string, high: string, page: PageRequest): Promise<Page<T>> {
    const pkAttr = `${index}pk`;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: '#p = :p AND #s BETWEEN :low AND :high',
        ExpressionAttributeNames: { '#p': pkAttr, '#s': `${index}sk` },
        ExpressionAttributeValues: { ':p': partition, ':low': low, ':high': high },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { partitionAttr: pkAttr, partition, keyAttrs: keyAttrsOf(index) }),
      }),
    );
    const rows = out.Items ?? [];
    return { items: index === INDEX.byStatusKeys ? await this.hydrate<T>(rows) : rows.map((i) => valueOf<T>(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  membersCreatedBetween(orgId: string, from: string, to: string, page: PageRequest): Promise<Page<Member>> {
    // gsi1sk is the member id, a ULID: its first 10 characters are its creation instant.
    return this.range(INDEX.byParent, membersOfOrg(orgId), `mbr_${ulidTime(Date.parse(from))}`, `mbr_${ulidTime(Date.parse(to) - 1)}~`, page);
  }

  membershipsChangedBetween(orgId: string, status: MembershipStatus, from: string, to: string, page: PageRequest): Promise<Page<Membership>> {
    // gsi5sk = `<statusChangedAt>#<id>`: '#' sorts before any id, so [from, to) is BETWEEN from AND to (exclusive by the '#').
    return this.range(INDEX.byStatusKeys, membershipsByStatus(orgId, status), from, to, page);
  }

  invoicesDueBetween(orgId: string, status: InvoiceStatus, from: string, to: string, page: PageRequest): Promise<Page<Invoice>> {
    // gsi5sk = `<dueDate>#<id>`: '~' sorts after '#', so the last day is included.
    return this.range(INDEX.byStatusKeys, invoicesByStatus(orgId, status), from, `${to}~`, page);
  }

  getJob(orgId: string, planId: string): Promise<ReplanJob | null> {
    return this.get(jobKey(orgId, planId));
  }

  async commit(writes: Write[]): Promise<void> {
    if (writes.length === 0) return;
    // This process's own change of settings or a plan is seen by its next read at once: the
    // copies are forgotten before the write and again after it (a read while the write is in
    // flight may have kept the old value).
    if (writes.some((w) => w.kind === 'settings' || w.kind === 'plan')) {
      this.recent.clear();
      try {
        await this.write(writes);
      } finally {
        this.recent.clear();
      }
      return;
    }
    await this.write(writes);
  }

  /**
   * A conflict on settings or a plan (their write, or a change's check of the plan's version) may
   * come from a copy read earlier: the copies are forgotten, so the retry reads afresh. A
   * conflict on anything else (a membership changed meanwhile, say) leaves them: the retry reads
   * that item afresh, and a membership re-planned since carries the plan version it needs.
   */
  private forgetCopiesFor(failed: Write): void {
    if (failed.kind === 'settings' || failed.kind === 'plan' || failed.kind === 'plan_check') this.recent.clear();
  }

  private async write(writes: Write[]): Promise<void> {
    const specs = writes.map((w) => toSpec(this.tableName, w));
    if (specs.length === 1 && specs[0]!.item.Put) {
      const [spec] = specs as [Spec];
      try {
        await this.doc.send(new PutCommand(spec.item.Put!));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          this.forgetCopiesFor(writes[0]!);
          throw spec.conflict();
        }
        throw error;
      }
      return;
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: specs.map((s) => s.item) }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          this.forgetCopiesFor(writes[failed]!);
          throw specs[failed]!.conflict();
        }
        const conflicted = reasons.findIndex((r) => r.Code === 'TransactionConflict');
        if (conflicted >= 0) throw busy(specs[conflicted]!);
      }
      throw error;
    }
  }

  async claimAttempt(ref: WorkRef, now: Date, leaseMs: number): Promise<PaymentAttempt | null> {
    return this.claim<PaymentAttempt>(attemptKey(ref), {
      condition: '(#s = :created OR (#s = :processing AND (attribute_type(claimedAt, :null) OR claimedAt < :lapsed)))',
      values: { ':created': 'requires_confirmation', ':processing': 'processing' },
      set: 'SET #s = :processing, claimedAt = :now, updatedAt = :now',
      now,
      leaseMs,
    });
  }

  async claimMail(ref: WorkRef, now: Date, leaseMs: number): Promise<OutboxEmail | null> {
    return this.claim<OutboxEmail>(outboxKey(ref), {
      condition:
        '(#s = :pending OR (#s = :sending AND claimedAt < :lapsed) OR (#s = :unknown AND nextTryAt <= :nowIso)) AND (attribute_type(nextTryAt, :null) OR nextTryAt <= :nowIso OR #s = :sending)',
      values: { ':pending': 'pending', ':sending': 'sending', ':unknown': 'unknown', ':nowIso': now.toISOString() },
      set: 'SET #s = :sending, claimedAt = :now',
      now,
      leaseMs,
    });
  }

  private async claim<T>(
    key: { pk: string; sk: string },
    spec: { condition: string; values: Record<string, unknown>; set: string; now: Date; leaseMs: number },
  ): Promise<T | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `${spec.set} ADD tries :one, version :one`,
          ConditionExpression: `attribute_exists(pk) AND ${spec.condition}`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ...spec.values,
            ':now': spec.now.toISOString(),
            ':lapsed': new Date(spec.now.getTime() - spec.leaseMs).toISOString(),
            ':null': 'NULL',
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? valueOf<T>(out.Attributes) : null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  getWebhookEndpoint(orgId: string): Promise<WebhookEndpoint | null> {
    return this.get(webhookKey(orgId));
  }

  getWebhookDelivery(ref: WorkRef): Promise<WebhookDelivery | null> {
    return this.get(webhookDeliveryKey(ref));
  }

  /** R-EVT-1: pending and due (no next try, or its time came), or a `delivering` whose worker's lease lapsed. */
  async claimWebhookDelivery(ref: WorkRef, now: Date, leaseMs: number): Promise<WebhookDelivery | null> {
    return this.claim<WebhookDelivery>(webhookDeliveryKey(ref), {
      condition: '((#s = :pending AND (attribute_type(nextTryAt, :null) OR nextTryAt <= :nowIso)) OR (#s = :delivering AND claimedAt < :lapsed))',
      values: { ':pending': 'pending', ':delivering': 'delivering', ':nowIso': now.toISOString() },
      set: 'SET #s = :delivering, claimedAt = :now',
      now,
      leaseMs,
    });
  }

  getDomainEvent(ref: WorkRef): Promise<DomainEventRecord | null> {
    return this.get(domainEventKey(ref));
  }

  async getDomainEvents(refs: WorkRef[]): Promise<(DomainEventRecord | null)[]> {
    if (refs.length === 1) return [await this.getDomainEvent(refs[0]!)];
    return this.getMany(refs.map((ref) => domainEventKey(ref)), true);
  }

  /** R-EVT-1: pending → published, conditionally: a redelivered stream record finds it published. */
  async markDomainEventPublished(ref: WorkRef, at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: domainEventKey(ref),
          UpdateExpression: 'SET #s = :published, publishedAt = :at, expiresAt = :exp',
          ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':published': 'published', ':pending': 'pending', ':at': at.toISOString(), ':exp': Math.floor(at.getTime() / 1000) + DOMAIN_EVENT_RETENTION_SECONDS },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async markMailSent(ref: WorkRef, messageId: string, at: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(ref),
          UpdateExpression: 'SET #s = :sent, sentAt = :at, messageId = :id, expiresAt = :exp, claimedAt = :null, nextTryAt = :null ADD version :one',
          ConditionExpression: 'attribute_exists(pk) AND #s IN (:pending, :sending, :unknown)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':pending': 'pending',
            ':sending': 'sending',
            ':unknown': 'unknown',
            ':at': at.toISOString(),
            ':id': messageId,
            ':exp': Math.floor(at.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
            ':null': null,
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
}
