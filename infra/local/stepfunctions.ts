/**
 * A local AWS Step Functions: the JSON 1.0 API `@aws-sdk/client-sfn` speaks (StartExecution,
 * DescribeExecution, ListExecutions, StopExecution, ListStateMachines, DescribeStateMachine) on
 * 127.0.0.1, running the state machine definitions of the synthesized template with
 * aws-local-stepfunctions. Lambda tasks (`arn:aws:states:::lambda:invoke` and plain function
 * ARNs) run in-process through LocalFunctions; a handler that throws fails the task as a Lambda
 * function error does (Error = the error's name, Cause = `{errorType, errorMessage, trace}`).
 *
 * Waits follow the LocalClock. Before a definition runs, each Wait state becomes a Task whose
 * local handler computes the instant (Seconds and SecondsPath from `clock.now()`, Timestamp and
 * TimestampPath as given), registers it with `clock.schedule` and resolves when the clock fires
 * it; InputPath, OutputPath, Next and End are kept. The package races every Task against a
 * real-time timer, so that Task has the longest timeout Node's timer holds (24.8 days) and
 * retries States.Timeout onto the same clock entry. A settler on the clock resolves once every
 * execution is closed or parked on the clock, so `advanceTo` sees all that follows a firing
 * before it picks the next entry.
 *
 * Differences from AWS:
 * - Retries do not wait: every retry interval is 0 ms, in real and in clock time.
 * - Integrations other than Lambda (and `.waitForTaskToken`) fail the execution with States.Runtime.
 * - The execution's TimeoutSeconds follows the clock; a Task's TimeoutSeconds is real time (60 s
 *   when unset, at most 24.8 days); HeartbeatSeconds is ignored. `$$.Execution.StartTime` is the
 *   real time.
 * - Standard semantics for every machine; no history, versions, aliases, redrive or Map runs.
 * - With `persistFile`, executions are kept across restarts; one that was RUNNING is replayed
 *   from its first state, once the server has started. Every task is idempotent (a step is keyed
 *   by the execution name and the step it is given), so a replay is safe.
 */
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { LocalClock } from './clock.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalFunctions } from './functions.js';
import { listenOn, type PortReservation } from './net.js';
import type { CfnTemplate } from './template.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AslState = { Type: string; [field: string]: unknown };
export type AslDefinition = { StartAt: string; States: Record<string, AslState>; [field: string]: unknown };

export interface ResolvedStateMachine {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: AslDefinition;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution as the local status page shows it; dates are clock time. */
export interface LocalExecution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The state it is in, while it runs. */
  state?: string;
  /** The clock instant its Wait is due, while it waits. */
  waitingUntil?: string;
}

