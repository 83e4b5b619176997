import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { workOf } from '../../functions/handlers/worker.js';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/publisher.js';
import { LocalEventBus } from '../../shared/adapters/eventbridge/local.js';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventRecord, domainEvent, schemaPathOf } from '../../shared/domain/events.js';
import type { Invoice } from '../../shared/domain/invoice.js';
import type { Membership } from '../../shared/domain/membership.js';
import type { Store, WorkRef, Write } from '../../shared/ports/store.js';
import { domainEventsOf, type EventPublisher, metricsOf, missingPublisher, publishDomainEvent, publishDomainEvents } from '../../shared/use-cases/events.js';
import { WORKER_STREAM_FILTERS } from '../../infra/stacks/stateless.js';
import { testTemplates } from '../support/aws.js';
import { validate } from '../support/json-schema.js';
import { checkDomainEvents, type Snapshot } from '../support/model/invariants.js';

const ULID = '01J0000000000000000000000A';
const MS = `ms_${ULID}`;
const MBR = `mbr_${ULID}`;
const PLN = `pln_${ULID}`;
const INV = `inv_${ULID}`;
const NOW = new Date('2027-03-01T14:00:00.000Z');

let counter = 0;
const newId = (prefix: string) => `${prefix}_01J00000000000000000000${String(counter++).padStart(3, '0')}`;

function membership(over: Partial<Membership> = {}): Membership {
  return { id: MS, orgId: 'club', memberId: MBR, planId: PLN, status: 'active', startDate: '2027-01-01', terminationDate: null, cancellation: null, version: 3, ...over } as Membership;
}
const timeline = (type: string, data: Record<string, unknown>): Write => ({
  kind: 'event',
  value: { id: newId('evt'), at: NOW.toISOString(), type, actor: { type: 'system', id: 'relance' }, data, orgId: 'club', membershipId: MS },
});
const invoice = (over: Partial<Invoice> = {}): Write => ({
  kind: 'invoice',
  value: { id: INV, orgId: 'club', membershipId: MS, memberId: MBR, status: 'open', amount: { amount: 2500, currency: 'CAD' }, periodStart: '2027-03-01', periodEnd: '2027-03-31', dueDate: '2027-03-01', payment: null, version: 0, ...over } as Invoice,
});

const schemaOf = (type: string) => JSON.parse(readFileSync(`shared/events/schemas/${type}.v1.json`, 'utf8')) as Record<string, unknown>;

describe('R-EVT-1: the catalogue and its JSON Schemas', () => {
  it('R-EVT-1: one draft 2020-12 schema per event type, version 1, no other file; each fixes its type and the envelope', () => {
    expect(readdirSync('shared/events/schemas').sort()).toEqual(DOMAIN_EVENT_TYPES.map((t) => `${t}.v1.json`).sort());
    for (const type of DOMAIN_EVENT_TYPES) {
      const schema = JSON.parse(readFileSync(schemaPathOf(type), 'utf8'));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.properties.type).toEqual({ const: type });
      expect(schema.properties.version).toEqual({ const: 1 });
      expect(schema.required).toEqual(['id', 'type', 'version', 'orgId', 'occurredAt', 'data']);
      expect(schema.additionalProperties).toBe(false);
      expect(schema.properties.data.additionalProperties).toBe(false);
      // No personal data in any event: no names, e-mail addresses, messages or card data.
      expect(Object.keys(schema.properties.data.properties).filter((k) => /name|email|message|card|last4|brand|note/i.test(k))).toEqual([]);
    }
  });

  it('R-EVT-1: the validator accepts a valid event and names what is wrong in an invalid one', () => {
    const schema = schemaOf('invoice.paid');
    const ok = domainEvent(`dev_${ULID}`, 'invoice.paid', 'club', NOW.toISOString(), {
      membershipId: MS,
      memberId: MBR,
      planId: PLN,
      invoiceId: INV,
      amount: { amount: 2500, currency: 'CAD' },
      method: 'card',
      paidAt: NOW.toISOString(),
    });
    expect(validate(schema, ok)).toEqual([]);
    const bad = { ...ok, type: 'invoice.issued', data: { ...ok.data, amount: { amount: 25.5, currency: 'cad' }, email: 'x@example.org' } } as unknown;
    delete (bad as { data: Record<string, unknown> }).data.invoiceId;
    expect(validate(schema, bad)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('$.type'),
        expect.stringContaining('$.data.invoiceId: is required'),
        expect.stringContaining('$.data.amount.amount: is number'),
        expect.stringContaining('$.data.amount.currency'),
        expect.stringContaining('$.data.email: is not allowed'),
      ]),
    );
    expect(() => validate({ type: 'string', format: 'email' }, 'x')).toThrow(/outside the validator's subset/);
  });
});

