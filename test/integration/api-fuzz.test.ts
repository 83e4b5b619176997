import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHandler } from '../../functions/handlers/api.js';
import { lambdaContext } from '../../infra/local/functions.js';
import { documentClient, DynamoStore } from '../../shared/adapters/dynamodb/store.js';
import type { ApiEvent } from '../../shared/adapters/http/request.js';
import { newId } from '../../shared/domain/ids.js';
import { generateLinkKeys, parseLinkKeys } from '../../shared/domain/links.js';
import type { Deps } from '../../shared/deps.js';
import type { OutgoingEmail } from '../../shared/ports/mailer.js';
import type { TimerSpec } from '../../shared/ports/timers.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';
import { startTestStripe, type TestStripe } from '../support/stripe.js';
import { ANNUAL_PLAN_BODY, SETTINGS_BODY } from '../support/fixtures.js';
import { apiEvent, describeRequest, type FuzzRequest, fuzzAdminApi, isErrorBody, statusAndBody } from '../support/fuzz.js';

/**
 * The admin API against a real DynamoDB Local table, fed malformed requests by the seeded
 * fuzzer (test/support/fuzz.ts). An organisation with settings, a plan, a member with a card
 * and a membership (with its first invoice) exists, so malformed bodies reach real resources.
 */
const ORG = 'org-api-fuzz';
const now = new Date('2027-01-15T15:00:00Z');
/** Fixed so a run is reproducible; FUZZ_SEED=<n> explores other requests. */
const SEED = Number(process.env.FUZZ_SEED ?? 20270115);

let invoke: (event: ApiEvent) => Promise<APIGatewayProxyResultV2>;
const ids: Record<string, string> = {};
const cursors: string[] = [];
let stripe: TestStripe | undefined;
const recorded = { armed: [] as TimerSpec[], disarmed: [] as string[], mails: [] as OutgoingEmail[], workflows: [] as string[] };

async function send(request: Omit<FuzzRequest, 'kind'>): Promise<{ status: number; json: any; body: string }> {
  const { status, body } = statusAndBody(await invoke(apiEvent(request, ORG)));
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, json, body };
}

/** What the seeding requests answered when they did not succeed (asserted by the first test). */
const seedFailures: string[] = [];

async function created(method: string, path: string, body: unknown): Promise<any> {
  const response = await send({ method, path, body: JSON.stringify(body) });
  if (response.status >= 300) seedFailures.push(`${method} ${path}: ${response.status} ${response.body}`);
  return response.status < 300 ? response.json : undefined;
}

