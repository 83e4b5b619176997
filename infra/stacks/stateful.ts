import { NOTICE_ROW_ATTRIBUTES } from '../../shared/adapters/dynamodb/entities/notice.js';
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { HouseFunction } from '../constructs/house-function.js';
import { acknowledge } from '../constructs/nag.js';

export interface StatefulStackProps extends StackProps {
  config: DeployConfig;
}

/** The attribute that carries an admin's organisation in the Cognito tokens. */
export const ORG_ATTRIBUTE = 'orgId';

/**
 * R-OPS-3: the stable names of what a live schedule carries. A schedule names its group, the
 * role Scheduler assumes, its dead-letter queue and its target function; all four are fixed
 * names owned by this stack (the functions' names are fixed too), so the stateless stack can be
 * destroyed and deployed again without stranding a schedule.
 */
export const scheduleNames = (stage: string) => ({
  group: `relance-${stage}`,
  role: `relance-${stage}-scheduler`,
  deadLetters: `relance-${stage}-dead-letters`,
});

/** The functions schedules may invoke (fixed names `relance-<stage>-<name>`). */
export const SCHEDULE_TARGETS = ['timer', 'worker', 'feedback'] as const;

/** The rules of this stage that may dead-letter into the queue: `relance-<stage>-…` (default bus) and on the `relance-<stage>` bus. */
export const ruleNamePrefix = (stage: string) => `relance-${stage}-`;

