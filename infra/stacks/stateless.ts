import { ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import type { FunctionName } from '../constructs/bundling.js';
import { HouseFunction } from '../constructs/house-function.js';
import { DomainEvents } from '../constructs/domain-events.js';
import { acknowledge } from '../constructs/nag.js';
import { Operations } from '../constructs/operations.js';
import { dunningDefinition } from '../state-machines/dunning.js';
import { ORG_ATTRIBUTE, ruleNamePrefix, scheduleNames, StatefulStack } from './stateful.js';

export interface StatelessStackProps extends StackProps {
  config: DeployConfig;
  table: dynamodb.ITableV2;
  userPool: cognito.IUserPool;
  linkKeys: secretsmanager.ISecret;
}

/**
 * The stream records the worker acts on (Lambda event filtering; the local cloud applies the
 * same patterns): new outbox e-mails and payment attempts, new dunning runs (to start their
 * execution), changed cards (to pay with at once), new domain events to publish (R-EVT-1), and
 * re-plan jobs still running.
 */
export const WORKER_STREAM_FILTERS = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox', 'attempt', 'dunning_run', 'card_change', 'domain_event', 'webhook_delivery'] } } } },
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: { S: ['replan_job'] }, status: { S: ['running'] } } } },
];

/** R-OPS-1: the SES events the feedback function receives (EventBridge detail types). */
export const SES_EVENT_DETAIL_TYPES = ['Email Sent', 'Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Rejected', 'Email Delivery Delayed'];

/** R-OPS-2: the tag every SES identity an organisation verifies through the API carries (value: the stage). */
export const IDENTITY_STAGE_TAG = 'relance:stage';

/** R-OPS-4: the API's access log line (JSON); no query string, no body, no Authorization. */
export const API_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

/** The table's global secondary indexes (stateful stack), named so no policy needs `index/*`. */
const TABLE_INDEXES = ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'];

/** Item 8 (AwsSolutions-APIG4): why each public route needs no Cognito token. */
const PUBLIC_ROUTE_REASONS: Record<string, string> = {
  '/l/{token}': 'Member links: the token is an HMAC-signed, expiring, single-purpose link (R-LNK-1); GET changes nothing.',
  '/webhooks/stripe/{orgId}': "Stripe webhooks: each event is verified with the organisation's signing secret (R-PAY-4); anything else is 400.",
  '/': 'The admin console\'s static pages; they hold no data and sign in through Cognito.',
  '/console': 'The admin console\'s static pages; they hold no data and sign in through Cognito.',
  '/console/{proxy+}': 'The admin console\'s static pages; they hold no data and sign in through Cognito.',
};

/** The DynamoDB actions the functions use. No Scan: nothing lists a whole table (DeleteItem: the api only, below). */
const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];

