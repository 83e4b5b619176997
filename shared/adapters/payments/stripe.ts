import type Stripe from 'stripe';
import { authenticationRequired, classifyDecline } from '../../domain/declines.js';
import { modeOfKey, WEBHOOK_EVENTS } from '../../domain/gateway.js';
import { GatewayNotConnectedError, GatewayUnavailableError, UnprocessableError } from '../../domain/errors.js';
import type { SavedPaymentMethod } from '../../domain/member.js';
import type { AttemptFailure } from '../../domain/payment.js';
import type { Clock } from '../../ports/clock.js';
import type { GatewayCredentials, GatewaySecrets } from '../../ports/gateway-secrets.js';
import type {
  AuthenticationStart,
  CardSetupSession,
  ChargeRequest,
  ChargeResult,
  GatewayCustomer,
  GatewayEvent,
  PaymentGateway,
  RefundRequest,
  RefundResult,
  WebhookInput,
} from '../../ports/payments.js';
import { WebhookRejectedError } from '../../ports/payments.js';

/**
 * The payment gateway: Stripe, through its official SDK, with each organisation's own account
 * (R-PAY-1). Locally `apiBase` points the same SDK at the Stripe emulator of the local cloud.
 *
 * Charges are off-session PaymentIntents created and confirmed in one call carrying the
 * attempt's idempotency key and `{ orgId, invoiceId, attemptId }` as metadata (R-PAY-3). An
 * answer that never came back is found again by listing the customer's PaymentIntents created
 * since the attempt and matching the attempt id — a list is consistent (Stripe's search is not),
 * and it still works after Stripe forgets an idempotency key (24 h).
 */
export interface StripeGatewayOptions {
  secrets: GatewaySecrets;
  clock: Clock;
  /** `http://127.0.0.1:<port>` of the local emulator; unset means Stripe itself. */
  apiBase?: string | undefined;
  /** Per-request timeout; an answer later than this is an unknown outcome the worker settles later. */
  timeoutMs?: number;
}

/** How far before an attempt's creation its PaymentIntent is looked for (clocks differ a little). */
const FIND_SKEW_SECONDS = 15 * 60;

/**
 * The SDK is loaded on first use: functions that never reach Stripe (links, timer, feedback)
 * never evaluate it, and the others pay for it once per container.
 */
let sdk: Promise<typeof Stripe> | undefined;
const loadSdk = () => (sdk ??= import('stripe').then((m) => m.default));

/** An error the SDK threw, by its class name (`StripeCardError`, `StripeInvalidRequestError`…). */
type SdkError = Error & { type: string; code?: string; decline_code?: string; advice_code?: string; statusCode?: number; payment_intent?: Stripe.PaymentIntent };

function sdkError(error: unknown, ...types: string[]): error is SdkError {
  const type = (error as { type?: unknown } | null)?.type;
  return error instanceof Error && typeof type === 'string' && type.startsWith('Stripe') && (types.length === 0 || types.includes(type));
}

/**
 * The event types `translate` acts on: those the organisation's endpoint must send (README,
 * "Webhooks"), and three it reads as well when an operator subscribes them. Any other type is
 * ignored as it comes.
 */
const ACTED_ON = new Set<string>([...WEBHOOK_EVENTS, 'refund.updated', 'charge.dispute.updated', 'payment_method.updated']);

export class StripeGateway implements PaymentGateway {
  private readonly clients = new Map<string, Stripe>();

  constructor(private readonly options: StripeGatewayOptions) {}

  /** A client for one organisation's key (kept while the function is warm). */
  async clientFor(secretKey: string): Promise<Stripe> {
    let client = this.clients.get(secretKey);
    if (!client) {
      const StripeSdk = await loadSdk();
      const base = this.options.apiBase ? new URL(this.options.apiBase) : null;
      client = new StripeSdk(secretKey, {
        // The SDK repeats a failed call once with the same idempotency key; beyond that the
        // payment worker retries with backoff, after asking Stripe what became of the first.
        maxNetworkRetries: 1,
        timeout: this.options.timeoutMs ?? 20_000,
        telemetry: false,
        appInfo: { name: 'Relance' },
        ...(base ? { host: base.hostname, port: Number(base.port), protocol: base.protocol === 'https:' ? 'https' : 'http' } : {}),
      });
      this.clients.set(secretKey, client);
    }
    return client;
  }