describe('R-EVT-1: what a change publishes (domainEventsOf)', () => {
  const of = (writes: Write[], before = membership(), after = membership()) => domainEventsOf({ before, after, writes, now: NOW }, newId);

  it('R-EVT-1: an issued free invoice is issued and paid; a failed charge is payment_failed with its code, never card data', () => {
    const events = of([invoice({ status: 'paid', amount: { amount: 0, currency: 'CAD' }, payment: { reference: 'none', paidAt: NOW.toISOString(), method: 'recorded' } } as Partial<Invoice>), timeline('invoice_issued', { invoiceId: INV })]);
    expect(events.map((e) => e.type)).toEqual(['invoice.issued', 'invoice.paid']);
    expect(events.every((e) => e.status === 'pending' && e.orgId === 'club' && e.membershipId === MS && e.event.id === e.id && e.event.occurredAt === NOW.toISOString())).toBe(true);
    const failed = of([timeline('payment_failed', { invoiceId: INV, attemptId: `${INV}.c1`, amount: { amount: 2500, currency: 'CAD' }, reference: 'pi_1', code: 'insufficient_funds', hard: false })]);
    expect(failed.map((e) => e.event.data)).toEqual([{ membershipId: MS, memberId: MBR, planId: PLN, invoiceId: INV, attemptId: `${INV}.c1`, amount: { amount: 2500, currency: 'CAD' }, code: 'insufficient_funds', hard: false }]);
    for (const e of [...events, ...failed]) expect(validate(schemaOf(e.type), e.event)).toEqual([]);
  });

  it('R-EVT-1: status changes: terminated, voided; a scheduled cancellation once (not again when the same date is written again)', () => {
    expect(of([], membership(), membership({ status: 'terminated', terminationDate: '2027-02-28' })).map((e) => e.type)).toEqual(['membership.terminated']);
    const voided = of([timeline('membership_voided', { invoiceId: INV, refund: true, refunded: { amount: 2500, currency: 'CAD' } })], membership(), membership({ status: 'voided' }));
    expect(voided.map((e) => [e.type, e.event.data])).toEqual([['membership.voided', expect.objectContaining({ invoiceId: INV, refunded: { amount: 2500, currency: 'CAD' } })]]);
    const scheduled = membership({ status: 'cancel_scheduled', terminationDate: '2027-03-31', cancellation: { by: 'admin', decision: 'scheduled' } as Membership['cancellation'] });
    expect(of([], membership(), scheduled).map((e) => [e.type, e.event.data])).toEqual([['membership.cancellation_scheduled', expect.objectContaining({ terminationDate: '2027-03-31', by: 'admin' })]]);
    expect(of([], scheduled, scheduled)).toEqual([]);
    // The membership's own expiry (no renewal) is not a cancellation.
    expect(of([], membership(), membership({ terminationDate: '2027-03-31' }))).toEqual([]);
  });

  it('R-EVT-1: a notice accepted by the member is answered, then approved; an offline invoice run ending is not dunning', () => {
    const accepted = of([timeline('notice_approved', { noticeId: `ntc_${ULID}`, invoiceId: INV, by: 'member' })]);
    expect(accepted.map((e) => e.type)).toEqual(['notice.answered', 'notice.approved']);
    const run = { kind: 'dunning', value: { invoiceId: INV, kind: 'offline_invoice', amount: { amount: 2500, currency: 'CAD' } } } as unknown as Write;
    expect(of([run, timeline('dunning_recovered', { invoiceId: INV, kind: 'offline_invoice', by: 'staff' })])).toEqual([]);
  });
});

