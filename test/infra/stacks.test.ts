import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadDeployConfig } from '../../infra/config.js';
import { testTemplates } from '../support/aws.js';

const stateful = () => Template.fromJSON(testTemplates().stateful);
const stateless = () => Template.fromJSON(testTemplates().stateless);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
/** Every IAM statement, or those of the policies whose logical id starts with `prefix`. */
function statements(prefix = ''): Statement[] {
  const policies = Object.entries(stateless().findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  return policies.flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('stateful stack', () => {
  it('keeps one single table: retained, deletion-protected, point-in-time recovery, TTL, a stream of new images, five GSIs', () => {
    const t = stateful();
    t.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    t.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: 'gsi1', Projection: { ProjectionType: 'ALL' } }),
          Match.objectLike({ IndexName: 'gsi2', Projection: { ProjectionType: 'ALL' } }),
          // R-REN-9: the live memberships of a plan, keys only (the fan-out needs only their ids).
          Match.objectLike({ IndexName: 'gsi3', Projection: { ProjectionType: 'KEYS_ONLY' } }),
          // R-NOT-9: the "to remind" board's rows only.
          Match.objectLike({ IndexName: 'gsi4', Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: Match.arrayWith(['memberName', 'status', 'sentAt', 'next']) } }),
          // Issue 13: memberships and invoices by status, keys only (a write that keeps the status writes no index).
          Match.objectLike({ IndexName: 'gsi5', Projection: { ProjectionType: 'KEYS_ONLY' } }),
        ],
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('retains the admin user pool, with the organisation as an immutable custom attribute and no self sign-up', () => {
    stateful().hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        Schema: Match.arrayWith([Match.objectLike({ Name: 'orgId', Mutable: false })]),
      }),
    });
  });

  it('R-CON-5: has the owners and staff groups the API reads roles from', () => {
    const groups = Object.values(stateful().findResources('AWS::Cognito::UserPoolGroup')).map((g) => (g as { Properties: { GroupName: string } }).Properties.GroupName);
    expect(groups.sort()).toEqual(['owners', 'staff']);
  });

  it('generates the link-signing keys as a retained secret', () => {
    stateful().hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });
});

