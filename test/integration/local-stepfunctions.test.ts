import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalClock } from '../../infra/local/clock.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, LocalFunctions, functionArn } from '../../infra/local/functions.js';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../infra/local/stepfunctions.js';
import type { CfnTemplate } from '../../infra/local/template.js';
import { DUNNING_STATES } from '../../infra/state-machines/dunning.js';
import { StepFunctionsWorkflows } from '../../shared/adapters/stepfunctions/workflows.js';
import { LOCAL_AWS, testTemplates } from '../support/aws.js';

const START = new Date('2026-03-02T09:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(START.getTime() + ms);
const DUNNING_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:relance-local-dunning`;
const executionArnOf = (machine: string, name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine}:${name}`;

interface Call {
  fn: string;
  event: any;
}
type Responder = (event: any, fn: string) => unknown;

/** The dunning ladder of the fake: plan → attempt 1 at +3 days → attempt 2 at +6 days says done. */
const threeStepLadder: Responder = (event) => {
  if (event.action === 'plan') return { done: false, attempt: 1, nextAttemptAt: at(3 * DAY).toISOString() };
  if (event.step.attempt === 1) return { done: false, attempt: 2, nextAttemptAt: at(6 * DAY).toISOString() };
  return { done: true, attempt: 2, outcome: 'paid' };
};

/** A template with one state machine and the one Lambda function it calls. */
function machineTemplate(name: string, definition: object): CfnTemplate {
  return {
    Resources: {
      StepFunction: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'relance-local-step' } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: name, DefinitionString: JSON.stringify(definition) } },
    },
  };
}

interface Harness {
  clock: LocalClock;
  sf: LocalStepFunctions;
  client: SFNClient;
  calls: Call[];
  respond: Responder;
}

/** `registerAfterStart` registers the fakes once the server has started, as the local cloud does. */
async function startHarness(
  options: { template?: CfnTemplate; persistFile?: string; clock?: LocalClock; calls?: Call[]; registerAfterStart?: boolean } = {},
): Promise<Harness> {
  const clock = options.clock ?? new LocalClock(START, 'frozen');
  const harness = { clock, calls: options.calls ?? [], respond: threeStepLadder } as Harness;
  const functions = new LocalFunctions();
  const register = () => {
    for (const fn of ['relance-local-dunning', 'relance-local-step']) {
      functions.register(fn, async (event) => {
        harness.calls.push({ fn, event });
        return harness.respond(event, fn);
      });
    }
  };
  if (!options.registerAfterStart) register();
  harness.sf = await startLocalStepFunctions({
    clock,
    functions,
    template: options.template ?? testTemplates().stateless,
    ...(options.persistFile ? { persistFile: options.persistFile } : {}),
  });
  if (options.registerAfterStart) register();
  harness.client = new SFNClient({ endpoint: harness.sf.endpoint, ...LOCAL_AWS });
  return harness;
}

async function stopHarness(h: Harness): Promise<void> {
  h.client.destroy();
  await h.sf.stop();
  await h.clock.stop();
}

const describeExecution = (h: Harness, executionArn: string) => h.client.send(new DescribeExecutionCommand({ executionArn }));

async function startDunning(h: Harness, name: string, input: object = { invoiceId: name, orgId: 'org-1' }) {
  const out = await h.client.send(new StartExecutionCommand({ stateMachineArn: DUNNING_ARN, name, input: JSON.stringify(input) }));
  await h.sf.whenSettled();
  return out.executionArn!;
}