  private async credentials(orgId: string): Promise<GatewayCredentials> {
    const credentials = await this.options.secrets.get(orgId);
    if (!credentials) throw new GatewayNotConnectedError(orgId);
    return credentials;
  }

  private async client(orgId: string): Promise<Stripe> {
    return this.clientFor((await this.credentials(orgId)).secretKey);
  }

  /** The member's customer at Stripe: the one on file, else a new one (once per member, by key). */
  private async customer(stripe: Stripe, who: GatewayCustomer): Promise<string> {
    if (who.customerRef) return who.customerRef;
    const created = await stripe.customers.create(
      { metadata: { orgId: who.orgId, memberId: who.memberId } },
      { idempotencyKey: `relance:${who.orgId}:customer:${who.memberId}` },
    );
    await stripe.customers.update(created.id, { name: who.name, email: who.email });
    return created.id;
  }

  async savePaymentMethod(input: GatewayCustomer & { token: string }): Promise<SavedPaymentMethod> {
    const stripe = await this.client(input.orgId);
    try {
      const customerRef = await this.customer(stripe, input);
      const pm = await stripe.paymentMethods.attach(input.token, { customer: customerRef });
      await stripe.customers.update(customerRef, { invoice_settings: { default_payment_method: pm.id } });
      return savedCard(pm, customerRef);
    } catch (error) {
      throw setupError(error, 'paymentMethod.token');
    }
  }

  async startCardSetup(input: GatewayCustomer & { successUrl: string; cancelUrl: string }): Promise<CardSetupSession> {
    const stripe = await this.client(input.orgId);
    try {
      const customerRef = await this.customer(stripe, input);
      const metadata = { orgId: input.orgId, memberId: input.memberId };
      const session = await stripe.checkout.sessions.create({
        mode: 'setup',
        customer: customerRef,
        allowed_payment_method_types: ['card'],
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        metadata,
        setup_intent_data: { metadata },
      });
      if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
      return { url: session.url, sessionRef: session.id, customerRef, expiresAt: new Date(session.expires_at * 1000).toISOString() };
    } catch (error) {
      throw setupError(error, 'member');
    }
  }

  async getPaymentMethod(input: { orgId: string; reference: string }): Promise<SavedPaymentMethod | null> {
    const stripe = await this.client(input.orgId);
    try {
      const pm = await stripe.paymentMethods.retrieve(input.reference);
      const customer = typeof pm.customer === 'string' ? pm.customer : pm.customer?.id;
      return customer ? savedCard(pm, customer) : null;
    } catch (error) {
      if (sdkError(error, 'StripeInvalidRequestError') && error.statusCode === 404) return null;
      throw error;
    }
  }

  async startAuthentication(input: { orgId: string; reference: string; returnUrl: string }): Promise<AuthenticationStart> {
    const stripe = await this.client(input.orgId);
    let intent: Stripe.PaymentIntent = await stripe.paymentIntents.retrieve(input.reference);
    if (intent.status === 'requires_payment_method' && intent.last_payment_error?.code === 'authentication_required' && intent.payment_method) {
      // The off-session attempt needs the cardholder: confirm it again, on-session this time.
      const pm = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method.id;
      try {
        intent = await stripe.paymentIntents.confirm(intent.id, { payment_method: pm, return_url: input.returnUrl });
      } catch (error) {
        if (sdkError(error, 'StripeCardError') && error.payment_intent) intent = error.payment_intent;
        else throw error;
      }
    }
    if (intent.status === 'succeeded' || intent.status === 'processing') return { status: 'succeeded' };
    const url = intent.next_action?.redirect_to_url?.url;
    if (intent.status === 'requires_action' && url) return { status: 'redirect', url };
    return { status: 'not_possible', reason: `the payment is ${intent.status}` };
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const stripe = await this.client(req.metadata.orgId);
    try {
      const intent = await stripe.paymentIntents.create(
        {
          amount: req.amount.amount,
          currency: req.amount.currency.toLowerCase(),
          customer: req.customerRef,
          payment_method: req.paymentMethod,
          allowed_payment_method_types: ['card'],
          confirm: true,
          off_session: true,
          description: req.description,
          metadata: req.metadata,
        },
        { idempotencyKey: req.idempotencyKey },
      );
      return chargeResultOf(intent);
    } catch (error) {
      const refused = refusedCharge(error);
      if (refused) return refused;
      // Anything else (network, timeout, Stripe's 500, rate limit, a key reused): the outcome is unknown.
      throw error;
    }
  }

