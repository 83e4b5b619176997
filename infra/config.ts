import { readFileSync } from 'node:fs';
import * as z from 'zod';

/**
 * What an operator chooses for one deployment (one stack pair per region): CDK context
 * `relance` in cdk.json, overridden by a JSON file named by `-c configFile=…`, overridden by
 * single `-c key=value` pairs (stage, region, account, …).
 */
const deployConfigShape = z.strictObject({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, { message: 'lower-case letters, digits and dashes, 2–16 long' }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
  account: z.string().regex(/^\d{12}$/).optional(),
  /** The domain member e-mail is sent from; the stateful stack creates its SES identity (DKIM) unless `mailIdentityOwner` is false. */
  mailDomain: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/).optional(),
  /**
   * Item 7: whether this stage creates (and owns) the SES identity of `mailDomain`. An SES
   * identity exists once per account and region: a second stage sending from the same domain
   * in the same account and region sets this to false and sends through the owner's identity.
   */
  mailIdentityOwner: z.boolean().default(true),
  /**
   * Set to true once the `mailDomain` identity is verified (its DKIM records published):
   * Cognito then sends its own mail (invitations, codes) through SES from `no-reply@<mailDomain>`.
   * Cognito refuses an unverified identity, so the first deploy leaves it false.
   */
  mailDomainVerified: z.boolean().default(false),
  /** Where alarms are e-mailed. Required for every stage but `dev`. */
  alarmEmail: z.email().optional(),
  /** Log retention of every function, the API access log and the state machine, in days. */
  logRetentionDays: z.number().int().positive().default(30),
  /** The Cognito hosted-UI domain prefix for the admin console login. */
  authDomainPrefix: z.string().regex(/^[a-z0-9-]{3,63}$/).optional(),
  /** R-OPS-4: the account's SES maximum send rate, messages per second (1 in the SES sandbox). */
  mailSendRate: z.number().positive().max(1000).default(1),
  /** How many worker instances may run at once (its reserved concurrency); they share the send rate. */
  workerConcurrency: z.number().int().min(1).max(100).default(2),
  /** R-OPS-4: the timer function's reserved concurrency, so a billing-minute peak leaves room for the API and links. */
  timerConcurrency: z.number().int().min(1).max(1000).default(50),
  /** R-OPS-4: the HTTP API stage's throttling: steady requests per second and burst. */
  apiThrottle: z.strictObject({ rate: z.number().positive().max(10_000), burst: z.number().int().positive().max(5_000) }).default({ rate: 100, burst: 200 }),
  /** R-OPS-4: optional caps on the table's on-demand throughput (request units per second); none by default. */
  tableMaxReadUnits: z.number().int().min(1).optional(),
  tableMaxWriteUnits: z.number().int().min(1).optional(),
  /** R-OPS-4: a custom domain for the API and member links (with `certificateArn`, an ACM certificate in the same region). */
  apiDomain: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/).optional(),
  certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/).optional(),
});
export type DeployConfig = z.infer<typeof deployConfigShape>;

/** Item 7 and R-OPS-5: rules between options, with the message an operator reads at synth. */
export function deployConfigProblems(config: Pick<DeployConfig, 'stage' | 'alarmEmail' | 'apiDomain' | 'certificateArn' | 'mailDomainVerified' | 'mailDomain'>): string[] {
  const problems: string[] = [];
  if (config.stage !== 'dev' && !config.alarmEmail) {
    problems.push(
      `alarmEmail is required for stage ${config.stage}: alarms must reach someone outside dev; set "alarmEmail" in the cdk.json context "relance", in the -c configFile=… JSON, or pass -c alarmEmail=ops@example.org`,
    );
  }
  if (Boolean(config.apiDomain) !== Boolean(config.certificateArn)) {
    problems.push('apiDomain and certificateArn go together: the custom domain needs an ACM certificate of that name in the stack\'s region');
  }
  if (config.mailDomainVerified && !config.mailDomain) problems.push('mailDomainVerified needs mailDomain');
  return problems;
}

export const deployConfigSchema = deployConfigShape.superRefine((config, ctx) => {
  for (const message of deployConfigProblems(config)) ctx.addIssue({ code: 'custom', message, path: [] });
});

/**
 * Item 7: the region every ARN is written with, never a silent default. The CDK CLI fills
 * CDK_DEFAULT_REGION with us-east-1 when no profile or variable names a region, so that variable
 * alone is not trusted: the region comes from the configuration (`region`) or from AWS_REGION /
 * AWS_DEFAULT_REGION, which only an operator sets.
 */
export function requireRegion(config: Pick<DeployConfig, 'region' | 'stage'>, env: Record<string, string | undefined> = process.env): string {
  const region = config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new Error(
      `no AWS region for stage ${config.stage}: every ARN of the stacks names one, and Relance never guesses it (the CDK CLI would write us-east-1). Set "region" in the cdk.json context "relance" (or the -c configFile=… JSON), pass -c region=ca-central-1, or export AWS_REGION=ca-central-1`,
    );
  }
  return region;
}

export function loadDeployConfig(tryGetContext: (key: string) => unknown): DeployConfig {
  const base = (tryGetContext('relance') as Record<string, unknown> | undefined) ?? {};
  const file = tryGetContext('configFile');
  const fromFile = typeof file === 'string' ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const single: Record<string, unknown> = {};
  for (const key of ['stage', 'region', 'account', 'mailDomain', 'alarmEmail', 'authDomainPrefix', 'apiDomain', 'certificateArn']) {
    const value = tryGetContext(key);
    if (typeof value === 'string') single[key] = value;
  }
  for (const key of ['mailSendRate', 'workerConcurrency', 'timerConcurrency', 'tableMaxReadUnits', 'tableMaxWriteUnits']) {
    const value = tryGetContext(key);
    if (typeof value === 'string' || typeof value === 'number') single[key] = Number(value);
  }
  for (const key of ['mailIdentityOwner', 'mailDomainVerified']) {
    const value = tryGetContext(key);
    if (typeof value === 'boolean') single[key] = value;
    else if (value === 'true' || value === 'false') single[key] = value === 'true';
  }
  return parseDeployConfig({ ...base, ...fromFile, ...single } as DeployConfigInput);
}

/** A configuration as written (defaults not yet applied). */
export type DeployConfigInput = z.input<typeof deployConfigShape>;

/** Validates and completes a configuration, with the same messages as `loadDeployConfig`. */
export function parseDeployConfig(input: DeployConfigInput): DeployConfig {
  const parsed = deployConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`invalid deploy configuration: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
  }
  return parsed.data;
}