describe('stateless stack', () => {
  it('runs every function on Node.js 24, arm64, with a log group that expires', () => {
    const t = stateless();
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: Match.stringLikeRegexp('^relance-local-') } });
    expect(Object.keys(fns)).toHaveLength(8);
    for (const fn of Object.values(fns) as { Properties: Record<string, unknown> }[]) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
    // Eight functions, the dunning machine and the API's access log.
    t.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 10);
  });

  it('guards /api with the Cognito JWT authorizer and leaves member links and the console public', () => {
    const t = stateless();
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: Match.objectLike({ Issuer: Match.anyValue(), Audience: [Match.anyValue()] }),
    });
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${method} /api/{proxy+}`, AuthorizationType: 'JWT' });
    }
    for (const key of ['GET /l/{token}', 'POST /l/{token}', 'GET /', 'GET /console', 'GET /console/{proxy+}']) {
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'NONE' });
    }
  });

  it('R-OPS-3: lets EventBridge Scheduler (this account only) invoke the timer, worker and feedback functions by name and nothing else, with a dead-letter queue (all in the stateful stack)', () => {
    const t = stateful();
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'relance-local' });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'relance-local-scheduler',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } })],
      }),
    });
    const role = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
    const invoke = role.filter((s) => actionsOf(s).includes('lambda:InvokeFunction')).map((s) => JSON.stringify(s.Resource));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.match(/function:relance-local-[a-z]+/g)).toEqual(['function:relance-local-timer', 'function:relance-local-worker', 'function:relance-local-feedback']);
    // Nothing in the stateless stack invokes the timer or the worker (Step Functions invokes the dunning function).
    const invokers = statements().filter((s) => actionsOf(s).includes('lambda:InvokeFunction')).map((s) => JSON.stringify(s.Resource));
    expect(invokers.every((r) => /DunningFunction/.test(r))).toBe(true);
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'relance-local-dead-letters', MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    stateless().hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
  });

  it('grants least privilege: no Scan, no wildcard action, schedules only in the Relance group, PassRole only to Scheduler', () => {
    const all = statements();
    const actions = all.flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.endsWith('*') || a === '*')).toEqual([]);
    for (const s of all.filter((x) => actionsOf(x).some((a) => a.startsWith('scheduler:')))) {
      expect(JSON.stringify(s.Resource)).toContain('schedule/relance-local/*');
    }
    for (const s of all.filter((x) => actionsOf(x).includes('iam:PassRole'))) {
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
    for (const s of all.filter((x) => actionsOf(x).includes('dynamodb:GetItem'))) {
      expect(JSON.stringify(s.Resource)).toMatch(/Table/);
    }
    // The API's lists read their members' names in one BatchGetItem per page (R-CON-1, R-CON-3).
    expect(statements('ApiFunction').some((s) => actionsOf(s).includes('dynamodb:BatchGetItem'))).toBe(true);
    // R-CON-3, R-PRV-1: only the API deletes (a member's search keys, in a transaction), on the table only.
    const deleters = all.filter((s) => actionsOf(s).includes('dynamodb:DeleteItem'));
    expect(deleters).toHaveLength(1);
    expect(statements('ApiFunction')).toContainEqual(deleters[0]);
    expect(JSON.stringify(deleters[0]!.Resource)).not.toContain('/index/');
  });

  it('R-PAY-1, R-PAY-4: Stripe credentials: read by the five functions that talk to Stripe, written by the API only, under the stack\'s path; the webhook route has no authorizer', () => {
    const ssm = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
    expect(ssm.flatMap(actionsOf).sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameter', 'ssm:GetParameter', 'ssm:GetParameter', 'ssm:GetParameter', 'ssm:PutParameter']);
    for (const s of ssm) expect(JSON.stringify(s.Resource)).toContain(':parameter/relance/local/stripe/*');
    const readers = Object.entries(stateless().findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('ssm:GetParameter'))
      .map(([id]) => id.replace(/Function.*$/, ''))
      .sort();
    expect(readers).toEqual(['Api', 'Dunning', 'Links', 'Webhooks', 'Worker']);
    expect(statements('ApiFunction').some((s) => actionsOf(s).includes('ssm:PutParameter'))).toBe(true);
    const t = stateless();
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/stripe/{orgId}', AuthorizationType: 'NONE' });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GATEWAY_PARAMETER_PREFIX: '/relance/local/stripe' }) } });
  });

  it('deploys the dunning ladder as a Standard state machine with its wait and steps', () => {
    const t = stateless();
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'relance-local-dunning', StateMachineType: 'STANDARD' });
    const definition = JSON.stringify(Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0]);
    for (const state of ['Plan ladder', 'Ladder finished?', 'Wait for next attempt', 'Attempt charge', 'Ladder done', 'Ladder failed']) {
      expect(definition).toContain(state);
    }
  });

  it('sends e-mail through a configuration set that suppresses bounces and complaints', () => {
    stateless().hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'relance-local',
      SuppressionOptions: { SuppressedReasons: Match.arrayWith(['BOUNCE', 'COMPLAINT']) },
    });
  });

  it('R-MNY-2, R-MNY-6: the worker reads only new e-mails, new payment attempts and running re-plan jobs from the stream, bisects, retries, then dead-letters', () => {
    const t = stateless();
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^WorkerFunction') },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':relance-local-dead-letters$')])] } } },
      FilterCriteria: { Filters: Match.arrayWith([{ Pattern: Match.stringLikeRegexp('"outbox","attempt"') }, { Pattern: Match.stringLikeRegexp('replan_job') }]) },
    });
    const streamReaders = statements().filter((s) => actionsOf(s).includes('dynamodb:GetRecords'));
    expect(streamReaders.length).toBeGreaterThan(0);
    for (const s of streamReaders) expect(JSON.stringify(s.Resource)).toMatch(/StreamArn|Table/);
    // R-OPS-4: the worker's concurrency is capped, and each instance paces itself to its share of the SES rate.
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'relance-local-worker', ReservedConcurrentExecutions: 2, Environment: { Variables: Match.objectLike({ MAIL_SEND_RATE: '5' }) } });
  });

  it('R-MNY-6: SES events of the configuration set reach the feedback function through EventBridge', () => {
    const t = stateless();
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: Match.arrayWith(['send']), EventBridgeDestination: Match.anyValue() }),
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ses'], 'detail-type': Match.arrayWith(['Email Sent']) }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeedbackFunction'), 'Arn'] } })],
    });
  });

  it('raises alarms on dead letters, function errors and failed dunning runs (the full list: test/infra/operations.test.ts)', () => {
    const alarms = Object.values(stateless().findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(28);
    for (const alarm of alarms as { Properties: { AlarmActions: unknown[] } }[]) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });
});

describe('deploy configuration', () => {
  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('reads cdk.json context, lets single -c values override it, and validates', () => {
    expect(loadDeployConfig(context({ relance: { stage: 'prod', logRetentionDays: 90, alarmEmail: 'ops@club.example' }, region: 'ca-central-1' }))).toMatchObject({ stage: 'prod', region: 'ca-central-1', logRetentionDays: 90 });
    expect(() => loadDeployConfig(context({ relance: { stage: 'Prod!' } }))).toThrow(/stage/);
    expect(() => loadDeployConfig(context({ relance: { stage: 'prod', alarmEmail: 'nope' } }))).toThrow(/alarmEmail/);
  });
});
