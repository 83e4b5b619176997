import * as z from 'zod';

/**
 * Runtime configuration of the back-end functions, read once at cold start. A missing or
 * malformed variable fails the cold start with the variable's name, not the first request.
 */
export const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  SCHEDULER_GROUP_NAME: z.string().min(1),
  TIMER_FUNCTION_ARN: z.string().min(1),
  /** The worker (mail and payment attempts): retry schedules invoke it. */
  WORKER_FUNCTION_ARN: z.string().min(1),
  SCHEDULER_ROLE_ARN: z.string().min(1),
  SCHEDULER_DLQ_ARN: z.string().min(1).optional(),
  DUNNING_STATE_MACHINE_ARN: z.string().min(1),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** R-OPS-4: SES messages per second for one worker process (the account's rate ÷ the worker's concurrency). */
  MAIL_SEND_RATE: z.coerce.number().positive().max(1000).optional(),
  /**
   * R-OPS-2: the deployment's own sending domain (`mailDomain`, whose SES identity the stack
   * creates): any organisation may send from it. Other senders must be identities the
   * organisation verified (POST /api/identities).
   */
  MAIL_DOMAIN: z.string().min(1).optional(),
  /** R-OPS-2: `key=value` set on every SES identity this stage creates (the stack's IAM relies on it). */
  SES_IDENTITY_TAG: z.string().regex(/^[^=]+=[^=]+$/, { message: 'must be key=value' }).optional(),
  /** Base URL of the public API (signed member links point here). */
  PUBLIC_BASE_URL: z.url(),
  /** R-PAY-1: the SSM path under which each organisation's Stripe credentials are kept (`<prefix>/<orgId>`). */
  GATEWAY_PARAMETER_PREFIX: z.string().regex(/^\/[A-Za-z0-9_.\-/]+[^/]$/, 'an SSM path such as /relance/prod/stripe'),
  /**
   * R-EVT-1, local only: `loopback` lets an organisation's outbound webhook be plain
   * `http://127.0.0.1:<port>` (or `localhost`), for tests. Unset (every deployed stage): https only.
   */
  WEBHOOK_ALLOW_HTTP: z.enum(['loopback']).optional(),
  /** Local only: the Stripe emulator's base URL; unset means Stripe itself. */
  STRIPE_API_BASE: z.url().optional(),
  /** Signed-link keys: a Secrets Manager secret (deployed) or the JSON itself (local, tests). */
  LINK_KEYS_SECRET_ARN: z.string().min(1).optional(),
  LINK_KEYS: z.string().min(1).optional(),
}).refine((c) => (c.LINK_KEYS_SECRET_ARN === undefined) !== (c.LINK_KEYS === undefined), {
  message: 'set exactly one of LINK_KEYS_SECRET_ARN and LINK_KEYS',
  path: ['LINK_KEYS_SECRET_ARN'],
});
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