/**
 * Everything that holds data or must outlive a redeploy of the stateless stack: the single
 * table, the admin user pool, the link-signing keys, the SES identity of the mail domain, and
 * what live schedules point at (the schedule group, the scheduler role and the dead-letter
 * queue). All retained on stack deletion.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly userPool: cognito.UserPool;
  readonly linkKeys: secretsmanager.Secret;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stage = config.stage;
    const names = scheduleNames(stage);

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      // R-OPS-4: an optional cap on on-demand throughput (a runaway loop cannot run up the bill).
      billing: dynamodb.Billing.onDemand({
        ...(config.tableMaxReadUnits ? { maxReadRequestUnits: config.tableMaxReadUnits } : {}),
        ...(config.tableMaxWriteUnits ? { maxWriteRequestUnits: config.tableMaxWriteUnits } : {}),
      }),
      timeToLiveAttribute: 'expiresAt',
      // R-MNY-6, R-MNY-2: the worker reads new outbox e-mails and payment attempts from the stream.
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          indexName: 'gsi1',
          partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
        },
        {
          indexName: 'gsi2',
          partitionKey: { name: 'gsi2pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi2sk', type: dynamodb.AttributeType.STRING },
        },
        {
          // The live memberships of a plan (sparse), re-planned after a plan edit (R-REN-9).
          indexName: 'gsi3',
          partitionKey: { name: 'gsi3pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi3sk', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.KEYS_ONLY,
        },
        {
          // R-NOT-9: unanswered renewal notices by the instant they are due a reminder (sparse), as board rows.
          indexName: 'gsi4',
          partitionKey: { name: 'gsi4pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi4sk', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: [...NOTICE_ROW_ATTRIBUTES],
        },
        {
          // Issue 13: memberships and invoices by status, keys only (lists read the items by key).
          indexName: 'gsi5',
          partitionKey: { name: 'gsi5pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi5sk', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.KEYS_ONLY,
        },
      ],
    });

    this.userPool = new cognito.UserPool(this, 'Admins', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { [ORG_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 3, maxLen: 64, mutable: false }) },
      // R-OPS-5: admins move money and members' data: a second factor outside dev.
      mfa: stage === 'dev' ? cognito.Mfa.OPTIONAL : cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireSymbols: false, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // R-OPS-2: Cognito's own mail (invitations, codes) through SES from the verified mail domain.
      ...(config.mailDomain && config.mailDomainVerified
        ? { email: cognito.UserPoolEmail.withSES({ fromEmail: `no-reply@${config.mailDomain}`, fromName: 'Relance', sesVerifiedDomain: config.mailDomain, sesRegion: this.region }) }
        : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.userPool, 'AwsSolutions-COG1', 'Length over composition (NIST SP 800-63B): 12 characters at least, no forced character classes; MFA is required outside dev.');
    acknowledge(this.userPool, 'AwsSolutions-COG8', 'The Plus feature plan (threat protection) is priced per active user; admins are few, MFA is required outside dev, and an organisation may turn it on in the console.');
    // R-CON-5: what an admin may do comes from their group (the ID token's cognito:groups):
    // owners run settings, the payment gateway and users; staff everything else.
    new cognito.CfnUserPoolGroup(this, 'OwnersGroup', { userPoolId: this.userPool.userPoolId, groupName: 'owners', description: 'Settings, payment gateway and users, and everything staff do', precedence: 0 });
    new cognito.CfnUserPoolGroup(this, 'StaffGroup', { userPoolId: this.userPool.userPoolId, groupName: 'staff', description: 'Members, memberships, invoices, renewals and dunning', precedence: 1 });

    // Link-signing keys: { "current": "<kid>", "<kid>": "<secret>", … }.
    // Rotation adds a key and moves "current"; old keys keep verifying until their links expire.
    this.linkKeys = new secretsmanager.Secret(this, 'LinkKeys', {
      description: 'Relance signed-link HMAC keys (R-LNK-1)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.linkKeys, 'AwsSolutions-SMG4', 'Link keys rotate by adding a key and moving "current" while old links stay valid (README, signed links); a single-key rotation Lambda would break live links.');

    // R-OPS-2, item 7: the mail domain's SES identity (DKIM), retained: deleting it would change
    // its DKIM tokens and un-verify the domain. One identity per account and region: a second
    // stage sharing the domain sets mailIdentityOwner: false and sends through this one.
    if (config.mailDomain && config.mailIdentityOwner) {
      const identity = new ses.EmailIdentity(this, 'MailDomain', { identity: ses.Identity.domain(config.mailDomain) });
      identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
      // R-OPS-2: the tag the functions' SendEmail permission asks of identities (the API tags those it creates alike).
      Tags.of(identity).add('relance:stage', stage);
      if (config.mailDomainVerified) this.userPool.node.addDependency(identity);
    }

    // R-OPS-3: what live schedules point at, under stable names, retained.
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Timers', { scheduleGroupName: names.group, removalPolicy: RemovalPolicy.RETAIN });

    // Dead letters: timer and retry invocations Scheduler could not deliver (the message is the
    // schedule's input), timer and worker runs that failed after Lambda's retries (an invocation
    // record), stream batches that exhausted their retries (the batch's stream position), and SES
    // events the feedback function could not take (the event). `npm run redrive` takes them back.
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: names.deadLetters,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.deadLetters, 'Serverless-SQSRedrivePolicy', 'This queue is the last stop: its messages are read and redriven by an operator (npm run redrive).');
    acknowledge(this.deadLetters, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of Scheduler, Lambda and EventBridge; it has none of its own.');
    // EventBridge rules of this stage (fixed names) dead-letter here; the rules live in the stateless stack.
    const rulePrefix = ruleNamePrefix(stage);
    this.deadLetters.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'StageRulesDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetters.queueArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': [
              this.formatArn({ service: 'events', resource: 'rule', resourceName: `${rulePrefix}*` }),
              this.formatArn({ service: 'events', resource: 'rule', resourceName: `relance-${stage}/${rulePrefix}*` }),
            ],
          },
        },
      }),
    );

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      roleName: names.role,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler invokes the Relance timer and worker functions (stable names)',
    });
    this.schedulerRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // By their fixed names: the functions live in the stateless stack and may be replaced. Timers
    // invoke the timer, retries the worker; `npm run redrive` hands an SES event that could not
    // reach the feedback function back to it through a one-shot schedule.
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: SCHEDULE_TARGETS.map((name) => HouseFunction.arnOf(this, stage, name)),
      }),
    );
    this.deadLetters.grantSendMessages(this.schedulerRole);
  }

  /** The ARN of a schedule group's schedules, for the functions' CreateSchedule and DeleteSchedule. */
  static schedulesArn(scope: Construct, stage: string): string {
    return Stack.of(scope).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${scheduleNames(stage).group}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }
}