/** A store holding domain events only, with the conditional mark of the DynamoDB adapter (and no outbound webhook). */
function eventStore(records: DomainEventRecord[]): Pick<Store, 'getDomainEvent' | 'getDomainEvents' | 'markDomainEventPublished' | 'getWebhookEndpoint'> {
  const byId = new Map(records.map((r) => [r.id, r]));
  return {
    getWebhookEndpoint: async () => null,
    getDomainEvent: async (ref: WorkRef) => structuredClone(byId.get(ref.id) ?? null),
    getDomainEvents: async (refs: WorkRef[]) => refs.map((ref) => structuredClone(byId.get(ref.id) ?? null)),
    markDomainEventPublished: async (ref: WorkRef, at: Date) => {
      const r = byId.get(ref.id);
      if (!r || r.status !== 'pending') return false;
      byId.set(ref.id, { ...r, status: 'published', publishedAt: at.toISOString() });
      return true;
    },
  };
}

describe('R-EVT-1: publishing from the outbox', () => {
  const record = (): DomainEventRecord => {
    const event = domainEvent(`dev_${ULID}`, 'membership.terminated', 'club', NOW.toISOString(), { membershipId: MS, memberId: MBR, planId: PLN, terminationDate: '2027-02-28' });
    return { id: event.id, orgId: 'club', membershipId: MS, type: event.type, event, status: 'pending', createdAt: NOW.toISOString(), publishedAt: null };
  };
  const ref = { orgId: 'club', membershipId: MS, id: `dev_${ULID}` };
  const clock = { now: () => NOW };

  it('R-EVT-1: a redelivered record publishes once; a failed PutEvents leaves it pending for the retry, which publishes it', async () => {
    const store = eventStore([record()]) as Store;
    const bus = new LocalEventBus();
    let failNext = true;
    const flaky: EventPublisher = { publish: (events) => (failNext ? ((failNext = false), Promise.reject(new Error('EventBridge timed out'))) : bus.publish(events)) };
    await expect(publishDomainEvent({ store, clock, events: flaky }, ref)).rejects.toThrow(/timed out/);
    expect((await store.getDomainEvent(ref))!.status).toBe('pending');
    expect(await publishDomainEvent({ store, clock, events: flaky }, ref)).toBe('published');
    expect(await publishDomainEvent({ store, clock, events: flaky }, ref)).toBe('already_published');
    expect(bus.list().map((e) => e.id)).toEqual([ref.id]);
    expect(await store.getDomainEvent(ref)).toMatchObject({ status: 'published', publishedAt: NOW.toISOString() });
  });

  it('R-EVT-1: the events of one change are read in one call and sent in one PutEvents, each marked once; a redelivered group sends nothing', async () => {
    const ids = [`dev_${ULID.slice(0, -1)}1`, `dev_${ULID.slice(0, -1)}2`, `dev_${ULID.slice(0, -1)}3`];
    const records = ids.map((id) => ({ ...record(), id, event: { ...record().event, id } }));
    const inner = eventStore(records);
    const reads: number[] = [];
    const store = { ...inner, getDomainEvents: (refs: WorkRef[]) => (reads.push(refs.length), inner.getDomainEvents(refs)) } as Store;
    const puts: string[][] = [];
    const bus = new LocalEventBus();
    const events: EventPublisher = { publish: (list) => (puts.push(list.map((e) => e.id)), bus.publish(list)) };
    const refs = [...ids.map((id) => ({ ...ref, id })), { ...ref, id: `dev_${ULID.slice(0, -1)}9` }];

    expect(await publishDomainEvents({ store, clock, events }, refs)).toEqual(['published', 'published', 'published', 'missing']);
    expect(await publishDomainEvents({ store, clock, events }, refs)).toEqual(['already_published', 'already_published', 'already_published', 'missing']);

    expect(reads).toEqual([4, 4]);
    expect(puts).toEqual([ids]);
    expect(bus.list().map((e) => e.id)).toEqual(ids);
    for (const id of ids) expect(await store.getDomainEvent({ ...ref, id })).toMatchObject({ status: 'published' });
  });

  it('R-OPS-5: a published fact adds its business metrics once, amounts per currency; a redelivery adds nothing', async () => {
    const paid = domainEvent(`dev_${ULID}`, 'invoice.paid', 'club', NOW.toISOString(), {
      membershipId: MS,
      memberId: MBR,
      planId: PLN,
      invoiceId: INV,
      amount: { amount: 2500, currency: 'CAD' },
      method: 'card',
      paidAt: NOW.toISOString(),
    });
    const store = eventStore([{ ...record(), type: paid.type, event: paid }]) as Store;
    const added: [string, number | undefined, string | undefined][] = [];
    const metrics = { add: (name: string, value?: number, currency?: string) => void added.push([name, value, currency]) };
    const bus = new LocalEventBus();
    await publishDomainEvent({ store, clock, events: bus, metrics }, ref);
    await publishDomainEvent({ store, clock, events: bus, metrics }, ref);
    expect(added).toEqual([
      ['Charges', 1, undefined],
      ['ChargedAmount', 2500, 'CAD'],
    ]);
    expect(metricsOf(record().event)).toEqual([]);
  });

  it('R-EVT-1: without a bus the worker fails the record rather than mark it published', async () => {
    const store = eventStore([record()]) as Store;
    await expect(publishDomainEvent({ store, clock, events: missingPublisher }, ref)).rejects.toThrow(/EVENT_BUS_NAME/);
    expect((await store.getDomainEvent(ref))!.status).toBe('pending');
  });

  it('R-EVT-1: the worker takes new domain_event items from the stream (and nothing else of them); the stack filter lets them through', () => {
    const image = (eventName: 'INSERT' | 'MODIFY') =>
      ({ eventName, dynamodb: { NewImage: { entity: { S: 'domain_event' }, orgId: { S: 'club' }, membershipId: { S: MS }, id: { S: ref.id } } } }) as unknown as DynamoDBRecord;
    expect(workOf(image('INSERT'))).toEqual({ kind: 'event', orgId: 'club', membershipId: MS, id: ref.id });
    expect(workOf(image('MODIFY'))).toBeNull();
    expect(WORKER_STREAM_FILTERS[0]!.dynamodb.NewImage.entity.S).toContain('domain_event');
  });
});