/**
 * Everything that can be replaced without losing data: the HTTP API and its authorizer, the
 * functions, the dunning state machine, the SES configuration set, the alarms and the
 * dashboard. R-OPS-3: what a live schedule points at (its group, the scheduler role, the
 * dead-letter queue, the target function) is named, never created, here: the first three live
 * in the stateful stack and the functions have fixed names.
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
      // R-OPS-4: a billing-minute peak (Scheduler at up to 1,000 invocations/s) queues in Lambda's
      // asynchronous queue instead of taking the account's concurrency from the API and links.
      timer: make('timer', 'Relance timer target (EventBridge Scheduler)', { timeout: Duration.seconds(60), reservedConcurrency: config.timerConcurrency }),
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

    // R-OPS-3: the dead letters, the schedule group and the scheduler role are the stateful
    // stack's, named (not referenced) here, so replacing this stack changes none of them.
    const names = scheduleNames(stage);
    const deadLetters = sqs.Queue.fromQueueAttributes(this, 'DeadLetters', {
      queueArn: this.formatArn({ service: 'sqs', resource: names.deadLetters, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
      queueName: names.deadLetters,
    });
    const groupName = names.group;
    const schedulerRoleArn = this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: names.role });
    new lambda.EventInvokeConfig(this, 'TimerAsyncConfig', {
      function: this.functions.timer.fn,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(deadLetters),
    });

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

    const dunningName = `relance-${stage}-dunning`;
    const dunningLogs = new logs.LogGroup(this, 'DunningLogs', { retention: config.logRetentionDays as logs.RetentionDays });
    this.dunningStateMachine = new sfn.StateMachine(this, 'Dunning', {
      stateMachineName: dunningName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(dunningDefinition(this, this.functions.dunning.fn)),
      // Every state transition, without its input and output (members' data stays out of the log).
      logs: { destination: dunningLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
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
    // R-OPS-1: bounces, complaints, rejects, delays and deliveries give each e-mail and member a delivery status.
    configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    new events.Rule(this, 'SesEvents', {
      // A fixed name: the stateful dead-letter queue lets this stage's rules (relance-<stage>-…) in.
      ruleName: `${ruleNamePrefix(stage)}ses-events`,
      description: 'SES events of the Relance configuration set go to the feedback function',
      eventPattern: {
        source: ['aws.ses'],
        detailType: SES_EVENT_DETAIL_TYPES,
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } },
      },
      targets: [new eventTargets.LambdaFunction(this.functions.feedback.fn, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: deadLetters })],
    });
    // The mail domain's SES identity is the stateful stack's (retained; DKIM tokens survive).

    // R-OPS-4: a custom domain keeps member links and the console's address when the API is replaced.
    const customDomain =
      config.apiDomain && config.certificateArn
        ? new apigw.DomainName(this, 'ApiDomain', {
            domainName: config.apiDomain,
            certificate: acm.Certificate.fromCertificateArn(this, 'ApiCertificate', config.certificateArn),
            securityPolicy: apigw.SecurityPolicy.TLS_1_2,
          })
        : undefined;
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `relance-${stage}`,
      description: 'Relance admin API, member links and console',
      ...(customDomain ? { defaultDomainMapping: { domainName: customDomain } } : {}),
    });
    const publicBaseUrl = config.apiDomain ? `https://${config.apiDomain}` : this.api.apiEndpoint;
    // R-OPS-4: stage throttling and JSON access logs (no query strings, no bodies: tokens stay out).
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { logGroupName: `/aws/http-api/relance-${stage}`, retention: config.logRetentionDays as logs.RetentionDays, removalPolicy: RemovalPolicy.DESTROY });
    const defaultStage = this.api.defaultStage!.node.defaultChild as apigw.CfnStage;
    defaultStage.defaultRouteSettings = { throttlingRateLimit: config.apiThrottle.rate, throttlingBurstLimit: config.apiThrottle.burst, detailedMetricsEnabled: false };
    defaultStage.accessLogSettings = { destinationArn: accessLogs.logGroupArn, format: JSON.stringify(API_ACCESS_LOG_FORMAT) };
    const consoleUrl = `${publicBaseUrl}/console`;
    // The admin console logs in through the Cognito hosted UI (authorization code + PKCE).
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
      const routes = this.api.addRoutes({ path, methods, integration: integrations.get(fn)!, authorizer: auth });
      // Item 8: the public routes, each with what protects it instead of a Cognito token.
      if (!auth) for (const r of routes) acknowledge(r, 'AwsSolutions-APIG4', PUBLIC_ROUTE_REASONS[path] ?? 'no reason given');
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
      SCHEDULER_GROUP_NAME: groupName,
      TIMER_FUNCTION_ARN: HouseFunction.arnOf(this, stage, 'timer'),
      WORKER_FUNCTION_ARN: HouseFunction.arnOf(this, stage, 'worker'),
      MAIL_SEND_RATE: String(config.mailSendRate / config.workerConcurrency),
      SCHEDULER_ROLE_ARN: schedulerRoleArn,
      SCHEDULER_DLQ_ARN: deadLetters.queueArn,
      DUNNING_STATE_MACHINE_ARN: dunningArn,
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
      PUBLIC_BASE_URL: publicBaseUrl,
      GATEWAY_PARAMETER_PREFIX: gatewayPrefix,
      LINK_KEYS_SECRET_ARN: linkKeys.secretArn,
    };
    const scheduleArns = [StatefulStack.schedulesArn(this, stage)];
    // R-OPS-2: sends only through verified identities: the configuration set, the mail domain's
    // identity by name, and the identities organisations verify through the API, which carry the
    // tag relance:stage=<stage> (SES authorizes SendEmail on the From identity's tags).
    const configurationSetArn = this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: `relance-${stage}` });
    const identityArn = (name: string) => this.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    const sendFromVerified = [
      new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [configurationSetArn, ...(config.mailDomain ? [identityArn(config.mailDomain)] : [])] }),
      new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [identityArn('*')], conditions: { StringEquals: { [`aws:ResourceTag/${IDENTITY_STAGE_TAG}`]: stage } } }),
    ];
    for (const fn of backend) {
      fn.setEnv(runtimeEnv)
        .allow(TABLE_ACTIONS, [table.tableArn, ...TABLE_INDEXES.map((index) => `${table.tableArn}/index/${index}`)])
        .allow(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], scheduleArns)
        .allow(['secretsmanager:GetSecretValue'], [linkKeys.secretArn]);
      for (const statement of sendFromVerified) fn.fn.addToRolePolicy(statement);
      fn.fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [schedulerRoleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
    }
    // Item 8: the wildcards left, each bounded, and why.
    const nagArn = (service: string, resource: string, region: string = this.region) =>
      `Resource::arn:<AWS::Partition>:${service}:${region}:${Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account}:${resource}`;
    for (const fn of backend) {
      acknowledge(fn, `AwsSolutions-IAM5[${nagArn('scheduler', `schedule/${groupName}/*`)}]`, 'Schedules are named per membership and instant at run time; CreateSchedule and DeleteSchedule are limited to the Relance group.');
      acknowledge(fn, `AwsSolutions-IAM5[${nagArn('ses', 'identity/*')}]`, 'R-OPS-2: organisations verify their own identities at run time; SendEmail on them is allowed only when the identity carries relance:stage=<stage>.');
    }
    for (const fn of [this.functions.api, this.functions.links, this.functions.worker, this.functions.dunning, this.functions.webhooks]) {
      acknowledge(fn, `AwsSolutions-IAM5[${nagArn('ssm', `parameter/relance/${stage}/stripe/*`)}]`, "R-PAY-1: one SecureString per organisation under the stage's own path; organisations connect at run time.");
    }
    const synchronous = 'Invoked synchronously (the caller gets the error and retries: API Gateway, Step Functions); a dead-letter queue only applies to asynchronous invocations.';
    const noDeadLetterConfig: Record<FunctionName, string> = {
      api: synchronous,
      links: synchronous,
      console: synchronous,
      webhooks: `${synchronous} Stripe retries a failed webhook for three days.`,
      dunning: synchronous,
      timer: 'Its asynchronous failures go to the dead letters through an on-failure destination (EventInvokeConfig), which carries the request and the error.',
      worker: 'Its asynchronous failures and stream batches go to the dead letters through on-failure destinations.',
      feedback: "Invoked by the EventBridge rule, whose target has the dead-letter queue and 8 retries.",
    };
    for (const [name, reason] of Object.entries(noDeadLetterConfig)) acknowledge(this.functions[name as FunctionName], 'Serverless-LambdaDLQ', reason);
    const dunningFnId = this.getLogicalId(this.functions.dunning.fn.node.defaultChild as lambda.CfnFunction);
    acknowledge(this.dunningStateMachine, `AwsSolutions-IAM5[Resource::<${dunningFnId}.Arn>:*]`, 'CDK grants the Lambda task its function and its versions (:*); only the dunning function.');
    acknowledge(this.dunningStateMachine, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing and CloudWatch log delivery have no resource-level permissions.');

    // R-DUN-1: the worker starts a run's execution when it reads the new run from the stream.
    this.functions.worker.allow(['states:StartExecution'], [dunningArn]);
    // R-EVT-1 (issue 12, domain events): the bus relance-<stage>; the worker alone may put events on it.
    new DomainEvents(this, 'DomainEvents', { stage, publisher: this.functions.worker });
    // Only the functions that talk to Stripe read the credentials; only the API writes them.
    // (links: a member approving a payment their bank wants authenticated opens Stripe's page.)
    for (const fn of [this.functions.api, this.functions.links, this.functions.worker, this.functions.dunning, this.functions.webhooks]) fn.allow(['ssm:GetParameter'], [gatewayParameters]);
    this.functions.api.allow(['ssm:PutParameter'], [gatewayParameters]);
    // R-CON-3, R-PRV-1: the api deletes a member's search keys (a name or e-mail changed, a member
    // erased); a Delete inside TransactWriteItems needs DeleteItem. The api only, the table only.
    this.functions.api.allow(['dynamodb:DeleteItem'], [table.tableArn]);
    this.functions.console.setEnv({
      AUTH_MODE: 'cognito',
      AUTH_DOMAIN: domain.baseUrl(),
      AUTH_CLIENT_ID: client.userPoolClientId,
      CONSOLE_URL: consoleUrl,
    });

    // R-OPS-2: the API starts the verification of an organisation's domain or address; each
    // identity it creates must carry relance:stage=<stage> (what lets the functions send from it).
    this.functions.api.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:CreateEmailIdentity', 'ses:TagResource'],
        resources: [identityArn('*')],
        conditions: { StringEquals: { [`aws:RequestTag/${IDENTITY_STAGE_TAG}`]: stage } },
      }),
    );
    this.functions.api.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ses:GetEmailIdentity'], resources: [identityArn('*')], conditions: { StringEquals: { [`aws:ResourceTag/${IDENTITY_STAGE_TAG}`]: stage } } }),
    );
    if (config.mailDomain) this.functions.api.allow(['ses:GetEmailIdentity'], [identityArn(config.mailDomain)]);
    this.functions.api.setEnv({ SES_IDENTITY_TAG: `${IDENTITY_STAGE_TAG}=${stage}`, ...(config.mailDomain ? { MAIL_DOMAIN: config.mailDomain } : {}) });

    // R-OPS-5: alarms to the topic (e-mailed to alarmEmail) and the dashboard relance-<stage>.
    const operations = new Operations(this, 'Operations', {
      stage,
      alarmEmail: config.alarmEmail,
      functions: Object.values(this.functions),
      timer: this.functions.timer,
      api: this.api,
      tableName: table.tableName,
      scheduleGroupName: groupName,
      stateMachine: this.dunningStateMachine,
      deadLetters,
    });
    const alarms = operations.topic;

    new CfnOutput(this, 'ApiUrl', { value: publicBaseUrl });
    if (customDomain) new CfnOutput(this, 'ApiDomainTarget', { value: customDomain.regionalDomainName, description: `CNAME (or alias) ${config.apiDomain} to this` });
    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
  }
}
