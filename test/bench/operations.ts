import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud.js';
import { nameOf } from '../../infra/local/functions.js';
import { ANNUAL_PLAN_BODY, SETTINGS_BODY } from '../support/fixtures.js';
import { median } from './stats.js';

/**
 * DynamoDB calls and capacity per operation (issue 13), against DynamoDB Local with
 * `ReturnConsumedCapacity`: the local cloud runs a monthly-billed, yearly-renewed plan for a
 * year, and every call a function makes is counted against the invocation that made it (an
 * AsyncLocalStorage scope around each local Lambda invocation). Capacity units are those
 * DynamoDB Local reports: strongly consistent reads, transactional writes at their doubled rate,
 * and every index write included.
 */

export interface OperationFigures {
  name: string;
  /** DynamoDB calls the invocation made (a transaction or a batch is one call). */
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** EventBridge Scheduler calls (create, delete) the invocation made. */
  schedulerCalls: number;
  /** How many invocations the figure is the median of. */
  samples: number;
}

interface Invocation {
  fn: string;
  event: unknown;
  result?: unknown;
  calls: number;
  readUnits: number;
  writeUnits: number;
  schedulerCalls: number;
  /** Each call: its command, and what it consumed where (with BENCH_TRACE=1). */
  trace: string[];
}

const TRACE = process.env.BENCH_TRACE === '1';
const scope = new AsyncLocalStorage<Invocation>();

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
type Sendable = { send: (command: { input: Record<string, unknown>; constructor: { name: string } }, ...rest: unknown[]) => Promise<unknown> };

/** A call's keys and item sizes, for BENCH_TRACE. */
function describe(input: Record<string, unknown>): string {
  const one = (op: Record<string, any>) => {
    const item = op.Item as Record<string, unknown> | undefined;
    const key = (item ?? op.Key ?? {}) as Record<string, unknown>;
    const gsis = item ? Object.keys(item).filter((k) => /^gsi\dpk$/.test(k)).join(',') : op.UpdateExpression ? `update:${String(op.UpdateExpression).slice(0, 60)}` : '';
    return `${String(key.sk ?? op.KeyConditionExpression ?? '')}${op.IndexName ? `@${op.IndexName}` : ''}${op.ExpressionAttributeValues?.[':prefix'] ? ` ${op.ExpressionAttributeValues[':prefix']}` : ''}${item ? ` ${JSON.stringify(item).length} B` : ''} ${gsis}`;
  };
  const items = input.TransactItems as Record<string, Record<string, unknown>>[] | undefined;
  if (items) return items.map((t) => Object.entries(t).map(([op, spec]) => `\n    ${op} ${one(spec)}`).join('')).join('');
  return one(input);
}

/** Counts every DynamoDB (document client) and Scheduler call made inside an invocation's scope. */
function instrument(): () => void {
  const doc = DynamoDBDocumentClient.prototype as unknown as Sendable;
  const scheduler = SchedulerClient.prototype as unknown as Sendable;
  const docSend = doc.send;
  const schedulerSend = scheduler.send;
  doc.send = async function (this: unknown, command, ...rest) {
    const inv = scope.getStore();
    if (!inv) return docSend.call(this, command, ...rest);
    command.input.ReturnConsumedCapacity = TRACE ? 'INDEXES' : 'TOTAL';
    const out = (await docSend.call(this, command, ...rest)) as { ConsumedCapacity?: Capacity | Capacity[] };
    inv.calls += 1;
    const isWrite = /^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(command.constructor.name);
    for (const c of [out.ConsumedCapacity ?? []].flat()) {
      const units = c.CapacityUnits ?? 0;
      inv.readUnits += c.ReadCapacityUnits ?? (isWrite ? 0 : units);
      inv.writeUnits += c.WriteCapacityUnits ?? (isWrite ? units : 0);
    }
    if (TRACE) inv.trace.push(`${command.constructor.name} ${JSON.stringify(out.ConsumedCapacity)} ${describe(command.input)}`);
    return out;
  };
  scheduler.send = async function (this: unknown, command, ...rest) {
    const inv = scope.getStore();
    if (inv) inv.schedulerCalls += 1;
    return schedulerSend.call(this, command, ...rest);
  };
  return () => {
    doc.send = docSend;
    scheduler.send = schedulerSend;
  };
}