beforeAll(async () => {
  const client = dynamodbClient();
  const table = await createTestTable(client);
  const doc = documentClient(client);
  const clock = { now: () => now };
  stripe = await startTestStripe(clock);
  stripe.connect(ORG);
  const deps: Deps = {
    config: {
      TABLE_NAME: table,
      SCHEDULER_GROUP_NAME: 'g',
      TIMER_FUNCTION_ARN: 'arn',
      WORKER_FUNCTION_ARN: 'arn',
      SCHEDULER_ROLE_ARN: 'arn',
      DUNNING_STATE_MACHINE_ARN: 'arn',
      PUBLIC_BASE_URL: 'https://relance.example',
      GATEWAY_PARAMETER_PREFIX: '/relance/test/stripe',
      LINK_KEYS: '{}',
    },
    clock,
    store: new DynamoStore(doc, table),
    timers: {
      arm: async (spec) => void recorded.armed.push(spec),
      disarm: async (name) => void recorded.disarmed.push(name),
    },
    mailer: { send: async (email) => ({ messageId: `m-${recorded.mails.push(email)}` }) },
    workflows: {
      start: async (_workflow, name) => {
        recorded.workflows.push(name);
        return { executionArn: `arn:aws:states:ca-central-1:000000000000:execution:dunning:${name}` };
      },
    },
    payments: stripe.gateway,
    gatewaySecrets: stripe.secrets,
    linkKeys: parseLinkKeys(generateLinkKeys()),
    newId: (prefix) => newId(prefix, now),
  };
  const handler = apiHandler(deps);
  invoke = async (event) => (await handler(event, lambdaContext('api'))) as APIGatewayProxyResultV2;

  await created('PUT', '/api/settings', SETTINGS_BODY);
  const plan = await created('POST', '/api/plans', ANNUAL_PLAN_BODY);
  if (plan) ids.planId = plan.id;
  for (const name of ['Léa Tremblay', 'Marc Roy', 'Anne Côté']) {
    const member = await created('POST', '/api/members', { name, email: 'lea@example.org', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    if (member) ids.memberId ??= member.id;
  }
  // A seeding failure is asserted by the first test; the fuzzer still runs with the ids it has.
  const membership = await created('POST', '/api/memberships', { memberId: ids.memberId, planId: ids.planId, startDate: '2027-01-15' });
  if (membership) ids.membershipId = membership.id;
  if (membership?.invoices?.[0]) ids.invoiceId = membership.invoices[0].id;
  // Real cursors of three lists (one of a membership's own, issue 13), replayed by the fuzzer on every list.
  const lists: [string, Record<string, string>][] = [
    ['/api/members', { limit: '1' }],
    ['/api/memberships', { status: 'active', limit: '1' }],
    [`/api/memberships/${ids.membershipId}/timeline`, { limit: '1' }],
  ];
  for (const [path, query] of lists) {
    const list = await send({ method: 'GET', path, query });
    if (typeof list.json?.nextCursor === 'string') cursors.push(list.json.nextCursor);
  }
});

afterAll(async () => {
  await stripe?.stop();
});

describe('admin API under malformed requests (SPEC §8)', () => {
  it('seeds real ids to aim at: a member, a plan, a membership and its first invoice', () => {
    expect(seedFailures).toEqual([]);
    expect(ids).toEqual({
      memberId: expect.stringMatching(/^mbr_/),
      planId: expect.stringMatching(/^pln_/),
      membershipId: expect.stringMatching(/^ms_/),
      invoiceId: expect.stringMatching(/^inv_/),
    });
    expect(cursors).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
  });

  it('SPEC §8: a 3 KB member id in the path (once a DynamoDB key error, 500) is 404 not_found', async () => {
    const response = await send({ method: 'GET', path: `/api/members/${'a'.repeat(3000)}` });
    expect(response.status).toBe(404);
    expect(response.json.error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^member a+… does not exist$/) });
    expect((await send({ method: 'GET', path: `/api/members/mbr_${'A'.repeat(3000)}/memberships` })).status).toBe(404);
  });

  it('SPEC §8: a path parameter with malformed percent-encoding is 400, another kind of id is 404', async () => {
    const malformed = await send({ method: 'GET', path: '/api/memberships/%E0%A4%A' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.details).toEqual([{ field: 'membershipId', message: 'malformed percent-encoding' }]);
    expect((await send({ method: 'GET', path: `/api/memberships/${ids.memberId}` })).status).toBe(404);
    expect((await send({ method: 'GET', path: `/api/members/${ids.memberId}` })).status).toBe(200);
  });

  it('SPEC §8: a tampered cursor (once a DynamoDB key error, 500) is 400 naming cursor; a real one still pages', async () => {
    const first = await send({ method: 'GET', path: '/api/members', query: { limit: '1' } });
    const key = JSON.parse(Buffer.from(first.json.nextCursor, 'base64url').toString()) as Record<string, string>;
    const tampered = Buffer.from(JSON.stringify({ ...key, sk: 7 })).toString('base64url');
    const refused = await send({ method: 'GET', path: '/api/members', query: { limit: '1', cursor: tampered } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([{ field: 'cursor', message: 'use the nextCursor of the previous page' }]);
    const second = await send({ method: 'GET', path: '/api/members', query: { limit: '1', cursor: first.json.nextCursor } });
    expect(second.status).toBe(200);
    expect(second.json.items[0].id).not.toBe(first.json.items[0].id);
    const ofMember = await send({ method: 'GET', path: `/api/members/${ids.memberId}/memberships`, query: { cursor: first.json.nextCursor } });
    expect(ofMember.status).toBe(400);
  });

  it('SPEC §8: limit=1e309, limit=-1 and a repeated limit are 400, not a page', async () => {
    for (const limit of ['1e309', '-1', '10,20', '0x10']) {
      const response = await send({ method: 'GET', path: '/api/members', query: { limit } });
      expect(response.status, limit).toBe(400);
      expect(response.json.error.details[0].field, limit).toBe('limit');
    }
  });

  it('SPEC §8: 500 malformed admin requests get 0 5xx, and every 4xx has the error shape', { timeout: 300_000 }, async () => {
    const report = await fuzzAdminApi({ invoke, count: 500, seed: SEED, orgId: ORG, ids, cursors });

    console.log(`api fuzz (seed ${SEED}): ${report.total} requests, by status ${JSON.stringify(report.byStatus)}`);
    for (const failure of report.serverErrors) console.log(`5xx ${failure.status}: ${describeRequest(failure.request)}\n  ${failure.body.slice(0, 300)}`);
    for (const failure of report.badErrorBodies) console.log(`bad 4xx body ${failure.status}: ${describeRequest(failure.request)}\n  ${failure.body.slice(0, 300)}`);
    expect(report.total).toBe(500);
    expect(report.serverErrors.map((f) => describeRequest(f.request))).toEqual([]);
    expect(report.badErrorBodies.map((f) => describeRequest(f.request))).toEqual([]);
    expect(Object.keys(report.byStatus).filter((s) => Number(s) >= 400).length).toBeGreaterThanOrEqual(3);
  });

  it('the error-shape check of the fuzzer refuses a body without a message', () => {
    expect(isErrorBody(JSON.stringify({ error: { code: 'not_found', message: 'member x does not exist', details: [] } }))).toBe(true);
    expect(isErrorBody(JSON.stringify({ error: { code: 'not_found', message: '', details: [] } }))).toBe(false);
    expect(isErrorBody(JSON.stringify({ message: 'Internal Server Error' }))).toBe(false);
  });
});