export interface LocalStepFunctions {
  endpoint: string;
  stateMachines(): ResolvedStateMachine[];
  /** Newest first. */
  executions(): LocalExecution[];
  /** Resolves once every execution is closed or waiting on the clock. */
  whenSettled(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalStepFunctionsOptions {
  clock: LocalClock;
  functions: LocalFunctions;
  template: CfnTemplate;
  region?: string;
  account?: string;
  persistFile?: string;
  port?: number | PortReservation;
}

/** The longest delay Node's setTimeout holds, in whole seconds. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const MAX_RETRY_ATTEMPTS = 99_999_999;
const WAIT_RESOURCE = 'arn:aws:states:::relance.local:clock-wait';
const LAMBDA_INVOKE = /^arn:[\w-]+:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[^:]+(:[^:]+)?$/;
const STATE_MACHINE_ARN = /^arn:[\w-]+:states:[\w-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:[\w-]+:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const MAX_INPUT_BYTES = 262_144;

/**
 * Every state machine of a synthesized template, its definition resolved the way CloudFormation
 * would: pseudo parameters, Lambda function ARNs and names, `Fn::Join`, `DefinitionSubstitutions`.
 */
export function resolveStateMachines(template: CfnTemplate, env: { region: string; account: string }): ResolvedStateMachine[] {
  const resources = template.Resources;
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]) => {
      const props = resource.Properties ?? {};
      const name = typeof props.StateMachineName === 'string' ? props.StateMachineName : logicalId;
      const where = `state machine ${name} (${logicalId})`;

      const functionOf = (id: string): Record<string, unknown> | undefined => {
        const target = resources[id];
        return target?.Type === 'AWS::Lambda::Function' ? (target.Properties ?? {}) : undefined;
      };
      const resolve = (value: unknown): string => {
        if (typeof value === 'string') return value;
        const token = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
        if (token && Object.keys(token).length === 1) {
          if (typeof token.Ref === 'string') {
            const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::URLSuffix': 'amazonaws.com' };
            const fnName = functionOf(token.Ref)?.FunctionName;
            if (pseudo[token.Ref] !== undefined) return pseudo[token.Ref]!;
            if (typeof fnName === 'string') return fnName;
          }
          const getAtt = typeof token['Fn::GetAtt'] === 'string' ? token['Fn::GetAtt'].split('.') : token['Fn::GetAtt'];
          if (Array.isArray(getAtt) && getAtt.length === 2 && getAtt[1] === 'Arn') {
            const fnName = functionOf(String(getAtt[0]))?.FunctionName;
            if (typeof fnName === 'string') return `arn:aws:lambda:${env.region}:${env.account}:function:${fnName}`;
          }
          const join = token['Fn::Join'];
          if (Array.isArray(join) && join.length === 2 && typeof join[0] === 'string' && Array.isArray(join[1])) {
            return join[1].map(resolve).join(join[0]);
          }
        }
        throw new Error(`${where}: cannot resolve ${JSON.stringify(value)} locally`);
      };
      const resolveDeep = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(resolveDeep);
        if (value === null || typeof value !== 'object') return value;
        const keys = Object.keys(value);
        if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return resolve(value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v)]));
      };

      let text: string;
      if (props.DefinitionString !== undefined) text = resolve(props.DefinitionString);
      else if (props.Definition !== undefined) text = JSON.stringify(resolveDeep(props.Definition));
      else throw new Error(`${where} has neither DefinitionString nor Definition`);
      const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(substitutions)) text = text.split(`\${${key}}`).join(resolve(value));

      let definition: AslDefinition;
      try {
        definition = JSON.parse(text) as AslDefinition;
      } catch (error) {
        throw new Error(`${where}: the resolved definition is not JSON (${(error as Error).message})`);
      }
      return {
        name,
        arn: `arn:aws:states:${env.region}:${env.account}:stateMachine:${name}`,
        type: props.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        definition,
      };
    });
}

type TaskTarget = { kind: 'lambda-invoke' } | { kind: 'lambda-function'; arn: string } | { kind: 'wait' } | { kind: 'unsupported'; resource: string };

interface LocalPlan {
  definition: AslDefinition;
  tasks: Map<string, TaskTarget>;
  retryStates: string[];
  timeoutSeconds?: number;
}

/** What the package runs: Waits become clock tasks, and no real-time timer can overflow. */
function planLocalRun(original: AslDefinition): LocalPlan {
  const tasks = new Map<string, TaskTarget>();
  const retryStates: string[] = [];
  const seen = new Set<string>();

  const rewriteMachine = (machine: AslDefinition): AslDefinition => {
    const { TimeoutSeconds: _timeout, ...rest } = machine;
    const states = Object.fromEntries(Object.entries(machine.States).map(([name, state]) => [name, rewriteState(name, state)]));
    return { ...rest, States: states };
  };

  const rewriteState = (name: string, state: AslState): AslState => {
    if (seen.has(name)) throw new Error(`state name "${name}" appears twice; the local run tells states apart by name`);
    seen.add(name);
    if (Array.isArray(state.Retry)) retryStates.push(name);
    switch (state.Type) {
      case 'Wait': {
        const { Type: _type, Seconds, SecondsPath, Timestamp, TimestampPath, ...kept } = state;
        const when =
          Seconds !== undefined ? { seconds: Seconds }
          : SecondsPath !== undefined ? { 'seconds.$': SecondsPath }
          : Timestamp !== undefined ? { timestamp: Timestamp }
          : { 'timestamp.$': TimestampPath };
        tasks.set(name, { kind: 'wait' });
        retryStates.push(name);
        return {
          ...kept,
          Type: 'Task',
          Resource: WAIT_RESOURCE,
          Parameters: { 'input.$': '$', ...when },
          TimeoutSeconds: MAX_TIMER_SECONDS,
          Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: MAX_RETRY_ATTEMPTS }],
        };
      }
      case 'Task': {
        const resource = String(state.Resource);
        tasks.set(
          name,
          LAMBDA_INVOKE.test(resource) ? { kind: 'lambda-invoke' }
          : LAMBDA_FUNCTION.test(resource) ? { kind: 'lambda-function', arn: resource }
          : { kind: 'unsupported', resource },
        );
        const timeout = typeof state.TimeoutSeconds === 'number' ? Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS) : undefined;
        return timeout === undefined ? state : { ...state, TimeoutSeconds: timeout };
      }
      case 'Map': {
        const rewritten: AslState = { ...state };
        for (const field of ['Iterator', 'ItemProcessor'] as const) {
          if (state[field]) rewritten[field] = rewriteMachine(state[field] as AslDefinition);
        }
        return rewritten;
      }
      case 'Parallel':
        return { ...state, Branches: (state.Branches as AslDefinition[]).map(rewriteMachine) };
      default:
        return state;
    }
  };

  const definition = rewriteMachine(original);
  const timeoutSeconds = typeof original.TimeoutSeconds === 'number' ? original.TimeoutSeconds : undefined;
  return { definition, tasks, retryStates, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) };
}

