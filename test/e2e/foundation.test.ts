import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArn } from '../../infra/local/functions.js';
import { dynamodbClient, LOCAL_AWS } from '../support/aws.js';
import { SETTINGS, TestCloud } from '../support/cloud.js';

/** Issue 2: the local cloud over HTTP — health, auth, the admin API on DynamoDB Local, timers and waits. */
let t: TestCloud;
const PLAN = {
  name: 'Annual membership',
  price: { amount: 2500, currency: 'CAD' },
  termMonths: 12,
  billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
  renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
};

beforeAll(async () => {
  t = await TestCloud.start({ at: '2027-01-15T15:00:00Z' });
});
afterAll(async () => {
  await t?.stop();
});

describe('local cloud', () => {
  it('answers health once every part is up, and the clock', async () => {
    expect((await t.request('GET', '/_local/health')).body).toMatchObject({ ok: true, parts: { dynamodb: true, ses: true, scheduler: true, stepfunctions: true } });
    expect((await t.request('GET', '/_local/clock')).body).toMatchObject({ now: '2027-01-15T15:00:00.000Z', mode: 'frozen' });
  });

  it('refuses /api without a token, with a forged token, with an expired token, and without an organisation', async () => {
    expect((await t.request('GET', '/api/plans')).status).toBe(401);
    const [h, p] = t.token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), 'custom:orgId': 'other-club' })).toString('base64url')}.${t.token.split('.')[2]}`;
    expect((await t.request('GET', '/api/plans', undefined, { authorization: `Bearer ${forged}` })).status).toBe(401);
    const selfSigned = await new SignJWT({ 'custom:orgId': 'e2e-club', token_use: 'id' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(`${t.url}/_local/cognito`).setAudience('relance-local-console').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await t.request('GET', '/api/plans', undefined, { authorization: `Bearer ${selfSigned}` })).status).toBe(401);
    const noOrg = (await t.request('POST', '/_local/token', { orgId: '' })).body.token as string;
    expect((await t.request('GET', '/api/plans', undefined, { authorization: `Bearer ${noOrg}` })).status).toBe(403);
  });

  it('needs settings first, then creates plan → member → membership over HTTP, stored in DynamoDB Local', async () => {
    expect((await t.api('GET', '/api/settings')).status).toBe(404);
    expect((await t.api('POST', '/api/plans', PLAN)).body.error.code).toBe('settings_required');
    const settings = await t.api('PUT', '/api/settings', SETTINGS);
    expect(settings.status).toBe(200);
    expect(settings.headers.get('etag')).toBe('"1"');

    const plan = await t.ok('POST', '/api/plans', PLAN);
    const member = await t.ok('POST', '/api/members', { name: 'Léa Tremblay', email: 'lea@example.org', communicationsOptIn: true, paymentMethod: { token: 'pm_card_visa' } });
    expect(member.paymentMethod).toMatchObject({ brand: 'visa', last4: '4242' });
    expect(JSON.stringify(member)).not.toContain('simpm_');
    const created = await t.api('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    expect(created.status).toBe(201);

    const read = await t.ok('GET', `/api/memberships/${created.body.id}`);
    expect(read).toMatchObject({
      memberId: member.id,
      planId: plan.id,
      status: 'active',
      startDate: '2027-01-15',
      currentTerm: { seq: 1, start: '2027-01-15', end: '2028-01-14' },
      nextBillingDate: '2027-02-01',
      terminationDate: null,
    });
    expect(read.invoices).toEqual([expect.objectContaining({ status: 'paid', amount: { amount: 1371, currency: 'CAD' }, periodStart: '2027-01-15', periodEnd: '2027-01-31' })]);
    expect(read.terms).toEqual([expect.objectContaining({ seq: 1, status: 'active' })]);
    expect(read.timers[0]).toEqual({ kind: 'billing', at: '2027-02-01T05:00:00.000Z', ref: '2027-02-01' });
    // R-MNY-2: the charge was written with the decision (payment_requested), then made by the worker.
    expect(read.timeline.map((e: { type: string }) => e.type)).toEqual(['payment_succeeded', 'payment_requested', 'invoice_issued', 'membership_started']);
    expect(read.invoices[0].payments).toEqual([expect.objectContaining({ attemptId: `${read.invoices[0].id}.c1`, status: 'succeeded', reference: expect.stringMatching(/^pi_/) })]);

    const item = await dynamodbClient().send(
      new GetItemCommand({ TableName: t.cloud.deps.config.TABLE_NAME, Key: { pk: { S: `ORG#e2e-club#MS#${created.body.id}` }, sk: { S: 'MEMBERSHIP' } } }),
    );
    expect(item.Item?.status?.S).toBe('active');
    expect(item.Item?.memberId?.S).toBe(member.id);

    const list = await t.ok('GET', `/api/members/${member.id}/memberships`);
    expect(list.items.map((m: { id: string }) => m.id)).toEqual([created.body.id]);
  });

  it('R-REN-8: refuses a 12-month plan without renewal in Quebec with a 422 naming the rule, and stores nothing', async () => {
    const before = (await t.ok('GET', '/api/plans')).items.length;
    const reply = await t.api('POST', '/api/plans', { ...PLAN, renewal: { policy: 'none', reminderDays: [] } });
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatchObject({ code: 'rule_violation', details: [expect.objectContaining({ rule: 'R-REN-8', field: 'renewal.policy' })] });
    expect(reply.body.error.message).toContain('R-REN-8');
    expect((await t.ok('GET', '/api/plans')).items.length).toBe(before);
  });

  it('answers bad input with a clear error and changes nothing', async () => {
    const members = async () => (await t.ok('GET', '/api/members?limit=100')).items.length;
    const before = await members();
    const malformed = await t.api('POST', '/api/members', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/not valid JSON/);
    const badEmail = await t.api('POST', '/api/members', { name: 'X', email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details).toEqual([expect.objectContaining({ field: 'email' })]);
    const badCard = await t.api('POST', '/api/members', { name: 'X', email: 'x@example.org', paymentMethod: { token: 'tok_4242' } });
    expect(badCard.status).toBe(422);
    expect(badCard.body.error.code).toBe('payment_method_rejected');
    // A token no gateway id can be (a lone surrogate, found by the soak's fuzzer: it was a 500).
    for (const token of ['\ud800', 'pm card visa', 'pm_card_visa&amount=1']) {
      const badToken = await t.api('POST', '/api/members', { name: 'X', email: 'x@example.org', paymentMethod: { token } });
      expect(badToken.status, token).toBe(400);
      expect(badToken.body.error.details, token).toEqual([expect.objectContaining({ field: 'paymentMethod.token' })]);
    }
    expect(await members()).toBe(before);
    expect((await t.api('GET', '/api/members/mbr_01ABCDEFGHJKMNPQRSTVWXYZ00')).status).toBe(404);
    expect((await t.api('DELETE', '/api/plans')).status).toBe(405);
    expect((await t.api('GET', '/api/members?limit=1000')).body.error.details[0].field).toBe('limit');
  });

  it('refuses a second live membership on the same plan (409) and a stale If-Match (409)', async () => {
    const plan = (await t.ok('GET', '/api/plans')).items[0];
    const member = await t.ok('POST', '/api/members', { name: 'Marc Bouchard', email: 'marc@example.org' });
    await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    const again = await t.api('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('membership_exists');
    const stale = await t.api('PATCH', `/api/members/${member.id}`, { autoRenew: true }, { 'if-match': '"7"' });
    expect(stale.status).toBe(409);
    expect((await t.ok('GET', `/api/members/${member.id}`)).autoRenew).toBe(false);
    const fresh = await t.api('PATCH', `/api/members/${member.id}`, { autoRenew: true }, { 'if-match': '"1"' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"2"');
  });

  it('fires a schedule created through the Scheduler SDK exactly once when the clock passes it, then deletes it', async () => {
    const calls: unknown[] = [];
    t.cloud.functions.register('e2e-probe', async (event) => {
      calls.push(event);
      return null;
    });
    const scheduler = new SchedulerClient({ ...LOCAL_AWS, endpoint: t.cloud.urls.scheduler });
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'e2e-probe-once',
        GroupName: 'relance-local',
        ScheduleExpression: 'at(2027-02-10T09:00:00)',
        ScheduleExpressionTimezone: 'America/Toronto',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: functionArn('e2e-probe'), RoleArn: 'arn:aws:iam::000000000000:role/x', Input: JSON.stringify({ hello: 'Relance' }) },
      }),
    );
    await t.setClock('2027-02-10T13:59:00Z');
    expect(calls).toEqual([]);
    const fired = await t.setClock('2027-02-10T14:00:30Z');
    expect(fired.fired.map((f) => f.label)).toContain('scheduler relance-local/e2e-probe-once');
    await t.advance('P1D');
    expect(calls).toEqual([{ hello: 'Relance' }]);
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'e2e-probe-once', GroupName: 'relance-local' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('R-DUN-1: a failed payment starts the deployed dunning state machine, read through the SFN SDK, its waits following the clock', async () => {
    await t.setClock('2027-03-01T15:00:00Z');
    const plan = (await t.ok('GET', '/api/plans')).items[0];
    const member = await t.ok('POST', '/api/members', { name: 'Chloé Roy', email: 'chloe@example.org', paymentMethod: { token: 'pm_card_chargeCustomerFail' } });
    const ms = await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id });
    const invoice = await t.ok('GET', `/api/invoices/${ms.invoices[0].id}`);
    expect(invoice).toMatchObject({ status: 'open', chargeAttempts: 1, lastFailure: expect.objectContaining({ code: 'generic_decline' }) });
    const charges = async () => ((await t.request('GET', '/_local/payments')).body.items as { metadata: { invoiceId: string } }[]).filter((c) => c.metadata.invoiceId === invoice.id).length;

    // The worker started one execution named after the invoice; starting it again is a no-op.
    const sfn = new SFNClient({ ...LOCAL_AWS, endpoint: t.cloud.urls.stepfunctions });
    const stateMachineArn = t.cloud.deps.config.DUNNING_STATE_MACHINE_ARN;
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const mine = (listed.executions ?? []).filter((e) => e.name === `e2e-club-${invoice.id}`);
    expect(mine).toHaveLength(1);
    const executionArn = mine[0]!.executionArn!;
    await t.cloud.deps.workflows.start('dunning', `e2e-club-${invoice.id}`, { orgId: 'e2e-club', invoiceId: invoice.id });
    expect(((await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? []).filter((e) => e.name === `e2e-club-${invoice.id}`)).toHaveLength(1);
    await t.advance('PT1S');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    expect(await charges()).toBe(1);

    // R-DUN-2: retries at 10:00 organisation time, 3 and 8 days after the first failure.
    await t.setClock('2027-03-04T14:59:00Z');
    expect(await charges()).toBe(1);
    await t.setClock('2027-03-04T15:00:30Z');
    expect(await charges()).toBe(2);

    // R-CAN-7, R-DUN-3: the organisation is told of the first failure once; the owner gets e-mail 1, then a follow-up after the failed retry.
    const owner = (await t.emails('chloe@example.org')).map((e) => e.subject);
    expect(owner).toHaveLength(2);
    expect(owner[0]).toBe('Club de natation de Laval: we could not charge your card for your membership');
    expect(owner[1]).not.toBe(owner[0]);
    const staff = (await t.emails('admin@club.example')).map((e) => e.subject);
    expect(staff).toEqual(['Club de natation de Laval: an automatic payment from Chloé Roy failed']);
    expect((await t.emails('admin@club.example'))[0]!.text).toContain('generic_decline');

    // R-DUN-4: a new card pays at once; the execution ends at its next wake without charging again.
    await t.api('PATCH', `/api/members/${member.id}`, { paymentMethod: { token: 'pm_card_visa' } });
    expect(await charges()).toBe(3);
    expect((await t.ok('GET', `/api/invoices/${invoice.id}`)).status).toBe('paid');
    await t.setClock('2027-03-09T15:00:30Z');
    expect(await charges()).toBe(3);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ done: true, outcome: 'recovered' });
  });

  it('R-DUN-2: every retry of the ladder counts from the first failure (+3, +8, +13 days), then the final action ends the run', async () => {
    await t.setClock('2027-04-01T14:00:00Z');
    const plan = (await t.ok('GET', '/api/plans')).items[0];
    const member = await t.ok('POST', '/api/members', { name: 'Noé Gagné', email: 'noe@example.org', paymentMethod: { token: 'pm_card_chargeCustomerFail' } });
    const invoice = (await t.ok('POST', '/api/memberships', { memberId: member.id, planId: plan.id })).invoices[0];
    const charges = async () =>
      ((await t.request('GET', '/_local/payments')).body.items as { metadata: { invoiceId: string }; at: string }[]).filter((c) => c.metadata.invoiceId === invoice.id).map((c) => c.at);
    const sfn = new SFNClient({ ...LOCAL_AWS, endpoint: t.cloud.urls.stepfunctions });
    const executionArn = ((await sfn.send(new ListExecutionsCommand({ stateMachineArn: t.cloud.deps.config.DUNNING_STATE_MACHINE_ARN }))).executions ?? []).find((e) => e.name === `e2e-club-${invoice.id}`)!.executionArn!;

    await t.setClock('2027-04-14T13:59:00Z');
    expect(await charges()).toEqual(['2027-04-01T14:00:00.000Z', '2027-04-04T14:00:00.000Z', '2027-04-09T14:00:00.000Z']);
    await t.setClock('2027-04-14T14:00:30Z');
    expect((await charges()).at(-1)).toBe('2027-04-14T14:00:00.000Z');
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ done: true, outcome: 'lost' });
  });
});