describe('R-EVT-1: the EventBridge adapter (PutEvents over its wire protocol)', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function fakeEventBridge(answer: (entries: { Source: string; DetailType: string; Detail: string; EventBusName: string }[]) => object) {
    const calls: { target: string; entries: { Source: string; DetailType: string; Detail: string; EventBusName: string }[] }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const entries = (JSON.parse(body) as { Entries: never[] }).Entries;
        calls.push({ target: String(req.headers['x-amz-target']), entries });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer(entries)));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
    return { calls, publisher: new EventBridgePublisher('relance-test', { region: 'ca-central-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }) };
  }
  const events = (n: number): DomainEvent[] =>
    Array.from({ length: n }, (_, i) => domainEvent(`dev_01J00000000000000000000${String(i).padStart(3, '0')}`, 'invoice.issued', 'club', NOW.toISOString(), { membershipId: MS } as never));

  it('R-EVT-1: puts each event on the bus with source relance, its type as detail-type and its envelope as detail, 10 a call', async () => {
    const { calls, publisher } = await fakeEventBridge((entries) => ({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${i}` })) }));
    await publisher.publish(events(12));
    expect(calls.map((c) => [c.target, c.entries.length])).toEqual([
      ['AWSEvents.PutEvents', 10],
      ['AWSEvents.PutEvents', 2],
    ]);
    expect(calls[0]!.entries[0]).toMatchObject({ Source: 'relance', DetailType: 'invoice.issued', EventBusName: 'relance-test' });
    expect(JSON.parse(calls[0]!.entries[0]!.Detail)).toEqual(events(1)[0]);
  });

  it('R-EVT-1: an entry EventBridge refuses is an error (the stream record is retried)', async () => {
    const { publisher } = await fakeEventBridge(() => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }));
    await expect(publisher.publish(events(1))).rejects.toThrow(/refused 1 of 1 event\(s\): InternalFailure/);
  });
});

describe('R-EVT-1: the stack', () => {
  const stateless = () => Template.fromJSON(testTemplates().stateless);

  it('R-EVT-1: a bus named relance-<stage>; the worker alone may put events, on that bus only, and knows its name', () => {
    const template = stateless();
    const buses = template.findResources('AWS::Events::EventBus');
    const [busId, bus] = Object.entries(buses).find(([, r]) => String((r as { Properties: { Name: string } }).Properties.Name).startsWith('relance-'))!;
    expect((bus as { Properties: { Name: string } }).Properties.Name).toMatch(/^relance-[a-z0-9-]+$/);
    const putters = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('events:PutEvents'));
    expect(putters).toHaveLength(1);
    const statement = (putters[0] as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement.find((s) =>
      JSON.stringify(s.Action).includes('events:PutEvents'),
    )!;
    expect(statement.Resource).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(JSON.stringify(putters[0])).toMatch(/WorkerFunction/);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.stringLikeRegexp('-worker$'),
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: busId } }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: { Filters: Match.arrayWith([{ Pattern: Match.stringLikeRegexp('domain_event') }]) },
    });
  });
});

describe('R-EVT-1: the model-based test\'s invariant (checkDomainEvents) can fail', () => {
  const record = (id: string, status: 'pending' | 'published'): DomainEventRecord => {
    const event = domainEvent(id, 'membership.started', 'club', NOW.toISOString(), { membershipId: MS, memberId: MBR, planId: PLN, status: 'active', startDate: '2027-03-01', termEnd: null });
    return { id, orgId: 'club', membershipId: MS, type: event.type, event, status, createdAt: NOW.toISOString(), publishedAt: null };
  };
  const snap = (domainEvents: DomainEventRecord[], published: DomainEvent[]) => ({ memberships: [membership()], domainEvents, published }) as unknown as Snapshot;
  const a = record(`dev_${ULID}`, 'published');

  it('R-EVT-1: passes when each committed event was published once; names a double publish, a lost one, and one without its change', () => {
    expect(() => checkDomainEvents(snap([a], [a.event]), true)).not.toThrow();
    expect(() => checkDomainEvents(snap([a], [a.event, a.event]), false)).toThrow(/published twice/);
    expect(() => checkDomainEvents(snap([{ ...a, status: 'pending' }], []), false)).not.toThrow();
    expect(() => checkDomainEvents(snap([{ ...a, status: 'pending' }], []), true)).toThrow(/never published/);
    expect(() => checkDomainEvents(snap([a], []), false)).toThrow(/marked published but the bus never had it/);
    expect(() => checkDomainEvents(snap([], [a.event]), false)).toThrow(/without a committed change/);
    expect(() => checkDomainEvents(snap([a, record('dev_01J0000000000000000000000B', 'published')], [a.event]), false)).toThrow();
  });
});
