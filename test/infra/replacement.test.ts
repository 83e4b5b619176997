import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../infra/config.js';
import { LOCAL_DEPLOY_CONFIG } from '../../infra/local/template.js';
import { StatefulStack } from '../../infra/stacks/stateful.js';
import { StatelessStack } from '../../infra/stacks/stateless.js';
import { actionsOf, type Statement } from './support.js';

type Json = Record<string, unknown>;
type Cfn = { Resources: Record<string, { Type: string; Properties?: Json }>; Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }> };

const ENV = { 'AWS::Partition': 'aws', 'AWS::Region': 'ca-central-1', 'AWS::AccountId': '000000000000', 'AWS::URLSuffix': 'amazonaws.com' } as Record<string, string>;

/**
 * Resolves a value of the stateless template the way CloudFormation would, allowing only what
 * survives a replacement of that stack: literals, pseudo parameters, and imports of the stateful
 * stack's outputs that resolve to its named resources. A reference to anything the stateless
 * stack creates throws.
 */
function resolve(value: unknown, stateful: Cfn, where: 'stateless' | 'stateful' = 'stateless'): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if ('Ref' in v) {
    const ref = v.Ref as string;
    if (ENV[ref]) return ENV[ref]!;
    if (where === 'stateful') return namedArn(stateful, ref, 'Ref');
    throw new Error(`refers to ${ref}, a resource of the stateless stack`);
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolve(p, stateful, where)).join(sep);
  }
  if ('Fn::ImportValue' in v) {
    const name = resolve(v['Fn::ImportValue'], stateful, where);
    const output = Object.values(stateful.Outputs ?? {}).find((o) => o.Export?.Name === name);
    if (!output) throw new Error(`imports ${name}, which the stateful stack does not export`);
    return resolve(output.Value, stateful, 'stateful');
  }
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    if (where !== 'stateful') throw new Error(`refers to ${id}.${attr}, a resource of the stateless stack`);
    return namedArn(stateful, id, attr);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** A stateful resource's ARN or name, known only when it has a fixed name. */
function namedArn(stateful: Cfn, id: string, attr: string): string {
  const r = stateful.Resources[id];
  if (!r) throw new Error(`no stateful resource ${id}`);
  const p = r.Properties ?? {};
  const { 'AWS::Region': region, 'AWS::AccountId': account } = ENV;
  switch (r.Type) {
    case 'AWS::IAM::Role':
      if (typeof p.RoleName !== 'string') throw new Error(`role ${id} has no fixed name`);
      return `arn:aws:iam::${account}:role/${p.RoleName}`;
    case 'AWS::SQS::Queue':
      if (typeof p.QueueName !== 'string') throw new Error(`queue ${id} has no fixed name`);
      return attr === 'Arn' ? `arn:aws:sqs:${region}:${account}:${p.QueueName}` : `https://sqs.${region}.amazonaws.com/${account}/${p.QueueName}`;
    case 'AWS::Scheduler::ScheduleGroup':
      if (typeof p.Name !== 'string') throw new Error(`group ${id} has no fixed name`);
      return attr === 'Arn' ? `arn:aws:scheduler:${region}:${account}:schedule-group/${p.Name}` : p.Name;
    default:
      throw new Error(`${id} (${r.Type}) is not a named resource`);
  }
}

/** Synthesizes both stacks; `variant` changes the stateless stack only (its id, options). */
function synth(variant: { statelessId?: string; statelessOverrides?: Partial<typeof LOCAL_DEPLOY_CONFIG> } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = parseDeployConfig(LOCAL_DEPLOY_CONFIG);
  const env = { account: config.account, region: config.region };
  const stateful = new StatefulStack(app, 'Relance-local-Stateful', { config, env });
  const stateless = new StatelessStack(app, variant.statelessId ?? 'Relance-local-Stateless', {
    config: { ...config, ...variant.statelessOverrides },
    env,
    table: stateful.table,
    userPool: stateful.userPool,
    linkKeys: stateful.linkKeys,
  });
  const assembly = app.synth();
  return { stateful: assembly.getStackByName(stateful.stackName).template as Cfn, stateless: assembly.getStackByName(stateless.stackName).template as Cfn };
}

/** What every schedule the functions create carries: read from the timer and worker functions' variables. */
function scheduleCarries(t: { stateful: Cfn; stateless: Cfn }) {
  const fns = Object.values(t.stateless.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && /-(timer|worker|api|links|dunning|webhooks|feedback)$/.test(String(r.Properties?.FunctionName)));
  expect(fns.length).toBe(7);
  const carried = fns.map((fn) => {
    const vars = (fn.Properties!.Environment as { Variables: Json }).Variables;
    return Object.fromEntries(['SCHEDULER_GROUP_NAME', 'SCHEDULER_ROLE_ARN', 'SCHEDULER_DLQ_ARN', 'TIMER_FUNCTION_ARN', 'WORKER_FUNCTION_ARN'].map((k) => [k, resolve(vars[k], t.stateful)]));
  });
  // Every function creates schedules the same way.
  for (const c of carried) expect(c).toEqual(carried[0]);
  return carried[0]!;
}

