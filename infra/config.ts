import { readFileSync } from 'node:fs';
import * as z from 'zod';

/**
 * What an operator chooses for one deployment (one stack pair per region): CDK context
 * `relance` in cdk.json, overridden by a JSON file named by `-c configFile=…`, overridden by
 * single `-c key=value` pairs (stage, region, account).
 */
export const deployConfigSchema = z.strictObject({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, { message: 'lower-case letters, digits and dashes, 2–16 long' }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
  account: z.string().regex(/^\d{12}$/).optional(),
  /** The domain member e-mail is sent from; the stack creates its SES identity (DKIM). */
  mailDomain: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/).optional(),
  /** Where alarms are e-mailed. */
  alarmEmail: z.email().optional(),
  /** Log retention of every function and the state machine, in days. */
  logRetentionDays: z.number().int().positive().default(30),
  /** The Cognito hosted-UI domain prefix for the admin console login. */
  authDomainPrefix: z.string().regex(/^[a-z0-9-]{3,63}$/).optional(),
  /** R-OPS-4: the account's SES maximum send rate, messages per second (1 in the SES sandbox). */
  mailSendRate: z.number().positive().max(1000).default(1),
  /** How many worker instances may run at once (its reserved concurrency); they share the send rate. */
  workerConcurrency: z.number().int().min(1).max(100).default(2),
});
export type DeployConfig = z.infer<typeof deployConfigSchema>;

export function loadDeployConfig(tryGetContext: (key: string) => unknown): DeployConfig {
  const base = (tryGetContext('relance') as Record<string, unknown> | undefined) ?? {};
  const file = tryGetContext('configFile');
  const fromFile = typeof file === 'string' ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const single: Record<string, unknown> = {};
  for (const key of ['stage', 'region', 'account', 'mailDomain', 'alarmEmail', 'authDomainPrefix']) {
    const value = tryGetContext(key);
    if (typeof value === 'string') single[key] = value;
  }
  for (const key of ['mailSendRate', 'workerConcurrency']) {
    const value = tryGetContext(key);
    if (typeof value === 'string' || typeof value === 'number') single[key] = Number(value);
  }
  const parsed = deployConfigSchema.safeParse({ ...base, ...fromFile, ...single });
  if (!parsed.success) {
    throw new Error(`invalid deploy configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