  async findCharge(req: ChargeRequest): Promise<ChargeResult | null> {
    const stripe = await this.client(req.metadata.orgId);
    const since = Math.floor(Date.parse(req.createdAt) / 1000) - FIND_SKEW_SECONDS;
    for await (const intent of stripe.paymentIntents.list({ customer: req.customerRef, created: { gte: since }, limit: 100 })) {
      if (intent.metadata?.attemptId !== req.metadata.attemptId || intent.metadata?.orgId !== req.metadata.orgId) continue;
      if (intent.status === 'requires_confirmation') {
        // Created but never confirmed (the call died between the two): confirm it now, once.
        try {
          return chargeResultOf(await stripe.paymentIntents.confirm(intent.id, { off_session: true, payment_method: req.paymentMethod }, { idempotencyKey: `${req.idempotencyKey}:confirm` }));
        } catch (error) {
          const refused = refusedCharge(error);
          if (refused) return refused;
          throw error;
        }
      }
      return chargeResultOf(intent);
    }
    return null;
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    const stripe = await this.client(req.metadata.orgId);
    try {
      const refund = await stripe.refunds.create(
        { payment_intent: req.chargeReference, amount: req.amount.amount, reason: 'requested_by_customer', metadata: req.metadata },
        { idempotencyKey: req.idempotencyKey },
      );
      return refundResultOf(refund);
    } catch (error) {
      if (sdkError(error, 'StripeInvalidRequestError') && error.statusCode === 400 && error.code) {
        // Stripe refused it for good (already refunded, more than what is left): no money moved.
        return { status: 'failed', reference: null, failure: { code: error.code, message: error.message, hard: true } };
      }
      throw error;
    }
  }

  async findRefund(req: RefundRequest): Promise<RefundResult | null> {
    const stripe = await this.client(req.metadata.orgId);
    for await (const refund of stripe.refunds.list({ payment_intent: req.chargeReference, limit: 100 })) {
      if (refund.metadata?.attemptId === req.metadata.attemptId && refund.metadata?.orgId === req.metadata.orgId) return refundResultOf(refund);
    }
    return null;
  }

  /**
   * R-PAY-4: verifies a webhook with the organisation's signing secret (Stripe's SDK, 5 minutes'
   * tolerance on the instant given) and turns it into what Relance acts on. Objects are read
   * from the event itself; Stripe is asked only for what the event does not carry (the metadata
   * of a disputed payment, the card of a completed setup, the member of a customer).
   */
  async readWebhook(input: WebhookInput, actedOn?: (eventId: string) => Promise<boolean>): Promise<GatewayEvent> {
    const credentials = await this.options.secrets.get(input.orgId);
    if (!credentials) throw new WebhookRejectedError(`organisation ${input.orgId} has no gateway connected`);
    const stripe = await this.clientFor(credentials.secretKey);
    let event: Stripe.Event;
    try {
      event = await stripe.webhooks.constructEventAsync(input.payload, input.signature, credentials.webhookSecret, 300, undefined, input.receivedAt.getTime());
    } catch (error) {
      throw new WebhookRejectedError(error instanceof Error ? error.message : 'the signature does not verify');
    }
    const live = modeOfKey(credentials.secretKey) === 'live';
    if (event.livemode !== live) throw new WebhookRejectedError(`a ${event.livemode ? 'live' : 'test'} event for a ${live ? 'live' : 'test'} connection`);
    const base = { eventId: event.id, eventType: event.type, createdAt: new Date(event.created * 1000).toISOString() };
    // A type Relance never acts on is answered without a look at the receipts (issue 13: most of
    // a charge's events are of such types).
    if (!ACTED_ON.has(event.type)) return { ...base, kind: 'ignored', reason: `Relance does not act on ${event.type}` };
    if (await actedOn?.(event.id)) return { ...base, kind: 'duplicate' };
    return this.translate(stripe, input.orgId, event);
  }