/** Every invocation of the cloud's functions runs in its own counting scope. */
function record(cloud: LocalCloud): Invocation[] {
  const invocations: Invocation[] = [];
  const invoke = cloud.functions.invoke.bind(cloud.functions);
  cloud.functions.invoke = (arnOrName: string, event: unknown) => {
    const inv: Invocation = { fn: nameOf(arnOrName).replace(/^relance-[a-z0-9]+-/, ''), event, calls: 0, readUnits: 0, writeUnits: 0, schedulerCalls: 0, trace: [] };
    invocations.push(inv);
    return scope.run(inv, async () => {
      inv.result = await invoke(arnOrName, event);
      return inv.result;
    });
  };
  return invocations;
}

const START = '2027-01-15T15:00:00Z';
export async function benchOperations(): Promise<{ operations: OperationFigures[]; rows: string[] }> {
  const cloud = await startLocalCloud({ port: 0, seed: false, clock: { start: new Date(START), mode: 'frozen' } });
  const restore = instrument();
  try {
    const invocations = record(cloud);
    const orgId = 'bench-club';
    const call = async (method: string, path: string, body?: unknown) => {
      const token = ((await (await fetch(`${cloud.url}/_local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orgId, email: 'sophie@club.example' }) })).json()) as { token: string }).token;
      const from = invocations.length;
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await response.json()) as Record<string, any>;
      if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
      const inv = invocations.slice(from).find((i) => i.fn === 'api');
      if (method !== 'GET') await cloud.settle();
      return { answer, inv: inv! };
    };
    const advanceTo = async (instant: string) => {
      const reply = await fetch(`${cloud.url}/_local/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ set: instant }) });
      if (reply.status !== 200) throw new Error(`clock: ${await reply.text()}`);
      await cloud.settle();
    };
    const newMember = async (n: number) =>
      (await call('POST', '/api/members', { name: `Membre ${n}`, email: `membre${n}@example.org`, communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } })).answer;

    await call('PUT', '/api/settings', SETTINGS_BODY);
    // A year's membership billed monthly on the 1st, renewed automatically with three reminders.
    const plan = (await call('POST', '/api/plans', ANNUAL_PLAN_BODY)).answer;
    const posts: Invocation[] = [];
    const old = await call('POST', '/api/memberships', { memberId: (await newMember(1)).id, planId: plan.id });
    posts.push(old.inv);
    // Eleven months of billing, then a second membership, then the twelfth month for both.
    await advanceTo('2027-12-15T15:00:00Z');
    const young = await call('POST', '/api/memberships', { memberId: (await newMember(2)).id, planId: plan.id });
    posts.push(young.inv);
    for (let n = 3; n <= 5; n++) posts.push((await call('POST', '/api/memberships', { memberId: (await newMember(n)).id, planId: plan.id })).inv);
    const lastMonthFrom = invocations.length;
    await advanceTo('2028-01-15T15:00:00Z');

    const timers = (id: string, kind: string, from = 0) =>
      invocations
        .slice(from)
        .filter((i) => i.fn === 'timer' && (i.event as { membershipId?: string }).membershipId === id && ((i.result as { kinds?: string[] })?.kinds ?? []).includes(kind));
    const gets = async (id: string) => {
      const samples: Invocation[] = [];
      for (let i = 0; i < 5; i++) samples.push((await call('GET', `/api/memberships/${id}`)).inv);
      return samples;
    };
    const getYoung = await gets(young.answer.id);
    const getOld = await gets(old.answer.id);
    const lists: Record<string, Invocation[]> = { memberships: [], invoices: [], members: [], timeline: [], ownInvoices: [], emails: [] };
    for (let i = 0; i < 3; i++) {
      lists.memberships!.push((await call('GET', '/api/memberships?status=active&limit=25')).inv);
      lists.invoices!.push((await call('GET', '/api/invoices?status=paid&limit=25')).inv);
      lists.members!.push((await call('GET', '/api/members?limit=25')).inv);
      lists.timeline!.push((await call('GET', `/api/memberships/${old.answer.id}/timeline?limit=25`)).inv);
      lists.ownInvoices!.push((await call('GET', `/api/memberships/${old.answer.id}/invoices?limit=25`)).inv);
      lists.emails!.push((await call('GET', `/api/memberships/${old.answer.id}/emails?limit=25`)).inv);
    }
    const cancels: Invocation[] = [];
    for (const id of [young.answer.id, old.answer.id]) cancels.push((await call('POST', `/api/memberships/${id}/cancel`, { month: '2028-06' })).inv);

    /** Worker invocations by what their stream batch holds: `only` that entity, or `with` one of it among others. */
    const workOf = (entity: string, how: 'only' | 'with') =>
      invocations.filter((i) => {
        const records = (i.event as { Records?: { dynamodb?: { NewImage?: { entity?: { S?: string } } } }[] }).Records ?? [];
        const entities = records.map((r) => r.dynamodb?.NewImage?.entity?.S);
        return i.fn === 'worker' && entities.length > 0 && (how === 'only' ? entities.every((e) => e === entity) : entities.includes(entity));
      });
    /** Stripe webhook invocations carrying an event of `type`. */
    const webhookOf = (type: string) =>
      invocations.filter((i) => {
        const event = i.event as { body?: string; isBase64Encoded?: boolean };
        const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
        return i.fn === 'webhooks' && new RegExp(`"type":\\s*"${type.replace(/\./g, '\\.')}"`).test(body);
      });
    const figure = (name: string, samples: Invocation[]): OperationFigures => {
      if (samples.length === 0) throw new Error(`no invocation measured for "${name}"`);
      if (TRACE) console.log(`\n## ${name}\n${samples.at(-1)!.trace.join('\n')}`);
      return {
        name,
        calls: median(samples.map((s) => s.calls)),
        readUnits: median(samples.map((s) => s.readUnits)),
        writeUnits: median(samples.map((s) => s.writeUnits)),
        schedulerCalls: median(samples.map((s) => s.schedulerCalls)),
        samples: samples.length,
      };
    };
    const operations = [
      figure('GET membership, 1 month old', getYoung),
      figure('GET membership, 12 months old', getOld),
      figure('POST membership', posts),
      figure('POST cancel', cancels),
      figure('reminder timer', timers(old.answer.id, 'reminder', lastMonthFrom)),
      figure('billing timer', timers(old.answer.id, 'billing', lastMonthFrom)),
      figure('billing timer, month 1', timers(young.answer.id, 'billing', lastMonthFrom)),
      figure('term end (renewal) timer', timers(old.answer.id, 'term_end', lastMonthFrom)),
      figure('GET memberships by status (a page of 25)', lists.memberships!),
      figure('GET invoices by status (a page of 25)', lists.invoices!),
      figure('GET members (a page of 25)', lists.members!),
      figure('GET a membership\'s timeline, 12 months old (a page of 25)', lists.timeline!),
      figure('GET a membership\'s invoices, 12 months old (a page of 25)', lists.ownInvoices!),
      figure('GET a membership\'s e-mails, 12 months old (a page of 25)', lists.emails!),
      figure('worker: a batch of e-mails only (render, send, record)', workOf('outbox', 'only')),
      figure('worker: a batch with a payment attempt (charge, record; and its change\'s events)', workOf('attempt', 'with')),
      figure('worker: a batch of domain events only (publish, record)', workOf('domain_event', 'only')),
      figure('Stripe webhook: a charge\'s outcome (payment_intent.succeeded)', webhookOf('payment_intent.succeeded')),
      figure('Stripe webhook: a type never acted on (charge.succeeded)', webhookOf('charge.succeeded')),
    ];
    const rows = [
      '| operation | DynamoDB calls | read units | write units | Scheduler calls | samples |',
      '|---|---:|---:|---:|---:|---:|',
      ...operations.map((o) => `| ${o.name} | ${o.calls} | ${o.readUnits} | ${o.writeUnits} | ${o.schedulerCalls} | ${o.samples} |`),
    ];
    return { operations, rows };
  } finally {
    restore();
    await cloud.stop();
  }
}
