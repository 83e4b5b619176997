import { randomBytes } from 'node:crypto';
import type { Deps } from '../../shared/deps.js';
import type { GatewayCredentials, GatewaySecrets } from '../../shared/ports/gateway-secrets.js';
import type { Store, Write } from '../../shared/ports/store.js';
import { putGateway } from '../../shared/use-cases/gateway.js';
import type { StripeEmulator } from './stripe/emulator.js';

/**
 * Local only (R-PAY-5): every local organisation is connected to an account of its own on the
 * Stripe emulator the first time anything needs its gateway, exactly as an operator would
 * connect it (`PUT /api/gateway` with the account's key and its webhook endpoint's signing
 * secret), so the deployed code path runs unchanged. An organisation exists once it has
 * settings; a connection made through the API is kept as it is.
 */
export class LocalGatewayConnector implements GatewaySecrets {
  private readonly connecting = new Map<string, Promise<GatewayCredentials | null>>();
  private deps: Deps | undefined;
  private readonly orgs = new Set<string>();

  constructor(
    private readonly inner: GatewaySecrets,
    private readonly emulator: StripeEmulator,
    private readonly frontUrl: string,
  ) {}

  /** The functions' dependencies, once built (they include this connector). */
  attach(deps: Deps): void {
    this.deps = deps;
  }

  async get(orgId: string): Promise<GatewayCredentials | null> {
    const stored = await this.inner.get(orgId);
    if (stored) {
      this.orgs.add(orgId);
      return stored;
    }
    let pending = this.connecting.get(orgId);
    if (!pending) {
      pending = this.connect(orgId).finally(() => this.connecting.delete(orgId));
      this.connecting.set(orgId, pending);
    }
    return pending;
  }

  async put(orgId: string, credentials: GatewayCredentials): Promise<void> {
    await this.inner.put(orgId, credentials);
    this.orgs.add(orgId);
  }

  /**
   * The store the functions use, connecting an organisation as soon as its settings are first
   * written (so `GET /api/gateway` shows it connected before any payment).
   */
  connectingStore(store: Store): Store {
    const commit = store.commit.bind(store);
    return Object.assign(Object.create(store) as Store, {
      commit: async (writes: Write[]) => {
        await commit(writes);
        for (const w of writes) if (w.kind === 'settings' && w.value.version === 0) await this.get(w.value.orgId);
      },
    });
  }

  /** Organisations whose credentials this process has stored or connected. */
  known(): string[] {
    return [...this.orgs].sort();
  }

  private async connect(orgId: string): Promise<GatewayCredentials | null> {
    const deps = this.deps;
    if (!deps || !(await deps.store.getSettings(orgId))) return null;
    const account = this.emulator.createAccount();
    const webhookSecret = `whsec_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;
    this.emulator.setWebhookEndpoint(account.secretKey, { url: `${this.frontUrl}/webhooks/stripe/${orgId}`, secret: webhookSecret });
    await putGateway(deps, { orgId, actor: { type: 'system', id: 'local-cloud' } }, { secretKey: account.secretKey, webhookSecret });
    return { secretKey: account.secretKey, webhookSecret };
  }
}