  private async translate(stripe: Stripe, orgId: string, event: Stripe.Event): Promise<GatewayEvent> {
    const base = { eventId: event.id, eventType: event.type, createdAt: new Date(event.created * 1000).toISOString() };
    switch (event.type) {
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed':
      case 'payment_intent.processing':
      case 'payment_intent.requires_action':
      case 'payment_intent.canceled': {
        const intent = event.data.object;
        const attempt = attemptOf(intent.metadata, orgId);
        return attempt ? { ...base, kind: 'charge_outcome', attempt, result: chargeResultOf(intent) } : { ...base, kind: 'ignored', reason: 'not a Relance payment' };
      }
      case 'charge.refunded':
      case 'charge.refund.updated':
      case 'refund.updated':
      case 'refund.failed': {
        const refunds = event.type === 'charge.refunded' ? await this.refundsOf(stripe, event.data.object) : [event.data.object as Stripe.Refund];
        const outcomes = refunds.flatMap((r) => {
          const attempt = attemptOf(r.metadata, orgId);
          return attempt ? [{ attempt, reference: r.id, result: refundResultOf(r) }] : [];
        });
        const external = refunds.filter((r) => !attemptOf(r.metadata, orgId)).map((r) => ({ reference: r.id, amount: r.amount, currency: r.currency.toUpperCase(), paymentReference: intentIdOf(r.payment_intent) }));
        return { ...base, kind: 'refund_outcomes', outcomes, external };
      }
      case 'charge.dispute.created':
      case 'charge.dispute.closed':
      case 'charge.dispute.updated': {
        const dispute = event.data.object;
        const intentId = intentIdOf(dispute.payment_intent);
        const intent = intentId ? await stripe.paymentIntents.retrieve(intentId) : null;
        const attempt = intent ? attemptOf(intent.metadata, orgId) : null;
        if (!attempt) return { ...base, kind: 'ignored', reason: 'a dispute of a payment Relance did not make' };
        return {
          ...base,
          kind: 'dispute',
          attempt,
          dispute: { reference: dispute.id, paymentReference: intentId!, amount: dispute.amount, currency: dispute.currency.toUpperCase(), reason: dispute.reason, status: dispute.status },
        };
      }
      case 'checkout.session.completed': {
        const session = event.data.object;
        const memberId = session.metadata?.memberId;
        const setupIntentId = typeof session.setup_intent === 'string' ? session.setup_intent : session.setup_intent?.id;
        if (session.mode !== 'setup' || !memberId || session.metadata?.orgId !== orgId || !setupIntentId) return { ...base, kind: 'ignored', reason: 'not a Relance card setup' };
        const setup = await stripe.setupIntents.retrieve(setupIntentId);
        return this.cardSaved(stripe, base, memberId, setup);
      }
      case 'setup_intent.succeeded': {
        const setup = event.data.object;
        const memberId = setup.metadata?.memberId;
        if (!memberId || setup.metadata?.orgId !== orgId) return { ...base, kind: 'ignored', reason: 'not a Relance card setup' };
        return this.cardSaved(stripe, base, memberId, setup);
      }
      case 'payment_method.automatically_updated':
      case 'payment_method.updated': {
        const pm = event.data.object;
        const customerRef = typeof pm.customer === 'string' ? pm.customer : pm.customer?.id;
        const memberId = customerRef ? await this.memberOf(stripe, customerRef, orgId) : null;
        if (!customerRef || !memberId) return { ...base, kind: 'ignored', reason: 'a card of no Relance member' };
        return { ...base, kind: 'card_updated', memberId, card: savedCard(pm, customerRef), automatic: event.type === 'payment_method.automatically_updated' };
      }
      case 'payment_method.detached': {
        const pm = event.data.object;
        const previous = (event.data.previous_attributes as { customer?: string } | undefined)?.customer;
        const memberId = previous ? await this.memberOf(stripe, previous, orgId) : null;
        if (!memberId) return { ...base, kind: 'ignored', reason: 'a card of no Relance member' };
        return { ...base, kind: 'card_removed', memberId, reference: pm.id };
      }
      default:
        return { ...base, kind: 'ignored', reason: `Relance does not act on ${event.type}` };
    }
  }

