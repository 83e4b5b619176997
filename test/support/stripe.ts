import { StripeGateway } from '../../shared/adapters/payments/stripe.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { GatewayCredentials, GatewaySecrets } from '../../shared/ports/gateway-secrets.js';
import { type StripeEmulator, type StripeEmulatorOptions, startStripeEmulator } from '../../infra/local/stripe/emulator.js';

/** Gateway credentials kept in memory, for tests that build their own dependencies. */
export class MemorySecrets implements GatewaySecrets {
  readonly values = new Map<string, GatewayCredentials>();

  async get(orgId: string): Promise<GatewayCredentials | null> {
    return this.values.get(orgId) ?? null;
  }

  async put(orgId: string, credentials: GatewayCredentials): Promise<void> {
    this.values.set(orgId, credentials);
  }
}

export interface TestStripe {
  emulator: StripeEmulator;
  secrets: MemorySecrets;
  gateway: StripeGateway;
  /** Gives the organisation an emulator account of its own (webhooks to `webhookUrl` when given). */
  connect(orgId: string, webhookUrl?: string): GatewayCredentials;
  stop(): Promise<void>;
}

/** The Stripe emulator and the real adapter in front of it, as a deployed function would have them. */
export async function startTestStripe(clock: Clock, options: Omit<StripeEmulatorOptions, 'now'> & { clientTimeoutMs?: number } = {}): Promise<TestStripe> {
  const { clientTimeoutMs, ...emulatorOptions } = options;
  const emulator = await startStripeEmulator({ ...emulatorOptions, now: () => clock.now() });
  const secrets = new MemorySecrets();
  const gateway = new StripeGateway({ secrets, clock, apiBase: emulator.apiBase, timeoutMs: clientTimeoutMs });
  let n = 0;
  return {
    emulator,
    secrets,
    gateway,
    connect(orgId, webhookUrl) {
      const account = emulator.createAccount();
      const credentials = { secretKey: account.secretKey, webhookSecret: `whsec_test${orgId.replace(/[^A-Za-z0-9]/g, '')}${++n}secretvalue` };
      if (webhookUrl) emulator.setWebhookEndpoint(account.secretKey, { url: webhookUrl, secret: credentials.webhookSecret });
      secrets.values.set(orgId, credentials);
      return credentials;
    },
    stop: () => emulator.stop(),
  };
}
