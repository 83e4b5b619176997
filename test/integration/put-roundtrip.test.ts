import { beforeAll, describe, expect, it } from 'vitest';
import { errorResponse } from '../../shared/adapters/http/errors.js';
import { planView, settingsView } from '../../shared/adapters/http/representations.js';
import { documentClient, DynamoStore } from '../../shared/adapters/dynamodb/store.js';
import { newId } from '../../shared/domain/ids.js';
import type { Deps } from '../../shared/deps.js';
import type { Caller } from '../../shared/use-cases/context.js';
import { createPlan, getPlan, updatePlan } from '../../shared/use-cases/plans.js';
import { getSettings, putSettings } from '../../shared/use-cases/settings.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';
import { ANNUAL_PLAN_BODY, SETTINGS_BODY } from '../support/fixtures.js';

/**
 * SPEC §8: the admin API's GET and PUT of settings and plans, run as the API runs them (the use
 * case, the view that decides what GET returns, the one error-to-status mapping) against
 * DynamoDB Local. Bodies go through JSON as on the wire.
 */
let now = new Date('2027-01-15T15:00:00Z');
let deps: Pick<Deps, 'store' | 'clock' | 'newId'>;
let store: DynamoStore;

/** Each write happens a minute after the last, so updatedAt moves. */
const tick = () => {
  now = new Date(now.getTime() + 60_000);
};

const wire = <T>(value: T): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The HTTP answer of a use case: 200 and its view, or the status and error body of what it threw. */
async function answer<T>(action: () => Promise<T>, view: (value: T) => unknown): Promise<Answer> {
  tick();
  try {
    return { status: 200, body: wire(view(await action())) };
  } catch (error) {
    const { statusCode, body } = errorResponse(error);
    if (statusCode === 500) throw error;
    return { status: statusCode, body: wire(body) };
  }
}

const errorOf = (a: Answer) => a.body.error as { code: string; message: string; details: { field?: string }[] };

const callerOf = (orgId: string): Caller => ({ orgId, actor: { type: 'admin', id: 'admin@club.example' } });

const SETTINGS = { ...SETTINGS_BODY, jurisdiction: 'ON' };
const PLAN = ANNUAL_PLAN_BODY;

const getSettingsAnswer = (caller: Caller) =>
  answer(async () => {
    const settings = await getSettings(deps, caller);
    if (!settings) throw new Error('no settings');
    return settings;
  }, settingsView);
const putSettingsAnswer = (caller: Caller, body: unknown, ifMatch?: number) => answer(() => putSettings(deps, caller, body, ifMatch), settingsView);
const getPlanAnswer = (caller: Caller, id: string) => answer(() => getPlan(deps, caller, id), planView);
const putPlanAnswer = (caller: Caller, id: string, body: unknown, ifMatch?: number) => answer(() => updatePlan(deps, caller, id, body, ifMatch), planView);

/** An organisation with its settings set once, and a plan. */
async function organisation(name: string): Promise<{ caller: Caller; planId: string }> {
  const caller = callerOf(`org-${name}-${newId('t', new Date()).slice(-8).toLowerCase()}`);
  expect((await putSettingsAnswer(caller, SETTINGS)).status).toBe(200);
  const plan = await answer(() => createPlan(deps, caller, PLAN), planView);
  expect(plan.status).toBe(200);
  return { caller, planId: plan.body.id as string };
}

beforeAll(async () => {
  const client = dynamodbClient();
  store = new DynamoStore(documentClient(client), await createTestTable(client));
  deps = { store, clock: { now: () => now }, newId: (prefix) => newId(prefix, now) };
});

