import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { deployConfigProblems, loadDeployConfig, requireRegion } from '../../infra/config.js';
import { LOCAL_DEPLOY_CONFIG } from '../../infra/local/template.js';
import { API_ACCESS_LOG_FORMAT, SES_EVENT_DETAIL_TYPES } from '../../infra/stacks/stateless.js';
import { actionsOf, policyStatements, templatesOf, type Statement } from './support.js';

type Json = Record<string, unknown>;
const base = templatesOf();
const CERT = 'arn:aws:acm:ca-central-1:000000000000:certificate/0f3e2c1a-1111-2222-3333-444455556666';
const custom = templatesOf({ stage: 'prod', mailDomain: 'mail.club.example', mailDomainVerified: true, apiDomain: 'relance.club.example', certificateArn: CERT, tableMaxReadUnits: 2000, tableMaxWriteUnits: 1000 });
const dev = templatesOf({ stage: 'dev', alarmEmail: undefined });

const functionProps = (t: Template, name: string) =>
  (Object.values(t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } }))[0] as { Properties: Json } | undefined)?.Properties;
const alarmsOf = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: Json }).Properties);
const alarmNamed = (t: Template, name: string) => alarmsOf(t).find((a) => a.AlarmName === name);

describe('R-OPS-4: limits', () => {
  it('throttles the API stage (configurable rate and burst) and writes JSON access logs to a log group that expires', () => {
    base.stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] }, Format: JSON.stringify(API_ACCESS_LOG_FORMAT) },
    });
    base.stateless.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/http-api/relance-local', RetentionInDays: 30 });
    // The log line is JSON with the request's outcome and nothing of its content.
    expect(Object.keys(API_ACCESS_LOG_FORMAT)).toEqual(expect.arrayContaining(['requestId', 'routeKey', 'status', 'latencyMs']));
    expect(JSON.stringify(API_ACCESS_LOG_FORMAT)).not.toMatch(/authorization|querystring|requestBody/i);
    templatesOf({ apiThrottle: { rate: 7, burst: 9 } }).stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 }) });
  });

  it('reserves the timer function\'s concurrency (timerConcurrency), so a billing-minute peak cannot take the API\'s and links\'', () => {
    expect(functionProps(base.stateless, 'relance-local-timer')).toMatchObject({ ReservedConcurrentExecutions: 50 });
    expect(functionProps(templatesOf({ timerConcurrency: 12 }).stateless, 'relance-local-timer')).toMatchObject({ ReservedConcurrentExecutions: 12 });
    // The API and links have none reserved: they draw on the account's unreserved pool the timer cannot exhaust.
    expect(functionProps(base.stateless, 'relance-local-api')!.ReservedConcurrentExecutions).toBeUndefined();
    expect(functionProps(base.stateless, 'relance-local-links')!.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('caps the table\'s on-demand throughput only when asked', () => {
    custom.stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', { BillingMode: 'PAY_PER_REQUEST', WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 1000 } });
    custom.stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', { Replicas: [Match.objectLike({ ReadOnDemandThroughputSettings: { MaxReadRequestUnits: 2000 } })] });
    const plain = JSON.stringify(base.stateful.findResources('AWS::DynamoDB::GlobalTable'));
    expect(plain).not.toMatch(/OnDemandThroughputSettings/);
  });

  it('a custom domain (apiDomain + certificateArn) maps to the API, and member links and the console use it', () => {
    custom.stateless.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'relance.club.example',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' })],
    });
    custom.stateless.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { DomainName: { Ref: Match.stringLikeRegexp('^ApiDomain') }, Stage: '$default' });
    for (const name of ['api', 'links', 'timer', 'worker']) {
      expect((functionProps(custom.stateless, `relance-prod-${name}`)!.Environment as { Variables: Json }).Variables.PUBLIC_BASE_URL).toBe('https://relance.club.example');
    }
    custom.stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://relance.club.example/console'] });
    // Without one, the API's own endpoint (which a replaced API changes).
    expect(JSON.stringify((functionProps(base.stateless, 'relance-local-links')!.Environment as { Variables: Json }).Variables.PUBLIC_BASE_URL)).toMatch(/HttpApi/);
    base.stateless.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });
});