describe('local Step Functions: the dunning ladder on the clock', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => stopHarness(h));

  it('runs "Plan ladder" once with the execution input and answers RUNNING while it waits', async () => {
    const input = { invoiceId: 'inv-1', orgId: 'org-1' };

    const executionArn = await startDunning(h, 'inv-1', input);

    expect(executionArn).toBe(executionArnOf('relance-local-dunning', 'inv-1'));
    expect(h.calls).toEqual([{ fn: 'relance-local-dunning', event: { action: 'plan', run: input, step: input, executionName: 'inv-1' } }]);
    const described = await describeExecution(h, executionArn);
    expect(described.status).toBe('RUNNING');
    expect(described.startDate).toEqual(START);
    expect(h.sf.executions()[0]).toMatchObject({ status: 'RUNNING', state: DUNNING_STATES.wait, waitingUntil: at(3 * DAY).toISOString(), input });
  });

  it('runs "Attempt charge" only once the clock reaches nextAttemptAt, with the plan output as its step', async () => {
    const input = { invoiceId: 'inv-2', orgId: 'org-1' };
    await startDunning(h, 'inv-2', input);

    await h.clock.advanceTo(at(3 * DAY - 1));
    expect(h.calls).toHaveLength(1);

    await h.clock.advanceTo(at(3 * DAY));
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1]!.event).toEqual({ action: 'attempt', run: input, step: threeStepLadder({ action: 'plan' }, ''), executionName: 'inv-2' });
    expect(h.sf.executions()[0]).toMatchObject({ status: 'RUNNING', waitingUntil: at(6 * DAY).toISOString() });
  });

  it('succeeds with the output of the step that says done', async () => {
    const executionArn = await startDunning(h, 'inv-3');

    await h.clock.advanceTo(at(10 * DAY));

    expect(h.calls.map((c) => c.event.action)).toEqual(['plan', 'attempt', 'attempt']);
    const described = await describeExecution(h, executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ done: true, attempt: 2, outcome: 'paid' });
    expect(described.stopDate).toEqual(at(6 * DAY));
  });

  it('waits 40 days on the clock without overflowing Node’s timer', async () => {
    h.respond = (event) => (event.action === 'plan' ? { done: false, attempt: 1, nextAttemptAt: at(40 * DAY).toISOString() } : { done: true });
    const executionArn = await startDunning(h, 'inv-40');

    await h.clock.advanceTo(at(39 * DAY));
    expect(h.calls).toHaveLength(1);
    expect((await describeExecution(h, executionArn)).status).toBe('RUNNING');

    await h.clock.advanceTo(at(40 * DAY + 1000));
    expect(h.calls.map((c) => c.event.action)).toEqual(['plan', 'attempt']);
    expect((await describeExecution(h, executionArn)).status).toBe('SUCCEEDED');
  });

  it('aborts a waiting execution on StopExecution, and its clock entry no longer runs the step', async () => {
    const executionArn = await startDunning(h, 'inv-stop');

    expect(h.clock.pending().count).toBe(1);

    const stopped = await h.client.send(new StopExecutionCommand({ executionArn, error: 'Paid', cause: 'paid at the desk' }));
    expect(h.clock.pending().count).toBe(0);
    await h.clock.advanceTo(at(30 * DAY));

    expect(stopped.stopDate).toEqual(START);
    expect(h.calls).toHaveLength(1);
    expect(await describeExecution(h, executionArn)).toMatchObject({ status: 'ABORTED', error: 'Paid', cause: 'paid at the desk' });
  });
});

