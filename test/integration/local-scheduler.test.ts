import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SchedulerTimers } from '../../shared/adapters/scheduler/timers.js';
import { LocalClock } from '../../infra/local/clock.js';
import { LocalFunctions } from '../../infra/local/functions.js';
import { type LocalScheduler, startLocalScheduler } from '../../infra/local/scheduler.js';
import { LOCAL_AWS } from '../support/aws.js';

const START = new Date('2027-01-01T00:00:00Z');
const ROLE = 'arn:aws:iam::000000000000:role/local-scheduler';

interface Call {
  fn: string;
  event: unknown;
  at: string;
}

interface Harness {
  clock: LocalClock;
  functions: LocalFunctions;
  scheduler: LocalScheduler;
  client: SchedulerClient;
  calls: Call[];
  /** A create input targeting `fn`, firing at `at(wall)`, deleted after completion. */
  input(name: string, wall: string, extra?: Partial<CreateScheduleCommandInput>, fn?: string): CreateScheduleCommandInput;
  advance(iso: string): Promise<unknown>;
}

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function harness(options: { clock?: LocalClock; persistFile?: string; groups?: string[] } = {}): Promise<Harness> {
  const clock = options.clock ?? new LocalClock(START, 'frozen');
  const calls: Call[] = [];
  const record = (fn: string) => async (event: unknown) => {
    calls.push({ fn, event, at: clock.now().toISOString() });
  };
  let flakyCalls = 0;
  const functions = new LocalFunctions()
    .register('timer', record('timer'))
    .register('other', record('other'))
    .register('failing', async (event) => {
      await record('failing')(event);
      throw new Error('target unavailable');
    })
    .register('flaky', async (event) => {
      await record('flaky')(event);
      if (++flakyCalls === 1) throw new Error('first call fails');
    });
  const scheduler = await startLocalScheduler({ clock, functions, persistFile: options.persistFile, groups: options.groups });
  const client = new SchedulerClient({ ...LOCAL_AWS, endpoint: scheduler.endpoint });
  running.push({
    stop: async () => {
      client.destroy();
      await scheduler.stop();
    },
  });
  return {
    clock,
    functions,
    scheduler,
    client,
    calls,
    input: (name, wall, extra = {}, fn = 'timer') => ({
      Name: name,
      ScheduleExpression: `at(${wall})`,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: functions.arnOf(fn), RoleArn: ROLE, Input: JSON.stringify({ schedule: name }) },
      ...extra,
    }),
    advance: (iso) => clock.advanceTo(new Date(iso)),
  };
}

