import type { SSMClient } from '@aws-sdk/client-ssm';
import type { GatewayCredentials, GatewaySecrets } from '../../ports/gateway-secrets.js';
import { type ClientSource, clientOf } from '../lazy-client.js';

/** The commands and error, from the chunk that holds the client (loaded on the first read or write). */
const sdk = () => import('./sdk.js');

/** How long a warm function trusts what it read: a key replaced through the API reaches every function within this. */
export const SECRETS_TTL_MS = 5 * 60_000;
/** An organisation without a gateway is asked again sooner (it may be connecting right now). */
const MISSING_TTL_MS = 30_000;

/**
 * The organisations' gateway credentials in SSM Parameter Store: one SecureString (standard tier,
 * no monthly fee, encrypted with the account's `aws/ssm` KMS key) per organisation at
 * `<prefix>/<orgId>`, holding `{ secretKey, webhookSecret }` as JSON. The functions' IAM policies
 * name only `<prefix>/*`. Values are cached in the warm function for `SECRETS_TTL_MS`.
 */
export class SsmGatewaySecrets implements GatewaySecrets {
  private readonly cache = new Map<string, { value: GatewayCredentials | null; until: number }>();

  constructor(
    private readonly ssm: ClientSource<SSMClient>,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private name(orgId: string): string {
    return `${this.prefix}/${orgId}`;
  }

  async get(orgId: string): Promise<GatewayCredentials | null> {
    const hit = this.cache.get(orgId);
    if (hit && hit.until > this.now()) return hit.value;
    let value: GatewayCredentials | null = null;
    const [ssm, { GetParameterCommand, ParameterNotFound }] = await Promise.all([clientOf(this.ssm), sdk()]);
    try {
      const out = await ssm.send(new GetParameterCommand({ Name: this.name(orgId), WithDecryption: true }));
      value = parseCredentials(out.Parameter?.Value);
    } catch (error) {
      if (!(error instanceof ParameterNotFound)) throw error;
    }
    this.cache.set(orgId, { value, until: this.now() + (value ? SECRETS_TTL_MS : MISSING_TTL_MS) });
    return value;
  }

  async put(orgId: string, credentials: GatewayCredentials): Promise<void> {
    const [ssm, { PutParameterCommand }] = await Promise.all([clientOf(this.ssm), sdk()]);
    await ssm.send(
      new PutParameterCommand({
        Name: this.name(orgId),
        Type: 'SecureString',
        Tier: 'Standard',
        Overwrite: true,
        Value: JSON.stringify({ secretKey: credentials.secretKey, webhookSecret: credentials.webhookSecret }),
        Description: `Relance: Stripe connection of organisation ${orgId}`,
      }),
    );
    this.cache.set(orgId, { value: credentials, until: this.now() + SECRETS_TTL_MS });
  }
}

function parseCredentials(raw: string | undefined): GatewayCredentials | null {
  if (!raw) return null;
  const parsed = JSON.parse(raw) as Partial<GatewayCredentials>;
  if (typeof parsed.secretKey !== 'string' || typeof parsed.webhookSecret !== 'string') throw new Error('a gateway parameter is not { secretKey, webhookSecret }');
  return { secretKey: parsed.secretKey, webhookSecret: parsed.webhookSecret };
}