describe('local Step Functions: execution names', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => stopHarness(h));

  it('answers the same ARN for the same name and input while running, without a second run', async () => {
    const first = await startDunning(h, 'inv-dup');
    const second = await startDunning(h, 'inv-dup');

    expect(second).toBe(first);
    expect(h.calls).toHaveLength(1);
  });

  it('refuses the same name with another input: ExecutionAlreadyExists', async () => {
    await startDunning(h, 'inv-dup', { invoiceId: 'inv-dup', orgId: 'org-1' });

    await expect(startDunning(h, 'inv-dup', { invoiceId: 'inv-dup', orgId: 'org-2' })).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(h.calls).toHaveLength(1);
  });

  it('refuses the name of a closed execution, even with the same input: ExecutionAlreadyExists', async () => {
    h.respond = () => ({ done: true });
    const input = { invoiceId: 'inv-closed', orgId: 'org-1' };
    const executionArn = await startDunning(h, 'inv-closed', input);
    expect((await describeExecution(h, executionArn)).status).toBe('SUCCEEDED');

    await expect(startDunning(h, 'inv-closed', input)).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('answers StateMachineDoesNotExist, ExecutionDoesNotExist and InvalidName as SDK exceptions', async () => {
    const unknownMachine = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:nope`;

    await expect(h.client.send(new StartExecutionCommand({ stateMachineArn: unknownMachine, input: '{}' }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(describeExecution(h, executionArnOf('relance-local-dunning', 'never-started'))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(h.client.send(new StartExecutionCommand({ stateMachineArn: DUNNING_ARN, name: 'inv/1', input: '{}' }))).rejects.toBeInstanceOf(InvalidName);
    expect(h.calls).toHaveLength(0);
  });

  it('serves the production adapter: one execution per name, the same ARN on a repeated start', async () => {
    const workflows = new StepFunctionsWorkflows(h.client, { dunning: DUNNING_ARN });

    const first = await workflows.start('dunning', 'inv-adapter', { invoiceId: 'inv-adapter' });
    const again = await workflows.start('dunning', 'inv-adapter', { invoiceId: 'inv-adapter' });
    const changed = await workflows.start('dunning', 'inv-adapter', { invoiceId: 'inv-adapter', retried: true });
    await h.sf.whenSettled();

    expect(first.executionArn).toBe(executionArnOf('relance-local-dunning', 'inv-adapter'));
    expect([again.executionArn, changed.executionArn]).toEqual([first.executionArn, first.executionArn]);
    expect(h.calls).toHaveLength(1);
  });
});

describe('local Step Functions: task errors', () => {
  let h: Harness;
  afterEach(() => stopHarness(h));

  it('retries a throwing step per its Retry, then the Catch ends the run in "Ladder failed"', async () => {
    h = await startHarness();
    h.respond = () => {
      throw new Error('gateway down');
    };

    const executionArn = await startDunning(h, 'inv-fail');

    expect(h.calls).toHaveLength(4);
    expect(await describeExecution(h, executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'DunningStepFailed',
      cause: 'A dunning step failed after its retries',
    });
    expect(h.clock.now()).toEqual(START);
  });

  it('goes on when a step throws once and then succeeds', async () => {
    h = await startHarness();
    let thrown = false;
    h.respond = (event) => {
      if (!thrown) {
        thrown = true;
        throw new Error('transient');
      }
      return threeStepLadder(event, '');
    };

    const executionArn = await startDunning(h, 'inv-flaky');

    expect(h.calls.map((c) => c.event.action)).toEqual(['plan', 'plan']);
    expect((await describeExecution(h, executionArn)).status).toBe('RUNNING');
    expect(h.sf.executions()[0]?.waitingUntil).toBe(at(3 * DAY).toISOString());
  });

  it('hands Catch a Lambda function error: Error is the error name, Cause the JSON Lambda reports', async () => {
    h = await startHarness({
      template: machineTemplate('relance-local-catch', {
        StartAt: 'Charge',
        States: {
          Charge: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: functionArn('relance-local-step'), 'Payload.$': '$' },
            OutputPath: '$.Payload',
            Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Recorded' }],
            End: true,
          },
          Recorded: { Type: 'Pass', End: true },
        },
      }),
    });
    class PaymentDeclinedError extends Error {
      override name = 'PaymentDeclinedError';
    }
    h.respond = () => {
      throw new PaymentDeclinedError('card declined');
    };

    const out = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.sf.stateMachines()[0]!.arn, name: 'decline', input: JSON.stringify({ invoiceId: 'inv-9' }) }),
    );
    await h.sf.whenSettled();

    const described = await describeExecution(h, out.executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!);
    expect(output.invoiceId).toBe('inv-9');
    expect(output.failure.Error).toBe('PaymentDeclinedError');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'PaymentDeclinedError', errorMessage: 'card declined' });
  });
});

describe('local Step Functions: integrations', () => {
  let h: Harness;
  afterEach(() => stopHarness(h));

  it('fails a Task that is not a Lambda with States.Runtime, past its Catch, instead of calling AWS', async () => {
    h = await startHarness({
      template: machineTemplate('relance-local-sns', {
        StartAt: 'Publish',
        States: {
          Publish: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sns:publish',
            Parameters: { TopicArn: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:alarms`, Message: 'hi' },
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Swallowed' }],
            End: true,
          },
          Swallowed: { Type: 'Succeed' },
        },
      }),
    });

    const out = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.sf.stateMachines()[0]!.arn, input: '{}' }));
    await h.sf.whenSettled();

    const described = await describeExecution(h, out.executionArn!);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(described.cause).toContain('sns:publish');
  });
});

describe('local Step Functions: Wait states and timeouts on the clock', () => {
  let h: Harness;
  afterEach(() => stopHarness(h));

  it('counts Wait Seconds from the clock’s now and keeps InputPath and OutputPath', async () => {
    h = await startHarness({
      template: machineTemplate('relance-local-hold', {
        StartAt: 'Hold',
        States: {
          Hold: { Type: 'Wait', Seconds: 3600, InputPath: '$.inner', OutputPath: '$.keep', Next: 'Use' },
          Use: { Type: 'Task', Resource: functionArn('relance-local-step'), End: true },
        },
      }),
    });
    h.respond = (event) => ({ used: event });
    await h.clock.advanceTo(at(DAY));

    const out = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.sf.stateMachines()[0]!.arn, input: JSON.stringify({ inner: { keep: { a: 1 }, drop: 2 }, outer: 3 }) }),
    );
    await h.sf.whenSettled();
    await h.clock.advanceTo(at(DAY + 3_599_999));
    expect(h.calls).toHaveLength(0);

    await h.clock.advanceTo(at(DAY + 3_600_000));
    expect(h.calls.map((c) => c.event)).toEqual([{ a: 1 }]);
    expect(JSON.parse((await describeExecution(h, out.executionArn!)).output!)).toEqual({ used: { a: 1 } });
  });

  it('times an execution out on the clock after its TimeoutSeconds', async () => {
    h = await startHarness({
      template: machineTemplate('relance-local-slow', {
        StartAt: 'Hold',
        TimeoutSeconds: 3600,
        States: {
          Hold: { Type: 'Wait', Seconds: 7200, Next: 'Use' },
          Use: { Type: 'Task', Resource: functionArn('relance-local-step'), End: true },
        },
      }),
    });
    const out = await h.client.send(new StartExecutionCommand({ stateMachineArn: h.sf.stateMachines()[0]!.arn, input: '{}' }));
    await h.sf.whenSettled();

    await h.clock.advanceTo(at(3_599_000));
    expect((await describeExecution(h, out.executionArn!)).status).toBe('RUNNING');

    await h.clock.advanceTo(at(3 * 3_600_000));
    expect(await describeExecution(h, out.executionArn!)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', stopDate: at(3_600_000) });
    expect(h.calls).toHaveLength(0);
  });
});