describe('local EventBridge Scheduler: firing', () => {
  it('runs the target once with the exact input at the instant, then deletes the schedule (ActionAfterCompletion DELETE)', async () => {
    const h = await harness();
    const payload = { orgId: 'org-1', membershipId: 'm-1', name: 'renewal-m-1', at: '2027-01-01T00:10:00.000Z', nested: { é: [1, 2] } };
    await h.client.send(new CreateScheduleCommand({ ...h.input('renewal-m-1', '2027-01-01T00:10:00'), Target: { Arn: h.functions.arnOf('timer'), RoleArn: ROLE, Input: JSON.stringify(payload) } }));

    await h.advance('2027-01-01T00:11:00Z');

    expect(h.calls).toEqual([{ fn: 'timer', event: payload, at: '2027-01-01T00:10:00.000Z' }]);
    await expect(h.client.send(new GetScheduleCommand({ Name: 'renewal-m-1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(h.scheduler.list()).toEqual([]);
    await h.advance('2027-01-03T00:00:00Z');
    expect(h.calls).toHaveLength(1);
  });

  it('does not fire before its instant', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('s', '2027-01-01T00:10:00')));

    await h.advance('2027-01-01T00:09:59Z');
    expect(h.calls).toEqual([]);

    await h.advance('2027-01-01T00:10:00Z');
    expect(h.calls).toHaveLength(1);
  });

  it('keeps a fired schedule with ActionAfterCompletion NONE, completed, and never fires it again', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('kept', '2027-01-01T00:10:00', { ActionAfterCompletion: 'NONE' })));

    await h.advance('2027-01-01T01:00:00Z');
    await h.advance('2027-01-02T01:00:00Z');

    expect(h.calls).toHaveLength(1);
    const got = await h.client.send(new GetScheduleCommand({ Name: 'kept' }));
    expect(got.ActionAfterCompletion).toBe('NONE');
    expect(h.scheduler.list()).toMatchObject([{ name: 'kept', completed: true }]);
  });

  it('fires an at() already past at creation on the next advance', async () => {
    const h = await harness();
    await h.advance('2027-01-01T02:00:00Z');
    await h.client.send(new CreateScheduleCommand(h.input('late', '2027-01-01T00:10:00')));
    expect(h.calls).toEqual([]);

    await h.advance('2027-01-01T02:00:01Z');

    expect(h.calls).toMatchObject([{ fn: 'timer', at: '2027-01-01T02:00:00.000Z' }]);
  });

  it('reads at() as wall time in ScheduleExpressionTimezone, across the DST change', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('after-dst', '2027-03-14T09:00:00', { ScheduleExpressionTimezone: 'America/Toronto' })));
    await h.client.send(new CreateScheduleCommand(h.input('winter', '2027-01-14T09:00:00', { ScheduleExpressionTimezone: 'America/Toronto' })));

    expect(h.scheduler.list().map((s) => [s.name, s.timezone, s.at])).toEqual([
      ['after-dst', 'America/Toronto', '2027-03-14T13:00:00.000Z'],
      ['winter', 'America/Toronto', '2027-01-14T14:00:00.000Z'],
    ]);
    await h.advance('2027-03-15T00:00:00Z');

    expect(h.calls.map((c) => [c.event, c.at])).toEqual([
      [{ schedule: 'winter' }, '2027-01-14T14:00:00.000Z'],
      [{ schedule: 'after-dst' }, '2027-03-14T13:00:00.000Z'],
    ]);
  });

  it('fires in time order whatever the creation order, including a schedule a handler creates while firing', async () => {
    const h = await harness();
    h.functions.register('chain', async (event: unknown) => {
      h.calls.push({ fn: 'chain', event, at: h.clock.now().toISOString() });
      await h.client.send(new CreateScheduleCommand(h.input('follow-up', '2027-01-01T00:15:00')));
    });
    await h.client.send(new CreateScheduleCommand(h.input('c', '2027-01-01T00:30:00')));
    await h.client.send(new CreateScheduleCommand(h.input('a', '2027-01-01T00:10:00', {}, 'chain')));
    await h.client.send(new CreateScheduleCommand(h.input('b', '2027-01-01T00:20:00')));

    await h.advance('2027-01-01T01:00:00Z');

    expect(h.calls.map((c) => [(c.event as { schedule: string }).schedule, c.at])).toEqual([
      ['a', '2027-01-01T00:10:00.000Z'],
      ['follow-up', '2027-01-01T00:15:00.000Z'],
      ['b', '2027-01-01T00:20:00.000Z'],
      ['c', '2027-01-01T00:30:00.000Z'],
    ]);
  });
});

