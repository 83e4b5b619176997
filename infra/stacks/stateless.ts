import { ArnFormat, Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import type { FunctionName } from '../constructs/bundling.js';
import { HouseFunction } from '../constructs/house-function.js';
import { dunningDefinition } from '../state-machines/dunning.js';
import { ORG_ATTRIBUTE } from './stateful.js';

export interface StatelessStackProps extends StackProps {
  config: DeployConfig;
  table: dynamodb.ITableV2;
  userPool: cognito.IUserPool;
  linkKeys: secretsmanager.ISecret;
}

/**
 * The stream records the worker acts on (Lambda event filtering; the local cloud applies the
 * same patterns): new outbox e-mails and payment attempts, new dunning runs (to start their
 * execution), changed cards (to pay with at once), and re-plan jobs still running.
 */
export const WORKER_STREAM_FILTERS = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox', 'attempt', 'dunning_run', 'card_change'] } } } },
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['replan_job'] }, status: { S: ['running'] } } } },
];

/** The DynamoDB actions the functions use. No Scan, no DeleteItem: nothing lists a whole table. */
const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];

/**
 * Everything that can be replaced without losing data: the HTTP API and its authorizer, the
 * functions, the scheduler group, the dunning state machine, the SES configuration set and the
 * alarms.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<FunctionName, HouseFunction>;
  readonly api: apigw.HttpApi;
  readonly dunningStateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, userPool, linkKeys } = props;
    const stage = config.stage;

    const make = (name: FunctionName, description: string, extra: { memorySize?: number; timeout?: Duration; reservedConcurrency?: number } = {}) =>
      new HouseFunction(this, `${name[0]!.toUpperCase()}${name.slice(1)}Function`, {
        name,
        stage,
        description,
        logRetentionDays: config.logRetentionDays,
        ...extra,
      });
    this.functions = {
      api: make('api', 'Relance admin JSON API'),
      links: make('links', 'Relance signed member links (GET shows, POST acts)'),
      console: make('console', 'Relance admin console pages', { memorySize: 256 }),
      timer: make('timer', 'Relance timer target (EventBridge Scheduler)', { timeout: Duration.seconds(60) }),
      dunning: make('dunning', 'Relance dunning ladder steps (Step Functions)', { timeout: Duration.seconds(60) }),
      worker: make('worker', 'Relance worker: outbox e-mails, payment attempts and re-plan jobs from the table stream, and their retries', {
        timeout: Duration.seconds(120),
        reservedConcurrency: config.workerConcurrency,
      }),
      feedback: make('feedback', 'Relance SES events (configuration set → EventBridge)', { timeout: Duration.seconds(30) }),
      webhooks: make('webhooks', 'Relance Stripe webhooks of each organisation (signature-verified)', { timeout: Duration.seconds(30) }),
    };
    const backend = [
      this.functions.api,
      this.functions.links,
      this.functions.timer,
      this.functions.dunning,
      this.functions.worker,
      this.functions.feedback,
      this.functions.webhooks,
    ];

    // Dead letters: timer invocations Scheduler could not deliver, and timer runs that failed
    // after Lambda's own retries. Both raise an alarm.
    const deadLetters = new sqs.Queue(this, 'TimerDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    new lambda.EventInvokeConfig(this, 'TimerAsyncConfig', {
      function: this.functions.timer.fn,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(deadLetters),
    });

    const group = new scheduler.ScheduleGroup(this, 'Timers', { scheduleGroupName: `relance-${stage}` });
    const schedulerRole = new iam.Role(this, 'SchedulerInvokeRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler invokes the Relance timer function',
    });
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.functions.timer.fn.functionArn, this.functions.worker.fn.functionArn] }),
    );
    new lambda.EventInvokeConfig(this, 'WorkerAsyncConfig', {
      function: this.functions.worker.fn,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(deadLetters),
    });

    // R-MNY-2, R-MNY-6: the worker reads the table's stream. Only what it acts on reaches it (new
    // outbox e-mails, new payment attempts, running re-plan jobs); a failing record is retried,
    // the batch bisected to isolate it, and after its retries it goes to the dead letters.
    new lambda.EventSourceMapping(this, 'WorkerStream', {
      target: this.functions.worker.fn,
      eventSourceArn: table.tableStreamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(1),
      bisectBatchOnError: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      parallelizationFactor: 2,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(deadLetters),
      filters: WORKER_STREAM_FILTERS.map((pattern) => lambda.FilterCriteria.filter(pattern)),
    });
    this.functions.worker.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [table.tableStreamArn!],
      }),
    );
    deadLetters.grantSendMessages(schedulerRole);

    const dunningName = `relance-${stage}-dunning`;
    const dunningLogs = new logs.LogGroup(this, 'DunningLogs', { retention: config.logRetentionDays as logs.RetentionDays });
    this.dunningStateMachine = new sfn.StateMachine(this, 'Dunning', {
      stateMachineName: dunningName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(dunningDefinition(this, this.functions.dunning.fn)),
      logs: { destination: dunningLogs, level: sfn.LogLevel.ERROR },
      tracingEnabled: true,
    });
    const dunningArn = this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: dunningName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    const configurationSet = new ses.ConfigurationSet(this, 'MailConfiguration', {
      configurationSetName: `relance-${stage}`,
      reputationMetrics: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // SES's own record of each mail it accepted (Send) settles a mail whose answer was lost (R-MNY-6).
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [ses.EmailSendingEvent.SEND, ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    new events.Rule(this, 'SesEvents', {
      description: 'SES events of the Relance configuration set go to the feedback function',
      eventPattern: { source: ['aws.ses'], detailType: ['Email Sent', 'Email Bounced', 'Email Complaint Received', 'Email Rejected'], detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } } },
      targets: [new eventTargets.LambdaFunction(this.functions.feedback.fn, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: deadLetters })],
    });
    if (config.mailDomain) {
      new ses.EmailIdentity(this, 'MailDomain', {
        identity: ses.Identity.domain(config.mailDomain),
        configurationSet,
      });
    }

    // The admin console logs in through the Cognito hosted UI (authorization code + PKCE).
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `relance-${stage}`,
      description: 'Relance admin API, member links and console',
    });
    const consoleUrl = `${this.api.apiEndpoint}/console`;
    const client = new cognito.UserPoolClient(this, 'ConsoleClient', {
      userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      readAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }).withCustomAttributes(ORG_ATTRIBUTE),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(7),
      preventUserExistenceErrors: true,
    });
    const domain = new cognito.UserPoolDomain(this, 'ConsoleLogin', {
      userPool,
      cognitoDomain: { domainPrefix: config.authDomainPrefix ?? `relance-${stage}-${Aws.ACCOUNT_ID}` },
    });
    const authorizer = new HttpJwtAuthorizer('AdminJwt', `https://cognito-idp.${Aws.REGION}.amazonaws.com/${userPool.userPoolId}`, {
      jwtAudience: [client.userPoolClientId],
    });

    const integrations = new Map<HouseFunction, HttpLambdaIntegration>();
    const route = (path: string, methods: apigw.HttpMethod[], fn: HouseFunction, auth?: HttpJwtAuthorizer) => {
      if (!integrations.has(fn)) integrations.set(fn, new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.fn));
      this.api.addRoutes({ path, methods, integration: integrations.get(fn)!, authorizer: auth });
    };
    const { GET, POST, PUT, PATCH, DELETE } = apigw.HttpMethod;
    route('/api/{proxy+}', [GET, POST, PUT, PATCH, DELETE], this.functions.api, authorizer);
    route('/l/{token}', [GET, POST], this.functions.links);
    // R-PAY-4: no token; the organisation's signing secret verifies each event.
    route('/webhooks/stripe/{orgId}', [POST], this.functions.webhooks);
    route('/', [GET], this.functions.console);
    route('/console', [GET], this.functions.console);
    route('/console/{proxy+}', [GET], this.functions.console);

    // R-PAY-1: each organisation's Stripe credentials, one SecureString (standard tier, the
    // account's aws/ssm KMS key) per organisation under the stack's own path.
    const gatewayPrefix = `/relance/${stage}/stripe`;
    const gatewayParameters = this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `relance/${stage}/stripe/*` });
    const runtimeEnv: Record<string, string> = {
      TABLE_NAME: table.tableName,
      SCHEDULER_GROUP_NAME: group.scheduleGroupName,
      TIMER_FUNCTION_ARN: HouseFunction.arnOf(this, stage, 'timer'),
      WORKER_FUNCTION_ARN: HouseFunction.arnOf(this, stage, 'worker'),
      MAIL_SEND_RATE: String(config.mailSendRate / config.workerConcurrency),
      SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: deadLetters.queueArn,
      DUNNING_STATE_MACHINE_ARN: dunningArn,
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
      PUBLIC_BASE_URL: this.api.apiEndpoint,
      GATEWAY_PARAMETER_PREFIX: gatewayPrefix,
      LINK_KEYS_SECRET_ARN: linkKeys.secretArn,
    };
    const scheduleArns = [this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${group.scheduleGroupName}/*` })];
    for (const fn of backend) {
      fn.setEnv(runtimeEnv)
        .allow(TABLE_ACTIONS, [table.tableArn, `${table.tableArn}/index/*`])
        .allow(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], scheduleArns)
        .allow(['ses:SendEmail'], [
          this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
          this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
        ])
        .allow(['secretsmanager:GetSecretValue'], [linkKeys.secretArn]);
      fn.fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
    // R-DUN-1: the worker starts a run's execution when it reads the new run from the stream.
    this.functions.worker.allow(['states:StartExecution'], [dunningArn]);
    // Only the functions that talk to Stripe read the credentials; only the API writes them.
    // (links: a member approving a payment their bank wants authenticated opens Stripe's page.)
    for (const fn of [this.functions.api, this.functions.links, this.functions.worker, this.functions.dunning, this.functions.webhooks]) fn.allow(['ssm:GetParameter'], [gatewayParameters]);
    this.functions.api.allow(['ssm:PutParameter'], [gatewayParameters]);
    this.functions.console.setEnv({
      AUTH_MODE: 'cognito',
      AUTH_DOMAIN: domain.baseUrl(),
      AUTH_CLIENT_ID: client.userPoolClientId,
      CONSOLE_URL: consoleUrl,
    });

    // Alarms: anything in the dead-letter queue, failing functions, failed dunning runs.
    const alarms = new sns.Topic(this, 'Alarms', { displayName: `Relance ${stage} alarms` });
    if (config.alarmEmail) alarms.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new cwActions.SnsAction(alarms));
    alarm('DeadLettersAlarm', deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'A timer could not be delivered or failed after retries');
    for (const fn of backend) {
      alarm(`${fn.node.id}Errors`, fn.fn.metricErrors({ period: Duration.minutes(5) }), `${fn.functionName} raised errors`);
    }
    alarm('DunningFailedAlarm', this.dunningStateMachine.metricFailed({ period: Duration.minutes(5) }), 'A dunning run failed');

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
  }
}