describe('local Step Functions: read operations', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => stopHarness(h));

  it('describes and lists the state machines of the template, with the resolved definition', async () => {
    const listed = await h.client.send(new ListStateMachinesCommand({}));
    const described = await h.client.send(new DescribeStateMachineCommand({ stateMachineArn: DUNNING_ARN }));

    expect(listed.stateMachines?.map((m) => [m.name, m.stateMachineArn, m.type])).toEqual([['relance-local-dunning', DUNNING_ARN, 'STANDARD']]);
    expect(described.status).toBe('ACTIVE');
    expect(JSON.parse(described.definition!).States[DUNNING_STATES.plan].Parameters.FunctionName).toBe(functionArn('relance-local-dunning'));
  });

  it('lists executions newest first, filtered by status', async () => {
    h.respond = (event) => (event.run.invoiceId === 'inv-a' ? { done: true } : threeStepLadder(event, ''));
    await startDunning(h, 'inv-a');
    await h.clock.advanceTo(at(1000));
    await startDunning(h, 'inv-b');

    const all = await h.client.send(new ListExecutionsCommand({ stateMachineArn: DUNNING_ARN }));
    const running = await h.client.send(new ListExecutionsCommand({ stateMachineArn: DUNNING_ARN, statusFilter: 'RUNNING' }));
    const paged = await h.client.send(new ListExecutionsCommand({ stateMachineArn: DUNNING_ARN, maxResults: 1 }));
    const rest = await h.client.send(new ListExecutionsCommand({ stateMachineArn: DUNNING_ARN, maxResults: 1, nextToken: paged.nextToken }));

    expect(all.executions?.map((e) => [e.name, e.status])).toEqual([
      ['inv-b', 'RUNNING'],
      ['inv-a', 'SUCCEEDED'],
    ]);
    expect(all.executions?.[0]?.startDate).toEqual(at(1000));
    expect(running.executions?.map((e) => e.name)).toEqual(['inv-b']);
    expect([paged.executions?.[0]?.name, rest.executions?.[0]?.name, rest.nextToken]).toEqual(['inv-b', 'inv-a', undefined]);
  });
});

describe('local Step Functions: persistence', () => {
  let dir: string;
  let h: Harness | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relance-sfn-'));
  });
  afterEach(async () => {
    if (h) await stopHarness(h);
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays a RUNNING execution from its first state after a restart, and keeps closed ones', async () => {
    const persistFile = join(dir, 'executions.json');
    const clock = new LocalClock(START, 'frozen');
    const calls: Call[] = [];
    const first = await startHarness({ persistFile, clock, calls });
    first.respond = (event) => (event.run.invoiceId === 'inv-done' ? { done: true } : threeStepLadder(event, ''));
    const waiting = await startDunning(first, 'inv-waiting');
    const done = await startDunning(first, 'inv-done');
    first.client.destroy();
    await first.sf.stop();

    h = await startHarness({ persistFile, clock, calls, registerAfterStart: true });
    await h.sf.whenSettled();

    expect(calls.map((c) => `${c.event.action}:${c.event.executionName}`)).toEqual(['plan:inv-waiting', 'plan:inv-done', 'plan:inv-waiting']);
    expect((await describeExecution(h, done)).status).toBe('SUCCEEDED');
    expect((await describeExecution(h, waiting)).startDate).toEqual(START);
    expect(h.sf.executions().find((e) => e.executionArn === waiting)).toMatchObject({ status: 'RUNNING', waitingUntil: at(3 * DAY).toISOString() });

    await h.clock.advanceTo(at(3 * DAY));
    expect(calls.at(-1)?.event).toMatchObject({ action: 'attempt', executionName: 'inv-waiting' });
  });
});
