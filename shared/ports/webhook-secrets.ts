/**
 * R-EVT-1: the signing secret of each organisation's outbound webhook (`whsec_<base64>`), kept
 * encrypted at rest and shown only in the answer that created it. `secretId` names one secret:
 * a new secret (PUT, rotate) gets a new id, so a cached secret is known stale.
 */
export interface WebhookSecret {
  secretId: string;
  secret: string;
}

export interface WebhookSecrets {
  /** The organisation's current secret if its id is `secretId`; null when there is none (or it was erased). */
  get(orgId: string, secretId: string): Promise<WebhookSecret | null>;
  put(orgId: string, secret: WebhookSecret): Promise<void>;
  /** Overwrites the secret with a tombstone (the webhook was removed). */
  erase(orgId: string): Promise<void>;
}