describe('R-OPS-5: watch', () => {
  it('alarms on Scheduler target errors and dropped invocations of the group, API 5xx and p99 latency, each function\'s errors and throttles, table throttles, failed and timed-out runs', () => {
    const t = base.stateless;
    const metric = (name: string) => alarmNamed(t, `relance-local-${name}`);
    expect(metric('scheduler-target-errors')).toMatchObject({ Namespace: 'AWS/Scheduler', MetricName: 'TargetErrorCount', Dimensions: [{ Name: 'ScheduleGroup', Value: 'relance-local' }] });
    expect(metric('scheduler-dropped')).toMatchObject({ Namespace: 'AWS/Scheduler', MetricName: 'InvocationDroppedCount', Dimensions: [{ Name: 'ScheduleGroup', Value: 'relance-local' }] });
    expect(metric('api-5xx')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
    expect(metric('api-latency-p99')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ExtendedStatistic: 'p99' });
    for (const fn of ['api', 'links', 'console', 'timer', 'dunning', 'worker', 'feedback', 'webhooks']) {
      expect(metric(`${fn}-errors`), fn).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors' });
      expect(metric(`${fn}-throttles`), fn).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' });
    }
    expect(JSON.stringify(metric('table-throttles')!.Metrics)).toMatch(/ReadThrottleEvents.*WriteThrottleEvents/);
    expect(metric('dunning-failed')).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed' });
    expect(metric('dunning-timed-out')).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsTimedOut' });
  });

  it('dead letters re-notify: the age of the oldest message at a minute, a day and ten days, missing data keeping the state, with OK messages', () => {
    const ages = alarmsOf(base.stateless).filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(ages.map((a) => a.Threshold)).toEqual([60, 86_400, 864_000]);
    for (const a of ages) {
      expect(a).toMatchObject({ Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: 'relance-local-dead-letters' }], TreatMissingData: 'ignore' });
    }
  });

  it('every alarm notifies the topic on alarm and on OK, and the topic e-mails alarmEmail', () => {
    const alarms = alarmsOf(base.stateless);
    expect(alarms.length).toBe(2 + 2 + 16 + 1 + 2 + 3 + 2);
    for (const a of alarms) {
      expect(a.AlarmActions, String(a.AlarmName)).toEqual([{ Ref: expect.stringMatching(/^OperationsAlarms/) }]);
      expect(a.OKActions, String(a.AlarmName)).toEqual(a.AlarmActions);
    }
    base.stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alarms@relance.invalid' });
    dev.stateless.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('has a dashboard relance-<stage> with the alarms, the API, functions, Scheduler, table, runs, dead letters, SES and the Relance metrics', () => {
    const dashboards = Object.values(base.stateless.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect((dashboards[0] as { Properties: Json }).Properties.DashboardName).toBe('relance-local');
    const body = JSON.stringify((dashboards[0] as { Properties: Json }).Properties.DashboardBody);
    for (const text of ['Alarms', 'API latency', 'Throttles', 'Scheduler', 'TargetErrorCount', 'Table', 'Dunning runs', 'Dead letters', 'Reputation.BounceRate', 'Renewals', 'RecoveredAmount']) {
      expect(body, text).toContain(text);
    }
  });

  it('alarmEmail is required for every stage but dev, with a clear error at synth', () => {
    expect(() => buildApp({ ...LOCAL_DEPLOY_CONFIG, stage: 'prod', alarmEmail: undefined })).toThrow(/alarmEmail is required for stage prod: .*-c alarmEmail=/);
    expect(() => loadDeployConfig((k) => (k === 'relance' ? { stage: 'staging', region: 'ca-central-1' } : undefined))).toThrow(/alarmEmail is required for stage staging/);
    expect(deployConfigProblems({ stage: 'dev', mailDomainVerified: false })).toEqual([]);
    expect(loadDeployConfig((k) => (k === 'relance' ? { stage: 'dev', region: 'ca-central-1' } : undefined)).alarmEmail).toBeUndefined();
  });

  it('MFA is required for admins outside dev, optional in dev', () => {
    base.stateful.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
    custom.stateful.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
    dev.stateful.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL' });
  });

  it('functions are traced with X-Ray (Powertools Tracer)', () => {
    const fns = Object.values(base.stateless.findResources('AWS::Lambda::Function', { Properties: { FunctionName: Match.stringLikeRegexp('^relance-local-') } }));
    expect(fns).toHaveLength(8);
    for (const fn of fns) expect((fn as { Properties: Json }).Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });
});

describe('R-OPS-1, R-OPS-2: e-mail feedback, the stack side', () => {
  it('the configuration set sends bounces, complaints, rejects, delays (and sends, deliveries) to EventBridge, and the rule takes them all to the feedback function', () => {
    base.stateless.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject', 'deliveryDelay'] }),
    });
    base.stateless.hasResourceProperties('AWS::Events::Rule', {
      Name: 'relance-local-ses-events',
      EventPattern: Match.objectLike({ source: ['aws.ses'], 'detail-type': SES_EVENT_DETAIL_TYPES }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeedbackFunction'), 'Arn'] } })],
    });
    expect(SES_EVENT_DETAIL_TYPES).toEqual(expect.arrayContaining(['Email Bounced', 'Email Complaint Received', 'Email Rejected', 'Email Delivery Delayed']));
  });

  it('alarms on the account\'s SES reputation at 2 % bounces and 0.05 % complaints', () => {
    expect(alarmNamed(base.stateless, 'relance-local-ses-bounce-rate')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate', Threshold: 0.02, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarmNamed(base.stateless, 'relance-local-ses-complaint-rate')).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate', Threshold: 0.0005 });
  });

  it('SendEmail only through the configuration set, the mail domain\'s identity by name, or identities tagged for this stage: never any identity', () => {
    for (const t of [base.stateless, custom.stateless]) {
      const sends = policyStatements(t).filter((s) => actionsOf(s).includes('ses:SendEmail'));
      expect(sends.length).toBeGreaterThan(0);
      for (const s of sends) {
        const resources = JSON.stringify(s.Resource);
        if (resources.includes('identity/*')) expect(s.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/relance:stage': expect.stringMatching(/^(local|prod)$/) } });
        else expect(resources).toMatch(/configuration-set\/relance-(local|prod)|identity\/mail\.club\.example/);
      }
    }
    const named = policyStatements(custom.stateless).filter((s) => actionsOf(s).includes('ses:SendEmail') && JSON.stringify(s.Resource).includes('identity/mail.club.example'));
    expect(named.length).toBeGreaterThan(0);
    // The API creates identities only with the stage's tag, and reads only those.
    const create = policyStatements(base.stateless, 'ApiFunction').find((s) => actionsOf(s).includes('ses:CreateEmailIdentity'))!;
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/relance:stage': 'local' } });
    const others = policyStatements(base.stateless).filter((s: Statement) => actionsOf(s).includes('ses:CreateEmailIdentity'));
    expect(others).toHaveLength(1);
  });

  it('the mail domain\'s identity is the stateful stack\'s (retained), and Cognito mails through SES from it once verified', () => {
    custom.stateful.hasResource('AWS::SES::EmailIdentity', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EmailIdentity: 'mail.club.example', Tags: Match.arrayWith([{ Key: 'relance:stage', Value: 'prod' }]) }) });
    custom.stateless.resourceCountIs('AWS::SES::EmailIdentity', 0);
    custom.stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: Match.objectLike({ EmailSendingAccount: 'DEVELOPER', From: Match.stringLikeRegexp('no-reply@mail\\.club\\.example'), SourceArn: Match.anyValue() }),
    });
    // Not verified yet: Cognito keeps its own mail (it refuses an unverified identity).
    const unverified = templatesOf({ mailDomain: 'mail.club.example' });
    unverified.stateful.resourceCountIs('AWS::SES::EmailIdentity', 1);
    expect(JSON.stringify(unverified.stateful.findResources('AWS::Cognito::UserPool'))).not.toMatch(/DEVELOPER/);
  });
});

