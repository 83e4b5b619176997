import { NOTICE_ROW_ATTRIBUTES } from '../../shared/adapters/dynamodb/entities/notice.js';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';

export interface StatefulStackProps extends StackProps {
  config: DeployConfig;
}

/** The attribute that carries an admin's organisation in the Cognito tokens. */
export const ORG_ATTRIBUTE = 'orgId';

/**
 * Everything that holds data and must outlive a redeploy: the single table, the admin user
 * pool and the link-signing keys. All retained on stack deletion.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly userPool: cognito.UserPool;
  readonly linkKeys: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
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
      ],
    });

    this.userPool = new cognito.UserPool(this, 'Admins', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { [ORG_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 3, maxLen: 64, mutable: false }) },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireSymbols: false, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
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
  }
}
