/**
 * R-PAY-1: each organisation's own Stripe credentials, kept encrypted at rest and never
 * returned by the API. Deployed: one SSM Parameter Store SecureString per organisation under
 * the stack's own path; locally: the local cloud's SSM.
 */
export interface GatewayCredentials {
  /** A secret or restricted API key: `sk_test_…`, `sk_live_…`, `rk_test_…`, `rk_live_…`. */
  secretKey: string;
  /** The signing secret of the organisation's webhook endpoint: `whsec_…`. */
  webhookSecret: string;
}

export interface GatewaySecrets {
  /** The organisation's credentials, or null when it has not connected a gateway. */
  get(orgId: string): Promise<GatewayCredentials | null>;
  put(orgId: string, credentials: GatewayCredentials): Promise<void>;
}
