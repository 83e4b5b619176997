import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { systemClock } from './adapters/clock.js';
import { type ClientSource, once } from './adapters/lazy-client.js';
import { StripeGateway } from './adapters/payments/stripe.js';
import { SsmGatewaySecrets } from './adapters/ssm/gateway-secrets.js';
import { SsmWebhookSecrets } from './adapters/ssm/webhook-secrets.js';
import type { WebhookSecrets } from './ports/webhook-secrets.js';
import { SchedulerTimers } from './adapters/scheduler/timers.js';
import { SesMailer } from './adapters/ses/mailer.js';
import { PacedMailer } from './adapters/ses/paced.js';
import { SesIdentities } from './adapters/ses/identities.js';
import type { SenderIdentities } from './ports/identities.js';
import { StepFunctionsWorkflows } from './adapters/stepfunctions/workflows.js';
import { documentClient, DynamoStore } from './adapters/dynamodb/store.js';
import { type Config, loadConfig } from './config.js';
import { newId } from './domain/ids.js';
import { type LinkKeys, parseLinkKeys } from './domain/links.js';
import type { Clock } from './ports/clock.js';
import type { Mailer } from './ports/mailer.js';
import type { Metrics } from './ports/metrics.js';
import type { GatewaySecrets } from './ports/gateway-secrets.js';
import type { PaymentGateway } from './ports/payments.js';
import type { Store } from './ports/store.js';
import type { Timers } from './ports/timers.js';
import type { Workflows } from './ports/workflows.js';

/** Everything a use case may touch. Tests pass their own; Lambda entries call `runtimeDeps`. */
export interface Deps {
  config: Config;
  clock: Clock;
  store: Store;
  timers: Timers;
  mailer: Mailer;
  workflows: Workflows;
  payments: PaymentGateway;
  /** R-PAY-1: each organisation's own gateway credentials. */
  gatewaySecrets: GatewaySecrets;
  /** R-EVT-1: the outbound webhooks' signing secrets (absent in unit tests that do not need them). */
  webhookSecrets?: WebhookSecrets;
  linkKeys: LinkKeys;
  newId: (prefix: string) => string;
  /** R-OPS-2: SES sending identities (absent in unit tests that do not need them). */
  identities?: SenderIdentities;
  /** R-OPS-5: business metrics (Powertools in Lambda; none in tests and the local cloud). */
  metrics?: Metrics;
}

/** Where the AWS clients point: the real services by default, the local cloud when given. */
export interface ClientOptions {
  region?: string;
  endpoints?: { dynamodb: string; scheduler: string; sesv2: string; sfn: string; ssm: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The clients. DynamoDB serves every request, so it is made at init; the others are factories
 * run on first use (issue 13): their SDK packages sit in the bundle's chunks, and a cold start
 * that never schedules, mails, starts a workflow or reads a gateway key does not load them.
 */
export interface AwsClients {
  dynamodb: DynamoDBClient;
  scheduler: ClientSource<SchedulerClient>;
  sesv2: ClientSource<SESv2Client>;
  sfn: ClientSource<SFNClient>;
  ssm: ClientSource<SSMClient>;
}

export function awsClients(options: ClientOptions = {}): AwsClients {
  // Calls give up after 10 s (the SDK only warns unless told to throw): an answer that does not
  // come is an unknown outcome, which the workers settle later.
  const base = { region: options.region, credentials: options.credentials, maxAttempts: 3, requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } };
  const at = (endpoint: string | undefined) => (endpoint ? { ...base, endpoint } : base);
  return {
    dynamodb: new DynamoDBClient(at(options.endpoints?.dynamodb)),
    scheduler: once(async () => new (await import('./adapters/scheduler/sdk.js')).SchedulerClient(at(options.endpoints?.scheduler))),
    // SendEmail has no idempotency key: the SDK must not resend it after a lost answer. The mail
    // worker retries instead, after SES's Send event had time to tell whether it was sent.
    sesv2: once(async () => new (await import('./adapters/ses/sdk.js')).SESv2Client({ ...at(options.endpoints?.sesv2), maxAttempts: 1 })),
    sfn: once(async () => new (await import('./adapters/stepfunctions/sdk.js')).SFNClient(at(options.endpoints?.sfn))),
    ssm: once(async () => new (await import('./adapters/ssm/sdk.js')).SSMClient(at(options.endpoints?.ssm))),
  };
}

export function buildDeps(config: Config, clients: AwsClients, linkKeys: LinkKeys, clock: Clock = systemClock): Deps {
  const doc = documentClient(clients.dynamodb);
  const gatewaySecrets = new SsmGatewaySecrets(clients.ssm, config.GATEWAY_PARAMETER_PREFIX);
  return {
    config,
    clock,
    store: new DynamoStore(doc, config.TABLE_NAME),
    timers: new SchedulerTimers(clients.scheduler, {
      groupName: config.SCHEDULER_GROUP_NAME,
      targetArn: config.TIMER_FUNCTION_ARN,
      workerArn: config.WORKER_FUNCTION_ARN,
      roleArn: config.SCHEDULER_ROLE_ARN,
      deadLetterArn: config.SCHEDULER_DLQ_ARN,
    }),
    mailer: config.MAIL_SEND_RATE
      ? new PacedMailer(new SesMailer(clients.sesv2, config.SES_CONFIGURATION_SET), config.MAIL_SEND_RATE)
      : new SesMailer(clients.sesv2, config.SES_CONFIGURATION_SET),
    workflows: new StepFunctionsWorkflows(clients.sfn, { dunning: config.DUNNING_STATE_MACHINE_ARN }),
    identities: new SesIdentities(clients.sesv2, tagOf(config.SES_IDENTITY_TAG)),
    payments: new StripeGateway({ secrets: gatewaySecrets, clock, apiBase: config.STRIPE_API_BASE }),
    gatewaySecrets,
    webhookSecrets: new SsmWebhookSecrets(clients.ssm, config.GATEWAY_PARAMETER_PREFIX),
    linkKeys,
    newId: (prefix) => newId(prefix, clock.now()),
  };
}

/** `relance:stage=prod` → { key, value }. */
function tagOf(text: string | undefined): { key: string; value: string } | undefined {
  if (!text) return undefined;
  const [key, value] = text.split('=') as [string, string];
  return { key, value };
}

/**
 * The signed-link keys: inline JSON, or the Secrets Manager secret read once at cold start (its
 * SDK is imported only then: the local cloud and the tests pass the keys inline).
 */
export async function loadLinkKeys(config: Config, secrets?: SecretsManagerClient): Promise<LinkKeys> {
  if (config.LINK_KEYS !== undefined) return parseLinkKeys(config.LINK_KEYS);
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const out = await (secrets ?? new sdk.SecretsManagerClient({})).send(new sdk.GetSecretValueCommand({ SecretId: config.LINK_KEYS_SECRET_ARN }));
  if (!out.SecretString) throw new Error('the link-keys secret has no string value');
  return parseLinkKeys(out.SecretString);
}

/** The dependencies of a deployed function: configuration from its environment, real AWS. */
export async function runtimeDeps(env: Record<string, string | undefined> = process.env): Promise<Deps> {
  const config = loadConfig(env);
  return buildDeps(config, awsClients(), await loadLinkKeys(config));
}