  private async cardSaved(stripe: Stripe, base: { eventId: string; eventType: string; createdAt: string }, memberId: string, setup: Stripe.SetupIntent): Promise<GatewayEvent> {
    const pmId = typeof setup.payment_method === 'string' ? setup.payment_method : setup.payment_method?.id;
    const customerRef = typeof setup.customer === 'string' ? setup.customer : setup.customer?.id;
    if (setup.status !== 'succeeded' || !pmId || !customerRef) return { ...base, kind: 'ignored', reason: `the card setup is ${setup.status}` };
    // Reading an event writes nothing at Stripe: charges name their card, so no default is needed.
    const pm = await stripe.paymentMethods.retrieve(pmId);
    return { ...base, kind: 'card_saved', memberId, card: savedCard(pm, customerRef) };
  }

  private async memberOf(stripe: Stripe, customerRef: string, orgId: string): Promise<string | null> {
    const customer = await stripe.customers.retrieve(customerRef);
    if ('deleted' in customer && customer.deleted) return null;
    const metadata = (customer as Stripe.Customer).metadata;
    return metadata?.orgId === orgId ? (metadata.memberId ?? null) : null;
  }

  private async refundsOf(stripe: Stripe, charge: Stripe.Charge): Promise<Stripe.Refund[]> {
    const intentId = intentIdOf(charge.payment_intent);
    if (!intentId) return [];
    const refunds: Stripe.Refund[] = [];
    for await (const refund of stripe.refunds.list({ payment_intent: intentId, limit: 100 })) refunds.push(refund);
    return refunds;
  }

  /** R-PAY-1: checks a key before it is stored: it must reach the account and may read customers. */
  async verifyKey(secretKey: string): Promise<void> {
    try {
      await (await this.clientFor(secretKey)).customers.list({ limit: 1 });
    } catch (error) {
      if (sdkError(error, 'StripeAuthenticationError', 'StripePermissionError')) {
        throw new UnprocessableError('gateway_key_rejected', 'Stripe refused the key: check that it is the secret or restricted key of the account, with the permissions the README lists', [
          keyRefusal(error),
        ]);
      }
      throw new GatewayUnavailableError('Stripe did not answer; nothing was saved, try again');
    } finally {
      this.clients.delete(secretKey);
    }
  }
}