describe('local EventBridge Scheduler: schedule lifecycle', () => {
  it('refuses a second schedule of the same name in a group, and accepts it in another group', async () => {
    const h = await harness({ groups: ['relance-test'] });
    await h.client.send(new CreateScheduleCommand(h.input('dup', '2027-01-01T00:10:00')));

    const second = h.client.send(new CreateScheduleCommand(h.input('dup', '2027-01-01T00:20:00')));
    await expect(second).rejects.toBeInstanceOf(ConflictException);
    await h.client.send(new CreateScheduleCommand(h.input('dup', '2027-01-01T00:20:00', { GroupName: 'relance-test' })));

    expect(h.scheduler.list().map((s) => [s.groupName, s.name, s.at])).toEqual([
      ['default', 'dup', '2027-01-01T00:10:00.000Z'],
      ['relance-test', 'dup', '2027-01-01T00:20:00.000Z'],
    ]);
  });

  it('answers a repeated CreateSchedule with the same ClientToken (an SDK retry) without a conflict', async () => {
    const h = await harness();
    const input = h.input('retried', '2027-01-01T00:10:00', { ClientToken: 'token-1' });
    const first = await h.client.send(new CreateScheduleCommand(input));

    const again = await h.client.send(new CreateScheduleCommand(input));

    expect(again.ScheduleArn).toBe(first.ScheduleArn);
    await expect(h.client.send(new CreateScheduleCommand({ ...input, ClientToken: 'token-2' }))).rejects.toBeInstanceOf(ConflictException);
  });

  it('refuses a schedule in a group that does not exist', async () => {
    const h = await harness();
    const create = h.client.send(new CreateScheduleCommand(h.input('s', '2027-01-01T00:10:00', { GroupName: 'nope' })));
    await expect(create).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('DeleteSchedule cancels the firing; deleting an unknown schedule is ResourceNotFoundException', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('gone', '2027-01-01T00:10:00')));

    await h.client.send(new DeleteScheduleCommand({ Name: 'gone' }));
    expect(h.clock.pending().count).toBe(0);
    await h.advance('2027-01-01T01:00:00Z');

    expect(h.calls).toEqual([]);
    await expect(h.client.send(new DeleteScheduleCommand({ Name: 'gone' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(h.client.send(new DeleteScheduleCommand({ Name: 'never', GroupName: 'default' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('does not fire a DISABLED schedule', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('off', '2027-01-01T00:10:00', { State: 'DISABLED' })));

    await h.advance('2027-01-01T01:00:00Z');

    expect(h.calls).toEqual([]);
    expect((await h.client.send(new GetScheduleCommand({ Name: 'off' }))).State).toBe('DISABLED');
  });

  it('UpdateSchedule moves the instant and replaces the target input', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('moved', '2027-01-01T00:10:00')));

    await h.client.send(new UpdateScheduleCommand({ ...h.input('moved', '2027-01-01T00:40:00'), Target: { Arn: h.functions.arnOf('timer'), RoleArn: ROLE, Input: '{"v":2}' } }));
    expect(h.clock.pending()).toEqual({ count: 1, next: '2027-01-01T00:40:00.000Z' });
    await h.advance('2027-01-01T00:39:59Z');
    expect(h.calls).toEqual([]);
    await h.advance('2027-01-01T01:00:00Z');

    expect(h.calls).toEqual([{ fn: 'timer', event: { v: 2 }, at: '2027-01-01T00:40:00.000Z' }]);
  });

  it('UpdateSchedule of an unknown schedule is ResourceNotFoundException', async () => {
    const h = await harness();
    await expect(h.client.send(new UpdateScheduleCommand(h.input('ghost', '2027-01-01T00:10:00')))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('GetSchedule returns what was created, with dates as Date objects and retry defaults filled in', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('shown', '2027-01-01T09:00:00', { ScheduleExpressionTimezone: 'America/Toronto', Description: 'd' })));

    const got = await h.client.send(new GetScheduleCommand({ Name: 'shown', GroupName: 'default' }));

    expect(got).toMatchObject({
      Arn: 'arn:aws:scheduler:ca-central-1:000000000000:schedule/default/shown',
      Name: 'shown',
      GroupName: 'default',
      ScheduleExpression: 'at(2027-01-01T09:00:00)',
      ScheduleExpressionTimezone: 'America/Toronto',
      State: 'ENABLED',
      Description: 'd',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: h.functions.arnOf('timer'), Input: '{"schedule":"shown"}', RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } },
    });
    expect(got.CreationDate).toEqual(START);
  });

  it('ListSchedules filters by group, prefix and state and pages with NextToken', async () => {
    const h = await harness({ groups: ['g2'] });
    for (const name of ['r-1', 'r-2', 'r-3', 'x-1']) await h.client.send(new CreateScheduleCommand(h.input(name, '2027-01-01T00:10:00')));
    await h.client.send(new CreateScheduleCommand(h.input('r-9', '2027-01-01T00:10:00', { GroupName: 'g2', State: 'DISABLED' })));

    const first = await h.client.send(new ListSchedulesCommand({ NamePrefix: 'r-', MaxResults: 2 }));
    const second = await h.client.send(new ListSchedulesCommand({ NamePrefix: 'r-', MaxResults: 2, NextToken: first.NextToken }));
    const inG2 = await h.client.send(new ListSchedulesCommand({ GroupName: 'g2' }));
    const disabled = await h.client.send(new ListSchedulesCommand({ State: 'DISABLED' }));

    expect(first.Schedules?.map((s) => s.Name)).toEqual(['r-1', 'r-2']);
    expect(second.Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual(['default/r-3', 'g2/r-9']);
    expect(second.NextToken).toBeUndefined();
    expect(inG2.Schedules).toMatchObject([{ Name: 'r-9', Target: { Arn: h.functions.arnOf('timer') } }]);
    expect(disabled.Schedules?.map((s) => s.Name)).toEqual(['r-9']);
  });
});

describe('local EventBridge Scheduler: schedule groups', () => {
  it('has default and the configured groups, creates groups, refuses duplicates and unknown names', async () => {
    const h = await harness({ groups: ['relance-test'] });

    await h.client.send(new CreateScheduleGroupCommand({ Name: 'extra' }));

    const groups = await h.client.send(new ListScheduleGroupsCommand({}));
    expect(groups.ScheduleGroups?.map((g) => g.Name)).toEqual(['default', 'extra', 'relance-test']);
    expect(await h.client.send(new GetScheduleGroupCommand({ Name: 'relance-test' }))).toMatchObject({
      Arn: 'arn:aws:scheduler:ca-central-1:000000000000:schedule-group/relance-test',
      State: 'ACTIVE',
    });
    await expect(h.client.send(new CreateScheduleGroupCommand({ Name: 'extra' }))).rejects.toBeInstanceOf(ConflictException);
    await expect(h.client.send(new GetScheduleGroupCommand({ Name: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('local EventBridge Scheduler: failed deliveries', () => {
  it('retries a failing target in clock time (+1, +2, +4 min) and records a dead letter after MaximumRetryAttempts', async () => {
    const h = await harness();
    const create = h.input('doomed', '2027-01-01T00:10:00', {}, 'failing');
    const dlq = 'arn:aws:sqs:ca-central-1:000000000000:relance-dlq';
    await h.client.send(
      new CreateScheduleCommand({ ...create, Target: { ...create.Target!, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: { Arn: dlq } } }),
    );

    await h.advance('2027-01-01T00:16:59Z');
    expect(h.calls.map((c) => c.at)).toEqual(['2027-01-01T00:10:00.000Z', '2027-01-01T00:11:00.000Z', '2027-01-01T00:13:00.000Z']);
    expect(h.scheduler.deadLetters()).toEqual([]);
    await h.advance('2027-01-02T00:00:00Z');

    expect(h.calls.map((c) => c.at)).toEqual(['2027-01-01T00:10:00.000Z', '2027-01-01T00:11:00.000Z', '2027-01-01T00:13:00.000Z', '2027-01-01T00:17:00.000Z']);
    expect(h.scheduler.deadLetters()).toEqual([
      expect.objectContaining({
        scheduleName: 'doomed',
        groupName: 'default',
        input: '{"schedule":"doomed"}',
        error: 'target unavailable',
        at: '2027-01-01T00:17:00.000Z',
        attempts: 4,
        exhausted: 'MaximumRetryAttempts',
        deadLetterArn: dlq,
      }),
    ]);
    expect(h.scheduler.list()).toEqual([]);
  });

  it('stops retrying once MaximumEventAgeInSeconds from the scheduled instant would be passed', async () => {
    const h = await harness();
    const create = h.input('aged', '2027-01-01T00:10:00', { ActionAfterCompletion: 'NONE' }, 'failing');
    await h.client.send(new CreateScheduleCommand({ ...create, Target: { ...create.Target!, RetryPolicy: { MaximumEventAgeInSeconds: 300 } } }));

    await h.advance('2027-01-02T00:00:00Z');

    expect(h.calls.map((c) => c.at)).toEqual(['2027-01-01T00:10:00.000Z', '2027-01-01T00:11:00.000Z', '2027-01-01T00:13:00.000Z']);
    expect(h.scheduler.deadLetters()).toMatchObject([{ scheduleName: 'aged', exhausted: 'MaximumEventAgeInSeconds', deadLetterArn: undefined }]);
    expect(h.scheduler.list()).toMatchObject([{ name: 'aged', completed: true }]);
  });

  it('runs a target that fails once then succeeds twice, with no dead letter', async () => {
    const h = await harness();
    await h.client.send(new CreateScheduleCommand(h.input('flaky', '2027-01-01T00:10:00', {}, 'flaky')));

    const fired = await h.advance('2027-01-02T00:00:00Z');

    expect(h.calls.map((c) => c.at)).toEqual(['2027-01-01T00:10:00.000Z', '2027-01-01T00:11:00.000Z']);
    expect(fired).toMatchObject([{ outcome: 'error', error: 'first call fails' }, { outcome: 'ok' }]);
    expect(h.scheduler.deadLetters()).toEqual([]);
    expect(h.scheduler.list()).toEqual([]);
  });
});

describe('local EventBridge Scheduler: validation', () => {
  it('refuses rate() and cron() expressions, saying only at() is supported', async () => {
    const h = await harness();
    for (const expression of ['rate(5 minutes)', 'cron(0 9 * * ? *)']) {
      const create = h.client.send(new CreateScheduleCommand({ ...h.input('r', '2027-01-01T00:10:00'), ScheduleExpression: expression }));
      await expect(create).rejects.toBeInstanceOf(ValidationException);
      await expect(create).rejects.toThrow(/supports only at\(/);
    }
    expect(h.scheduler.list()).toEqual([]);
  });

  it('refuses a missing Target, naming the field', async () => {
    const h = await harness();
    const { Target: _, ...noTarget } = h.input('t', '2027-01-01T00:10:00');
    const create = h.client.send(new CreateScheduleCommand(noTarget as CreateScheduleCommandInput));
    await expect(create).rejects.toBeInstanceOf(ValidationException);
    await expect(create).rejects.toThrow(/'Target'/);
  });

  it('refuses an unknown time zone, an impossible date, a non-Lambda target and a bad name', async () => {
    const h = await harness();
    const base = h.input('v', '2027-01-01T00:10:00');
    const cases: [CreateScheduleCommandInput, RegExp][] = [
      [{ ...base, ScheduleExpressionTimezone: 'Mars/Olympus' }, /ScheduleExpressionTimezone/],
      [{ ...base, ScheduleExpression: 'at(2027-02-30T09:00:00)' }, /ScheduleExpression/],
      [{ ...base, Target: { ...base.Target!, Arn: 'arn:aws:sqs:ca-central-1:000000000000:q' } }, /Target\.Arn.*Lambda/],
      [{ ...base, Name: 'has space' }, /'Name'/],
    ];
    for (const [input, message] of cases) {
      const create = h.client.send(new CreateScheduleCommand(input));
      await expect(create).rejects.toBeInstanceOf(ValidationException);
      await expect(create).rejects.toThrow(message);
    }
  });
});

describe('local EventBridge Scheduler: persistence', () => {
  it('keeps schedules and groups across a stop and start with the same persistFile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relance-scheduler-'));
    running.push({ stop: async () => rmSync(dir, { recursive: true, force: true }) });
    const persistFile = join(dir, 'schedules.json');
    const clock = new LocalClock(START, 'frozen');
    const first = await harness({ clock, persistFile });
    await first.client.send(new CreateScheduleGroupCommand({ Name: 'made' }));
    await first.client.send(new CreateScheduleCommand(first.input('kept', '2027-01-01T00:10:00')));
    await first.client.send(new CreateScheduleCommand(first.input('also', '2027-01-01T00:20:00', { GroupName: 'made' })));
    await first.client.send(new CreateScheduleCommand(first.input('dropped', '2027-01-01T00:30:00')));
    await first.client.send(new DeleteScheduleCommand({ Name: 'dropped' }));
    await first.scheduler.stop();
    expect(clock.pending().count).toBe(0);

    await clock.advanceTo(new Date('2027-01-01T00:05:00Z'));
    const second = await harness({ clock, persistFile });

    expect(second.scheduler.list().map((s) => `${s.groupName}/${s.name}`)).toEqual(['default/kept', 'made/also']);
    await expect(second.client.send(new CreateScheduleCommand(second.input('kept', '2027-01-01T00:10:00')))).rejects.toBeInstanceOf(ConflictException);
    await second.advance('2027-01-01T01:00:00Z');
    expect(second.calls.map((c) => [c.event, c.at])).toEqual([
      [{ schedule: 'kept' }, '2027-01-01T00:10:00.000Z'],
      [{ schedule: 'also' }, '2027-01-01T00:20:00.000Z'],
    ]);
    expect(first.calls).toEqual([]);
  });
});

describe('SchedulerTimers (production adapter) against the local scheduler', () => {
  it('arms a timer in the org time zone, ignores a repeated arm, and disarms idempotently', async () => {
    const h = await harness({ groups: ['relance-test'] });
    const timers = new SchedulerTimers(h.client, { groupName: 'relance-test', targetArn: h.functions.arnOf('timer'), workerArn: h.functions.arnOf('timer'), roleArn: ROLE });
    const payload = { orgId: 'o', membershipId: 'm', name: 'renew-m', at: '2027-03-14T13:00:00.000Z' };
    const spec = { target: 'timer' as const, name: 'renew-m', at: new Date(payload.at), timeZone: 'America/Toronto', payload };

    await timers.arm(spec);
    await timers.arm(spec);
    await timers.arm({ ...spec, name: 'other-m' });
    await timers.disarm('other-m');
    await timers.disarm('other-m');
    expect(h.scheduler.list()).toMatchObject([{ name: 'renew-m', expression: 'at(2027-03-14T09:00:00)', at: '2027-03-14T13:00:00.000Z' }]);
    await h.advance('2027-04-01T00:00:00Z');

    expect(h.calls).toEqual([{ fn: 'timer', event: payload, at: '2027-03-14T13:00:00.000Z' }]);
    expect(h.scheduler.list()).toEqual([]);
  });
});