/** A task failure the package can match in Retry and Catch; States.Runtime is neither. */
class TaskFailure extends Error {
  constructor(
    name: string,
    cause: string,
    private readonly recoverable = true,
  ) {
    super(cause);
    this.name = name;
  }

  get isRetryable(): boolean {
    return this.recoverable;
  }

  get isCatchable(): boolean {
    return this.recoverable;
  }
}

const statesRuntime = (cause: string) => new TaskFailure('States.Runtime', cause, false);

/** What a Lambda function error looks like to Step Functions. */
function lambdaFunctionError(thrown: unknown): TaskFailure {
  const isError = thrown instanceof Error;
  const errorType = isError ? thrown.name : typeof thrown;
  const errorMessage = isError ? thrown.message : String(thrown);
  const trace = isError && thrown.stack ? thrown.stack.split('\n') : [];
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/** An API error as the JSON 1.0 protocol carries it: `__type` in the body, HTTP 400. */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const validation = (field: string, constraint: string, value: unknown) =>
  new ApiError('ValidationException', `1 validation error detected: Value ${JSON.stringify(value ?? null)} at '${field}' failed to satisfy constraint: ${constraint}`);

interface ExecutionRecord {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

interface ParkedWait {
  target: Date;
  promise: Promise<unknown>;
  reject: (error: Error) => void;
  cancel: () => void;
}

interface Execution {
  record: ExecutionRecord;
  abort?: () => void;
  cancelTimeout?: () => void;
  waits: Map<string, ParkedWait>;
  activeTasks: number;
  state?: string;
}

interface Machine {
  resolved: ResolvedStateMachine;
  plan: LocalPlan;
  runner: StateMachine;
  creationDate: number;
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

const seconds = (ms: number) => ms / 1000;

/** The fields DescribeExecution and ListExecutions share. */
function summaryOf(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    ...(record.stopDate === undefined ? {} : { stopDate: seconds(record.stopDate) }),
  };
}
const jsonCopy = (value: unknown): Json => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json));

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const { clock, functions, persistFile } = options;
  const region = options.region ?? LOCAL_REGION;
  const account = options.account ?? LOCAL_ACCOUNT;

  const machines = new Map<string, Machine>();
  for (const resolved of resolveStateMachines(options.template, { region, account })) {
    try {
      new StateMachine(resolved.definition as unknown as StateMachineDefinition);
    } catch (error) {
      throw new Error(`state machine ${resolved.name}: ${(error as Error).message}`);
    }
    const plan = planLocalRun(resolved.definition);
    const runner = new StateMachine(plan.definition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    machines.set(resolved.arn, { resolved, plan, runner, creationDate: clock.now().getTime() });
  }

  const roleArnOf = (machine: Machine) => `arn:aws:iam::${account}:role/${machine.resolved.name}-local`;
  const executions = new Map<string, Execution>();
  const running = new Set<Execution>();
  const inflight = new Set<Promise<unknown>>();
  let settleWaiters: (() => void)[] = [];
  let stopped = false;

  const changed = () => {
    const waiters = settleWaiters;
    settleWaiters = [];
    for (const wake of waiters) wake();
  };
  const quiet = () => stopped || [...running].every((e) => e.waits.size > 0 && e.activeTasks === 0);

  async function whenSettled(): Promise<void> {
    for (;;) {
      if (quiet()) {
        await new Promise((resolve) => setImmediate(resolve));
        if (quiet()) return;
      } else {
        await new Promise<void>((resolve) => settleWaiters.push(resolve));
      }
    }
  }

  function save(): void {
    if (!persistFile || stopped) return;
    mkdirSync(dirname(persistFile), { recursive: true });
    const data = { executions: [...executions.values()].map((e) => e.record) };
    writeFileSync(`${persistFile}.tmp`, JSON.stringify(data, null, 2));
    renameSync(`${persistFile}.tmp`, persistFile);
  }

  function close(execution: Execution, status: Exclude<ExecutionStatus, 'RUNNING'>, fields: Partial<ExecutionRecord> = {}): void {
    if (stopped || execution.record.status !== 'RUNNING') return;
    Object.assign(execution.record, fields, { status, stopDate: clock.now().getTime() });
    running.delete(execution);
    execution.state = undefined;
    execution.cancelTimeout?.();
    const waits = [...execution.waits.values()];
    execution.waits.clear();
    if (status === 'ABORTED' || status === 'TIMED_OUT') execution.abort?.();
    for (const wait of waits) {
      wait.cancel();
      wait.reject(statesRuntime(`the execution is ${status}`));
    }
    save();
    changed();
  }

  async function invokeLambda(execution: Execution, target: string, payload: unknown): Promise<Json> {
    if (!functions.has(target)) throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${target}`);
    execution.activeTasks++;
    changed();
    const call = (async () => {
      try {
        return jsonCopy(await functions.invoke(target, jsonCopy(payload)));
      } catch (error) {
        throw lambdaFunctionError(error);
      }
    })();
    inflight.add(call);
    try {
      return await call;
    } finally {
      inflight.delete(call);
      execution.activeTasks--;
      changed();
    }
  }

  function parkOnClock(execution: Execution, machine: Machine, stateName: string, params: Record<string, unknown>): unknown {
    const key = `${stateName}\n${JSON.stringify(params)}`;
    const parked = execution.waits.get(key);
    if (parked) return parked.promise;

    let target: Date;
    if (params.seconds !== undefined) {
      if (!Number.isInteger(params.seconds) || (params.seconds as number) < 0) throw statesRuntime(`Wait ${stateName}: seconds must be a non-negative integer, got ${JSON.stringify(params.seconds)}`);
      target = new Date(clock.now().getTime() + (params.seconds as number) * 1000);
    } else {
      if (typeof params.timestamp !== 'string' || !RFC3339.test(params.timestamp)) throw statesRuntime(`Wait ${stateName}: not an RFC 3339 timestamp: ${JSON.stringify(params.timestamp)}`);
      target = new Date(params.timestamp);
    }
    if (target.getTime() <= clock.now().getTime()) return params.input;

    let resolve!: (value: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const cancel = clock.schedule(target, `states ${machine.resolved.name}/${execution.record.name}: ${stateName}`, async () => {
      if (execution.waits.get(key)?.promise !== promise) return;
      execution.waits.delete(key);
      resolve(params.input);
      changed();
    });
    execution.waits.set(key, { target, promise, reject, cancel });
    changed();
    return promise;
  }

  function handlersFor(execution: Execution, machine: Machine): LocalHandlers {
    const handlers: LocalHandlers = {};
    for (const [stateName, target] of machine.plan.tasks) {
      handlers[stateName] = async (input) => {
        switch (target.kind) {
          case 'wait':
            return (await parkOnClock(execution, machine, stateName, input as Record<string, unknown>)) as Json;
          case 'lambda-invoke': {
            const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
            if (typeof FunctionName !== 'string') throw statesRuntime(`Task ${stateName}: Parameters.FunctionName must be a string`);
            const result = await invokeLambda(execution, FunctionName, Payload ?? {});
            return { StatusCode: 200, Payload: result, ExecutedVersion: '$LATEST' };
          }
          case 'lambda-function':
            return invokeLambda(execution, target.arn, input);
          case 'unsupported':
            throw statesRuntime(`Task ${stateName}: the local Step Functions runs only Lambda tasks, not ${target.resource}`);
        }
      };
    }
    return handlers;
  }

  async function follow(execution: Execution, events: AsyncGenerator<{ type: string; state?: { name: string } }>): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateEntered' && execution.record.status === 'RUNNING') execution.state = event.state?.name;
    }
  }

  function launch(execution: Execution): void {
    const machine = machines.get(execution.record.stateMachineArn)!;
    const { record } = execution;
    running.add(execution);
    if (machine.plan.timeoutSeconds !== undefined) {
      execution.cancelTimeout = clock.schedule(new Date(record.startDate + machine.plan.timeoutSeconds * 1000), `states ${machine.resolved.name}/${record.name}: execution timeout`, async () =>
        close(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: `The execution ran past its TimeoutSeconds of ${machine.plan.timeoutSeconds}` }),
      );
    }
    const retryIntervalOverrides = Object.fromEntries(machine.plan.retryStates.map((name) => [name, 0]));
    const run = machine.runner.run(JSON.parse(record.input) as Json, {
      overrides: { taskResourceLocalHandlers: handlersFor(execution, machine), retryIntervalOverrides },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, RoleArn: roleArnOf(machine) },
        StateMachine: { Id: machine.resolved.arn, Name: machine.resolved.name },
      },
    });
    execution.abort = run.abort;
    void follow(execution, run.eventLogs);
    run.result.then(
      (output) => close(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError || error instanceof ExecutionTimeoutError) return;
        const failure = error instanceof ExecutionError ? error.cause : error;
        close(execution, 'FAILED', failure instanceof Error ? { error: failure.name, cause: failure.message } : { error: 'States.Runtime', cause: String(failure) });
      },
    );
    changed();
  }

  function register(record: ExecutionRecord): Execution {
    const execution: Execution = { record, waits: new Map(), activeTasks: 0 };
    executions.set(record.executionArn, execution);
    return execution;
  }

  const toReplay: Execution[] = [];
  if (persistFile && existsSync(persistFile)) {
    const saved = JSON.parse(readFileSync(persistFile, 'utf8')) as { executions: ExecutionRecord[] };
    for (const record of saved.executions) {
      const execution = register(record);
      if (record.status !== 'RUNNING') continue;
      if (machines.has(record.stateMachineArn)) {
        toReplay.push(execution);
      } else {
        Object.assign(record, { status: 'ABORTED', stopDate: clock.now().getTime(), error: 'States.Runtime', cause: 'its state machine is no longer in the template' });
      }
    }
  }
  // A replay starts with the event loop's next turn, once the caller has registered its functions.
  for (const execution of toReplay) running.add(execution);
  setImmediate(() => {
    for (const execution of toReplay) {
      running.delete(execution);
      if (!stopped) launch(execution);
    }
    changed();
  });

  const str = (body: Record<string, unknown>, field: string, required: boolean): string | undefined => {
    const value = body[field];
    if (value === undefined || value === null) {
      if (required) throw validation(field, 'Member must not be null', value);
      return undefined;
    }
    if (typeof value !== 'string') throw new ApiError('SerializationException', `${field} must be a string`);
    return value;
  };

  const machineOf = (arn: string): Machine => {
    if (!STATE_MACHINE_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = machines.get(arn);
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };

  const executionOf = (arn: string): Execution => {
    if (!EXECUTION_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = executions.get(arn);
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  };

  const page = <T>(items: T[], body: Record<string, unknown>): { items: T[]; nextToken?: string } => {
    const max = body.maxResults === undefined || body.maxResults === 0 ? 100 : Number(body.maxResults);
    if (!Number.isInteger(max) || max < 0 || max > 1000) throw validation('maxResults', 'Member must have value less than or equal to 1000', body.maxResults);
    const token = str(body, 'nextToken', false);
    const from = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(from) || from < 0 || from > items.length) throw new ApiError('InvalidToken', `Invalid Token: '${token}'`);
    const slice = items.slice(from, from + max);
    const next = from + max < items.length ? Buffer.from(String(from + max), 'utf8').toString('base64url') : undefined;
    return next === undefined ? { items: slice } : { items: slice, nextToken: next };
  };

  const newestFirst = () => [...executions.values()].sort((a, b) => b.record.startDate - a.record.startDate);

  const operations: Record<string, (body: Record<string, unknown>) => object> = {
    StartExecution(body) {
      const machine = machineOf(str(body, 'stateMachineArn', true)!);
      const name = str(body, 'name', false) ?? randomUUID();
      if (name.length < 1 || name.length > 80 || INVALID_NAME.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = str(body, 'input', false) ?? '{}';
      if (Buffer.byteLength(input) > MAX_INPUT_BYTES) throw validation('input', `Member must have length less than or equal to ${MAX_INPUT_BYTES}`, '…');
      try {
        JSON.parse(input);
      } catch {
        throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input}'`);
      }
      const executionArn = `arn:aws:states:${region}:${account}:execution:${machine.resolved.name}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        if (existing.record.status === 'RUNNING' && existing.record.input === input) {
          return { executionArn, startDate: seconds(existing.record.startDate) };
        }
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const execution = register({ executionArn, name, stateMachineArn: machine.resolved.arn, input, status: 'RUNNING', startDate: clock.now().getTime() });
      save();
      launch(execution);
      return { executionArn, startDate: seconds(execution.record.startDate) };
    },

    DescribeExecution(body) {
      const { record } = executionOf(str(body, 'executionArn', true)!);
      return {
        ...summaryOf(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
        ...(record.error === undefined ? {} : { error: record.error }),
        ...(record.cause === undefined ? {} : { cause: record.cause }),
      };
    },

    ListExecutions(body) {
      const machine = machineOf(str(body, 'stateMachineArn', true)!);
      const status = str(body, 'statusFilter', false);
      const matching = newestFirst().filter((e) => e.record.stateMachineArn === machine.resolved.arn && (status === undefined || e.record.status === status));
      const { items, nextToken } = page(matching, body);
      return {
        executions: items.map(({ record }) => summaryOf(record)),
        ...(nextToken === undefined ? {} : { nextToken }),
      };
    },

    StopExecution(body) {
      const execution = executionOf(str(body, 'executionArn', true)!);
      const error = str(body, 'error', false);
      const cause = str(body, 'cause', false);
      close(execution, 'ABORTED', { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) });
      return { stopDate: seconds(execution.record.stopDate ?? clock.now().getTime()) };
    },

    ListStateMachines(body) {
      const { items, nextToken } = page([...machines.values()], body);
      return {
        stateMachines: items.map((m) => ({ stateMachineArn: m.resolved.arn, name: m.resolved.name, type: m.resolved.type, creationDate: seconds(m.creationDate) })),
        ...(nextToken === undefined ? {} : { nextToken }),
      };
    },

    DescribeStateMachine(body) {
      const machine = machineOf(str(body, 'stateMachineArn', true)!);
      return {
        stateMachineArn: machine.resolved.arn,
        name: machine.resolved.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.resolved.definition),
        roleArn: roleArnOf(machine),
        type: machine.resolved.type,
        creationDate: seconds(machine.creationDate),
      };
    },
  };

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: object) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
      res.end(text);
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('AWSStepFunctions.') ? operations[target.slice('AWSStepFunctions.'.length)] : undefined;
      if (req.method !== 'POST' || !operation) throw new ApiError('UnknownOperationException', `Unknown operation ${req.method} ${target}`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new ApiError('SerializationException', 'the body is not JSON');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('SerializationException', 'the body is not a JSON object');
      send(200, operation(body as Record<string, unknown>));
    } catch (error) {
      if (error instanceof ApiError) {
        res.setHeader('x-amzn-errortype', error.type);
        send(error.status, { __type: `com.amazonaws.sfn#${error.type}`, message: error.message });
      } else {
        send(500, { __type: 'com.amazonaws.sfn#InternalFailure', message: (error as Error).message });
      }
    }
  }

  const port = await listenOn(server, options.port);
  const removeSettler = clock.addSettler(whenSettled);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateMachines: () => [...machines.values()].map((m) => m.resolved),
    executions: () =>
      newestFirst().map(({ record, state, waits }) => {
        const machine = machines.get(record.stateMachineArn);
        const due = [...waits.values()].map((w) => w.target.getTime()).sort((a, b) => a - b)[0];
        const parse = (text: string) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return text;
          }
        };
        return {
          executionArn: record.executionArn,
          name: record.name,
          stateMachineArn: record.stateMachineArn,
          stateMachineName: machine?.resolved.name ?? record.stateMachineArn.split(':').pop()!,
          status: record.status,
          startDate: new Date(record.startDate).toISOString(),
          ...(record.stopDate === undefined ? {} : { stopDate: new Date(record.stopDate).toISOString() }),
          input: parse(record.input),
          ...(record.output === undefined ? {} : { output: parse(record.output) }),
          ...(record.error === undefined ? {} : { error: record.error }),
          ...(record.cause === undefined ? {} : { cause: record.cause }),
          ...(record.status === 'RUNNING' && state !== undefined ? { state } : {}),
          ...(record.status === 'RUNNING' && due !== undefined ? { waitingUntil: new Date(due).toISOString() } : {}),
        };
      }),
    whenSettled,
    stop: async () => {
      if (stopped) return;
      save();
      stopped = true;
      removeSettler();
      for (const execution of running) {
        execution.cancelTimeout?.();
        for (const wait of execution.waits.values()) {
          wait.cancel();
          wait.reject(statesRuntime('the local Step Functions stopped'));
        }
        execution.abort?.();
      }
      changed();
      await Promise.allSettled([...inflight]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