function intentIdOf(value: string | Stripe.PaymentIntent | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

function attemptOf(metadata: Stripe.Metadata | null | undefined, orgId: string): ChargeRequest['metadata'] | null {
  if (!metadata || metadata.orgId !== orgId || !metadata.invoiceId || !metadata.attemptId) return null;
  return { orgId, invoiceId: metadata.invoiceId, attemptId: metadata.attemptId };
}

function savedCard(pm: Stripe.PaymentMethod, customerRef: string): SavedPaymentMethod {
  const card = pm.card;
  if (!card) throw new UnprocessableError('payment_method_rejected', `payment method ${pm.id} is not a card`, [{ field: 'paymentMethod.token', message: 'only cards are accepted' }]);
  return { gatewayRef: pm.id, customerRef, brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year, fingerprint: card.fingerprint ?? null };
}

function failureOf(error: Stripe.PaymentIntent.LastPaymentError | null | undefined): AttemptFailure {
  if (error?.code === 'authentication_required') return authenticationRequired(error.message);
  return classifyDecline(error?.decline_code ?? error?.code, error?.message ?? 'The card was declined.', error?.advice_code);
}

/** What Relance records of a PaymentIntent, whatever way it was read (an answer, a list, a webhook). */
export function chargeResultOf(intent: Stripe.PaymentIntent): ChargeResult {
  switch (intent.status) {
    case 'succeeded':
      return { status: 'succeeded', reference: intent.id };
    case 'processing':
    case 'requires_capture':
    case 'requires_confirmation':
      return { status: 'processing', reference: intent.id };
    case 'requires_action':
      return { status: 'requires_action', reference: intent.id, failure: authenticationRequired() };
    case 'canceled':
      return { status: 'declined', reference: intent.id, failure: { code: 'canceled', message: `the payment was canceled (${intent.cancellation_reason ?? 'no reason given'})`, hard: false } };
    case 'requires_payment_method': {
      const failure = failureOf(intent.last_payment_error);
      return failure.code === 'authentication_required' ? { status: 'requires_action', reference: intent.id, failure } : { status: 'declined', reference: intent.id, failure };
    }
    default:
      // A status this API version does not name yet: not settled, asked again later.
      return { status: 'processing', reference: intent.id };
  }
}

/** A charge Stripe refused for sure (nothing moved), from its error; null for an unknown outcome. */
function refusedCharge(error: unknown): ChargeResult | null {
  if (sdkError(error, 'StripeCardError')) {
    const intent = error.payment_intent;
    if (intent) return chargeResultOf(intent);
    const failure = error.code === 'authentication_required' ? authenticationRequired(error.message) : classifyDecline(error.decline_code ?? error.code, error.message, error.advice_code);
    return failure.code === 'authentication_required' ? { status: 'requires_action', reference: null, failure } : { status: 'declined', reference: null, failure };
  }
  if (sdkError(error, 'StripeInvalidRequestError') && error.statusCode === 400 && error.code && error.code !== 'idempotency_key_in_use') {
    // The request can never succeed as it is (the card was detached, the currency is not
    // accepted…): nothing moved, and only another card helps.
    return { status: 'declined', reference: error.payment_intent?.id ?? null, failure: { code: error.code, message: error.message, hard: true } };
  }
  return null;
}

function refundResultOf(refund: Stripe.Refund): RefundResult {
  switch (refund.status) {
    case 'succeeded':
      return { status: 'succeeded', reference: refund.id };
    case 'failed':
    case 'canceled':
      return { status: 'failed', reference: refund.id, failure: { code: refund.failure_reason ?? refund.status, message: `the refund ${refund.status === 'failed' ? 'failed' : 'was canceled'} at Stripe`, hard: true } };
    default:
      return { status: 'pending', reference: refund.id };
  }
}

/** Why Stripe refused a key, without Stripe's own message (it quotes part of the key). */
function keyRefusal(error: SdkError): { field: string; message: string } {
  return { field: 'secretKey', message: error.type === 'StripePermissionError' ? 'the key lacks a permission Relance needs' : 'Stripe does not know this key' };
}

/** Stripe's answer to a card setup as an API error: a refused card is 422, Stripe unreachable 503. */
function setupError(error: unknown, field: string): unknown {
  if (!sdkError(error)) return error;
  if (error.type === 'StripeCardError' || error.type === 'StripeInvalidRequestError') {
    return new UnprocessableError('payment_method_rejected', `Stripe refused the card: ${error.message}`, [{ field, message: error.message }]);
  }
  if (error.type === 'StripeAuthenticationError' || error.type === 'StripePermissionError') {
    return new UnprocessableError('gateway_key_rejected', 'Stripe refused the organisation\'s key: connect the gateway again (PUT /api/gateway)', [keyRefusal(error)]);
  }
  return new GatewayUnavailableError('Stripe did not answer; nothing was saved, try again');
}
