import type { SSMClient } from '@aws-sdk/client-ssm';
import type { WebhookSecret, WebhookSecrets } from '../../ports/webhook-secrets.js';
import { type ClientSource, clientOf } from '../lazy-client.js';

/** The commands and error, from the chunk that holds the client (loaded on the first read or write). */
const sdk = () => import('./sdk.js');

/**
 * R-EVT-1: the outbound webhooks' signing secrets in SSM Parameter Store, as the Stripe
 * credentials are kept (`ssm/gateway-secrets.ts`): one SecureString (standard tier, the account's
 * `aws/ssm` KMS key) per organisation at `<prefix>/webhook-out.<orgId>`, holding
 * `{ secretId, secret }`. It sits under the stage's secrets path, so the functions' existing IAM
 * statements (`<prefix>/*`: GetParameter for the worker and the API, PutParameter for the API)
 * cover it. Removing a webhook overwrites the value with a tombstone (no DeleteParameter grant).
 * A warm function caches the value by `secretId`: a new secret has a new id and is read again.
 */
export class SsmWebhookSecrets implements WebhookSecrets {
  private readonly cache = new Map<string, WebhookSecret>();

  constructor(
    private readonly ssm: ClientSource<SSMClient>,
    private readonly prefix: string,
  ) {}

  private name(orgId: string): string {
    // A dot never occurs in an organisation id (ORG_ID_PATTERN): no clash with `<prefix>/<orgId>`.
    return `${this.prefix}/webhook-out.${orgId}`;
  }

  async get(orgId: string, secretId: string): Promise<WebhookSecret | null> {
    const hit = this.cache.get(orgId);
    if (hit?.secretId === secretId) return hit;
    let value: WebhookSecret | null = null;
    const [ssm, { GetParameterCommand, ParameterNotFound }] = await Promise.all([clientOf(this.ssm), sdk()]);
    try {
      const out = await ssm.send(new GetParameterCommand({ Name: this.name(orgId), WithDecryption: true }));
      const parsed = JSON.parse(out.Parameter?.Value ?? '{}') as Partial<WebhookSecret>;
      if (typeof parsed.secretId === 'string' && typeof parsed.secret === 'string') value = { secretId: parsed.secretId, secret: parsed.secret };
    } catch (error) {
      if (!(error instanceof ParameterNotFound)) throw error;
    }
    if (value) this.cache.set(orgId, value);
    return value?.secretId === secretId ? value : null;
  }

  async put(orgId: string, secret: WebhookSecret): Promise<void> {
    await this.write(orgId, JSON.stringify({ secretId: secret.secretId, secret: secret.secret }));
    this.cache.set(orgId, secret);
  }

  async erase(orgId: string): Promise<void> {
    await this.write(orgId, JSON.stringify({ erased: true }));
    this.cache.delete(orgId);
  }

  private async write(orgId: string, value: string): Promise<void> {
    const [ssm, { PutParameterCommand }] = await Promise.all([clientOf(this.ssm), sdk()]);
    await ssm.send(
      new PutParameterCommand({
        Name: this.name(orgId),
        Type: 'SecureString',
        Tier: 'Standard',
        Overwrite: true,
        Value: value,
        Description: `Relance: outbound webhook signing secret of organisation ${orgId}`,
      }),
    );
  }
}