describe('PUT accepts what GET returns (SPEC §8)', () => {
  it('SPEC §8: what GET /api/settings returns can be PUT back', async () => {
    const { caller } = await organisation('settings-roundtrip');
    const read = await getSettingsAnswer(caller);
    expect(read.body).toMatchObject({ version: 1, updatedAt: expect.any(String) });

    const put = await putSettingsAnswer(caller, read.body);

    expect(put.status).toBe(200);
    const { version, updatedAt, ...rest } = put.body;
    const { version: readVersion, updatedAt: readUpdatedAt, ...readRest } = read.body;
    expect(rest).toEqual(readRest);
    expect(version).toBe((readVersion as number) + 1);
    expect(updatedAt).not.toBe(readUpdatedAt);
    expect((await getSettingsAnswer(caller)).body).toEqual(put.body);
  });

  it('SPEC §8: what GET /api/plans/{id} returns can be PUT back', async () => {
    const { caller, planId } = await organisation('plan-roundtrip');
    const read = await getPlanAnswer(caller, planId);
    expect(read.body).toMatchObject({ id: planId, version: 1, createdAt: expect.any(String), updatedAt: expect.any(String) });

    const put = await putPlanAnswer(caller, planId, read.body);

    expect(put.status).toBe(200);
    const { version, updatedAt, ...rest } = put.body;
    const { version: readVersion, updatedAt: readUpdatedAt, ...readRest } = read.body;
    expect(rest).toEqual(readRest);
    expect(version).toBe((readVersion as number) + 1);
    expect(updatedAt).not.toBe(readUpdatedAt);
    expect((await getPlanAnswer(caller, planId)).body).toEqual(put.body);
  });

  it('SPEC §8: a PUT body with its version and a matching If-Match is accepted; without read-only fields too', async () => {
    const { caller, planId } = await organisation('if-match');
    const settings = await getSettingsAnswer(caller);
    expect((await putSettingsAnswer(caller, settings.body, settings.body.version as number)).status).toBe(200);
    expect((await putSettingsAnswer(caller, SETTINGS)).body).toMatchObject({ version: 3 });
    const plan = await getPlanAnswer(caller, planId);
    expect((await putPlanAnswer(caller, planId, plan.body, plan.body.version as number)).status).toBe(200);
    expect((await putPlanAnswer(caller, planId, PLAN)).body).toMatchObject({ version: 3 });
  });

  it('SPEC §8: a changed read-only field is a 400 naming it, and changes nothing', async () => {
    const { caller, planId } = await organisation('read-only');
    const settings = await getSettingsAnswer(caller);
    const plan = await getPlanAnswer(caller, planId);

    const changed = [
      await putSettingsAnswer(caller, { ...settings.body, updatedAt: '2030-01-01T00:00:00.000Z' }),
      await putPlanAnswer(caller, planId, { ...plan.body, id: newId('pln', now) }),
      await putPlanAnswer(caller, planId, { ...plan.body, createdAt: '2020-01-01T00:00:00.000Z' }),
      await putPlanAnswer(caller, planId, { ...plan.body, updatedAt: null }),
    ];

    expect(changed.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(changed.map((a) => errorOf(a).details[0]?.field)).toEqual(['updatedAt', 'id', 'createdAt', 'updatedAt']);
    expect(changed.map((a) => errorOf(a).message)).toEqual(['updatedAt is read-only', 'id is read-only', 'createdAt is read-only', 'updatedAt is read-only']);
    expect((await getSettingsAnswer(caller)).body).toEqual(settings.body);
    expect((await getPlanAnswer(caller, planId)).body).toEqual(plan.body);
  });

  it('SPEC §8: a stale version in the body is a 409 concurrent_modification, and changes nothing', async () => {
    const { caller, planId } = await organisation('stale');
    const staleSettings = await getSettingsAnswer(caller);
    const stalePlan = await getPlanAnswer(caller, planId);
    const settings = await putSettingsAnswer(caller, { ...SETTINGS, name: 'Another writer' });
    const plan = await putPlanAnswer(caller, planId, { ...PLAN, name: 'Another writer' });

    const answers = [
      await putSettingsAnswer(caller, { ...staleSettings.body, name: 'Stale' }),
      await putPlanAnswer(caller, planId, { ...stalePlan.body, name: 'Stale' }),
      // The stale version alone, without the other read-only fields.
      await putPlanAnswer(caller, planId, { ...PLAN, name: 'Stale', version: stalePlan.body.version }),
    ];

    expect(answers.map((a) => [a.status, errorOf(a).code])).toEqual([
      [409, 'concurrent_modification'],
      [409, 'concurrent_modification'],
      [409, 'concurrent_modification'],
    ]);
    expect((await getSettingsAnswer(caller)).body).toEqual(settings.body);
    expect((await getPlanAnswer(caller, planId)).body).toEqual(plan.body);
  });

  it('SPEC §8: a body version that differs from If-Match is a 400 naming version', async () => {
    const { caller, planId } = await organisation('version-vs-if-match');
    const settings = await getSettingsAnswer(caller);
    const plan = await getPlanAnswer(caller, planId);

    const answers = [
      await putSettingsAnswer(caller, settings.body, (settings.body.version as number) + 1),
      await putPlanAnswer(caller, planId, plan.body, (plan.body.version as number) - 1),
    ];

    expect(answers.map((a) => [a.status, errorOf(a).details[0]?.field])).toEqual([
      [400, 'version'],
      [400, 'version'],
    ]);
    expect((await getSettingsAnswer(caller)).body).toEqual(settings.body);
    expect((await getPlanAnswer(caller, planId)).body).toEqual(plan.body);
  });

  it('SPEC §8: bad input with the read-only fields is a 400 and changes nothing', async () => {
    const { caller, planId } = await organisation('bad-input');
    const settings = await getSettingsAnswer(caller);
    const plan = await getPlanAnswer(caller, planId);

    const answers = [
      await putSettingsAnswer(caller, { ...settings.body, replyTo: 'not an address' }),
      await putSettingsAnswer(caller, { ...settings.body, version: String(settings.body.version) }),
      await putSettingsAnswer(caller, { ...settings.body, orgId: 'org-someone-else' }),
      await putPlanAnswer(caller, planId, { ...plan.body, termMonths: 0 }),
      await putPlanAnswer(caller, planId, { ...plan.body, version: 1.5 }),
    ];

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    expect(answers.map((a) => errorOf(a).details[0]?.field)).toEqual(['replyTo', 'version', undefined, 'termMonths', 'version']);
    expect((await getSettingsAnswer(caller)).body).toEqual(settings.body);
    expect((await getPlanAnswer(caller, planId)).body).toEqual(plan.body);
  });

  it('SPEC §8: the first PUT of settings refuses read-only fields, except version 0 (create only)', async () => {
    const caller = callerOf(`org-first-put-${newId('t', new Date()).slice(-8).toLowerCase()}`);

    const refused = [
      await putSettingsAnswer(caller, { ...SETTINGS, updatedAt: now.toISOString() }),
      await putSettingsAnswer(caller, { ...SETTINGS, version: 1 }),
    ];
    expect(refused.map((a) => [a.status, errorOf(a).details[0]?.field])).toEqual([
      [400, 'updatedAt'],
      [400, 'version'],
    ]);
    expect(await getSettings(deps, caller)).toBeNull();

    const created = await putSettingsAnswer(caller, { ...SETTINGS, version: 0 });
    expect(created).toMatchObject({ status: 200, body: { version: 1 } });
    // Once settings exist, version 0 is stale like any other old version.
    expect(await putSettingsAnswer(caller, { ...SETTINGS, version: 0 })).toMatchObject({ status: 409 });
  });
});
