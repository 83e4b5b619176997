import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as z from 'zod';
import { ConcurrencyError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { DomainEventRecord } from '../domain/events.js';
import { backoffMs, WORK_LEASE_MS } from '../domain/payment.js';
import { parseInput } from '../domain/validate.js';
import { WEBHOOK_DELIVERY_WINDOW_MS, WEBHOOK_TIMEOUT_MS, type WebhookDelivery, type WebhookEndpoint } from '../domain/webhook-out.js';
import type { Deps } from '../deps.js';
import type { WorkRef } from '../ports/store.js';
import type { WebhookSecrets } from '../ports/webhook-secrets.js';
import type { Caller } from './context.js';
import { armRetry } from './retries.js';

/**
 * R-EVT-1: the organisation's outbound webhook. Every domain event the worker publishes on the
 * bus is also POSTed to the organisation's one registered URL, signed per the Standard Webhooks
 * scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`).
 *
 * EventBridge API destinations add fixed headers only and cannot compute a per-message HMAC, so
 * the worker delivers from the same outbox: when it first publishes an event and the
 * organisation has a webhook, it writes a `webhook_delivery` item (id = the event id, written
 * once); the table's stream brings that item to the worker, which claims it (a lease, as the
 * mail worker does), POSTs it, and on anything but a 2xx arms a retry schedule with backoff, for
 * up to 24 hours (then `failed`). Every try carries the same `webhook-id`: receivers dedupe on it.
 */

/** A delivery's deps: the store, the clock, the retry schedules, the configuration, the secrets. */
type DeliveryDeps = Pick<Deps, 'store' | 'clock' | 'timers' | 'config'> & { webhookSecrets?: WebhookSecrets | undefined };
type ApiDeps = Pick<Deps, 'store' | 'clock' | 'config' | 'newId'> & { webhookSecrets?: WebhookSecrets | undefined };

export type WebhookDeliveryResult = 'delivered' | 'retry_scheduled' | 'failed' | 'cancelled' | 'busy' | 'done' | 'gone';

const FINAL = new Set<WebhookDelivery['status']>(['delivered', 'failed', 'cancelled']);

function secretsOf(deps: { webhookSecrets?: WebhookSecrets | undefined }): WebhookSecrets {
  if (!deps.webhookSecrets) throw new Error('no webhook secret store configured');
  return deps.webhookSecrets;
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes (the HMAC key is those bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The Standard Webhooks signature of one message: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`. */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

// ── The URL ─────────────────────────────────────────────────────────────────────────────────

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An IP literal the worker must never be sent to: loopback, private, link-local (instance metadata), unspecified. */
function internalAddress(host: string): boolean {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  const kind = isIP(bare);
  if (kind === 4) {
    const [a, b] = bare.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (kind === 6) {
    const low = bare.toLowerCase();
    return low === '::' || low === '::1' || low.startsWith('fc') || low.startsWith('fd') || low.startsWith('fe80') || low.startsWith('::ffff:');
  }
  return bare === 'localhost' || bare.endsWith('.localhost');
}

/**
 * The webhook's URL: absolute https, no credentials, no fragment, not an internal address. Plain
 * http is accepted only for a loopback receiver and only where the configuration allows it (the
 * local cloud: `WEBHOOK_ALLOW_HTTP=loopback`). Refusals are 400s naming `url`.
 */
export function checkWebhookUrl(config: Pick<Deps['config'], 'WEBHOOK_ALLOW_HTTP'>, raw: string): string {
  const refuse = (message: string): never => {
    throw new ValidationError(`invalid request body: url: ${message}`, [{ field: 'url', message, reason: 'invalid_format' }]);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('must be an absolute https URL');
  }
  if (url.username || url.password) refuse('must not carry a user name or password');
  if (url.hash) refuse('must not have a fragment (#…)');
  if (url.protocol === 'http:') {
    if (config.WEBHOOK_ALLOW_HTTP === 'loopback' && LOOPBACK_HOSTS.has(url.hostname)) return url.toString();
    refuse('must be an https URL');
  }
  if (url.protocol !== 'https:') refuse('must be an https URL');
  if (internalAddress(url.hostname)) refuse('must not point at a loopback, private or link-local address');
  return url.toString();
}

// ── The API (owners only, R-CON-5: the routes check the role) ──────────────────────────────────

const putBody = z.strictObject({ url: z.string().min(1).max(2048) });

export interface WebhookView {
  url: string;
  createdAt: string;
  secretHint: string;
}

function viewOf(endpoint: WebhookEndpoint): WebhookView {
  return { url: endpoint.url!, createdAt: endpoint.createdAt, secretHint: endpoint.secretHint };
}

/** Writes a new secret (SSM first), then the endpoint naming it; the secret is answered once, here. */
async function saveWithNewSecret(deps: ApiDeps, caller: Caller, url: string, current: WebhookEndpoint | null): Promise<WebhookView & { secret: string }> {
  const now = deps.clock.now().toISOString();
  const secret = newWebhookSecret();
  const secretId = deps.newId('whs');
  await secretsOf(deps).put(caller.orgId, { secretId, secret });
  const endpoint: WebhookEndpoint = {
    orgId: caller.orgId,
    url,
    secretId,
    secretHint: secret.slice(-4),
    createdAt: current?.url && current.url === url ? current.createdAt : now,
    updatedAt: now,
    version: current?.version ?? 0,
  };
  await deps.store.commit([{ kind: 'webhook_endpoint', value: endpoint }]);
  return { ...viewOf(endpoint), secret };
}

/** PUT /api/webhook { url }: registers (or replaces) the webhook with a new secret. */
export async function putWebhook(deps: ApiDeps, caller: Caller, body: unknown): Promise<WebhookView & { secret: string }> {
  const { url } = parseInput(putBody, body);
  const checked = checkWebhookUrl(deps.config, url);
  const current = await deps.store.getWebhookEndpoint(caller.orgId);
  return saveWithNewSecret(deps, caller, checked, current);
}

/** POST /api/webhook/rotate: a new secret for the registered URL (the old one stops signing at once). */
export async function rotateWebhookSecret(deps: ApiDeps, caller: Caller): Promise<WebhookView & { secret: string }> {
  const current = await deps.store.getWebhookEndpoint(caller.orgId);
  if (!current?.url) throw new NotFoundError('webhook of organisation', caller.orgId);
  return saveWithNewSecret(deps, caller, current.url, current);
}

/** GET /api/webhook: the URL, when, and the secret's last 4 characters (never the secret). */
export async function getWebhook(deps: Pick<Deps, 'store'>, caller: Caller): Promise<WebhookView> {
  const current = await deps.store.getWebhookEndpoint(caller.orgId);
  if (!current?.url) throw new NotFoundError('webhook of organisation', caller.orgId);
  return viewOf(current);
}

/** DELETE /api/webhook: nothing more is delivered (pending deliveries are cancelled); the secret is overwritten. */
export async function deleteWebhook(deps: ApiDeps, caller: Caller): Promise<void> {
  const current = await deps.store.getWebhookEndpoint(caller.orgId);
  if (!current?.url) return;
  await deps.store.commit([{ kind: 'webhook_endpoint', value: { ...current, url: null, updatedAt: deps.clock.now().toISOString() } }]);
  await secretsOf(deps).erase(caller.orgId);
}

// ── Delivery (the worker) ─────────────────────────────────────────────────────────────────────

/**
 * Called by `publishDomainEvents` before it marks events published: when the organisation has a
 * webhook, each event's delivery item is written, once (a conditional put: a retried record finds
 * it there). The webhook is read once for the events of one change; one GetItem in all for an
 * organisation without a webhook.
 */
export async function queueWebhookDeliveries(deps: Pick<Deps, 'store' | 'clock'>, records: DomainEventRecord[]): Promise<void> {
  const orgs = new Set(records.map((r) => r.orgId));
  const endpoints = new Map(await Promise.all([...orgs].map(async (orgId) => [orgId, await deps.store.getWebhookEndpoint(orgId)] as const)));
  for (const record of records) {
    if (!endpoints.get(record.orgId)?.url) continue;
    const delivery: WebhookDelivery = {
      id: record.id,
      orgId: record.orgId,
      membershipId: record.membershipId,
      event: record.event,
      status: 'pending',
      tries: 0,
      claimedAt: null,
      nextTryAt: null,
      lastError: null,
      deliveredAt: null,
      createdAt: deps.clock.now().toISOString(),
      version: 0,
    };
    try {
      await deps.store.commit([{ kind: 'webhook_delivery', value: delivery }]);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
}

async function save(deps: Pick<Deps, 'store'>, delivery: WebhookDelivery): Promise<boolean> {
  try {
    await deps.store.commit([{ kind: 'webhook_delivery', value: delivery }]);
    return true;
  } catch (error) {
    if (error instanceof ConcurrencyError) return false;
    throw error;
  }
}

/** What one POST got: delivered, or why not. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true };
    if (response.status >= 300 && response.status < 400) return { ok: false, reason: `redirect ${response.status} (not followed)` };
    return { ok: false, reason: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error)?.name;
    return { ok: false, reason: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `could not connect (${name ?? 'error'})` };
  }
}

/**
 * Input: a delivery's reference (its stream record, or its retry schedule). POSTs the event to
 * the organisation's current webhook, once delivered: a settled delivery is not sent again, a
 * delivery held by another worker is left to it (its lease), and a removed webhook cancels it.
 */
export async function deliverWebhook(deps: DeliveryDeps, ref: WorkRef): Promise<WebhookDeliveryResult> {
  const delivery = await deps.store.getWebhookDelivery(ref);
  if (!delivery) return 'gone';
  if (FINAL.has(delivery.status)) return 'done';
  const now = deps.clock.now();
  const endpoint = await deps.store.getWebhookEndpoint(ref.orgId);
  if (!endpoint?.url) {
    return (await save(deps, { ...delivery, status: 'cancelled', claimedAt: null, nextTryAt: null, lastError: 'the webhook was removed' })) ? 'cancelled' : deliverWebhook(deps, ref);
  }
  const claimed = await deps.store.claimWebhookDelivery(ref, now, WORK_LEASE_MS);
  if (!claimed) {
    const again = await deps.store.getWebhookDelivery(ref);
    if (!again || FINAL.has(again.status)) return 'done';
    // Held by another worker, or waiting for its next try: make sure that try is armed.
    const at = again.status === 'delivering' && again.claimedAt ? Date.parse(again.claimedAt) + WORK_LEASE_MS : Date.parse(again.nextTryAt ?? now.toISOString());
    await armRetry(deps, 'webhook', ref, new Date(at), again.tries);
    return 'busy';
  }
  const secret = await secretsOf(deps).get(ref.orgId, endpoint.secretId);
  const body = JSON.stringify(claimed.event);
  const timestamp = Math.floor(now.getTime() / 1000);
  const outcome = secret
    ? await post(endpoint.url, {
        'content-type': 'application/json',
        'user-agent': 'Relance-Webhooks/1',
        'webhook-id': claimed.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignature(secret.secret, claimed.id, timestamp, body),
      }, body)
    : ({ ok: false, reason: 'the signing secret could not be read' } as const);
  const at = deps.clock.now();
  if (outcome.ok) {
    await save(deps, { ...claimed, status: 'delivered', claimedAt: null, nextTryAt: null, lastError: null, deliveredAt: at.toISOString() });
    return 'delivered';
  }
  const nextTryAt = new Date(at.getTime() + backoffMs(claimed.tries));
  const host = new URL(endpoint.url).host;
  if (nextTryAt.getTime() > Date.parse(claimed.createdAt) + WEBHOOK_DELIVERY_WINDOW_MS) {
    await save(deps, { ...claimed, status: 'failed', claimedAt: null, nextTryAt: null, lastError: outcome.reason, deliveredAt: null });
    console.error(JSON.stringify({ level: 'error', msg: 'webhook delivery failed for good', orgId: ref.orgId, eventId: claimed.id, host, tries: claimed.tries, reason: outcome.reason }));
    return 'failed';
  }
  if (await save(deps, { ...claimed, status: 'pending', claimedAt: null, nextTryAt: nextTryAt.toISOString(), lastError: outcome.reason })) {
    console.warn(JSON.stringify({ level: 'warn', msg: 'webhook not delivered yet', orgId: ref.orgId, eventId: claimed.id, host, tries: claimed.tries, reason: outcome.reason, nextTryAt }));
    await armRetry(deps, 'webhook', ref, nextTryAt, claimed.tries);
  }
  return 'retry_scheduled';
}