describe('item 7: configuration that cannot surprise', () => {
  it('a synth without a region fails, naming how to set it; CDK_DEFAULT_REGION alone (the CLI\'s us-east-1 default) is not enough', () => {
    expect(() => requireRegion({ stage: 'prod' }, { CDK_DEFAULT_REGION: 'us-east-1' })).toThrow(/no AWS region for stage prod: .*"region".*-c region=.*AWS_REGION/);
    expect(requireRegion({ stage: 'prod', region: 'ca-central-1' }, {})).toBe('ca-central-1');
    expect(requireRegion({ stage: 'prod' }, { AWS_REGION: 'eu-west-3' })).toBe('eu-west-3');
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(() => buildApp({ ...LOCAL_DEPLOY_CONFIG, region: undefined })).toThrow(/no AWS region for stage local/);
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
    }
  });

  it('two stages sharing a mail domain in one account and region: only the owner creates its identity; the other sends through it by name', () => {
    const other = templatesOf({ stage: 'staging', mailDomain: 'mail.club.example', mailIdentityOwner: false });
    other.stateful.resourceCountIs('AWS::SES::EmailIdentity', 0);
    other.stateless.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const sends = policyStatements(other.stateless).filter((s) => actionsOf(s).includes('ses:SendEmail'));
    expect(sends.some((s) => JSON.stringify(s.Resource).includes('identity/mail.club.example'))).toBe(true);
    // Each stage keeps its own configuration set, so its feedback gets only its own mail's events.
    other.stateless.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'relance-staging' });
  });

  it('apiDomain and certificateArn go together; mailDomainVerified needs mailDomain', () => {
    expect(() => buildApp({ ...LOCAL_DEPLOY_CONFIG, apiDomain: 'relance.club.example' })).toThrow(/apiDomain and certificateArn go together/);
    expect(() => buildApp({ ...LOCAL_DEPLOY_CONFIG, mailDomainVerified: true })).toThrow(/mailDomainVerified needs mailDomain/);
  });

  it('reads the new options from -c values', () => {
    const values: Record<string, unknown> = { relance: { stage: 'dev', region: 'ca-central-1' }, timerConcurrency: '20', tableMaxWriteUnits: '300', mailIdentityOwner: 'false' };
    expect(loadDeployConfig((k) => values[k])).toMatchObject({ timerConcurrency: 20, tableMaxWriteUnits: 300, mailIdentityOwner: false, apiThrottle: { rate: 100, burst: 200 } });
  });
});