describe('R-OPS-3: replacing the stateless stack strands no schedule', () => {
  const before = synth();
  const after = synth({ statelessId: 'Relance-local-Stateless-v2', statelessOverrides: { logRetentionDays: 90, timerConcurrency: 10, apiThrottle: { rate: 5, burst: 10 } } });

  it('every ARN a schedule carries (group, role, dead letters, target) is a fixed name or the stateful stack\'s, and identical after the replacement', () => {
    const was = scheduleCarries(before);
    const is = scheduleCarries(after);
    expect(is).toEqual(was);
    expect(was).toEqual({
      SCHEDULER_GROUP_NAME: 'relance-local',
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/relance-local-scheduler',
      SCHEDULER_DLQ_ARN: 'arn:aws:sqs:ca-central-1:000000000000:relance-local-dead-letters',
      TIMER_FUNCTION_ARN: 'arn:aws:lambda:ca-central-1:000000000000:function:relance-local-timer',
      WORKER_FUNCTION_ARN: 'arn:aws:lambda:ca-central-1:000000000000:function:relance-local-worker',
    });
    // The replaced stack really is another one, with other settings.
    expect(JSON.stringify(after.stateless)).not.toEqual(JSON.stringify(before.stateless));
  });

  it('the stateful stack is the same template whatever the stateless stack is, and holds the group, role and queue under those names, retained', () => {
    expect(after.stateful).toEqual(before.stateful);
    const t = Template.fromJSON(before.stateful);
    t.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Retain', Properties: { Name: 'relance-local' } });
    t.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', Properties: { QueueName: 'relance-local-dead-letters', MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true } });
    t.hasResource('AWS::IAM::Role', { DeletionPolicy: 'Retain', Properties: { RoleName: 'relance-local-scheduler' } });
    for (const type of ['AWS::Scheduler::ScheduleGroup', 'AWS::SQS::Queue', 'AWS::IAM::Role']) {
      expect(Object.keys(Template.fromJSON(before.stateless).findResources(type)).filter((id) => !/ServiceRole|EventsRole|Dunning|LogRetention|Operations/.test(id)).length, type).toBe(0);
    }
  });

  it('the stateful role may invoke the target functions by their fixed names, and the functions of both versions have those names', () => {
    const t = Template.fromJSON(before.stateful);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    const resources = (invoke[0]!.Resource as unknown[]).map((r) => resolve(r, before.stateful, 'stateful'));
    expect(resources).toEqual(['timer', 'worker', 'feedback'].map((n) => `arn:aws:lambda:ca-central-1:000000000000:function:relance-local-${n}`));
    const send = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(send.map((s) => resolve(s.Resource, before.stateful, 'stateful'))).toEqual(['arn:aws:sqs:ca-central-1:000000000000:relance-local-dead-letters']);
    for (const version of [before, after]) {
      const names = Object.values(version.stateless.Resources).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties?.FunctionName);
      expect(names).toEqual(expect.arrayContaining(['relance-local-timer', 'relance-local-worker', 'relance-local-feedback']));
    }
  });

  it('the resolver refuses a reference to the stateless stack (the test can fail)', () => {
    expect(() => resolve({ 'Fn::GetAtt': ['TimerFunction', 'Arn'] }, before.stateful)).toThrow(/stateless/);
    expect(() => resolve({ Ref: 'SomeQueue' }, before.stateful)).toThrow(/stateless/);
  });

  it('the stateless dead-letter destinations (Lambda failures, stream batches, the SES rule) point at the stateful queue by name', () => {
    const t = Template.fromJSON(before.stateless);
    const dlq = 'arn:aws:sqs:ca-central-1:000000000000:relance-local-dead-letters';
    const destinations = [
      ...Object.values(t.findResources('AWS::Lambda::EventInvokeConfig')).map((r) => (r as { Properties: Json }).Properties.DestinationConfig),
      ...Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).map((r) => (r as { Properties: Json }).Properties.DestinationConfig),
    ].map((d) => resolve((d as { OnFailure: { Destination: unknown } }).OnFailure.Destination, before.stateful));
    expect(destinations).toEqual([dlq, dlq, dlq]);
    const rule = Object.values(t.findResources('AWS::Events::Rule', { Properties: { Name: 'relance-local-ses-events' } }))[0] as { Properties: { Targets: { DeadLetterConfig: { Arn: unknown } }[] } };
    expect(resolve(rule.Properties.Targets[0]!.DeadLetterConfig.Arn, before.stateful)).toBe(dlq);
    // The queue lets this stage's rules in by their name (the rule lives in the replaceable stack).
    const queuePolicy = Object.values(Template.fromJSON(before.stateful).findResources('AWS::SQS::QueuePolicy'))[0] as { Properties: { PolicyDocument: { Statement: Statement[] } } };
    const fromRules = queuePolicy.Properties.PolicyDocument.Statement.find((s) => s.Sid === 'StageRulesDeadLetters')!;
    expect((fromRules.Condition!.ArnLike!['aws:SourceArn'] as unknown[]).map((a) => resolve(a, before.stateful, 'stateful'))).toEqual([
      'arn:aws:events:ca-central-1:000000000000:rule/relance-local-*',
      'arn:aws:events:ca-central-1:000000000000:rule/relance-local/relance-local-*',
    ]);
  });
});
