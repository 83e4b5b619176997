/**
 * A Stripe-compatible server for the local cloud and the tests (SPEC R-PAY-5). It speaks Stripe's
 * wire protocol as the official `stripe` SDK uses it when pointed at it with
 * `new Stripe(secretKey, { host: '127.0.0.1', port, protocol: 'http' })`: form-encoded bodies with
 * bracket notation, `Authorization: Bearer sk_test_…`, JSON answers with a `Request-Id`, Stripe's
 * error JSON and status codes, `Idempotency-Key` replays, expansions, lists newest first, signed
 * webhooks with retries, and the hosted pages (Checkout in setup mode, the 3-D Secure challenge).
 * State is in memory, per account (optionally copied to a JSON file). Written from Stripe's API
 * reference and the pinned SDK's types; not Stripe's code.
 */

import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testCard, testCardExpiry, TEST_PAYMENT_METHODS, type CardDecline, type TestCard } from './cards.js';
import { docUrl, invalidParam, noSuch, StripeApiError, unexpectedState, type StripeErrorBody } from './errors.js';
import { canonicalParams, Params, parseForm } from './form.js';
import { authenticationPage, checkoutPage, messagePage } from './pages.js';
import { base62, loadAccounts, newAccount, saveAccounts, type Account, type FollowUp, type PaymentMethodState, type SavedAnswer } from './state.js';
import type {
  BillingDetails,
  ChargeObject,
  CheckoutSessionObject,
  CustomerObject,
  DisputeObject,
  EventObject,
  Json,
  JsonObject,
  ListObject,
  Metadata,
  PaymentErrorObject,
  PaymentIntentObject,
  PaymentMethodObject,
  RefundObject,
  SetupIntentObject,
  StoredObject,
} from './types.js';
import { WebhookDispatcher, type Delivery } from './webhooks.js';

export type * from './types.js';
export { TEST_PAYMENT_METHODS, type TestCard } from './cards.js';
export type { Delivery } from './webhooks.js';

/** The API version the installed `stripe` SDK pins; stamped on every event. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type StripeFault = 'none' | 'server_error' | 'lost_answer' | 'timeout';

export interface StripeEmulatorOptions {
  /** Clock for `created`, idempotency expiry (24 h), Checkout expiry and webhook signatures; default system time. */
  now?: () => Date;
  /** 0 / undefined = a free port; always listens on 127.0.0.1 only. */
  port?: number;
  /** Waits between delivery tries of one event; default [1_000, 5_000, 30_000, 120_000, 600_000]. */
  webhookRetryDelaysMs?: number[];
  /** How long after the API answer an event's first delivery try goes out; default 500 ms (FIRST_TRY_DELAY_MS). */
  webhookFirstTryDelayMs?: number;
  /**
   * Asked for every /v1 request: `server_error` → 500 api_error, nothing happens and nothing is
   * saved for the key; `lost_answer` → carried out and saved, then the socket is destroyed with no
   * answer; `timeout` → carried out and saved, the answer held `timeoutMs`, then the socket destroyed.
   */
  fault?: (request: { method: string; path: string }) => StripeFault;
  /** How long a `timeout` fault holds the answer before destroying the socket; default 15_000. */
  timeoutMs?: number;
  /** Keep every account in this JSON file (loaded at start, written after changes and at stop). */
  persistFile?: string | undefined;
}

export interface StripeAccount {
  accountId: string;
  secretKey: string;
}

export interface StripeEmulator {
  /** http://127.0.0.1:<port> */
  apiBase: string;
  port: number;
  createAccount(): StripeAccount;
  setWebhookEndpoint(secretKey: string, endpoint: { url: string; secret: string }): void;
  setFault(fault: StripeEmulatorOptions['fault'] | undefined): void;
  /** Delivers every event not yet delivered now (ignoring retry waits); resolves when each got an answer or failed once. */
  deliverWebhooks(): Promise<void>;
  /** Holds every webhook delivery until released (tests: a webhook that arrives late, after the worker acted). */
  holdWebhooks(held: boolean): void;
  /** A card updater changed the card (payment_method.automatically_updated). */
  updateCardAutomatically(secretKey: string, paymentMethodId: string, card: { expMonth: number; expYear: number; last4?: string }): void;
  /** The cardholder disputed the payment (charge.dispute.created). */
  createDispute(secretKey: string, paymentIntentId: string): void;
  /**
   * A saved card starts to behave like another test card from now on (the bank reports it lost,
   * the account runs dry): Stripe has no test card that attaches and later declines with a
   * given code, and dunning tests need one. Test and local use only.
   */
  cardStartsDeclining(secretKey: string, paymentMethodId: string, like: string): void;
  /** Views for tests and the local console, oldest first. */
  paymentIntents(secretKey: string): PaymentIntentObject[];
  customers(secretKey: string): CustomerObject[];
  refunds(secretKey: string): RefundObject[];
  /** Oldest first; only those of `type` when given. */
  events(secretKey: string, type?: string): EventObject[];
  /** The idempotency key each PaymentIntent and refund of the account was created with (null: none sent). */
  creationKeys(secretKey: string): Map<string, string | null>;
  deliveries(secretKey: string): { eventId: string; type: string; attempts: number; delivered: boolean; lastStatus: number | null }[];
  /** Deliveries neither delivered nor given up, plus Stripe-side happenings still to come (what `deliverWebhooks()` would work on). */
  pendingWebhooks(): number;
  /** Closes the server, all sockets and every pending timer. */
  stop(): Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000];
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
/** How soon changes are written to `persistFile`. */
const SAVE_DELAY_MS = 50;

/** A deep copy as plain JSON (what goes on the wire). */
function toJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

type ObjectName = StoredObject['object'];
type ObjectOf<K extends ObjectName> = Extract<StoredObject, { object: K }>;

/** How Stripe names each kind in "No such …" messages. */
const KIND_NAMES: Record<ObjectName, string> = {
  customer: 'customer',
  payment_method: 'PaymentMethod',
  payment_intent: 'payment_intent',
  charge: 'charge',
  refund: 'refund',
  dispute: 'dispute',
  setup_intent: 'setupintent',
  'checkout.session': 'checkout.session',
  event: 'event',
};

/** Fields holding an id that `expand` may replace with the object. */
const EXPANDABLE = new Set(['customer', 'payment_method', 'payment_intent', 'latest_charge', 'charge', 'setup_intent', 'default_payment_method']);

/** Currencies without minor units (amounts are whole units). */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
/** Stripe's minimum charge amounts for the usual currencies (minor units); others: 1. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, cad: 50, eur: 50, aud: 50, nzd: 50, chf: 50, sgd: 50, hkd: 400, gbp: 30, jpy: 50, mxn: 1000 };
const MAXIMUM_AMOUNT = 99_999_999;

function formatMoney(amount: number, currency: string): string {
  const units = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${units} ${currency.toUpperCase()}`;
}

const AUTH_FAILURE_MESSAGE =
  'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.';
const NOT_REUSABLE_MESSAGE =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';
const AUTHENTICATION_REQUIRED: CardDecline = {
  code: 'authentication_required',
  declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

/** One API request (or one Stripe-side happening) being carried out. */
interface Ctx {
  account: Account;
  params: Params;
  requestId: string | null;
  idempotencyKey: string | null;
  nowMs: number;
  /** Events emitted; delivered once the answer is sent. */
  events: EventObject[];
}

interface Reply {
  status: number;
  body: object;
}

/** An endpoint: the request, and the object id of the path when it has one. */
type Handler = (ctx: Ctx, id: string) => Reply;

class Emulator implements StripeEmulator {
  apiBase = '';
  port = 0;
  private readonly accounts = new Map<string, Account>();
  /** Which account holds an object, for the hosted pages (their URLs carry no key). */
  private readonly owners = new Map<string, Account>();
  private readonly dispatcher: WebhookDispatcher;
  private readonly followUpTimers = new Map<FollowUp, NodeJS.Timeout>();
  private readonly heldAnswers = new Set<NodeJS.Timeout>();
  private saveTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly persistFile: string | undefined;
  private fault: StripeEmulatorOptions['fault'];
  private readonly now: () => Date;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;
  readonly server: Server;
  private readonly routes: [string, RegExp, Handler][];

  constructor(options: StripeEmulatorOptions) {
    this.now = options.now ?? (() => new Date());
    this.retryDelaysMs = options.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fault = options.fault;
    this.persistFile = options.persistFile || undefined;
    this.dispatcher = new WebhookDispatcher(this.retryDelaysMs, this.now, () => this.changed(), options.webhookFirstTryDelayMs);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.routes = [
      ['POST', /^\/v1\/customers$/, (c) => this.createCustomer(c)],
      ['GET', /^\/v1\/customers$/, (c) => this.listCustomers(c)],
      ['GET', /^\/v1\/customers\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'customer')],
      ['POST', /^\/v1\/customers\/([^/]+)$/, (c, id) => this.updateCustomer(c, id)],
      ['GET', /^\/v1\/customers\/([^/]+)\/payment_methods$/, (c, id) => this.listPaymentMethods(c, id)],
      ['GET', /^\/v1\/payment_methods$/, (c) => this.listPaymentMethods(c, undefined)],
      ['GET', /^\/v1\/payment_methods\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'payment_method')],
      ['POST', /^\/v1\/payment_methods\/([^/]+)\/attach$/, (c, id) => this.attachPaymentMethod(c, id)],
      ['POST', /^\/v1\/payment_methods\/([^/]+)\/detach$/, (c, id) => this.detachPaymentMethod(c, id)],
      ['POST', /^\/v1\/payment_intents$/, (c) => this.createPaymentIntent(c)],
      ['GET', /^\/v1\/payment_intents$/, (c) => this.listPaymentIntents(c)],
      ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'payment_intent')],
      ['POST', /^\/v1\/payment_intents\/([^/]+)\/confirm$/, (c, id) => this.confirmPaymentIntent(c, id)],
      ['POST', /^\/v1\/payment_intents\/([^/]+)\/cancel$/, (c, id) => this.cancelPaymentIntent(c, id)],
      ['POST', /^\/v1\/refunds$/, (c) => this.createRefund(c)],
      ['GET', /^\/v1\/refunds$/, (c) => this.listRefunds(c)],
      ['GET', /^\/v1\/refunds\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'refund')],
      ['GET', /^\/v1\/charges$/, (c) => this.listCharges(c)],
      ['GET', /^\/v1\/charges\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'charge')],
      ['GET', /^\/v1\/events$/, (c) => this.listEvents(c)],
      ['GET', /^\/v1\/events\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'event')],
      ['POST', /^\/v1\/checkout\/sessions$/, (c) => this.createCheckoutSession(c)],
      ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'checkout.session')],
      ['GET', /^\/v1\/setup_intents\/([^/]+)$/, (c, id) => this.retrieve(c, id, 'setup_intent')],
    ];
  }

  // ---- public API -------------------------------------------------------------------------

  createAccount(): StripeAccount {
    const account = newAccount();
    this.accounts.set(account.secretKey, account);
    this.changed();
    return { accountId: account.accountId, secretKey: account.secretKey };
  }

  setWebhookEndpoint(secretKey: string, endpoint: { url: string; secret: string }): void {
    if (!endpoint.secret.startsWith('whsec_')) throw new Error('A webhook signing secret starts with whsec_');
    this.account(secretKey).endpoint = { url: endpoint.url, secret: endpoint.secret };
    this.changed();
  }

  setFault(fault: StripeEmulatorOptions['fault'] | undefined): void {
    this.fault = fault;
  }

  async deliverWebhooks(): Promise<void> {
    for (const account of this.accounts.values()) {
      for (const followUp of [...account.followUps]) this.runFollowUp(account, followUp);
    }
    await this.dispatcher.deliverPending();
  }

  pendingWebhooks(): number {
    return this.dispatcher.pending() + this.followUpTimers.size;
  }

  updateCardAutomatically(secretKey: string, paymentMethodId: string, card: { expMonth: number; expYear: number; last4?: string }): void {
    const account = this.account(secretKey);
    const pm = this.find(account, paymentMethodId, 'payment_method');
    if (!pm) throw new Error(`No such PaymentMethod: ${paymentMethodId}`);
    this.stripeSide(account, (ctx) => {
      const previous = { card: { exp_month: pm.card.exp_month, exp_year: pm.card.exp_year, last4: pm.card.last4 } };
      pm.card.exp_month = card.expMonth;
      pm.card.exp_year = card.expYear;
      if (card.last4) pm.card.last4 = card.last4;
      this.emit(ctx, 'payment_method.automatically_updated', pm, previous);
    });
  }

  createDispute(secretKey: string, paymentIntentId: string): void {
    const account = this.account(secretKey);
    const pi = this.find(account, paymentIntentId, 'payment_intent');
    const charge = pi?.latest_charge ? this.find(account, pi.latest_charge, 'charge') : undefined;
    if (!pi || !charge || charge.status !== 'succeeded') throw new Error(`PaymentIntent ${paymentIntentId} has no successful charge to dispute`);
    this.stripeSide(account, (ctx) => this.openDispute(ctx, charge));
  }

  paymentIntents(secretKey: string): PaymentIntentObject[] {
    return structuredClone(this.all(this.account(secretKey), 'payment_intent'));
  }

  holdWebhooks(held: boolean): void {
    this.dispatcher.hold(held);
  }

  customers(secretKey: string): CustomerObject[] {
    return structuredClone(this.all(this.account(secretKey), 'customer'));
  }

  cardStartsDeclining(secretKey: string, paymentMethodId: string, like: string): void {
    const account = this.account(secretKey);
    const pm = this.find(account, paymentMethodId, 'payment_method');
    const card = testCard(like);
    if (!pm || !card) throw new Error(`No such PaymentMethod ${paymentMethodId} or test card ${like}`);
    const state = this.pmState(account, pm);
    state.card = { ...state.card, decline: card.decline, threeDSecure: card.threeDSecure, disputes: card.disputes, refundsFail: card.refundsFail };
    this.changed();
  }

  refunds(secretKey: string): RefundObject[] {
    return structuredClone(this.all(this.account(secretKey), 'refund'));
  }

  events(secretKey: string, type?: string): EventObject[] {
    const events = this.all(this.account(secretKey), 'event');
    return structuredClone(type === undefined ? events : events.filter((e) => e.type === type));
  }

  creationKeys(secretKey: string): Map<string, string | null> {
    const keys = new Map<string, string | null>();
    for (const e of this.all(this.account(secretKey), 'event')) {
      if (e.type === 'payment_intent.created' || e.type === 'refund.created') keys.set(String((e.data.object as { id: string }).id), e.request.idempotency_key);
    }
    return keys;
  }

  deliveries(secretKey: string): Delivery[] {
    return this.dispatcher.list(new Set(this.all(this.account(secretKey), 'event').map((e) => e.id)));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.apiBase = `http://127.0.0.1:${this.port}`;
    if (this.persistFile) this.restore(this.persistFile);
  }

  async stop(): Promise<void> {
    this.dispatcher.stop();
    for (const timer of [...this.followUpTimers.values(), ...this.heldAnswers]) clearTimeout(timer);
    this.followUpTimers.clear();
    this.heldAnswers.clear();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.persistFile) saveAccounts(this.persistFile, this.apiBase, this.accounts.values());
    this.stopped = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- persistence ---------------------------------------------------------------------------

  /** Something changed: write the accounts to `persistFile` a moment later. */
  private changed(): void {
    if (!this.persistFile || this.saveTimer || this.stopped) return;
    const file = this.persistFile;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      saveAccounts(file, this.apiBase, this.accounts.values());
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Loads the saved accounts: hosted-page URLs move to this run's port, pending deliveries and happenings resume. */
  private restore(file: string): void {
    const saved = loadAccounts(file);
    if (!saved) return;
    const moved = (url: string): string => (url.startsWith(saved.apiBase) ? this.apiBase + url.slice(saved.apiBase.length) : url);
    for (const account of saved.accounts) {
      this.accounts.set(account.secretKey, account);
      for (const object of account.objects.values()) {
        this.owners.set(object.id, account);
        if (object.object === 'checkout.session' && object.url) object.url = moved(object.url);
        if (object.object === 'payment_intent' && object.next_action?.type === 'redirect_to_url') {
          object.next_action.redirect_to_url.url = moved(object.next_action.redirect_to_url.url);
        }
        if (object.object === 'payment_intent' && object.next_action?.type === 'use_stripe_sdk') {
          object.next_action.use_stripe_sdk.stripe_js = moved(object.next_action.use_stripe_sdk.stripe_js);
        }
        if (object.object === 'event' && object.pending_webhooks > 0 && account.endpoint) this.dispatcher.enqueue(account.endpoint, object);
      }
      for (const followUp of account.followUps) this.scheduleFollowUp(account, followUp);
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const body = method === 'POST' ? await readBody(req) : '';
      if (url.pathname.startsWith('/v1/') || url.pathname === '/v1') return this.handleApi(req, res, method, url, body);
      const checkout = /^\/checkout\/([^/]+)$/.exec(url.pathname);
      if (checkout?.[1]) return this.checkoutRoute(res, method, decodeURIComponent(checkout[1]), body);
      const authenticate = /^\/authenticate\/([^/]+)$/.exec(url.pathname);
      if (authenticate?.[1]) return this.authenticateRoute(res, method, decodeURIComponent(authenticate[1]), body);
      sendHtml(res, 404, messagePage('Not found', 'There is no page here.'));
    } catch (error) {
      if (!res.headersSent && !res.destroyed) sendHtml(res, 500, messagePage('Error', error instanceof Error ? error.message : String(error)));
    }
  }

  private handleApi(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: string): void {
    const requestId = `req_${base62(14)}`;
    const path = url.pathname;
    const fault = this.fault?.({ method, path }) ?? 'none';
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Request-Id': requestId,
      'Stripe-Version': headerValue(req, 'stripe-version') ?? STRIPE_API_VERSION,
      'Cache-Control': 'no-cache, no-store',
    };
    if (fault === 'server_error') {
      res.writeHead(500, headers).end(JSON.stringify({ error: { type: 'api_error', message: 'An unknown error occurred.' } }));
      return;
    }
    const key = method === 'POST' ? headerValue(req, 'idempotency-key') : undefined;
    if (key) headers['Idempotency-Key'] = key;
    let ctx: Ctx | null = null;
    let status: number;
    let answer: string;
    try {
      const account = this.authenticate(headerValue(req, 'authorization'));
      const match = this.route(method, path);
      if (!match) {
        throw new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        });
      }
      const params = new Params(parseForm(method === 'POST' ? body : url.search.slice(1)));
      const nowMs = this.now().getTime();
      const replay = key ? this.savedAnswer(account, key, method, path, params, nowMs) : undefined;
      if (replay) {
        headers['Idempotent-Replayed'] = 'true';
        headers['Original-Request'] = replay.requestId;
        status = replay.status;
        answer = replay.body;
      } else {
        ctx = { account, params, requestId, idempotencyKey: key ?? null, nowMs, events: [] };
        const reply = match.handler(ctx, match.id);
        status = reply.status;
        answer = JSON.stringify(reply.body, null, 2);
        if (key) {
          account.idempotency.set(key, { method, path, params: canonicalParams(params.map), status, body: answer, requestId, savedAtMs: nowMs });
        }
      }
    } catch (error) {
      const refusal = error instanceof StripeApiError ? error : new StripeApiError(500, { type: 'api_error', message: String(error) });
      status = refusal.status;
      answer = JSON.stringify({ error: refusal.body }, null, 2);
    }
    const done = ctx;
    if (done) this.changed();
    const dispatch = (): void => {
      if (done) this.dispatch(done);
    };
    if (fault === 'lost_answer') {
      dispatch();
      req.socket.destroy();
    } else if (fault === 'timeout') {
      dispatch();
      const timer = setTimeout(() => {
        this.heldAnswers.delete(timer);
        req.socket.destroy();
      }, this.timeoutMs);
      timer.unref();
      this.heldAnswers.add(timer);
    } else {
      res.writeHead(status, headers).end(answer, dispatch);
    }
  }

  private authenticate(authorization: string | undefined): Account {
    let key: string | undefined;
    if (authorization?.startsWith('Bearer ')) key = authorization.slice(7).trim();
    else if (authorization?.startsWith('Basic ')) key = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0];
    if (!key) {
      throw new StripeApiError(401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    const account = this.accounts.get(key);
    if (!account) throw new StripeApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}` });
    return account;
  }

  private route(method: string, path: string): { handler: Handler; id: string } | undefined {
    for (const [m, pattern, handler] of this.routes) {
      const match = m === method ? pattern.exec(path) : null;
      if (match) return { handler, id: decodeURIComponent(match[1] ?? '') };
    }
    return undefined;
  }

  /** Stripe's idempotency: a saved answer to replay, a refusal, or undefined (carry it out). */
  private savedAnswer(account: Account, key: string, method: string, path: string, params: Params, nowMs: number): SavedAnswer | undefined {
    if (key.length > 255) throw invalidParam('Idempotency-Key', 'The Idempotency-Key header must be at most 255 characters long.');
    // Keys are saved in time order: forget from the oldest until one is still young.
    for (const [k, saved] of account.idempotency) {
      if (nowMs - saved.savedAtMs < IDEMPOTENCY_TTL_MS) break;
      account.idempotency.delete(k);
    }
    const saved = account.idempotency.get(key);
    if (!saved) return undefined;
    if (nowMs - saved.savedAtMs >= IDEMPOTENCY_TTL_MS) {
      account.idempotency.delete(key);
      return undefined;
    }
    const other = `Try using a key other than '${key}' if you meant to execute a different request.`;
    if (saved.method !== method || saved.path !== path) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${saved.method} ${saved.path}' vs '${method} ${path}'). ${other}`,
      });
    }
    if (saved.params !== canonicalParams(params.map)) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. ${other}`,
      });
    }
    return saved;
  }

  // ---- state helpers ------------------------------------------------------------------------

  private account(secretKey: string): Account {
    const account = this.accounts.get(secretKey);
    if (!account) throw new Error('Unknown secret key');
    return account;
  }

  private store<T extends StoredObject>(account: Account, object: T): T {
    account.objects.set(object.id, object);
    const kind = account.byKind.get(object.object) ?? new Map<string, StoredObject>();
    kind.set(object.id, object);
    account.byKind.set(object.object, kind);
    this.owners.set(object.id, account);
    return object;
  }

  private find<K extends ObjectName>(account: Account, id: string, kind: K): ObjectOf<K> | undefined {
    const found = account.objects.get(id);
    return found && found.object === kind ? (found as ObjectOf<K>) : undefined;
  }

  /** The object, or Stripe's "No such …" (404 for an id in the path, 400 naming the param otherwise). */
  private need<K extends ObjectName>(account: Account, id: string, kind: K, param: string, inPath = false): ObjectOf<K> {
    const found = this.find(account, id, kind);
    if (!found) throw noSuch(KIND_NAMES[kind], id, param, inPath);
    return found;
  }

  private all<K extends ObjectName>(account: Account, kind: K): ObjectOf<K>[] {
    return [...(account.byKind.get(kind)?.values() ?? [])].filter((o): o is ObjectOf<K> => o.object === kind);
  }

  private id(prefix: string, length = 24): string {
    return `${prefix}_${base62(length)}`;
  }

  private seconds(ctx: Ctx): number {
    return Math.floor(ctx.nowMs / 1000);
  }

  private emit(ctx: Ctx, type: string, object: StoredObject, previous?: object): void {
    const event: EventObject = {
      id: this.id('evt'),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: this.seconds(ctx),
      data: { object: toJson(object), ...(previous ? { previous_attributes: toJson(previous) } : {}) },
      livemode: false,
      pending_webhooks: ctx.account.endpoint ? 1 : 0,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    this.store(ctx.account, event);
    ctx.events.push(event);
  }

  /** Hands a request's events to the webhook dispatcher (after the answer went out). */
  private dispatch(ctx: Ctx): void {
    const endpoint = ctx.account.endpoint;
    for (const event of ctx.events.splice(0)) {
      if (endpoint && event.pending_webhooks > 0) this.dispatcher.enqueue(endpoint, event);
    }
  }

  /** Something Stripe does by itself (no API request): its events go out at once. */
  private stripeSide(account: Account, run: (ctx: Ctx) => void): void {
    const ctx: Ctx = { account, params: new Params({}), requestId: null, idempotencyKey: null, nowMs: this.now().getTime(), events: [] };
    run(ctx);
    this.dispatch(ctx);
    this.changed();
  }

  /** Something Stripe does "a moment later": on the next `deliverWebhooks()` or after the first retry delay. */
  private later(account: Account, followUp: FollowUp): void {
    account.followUps.push(followUp);
    this.scheduleFollowUp(account, followUp);
  }

  private scheduleFollowUp(account: Account, followUp: FollowUp): void {
    if (this.stopped) return;
    const timer = setTimeout(() => this.runFollowUp(account, followUp), this.retryDelaysMs[0] ?? 1_000);
    timer.unref();
    this.followUpTimers.set(followUp, timer);
  }

  private runFollowUp(account: Account, followUp: FollowUp): void {
    const timer = this.followUpTimers.get(followUp);
    if (timer) clearTimeout(timer);
    this.followUpTimers.delete(followUp);
    account.followUps = account.followUps.filter((f) => f !== followUp);
    this.stripeSide(account, (ctx) => {
      if (followUp.kind === 'dispute') {
        const charge = this.find(account, followUp.chargeId, 'charge');
        if (charge && !charge.disputed) this.openDispute(ctx, charge);
        return;
      }
      const refund = this.find(account, followUp.refundId, 'refund');
      const charge = refund ? this.find(account, refund.charge, 'charge') : undefined;
      if (!refund || !charge || refund.status !== 'succeeded') return;
      refund.status = 'failed';
      refund.failure_reason = 'expired_or_canceled_card';
      charge.amount_refunded -= refund.amount;
      charge.refunded = false;
      this.emit(ctx, 'refund.updated', refund, { status: 'succeeded' });
      this.emit(ctx, 'refund.failed', refund);
      this.emit(ctx, 'charge.refund.updated', refund, { status: 'succeeded' });
    });
  }

  // ---- rendering: expansion and lists ----------------------------------------------------------

  private render(ctx: Ctx, object: StoredObject, expand = ctx.params.expand()): JsonObject {
    const json = toJson(object);
    for (const path of expand) this.expandPath(ctx.account, json, path.split('.'), path);
    return json;
  }

  private expandPath(account: Account, node: JsonObject, segments: string[], full: string): void {
    const [head, ...rest] = segments;
    if (head === undefined) return;
    const cannot = (): StripeApiError => invalidParam('expand', `This property cannot be expanded (${full}).`);
    if (node.object === 'charge' && head === 'refunds') {
      const refunds = this.all(account, 'refund').filter((r) => r.charge === node.id).reverse();
      const list: ListObject<JsonObject> = { object: 'list', data: refunds.map((r) => toJson(r)), has_more: false, url: `/v1/charges/${String(node.id)}/refunds` };
      node.refunds = toJson(list);
      return;
    }
    const value: Json | undefined = node[head];
    if (typeof value === 'string' && EXPANDABLE.has(head)) {
      const target = account.objects.get(value);
      if (!target) throw cannot();
      const expanded = toJson(target);
      node[head] = expanded;
      this.expandPath(account, expanded, rest, full);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      this.expandPath(account, value, rest, full);
    } else if (value !== null) {
      throw cannot();
    }
  }

  private retrieve(ctx: Ctx, id: string, kind: ObjectName): Reply {
    ctx.params.allowOnly([]);
    const object = this.need(ctx.account, id, kind, 'id', true);
    if (object.object === 'checkout.session') this.expireIfDue(ctx, object);
    return { status: 200, body: this.render(ctx, object) };
  }

  /** A page of `items` (oldest first): newest first, `limit`, `starting_after`, `ending_before`. */
  private list(ctx: Ctx, items: StoredObject[], url: string, kind: ObjectName): Reply {
    const p = ctx.params;
    const limit = p.limit();
    const expand = p.expand().map((path) => {
      if (!path.startsWith('data.')) throw invalidParam('expand', `This property cannot be expanded (${path}). Expansions on lists start with data.`);
      return path.slice(5);
    });
    const newest = [...items].reverse();
    const position = (param: string): number | undefined => {
      const id = p.optional(param);
      if (id === undefined) return undefined;
      const at = newest.findIndex((o) => o.id === id);
      if (at < 0) throw noSuch(KIND_NAMES[kind], id, param, false);
      return at;
    };
    const after = position('starting_after');
    const before = position('ending_before');
    let page: StoredObject[];
    let hasMore: boolean;
    if (before !== undefined && after === undefined) {
      page = newest.slice(Math.max(0, before - limit), before);
      hasMore = before - limit > 0;
    } else {
      const start = after === undefined ? 0 : after + 1;
      page = newest.slice(start, start + limit);
      hasMore = start + limit < newest.length;
    }
    const body: ListObject<JsonObject> = { object: 'list', data: page.map((o) => this.render(ctx, o, expand)), has_more: hasMore, url };
    return { status: 200, body };
  }

  private static readonly LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'];

  // ---- customers ----------------------------------------------------------------------------

  private email(p: Params): string | undefined {
    const email = p.optional('email');
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) throw invalidParam('email', `Invalid email address: ${email}`, 'email_invalid');
    return email;
  }

  private createCustomer(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly(['email', 'name', 'description', 'phone', 'metadata']);
    const customer: CustomerObject = {
      id: this.id('cus', 14),
      object: 'customer',
      address: null,
      balance: 0,
      created: this.seconds(ctx),
      currency: null,
      default_source: null,
      delinquent: false,
      description: p.optional('description') ?? null,
      email: this.email(p) ?? null,
      invoice_prefix: base62(8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: p.metadata() ?? {},
      name: p.optional('name') ?? null,
      phone: p.optional('phone') ?? null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
    this.store(ctx.account, customer);
    this.emit(ctx, 'customer.created', customer);
    return { status: 200, body: this.render(ctx, customer) };
  }

  private updateCustomer(ctx: Ctx, id: string): Reply {
    const p = ctx.params;
    p.allowOnly(['email', 'name', 'description', 'phone', 'metadata', 'invoice_settings']);
    const customer = this.need(ctx.account, id, 'customer', 'id', true);
    const settings = p.hash('invoice_settings');
    settings?.allowOnly(['default_payment_method']);
    const defaultPm = settings?.string('default_payment_method');
    if (defaultPm) {
      const pm = this.need(ctx.account, defaultPm, 'payment_method', 'invoice_settings[default_payment_method]');
      if (pm.customer !== customer.id) {
        throw invalidParam(
          'invoice_settings[default_payment_method]',
          `The customer does not have a payment method with the ID ${defaultPm}. The payment method must be attached to the customer.`,
          'resource_missing',
        );
      }
    }
    const email = this.email(p);
    const metadata = p.metadata();
    const before = toJson(customer);
    if (p.has('email')) customer.email = email ?? null;
    if (p.has('name')) customer.name = p.optional('name') ?? null;
    if (p.has('description')) customer.description = p.optional('description') ?? null;
    if (p.has('phone')) customer.phone = p.optional('phone') ?? null;
    if (metadata) customer.metadata = mergeMetadata(customer.metadata, metadata, p.map.metadata === '');
    if (defaultPm !== undefined) customer.invoice_settings.default_payment_method = defaultPm === '' ? null : defaultPm;
    const previous = changedFields(before, toJson(customer));
    if (Object.keys(previous).length > 0) this.emit(ctx, 'customer.updated', customer, previous);
    return { status: 200, body: this.render(ctx, customer) };
  }

  private listCustomers(ctx: Ctx): Reply {
    ctx.params.allowOnly([...Emulator.LIST_PARAMS, 'email']);
    const email = ctx.params.optional('email');
    const created = ctx.params.createdFilter();
    const items = this.all(ctx.account, 'customer').filter((c) => (email === undefined || c.email === email) && created(c.created));
    return this.list(ctx, items, '/v1/customers', 'customer');
  }

  // ---- payment methods ----------------------------------------------------------------------

  private fingerprint(account: Account, card: TestCard): string {
    return createHmac('sha256', account.fingerprintSalt).update(card.number).digest('base64url').replace(/[-_]/g, '').slice(0, 16);
  }

  /** A new `pm_…` for a test card (what Stripe does with a `pm_card_…` token). */
  private createPaymentMethod(ctx: Ctx, card: TestCard, customer: string | null, setUpOffSession: boolean): PaymentMethodObject {
    const { expMonth, expYear } = testCardExpiry(new Date(ctx.nowMs));
    const pm: PaymentMethodObject = {
      id: this.id('pm'),
      object: 'payment_method',
      allow_redisplay: 'unspecified',
      billing_details: emptyBillingDetails(),
      card: {
        brand: card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
        country: card.country,
        display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
        exp_month: expMonth,
        exp_year: expYear,
        fingerprint: this.fingerprint(ctx.account, card),
        funding: card.funding,
        generated_from: null,
        last4: card.last4,
        networks: { available: [card.brand], preferred: null },
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      created: this.seconds(ctx),
      customer,
      customer_account: null,
      livemode: false,
      metadata: {},
      type: 'card',
    };
    this.store(ctx.account, pm);
    ctx.account.paymentMethods.set(pm.id, { card, setUpOffSession, spent: false });
    return pm;
  }

  private pmState(account: Account, pm: PaymentMethodObject): PaymentMethodState {
    const state = account.paymentMethods.get(pm.id);
    if (!state) throw new Error(`no state for ${pm.id}`);
    return state;
  }

  /** The card error Stripe answers when a card is declined (402). */
  private cardError(decline: CardDecline, extra: Partial<StripeErrorBody> = {}): StripeErrorBody {
    return { type: 'card_error', code: decline.code, decline_code: decline.declineCode, message: decline.message, doc_url: docUrl(decline.code), ...extra };
  }

  private attachPaymentMethod(ctx: Ctx, id: string): Reply {
    const p = ctx.params;
    p.allowOnly(['customer']);
    const customer = this.need(ctx.account, p.required('customer'), 'customer', 'customer');
    const card = testCard(id);
    if (card) {
      if (card.declinesOnAttach && card.decline) return { status: 402, body: { error: this.cardError(card.decline, { param: '' }) } };
      const pm = this.createPaymentMethod(ctx, card, customer.id, false);
      this.emit(ctx, 'payment_method.attached', pm);
      return { status: 200, body: this.render(ctx, pm) };
    }
    const pm = this.need(ctx.account, id, 'payment_method', 'payment_method', true);
    const state = this.pmState(ctx.account, pm);
    if (state.spent) throw invalidParam('payment_method', NOT_REUSABLE_MESSAGE);
    if (pm.customer === customer.id) return { status: 200, body: this.render(ctx, pm) };
    if (pm.customer !== null) throw invalidParam('payment_method', 'The payment method you provided has already been attached to a customer.');
    if (state.card.declinesOnAttach && state.card.decline) return { status: 402, body: { error: this.cardError(state.card.decline, { param: '' }) } };
    pm.customer = customer.id;
    this.emit(ctx, 'payment_method.attached', pm);
    return { status: 200, body: this.render(ctx, pm) };
  }

  private detachPaymentMethod(ctx: Ctx, id: string): Reply {
    ctx.params.allowOnly([]);
    const pm = this.need(ctx.account, id, 'payment_method', 'payment_method', true);
    if (pm.customer === null) {
      throw invalidParam('payment_method', 'The payment method you provided is not attached to a customer so detachment is impossible.');
    }
    const customer = this.find(ctx.account, pm.customer, 'customer');
    const previous = { customer: pm.customer };
    pm.customer = null;
    this.pmState(ctx.account, pm).spent = true;
    if (customer && customer.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
    this.emit(ctx, 'payment_method.detached', pm, previous);
    return { status: 200, body: this.render(ctx, pm) };
  }

  private listPaymentMethods(ctx: Ctx, customerInPath: string | undefined): Reply {
    const p = ctx.params;
    p.allowOnly([...Emulator.LIST_PARAMS.filter((n) => n !== 'created'), 'type', ...(customerInPath ? [] : ['customer'])]);
    const customerId = customerInPath ?? p.required('customer');
    const customer = this.need(ctx.account, customerId, 'customer', customerInPath ? 'id' : 'customer', customerInPath !== undefined);
    const type = p.optional('type');
    const items = this.all(ctx.account, 'payment_method').filter((pm) => pm.customer === customer.id && (type === undefined || pm.type === type));
    return this.list(ctx, items, customerInPath ? `/v1/customers/${customer.id}/payment_methods` : '/v1/payment_methods', 'payment_method');
  }

  // ---- payment intents ----------------------------------------------------------------------

  private currency(p: Params): string {
    const currency = p.required('currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw invalidParam('currency', `Invalid currency: ${p.required('currency')}. Currencies are three-letter ISO codes, in lowercase.`);
    return currency;
  }

  private amount(p: Params, currency: string): number {
    const amount = p.integer('amount');
    if (amount === undefined) throw invalidParam('amount', 'Missing required param: amount.', 'parameter_missing');
    if (amount < 1) throw invalidParam('amount', 'This value must be greater than or equal to 1.');
    const minimum = MINIMUM_AMOUNT[currency] ?? 1;
    if (amount < minimum) throw invalidParam('amount', `Amount must be at least ${formatMoney(minimum, currency)}`, 'amount_too_small');
    if (amount > MAXIMUM_AMOUNT) throw invalidParam('amount', `Amount must be no more than ${formatMoney(MAXIMUM_AMOUNT, currency)}`, 'amount_too_large');
    return amount;
  }

  /**
   * Checks a `payment_method` parameter without changing anything: a test token, or a usable
   * `pm_…` of this account that fits the customer.
   */
  private checkPaymentMethod(ctx: Ctx, id: string, customer: string | null): TestCard | PaymentMethodObject {
    const card = testCard(id);
    if (card) return card;
    const pm = this.need(ctx.account, id, 'payment_method', 'payment_method');
    if (this.pmState(ctx.account, pm).spent) throw invalidParam('payment_method', NOT_REUSABLE_MESSAGE);
    if (pm.customer !== null && customer === null) {
      throw invalidParam('customer', `The provided PaymentMethod ${pm.id} is attached to a customer; pass that customer's id in the \`customer\` parameter.`);
    }
    if (pm.customer !== null && pm.customer !== customer) throw invalidParam('payment_method', `The provided PaymentMethod ${pm.id} belongs to another customer.`);
    return pm;
  }

  /**
   * Stripe asks for a `return_url` whenever redirect-based methods may be used: automatic payment
   * methods with redirects allowed, unless `allowed_payment_method_types` keeps only cards.
   */
  private requireReturnUrl(pi: PaymentIntentObject, returnUrl: string | undefined): void {
    const apm = pi.automatic_payment_methods;
    const cardsOnly = pi.allowed_payment_method_types !== null && pi.allowed_payment_method_types.every((t) => t === 'card');
    if (apm?.enabled && apm.allow_redirects !== 'never' && !cardsOnly && returnUrl === undefined) {
      throw invalidParam(
        'return_url',
        'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.',
      );
    }
  }

  /** `allowed_payment_method_types` / `excluded_payment_method_types` (cards are the only type here). */
  private paymentMethodTypes(p: Params): { allowed: string[] | null; excluded: string[] | null } {
    if (p.has('payment_method_types')) {
      throw invalidParam(
        'payment_method_types',
        `Received unknown parameter: payment_method_types. Since API version 2026-09-30.endive it is allowed_payment_method_types (this emulator speaks ${STRIPE_API_VERSION}).`,
      );
    }
    const allowed = p.list('allowed_payment_method_types') ?? null;
    const excluded = p.list('excluded_payment_method_types') ?? null;
    const other = allowed?.find((t) => t !== 'card');
    if (other !== undefined) throw invalidParam('allowed_payment_method_types', `The payment method type "${other}" is not available in the local emulator (cards only).`);
    if (excluded?.includes('card') || allowed?.length === 0) {
      throw invalidParam('excluded_payment_method_types', 'No payment method type is left: the local emulator supports cards only.');
    }
    return { allowed, excluded };
  }

  private createPaymentIntent(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly([
      'amount',
      'currency',
      'customer',
      'payment_method',
      'confirm',
      'off_session',
      'error_on_requires_action',
      'description',
      'metadata',
      'allowed_payment_method_types',
      'excluded_payment_method_types',
      'payment_method_types',
      'automatic_payment_methods',
      'return_url',
    ]);
    const currency = this.currency(p);
    const amount = this.amount(p, currency);
    const customerId = p.optional('customer');
    if (customerId) this.need(ctx.account, customerId, 'customer', 'customer');
    const confirm = p.boolean('confirm') ?? false;
    const offSession = p.boolean('off_session');
    const returnUrl = p.optional('return_url');
    const errorOnRequiresAction = p.boolean('error_on_requires_action');
    for (const [name, given] of [['off_session', offSession !== undefined], ['return_url', returnUrl !== undefined], ['error_on_requires_action', errorOnRequiresAction !== undefined]] as const) {
      if (given && !confirm) throw invalidParam(name, `${name} can only be used when confirm=true.`);
    }
    const types = this.paymentMethodTypes(p);
    const apm = p.hash('automatic_payment_methods');
    apm?.allowOnly(['enabled', 'allow_redirects']);
    const allowRedirects = apm?.optional('allow_redirects') ?? 'always';
    if (allowRedirects !== 'always' && allowRedirects !== 'never') {
      throw invalidParam('automatic_payment_methods[allow_redirects]', 'Invalid automatic_payment_methods[allow_redirects]: must be one of always or never');
    }
    const apmEnabled = apm ? apm.boolean('enabled') : undefined;
    if (apm && apmEnabled === undefined) throw invalidParam('automatic_payment_methods[enabled]', 'Missing required param: automatic_payment_methods[enabled].', 'parameter_missing');
    const pmParam = p.optional('payment_method');
    const checked = pmParam ? this.checkPaymentMethod(ctx, pmParam, customerId ?? null) : undefined;
    const pi: PaymentIntentObject = {
      id: this.id('pi'),
      object: 'payment_intent',
      allowed_payment_method_types: types.allowed,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      // Since API version 2023-08-16 automatic payment methods are on unless turned off.
      automatic_payment_methods: { enabled: apmEnabled ?? true, allow_redirects: allowRedirects },
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic_async',
      client_secret: '',
      confirmation_method: 'automatic',
      created: this.seconds(ctx),
      currency,
      customer: customerId ?? null,
      customer_account: null,
      description: p.optional('description') ?? null,
      excluded_payment_method_types: types.excluded,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: p.metadata() ?? {},
      next_action: null,
      payment_method: null,
      payment_method_types: ['card'],
      receipt_email: null,
      setup_future_usage: null,
      statement_descriptor: null,
      status: 'requires_payment_method',
    };
    pi.client_secret = `${pi.id}_secret_${base62(24)}`;
    if (confirm) {
      if (!checked) throw unexpectedState('payment_intent_unexpected_state', missingPaymentMethodMessage(pi), 'payment_method');
      this.requireReturnUrl(pi, returnUrl);
    }
    // From here on, the request is carried out.
    const pm = checked && 'token' in checked ? this.createPaymentMethod(ctx, checked, null, false) : checked;
    if (pm) {
      pi.payment_method = pm.id;
      pi.status = 'requires_confirmation';
    }
    this.store(ctx.account, pi);
    this.emit(ctx, 'payment_intent.created', pi);
    if (!confirm || !pm) return { status: 200, body: this.render(ctx, pi) };
    return this.confirm(ctx, pi, pm, { offSession: offSession ?? false, returnUrl: returnUrl ?? null, errorOnRequiresAction: errorOnRequiresAction ?? false });
  }

  private confirmPaymentIntent(ctx: Ctx, id: string): Reply {
    const p = ctx.params;
    p.allowOnly(['payment_method', 'off_session', 'return_url', 'error_on_requires_action', 'allowed_payment_method_types', 'excluded_payment_method_types', 'payment_method_types']);
    const pi = this.need(ctx.account, id, 'payment_intent', 'intent', true);
    if (pi.status === 'succeeded') {
      throw unexpectedState('payment_intent_unexpected_state', 'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.');
    }
    if (pi.status === 'canceled' || pi.status === 'processing') {
      throw unexpectedState('payment_intent_unexpected_state', `You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`);
    }
    const types = this.paymentMethodTypes(p);
    const offSession = p.boolean('off_session') ?? false;
    const returnUrl = p.optional('return_url');
    const errorOnRequiresAction = p.boolean('error_on_requires_action') ?? false;
    const pmParam = p.optional('payment_method') ?? pi.payment_method ?? undefined;
    if (!pmParam) throw unexpectedState('payment_intent_unexpected_state', missingPaymentMethodMessage(pi), 'payment_method');
    const checked = this.checkPaymentMethod(ctx, pmParam, pi.customer);
    this.requireReturnUrl({ ...pi, allowed_payment_method_types: types.allowed ?? pi.allowed_payment_method_types }, returnUrl);
    if (types.allowed) pi.allowed_payment_method_types = types.allowed;
    if (types.excluded) pi.excluded_payment_method_types = types.excluded;
    const pm = 'token' in checked ? this.createPaymentMethod(ctx, checked, null, false) : checked;
    pi.payment_method = pm.id;
    return this.confirm(ctx, pi, pm, { offSession, returnUrl: returnUrl ?? null, errorOnRequiresAction });
  }

  /** The card decides: succeeded, a 402 decline, authentication_required, or requires_action. */
  private confirm(
    ctx: Ctx,
    pi: PaymentIntentObject,
    pm: PaymentMethodObject,
    how: { offSession: boolean; returnUrl: string | null; errorOnRequiresAction: boolean },
  ): Reply {
    const { offSession, returnUrl } = how;
    const state = this.pmState(ctx.account, pm);
    if (pm.customer === null) state.spent = true;
    pi.last_payment_error = null;
    pi.next_action = null;
    ctx.account.returnUrls.set(pi.id, returnUrl);
    const needsAuthentication = state.card.threeDSecure === 'always' || (state.card.threeDSecure === 'unless_setup' && !(offSession && state.setUpOffSession));
    if (needsAuthentication && (offSession || how.errorOnRequiresAction)) return this.decline(ctx, pi, pm, AUTHENTICATION_REQUIRED);
    if (needsAuthentication) {
      const url = `${this.apiBase}/authenticate/${pi.id}`;
      pi.status = 'requires_action';
      pi.next_action = returnUrl
        ? { type: 'redirect_to_url', redirect_to_url: { url, return_url: returnUrl } }
        : { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url } };
      this.emit(ctx, 'payment_intent.requires_action', pi);
      return { status: 200, body: this.render(ctx, pi) };
    }
    if (state.card.decline) return this.decline(ctx, pi, pm, state.card.decline);
    this.succeed(ctx, pi, pm);
    return { status: 200, body: this.render(ctx, pi) };
  }

  private newCharge(ctx: Ctx, pi: PaymentIntentObject, pm: PaymentMethodObject, decline: CardDecline | null): ChargeObject {
    const blocked = decline?.blocked === true;
    const charge: ChargeObject = {
      id: this.id('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_captured: decline ? 0 : pi.amount,
      amount_refunded: 0,
      balance_transaction: null,
      billing_details: pm.billing_details,
      captured: !decline,
      created: this.seconds(ctx),
      currency: pi.currency,
      customer: pi.customer,
      description: pi.description,
      disputed: false,
      failure_code: decline?.code ?? null,
      failure_message: decline?.message ?? null,
      livemode: false,
      metadata: {},
      outcome: decline
        ? {
            network_status: blocked ? 'not_sent_to_network' : 'declined_by_network',
            reason: blocked ? 'highest_risk_level' : decline.declineCode,
            risk_level: blocked ? 'highest' : 'normal',
            risk_score: blocked ? 95 : 20,
            seller_message: blocked ? 'Stripe blocked this payment as too risky.' : 'The bank did not return any further details with this decline.',
            type: blocked ? 'blocked' : 'issuer_declined',
          }
        : { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 20, seller_message: 'Payment complete.', type: 'authorized' },
      paid: !decline,
      payment_intent: pi.id,
      payment_method: pm.id,
      payment_method_details: {
        type: 'card',
        card: {
          brand: pm.card.brand,
          country: pm.card.country,
          exp_month: pm.card.exp_month,
          exp_year: pm.card.exp_year,
          fingerprint: pm.card.fingerprint,
          funding: pm.card.funding,
          last4: pm.card.last4,
          network: pm.card.brand,
        },
      },
      receipt_url: null,
      refunded: false,
      status: decline ? 'failed' : 'succeeded',
    };
    pi.latest_charge = charge.id;
    return this.store(ctx.account, charge);
  }

  private succeed(ctx: Ctx, pi: PaymentIntentObject, pm: PaymentMethodObject): void {
    const charge = this.newCharge(ctx, pi, pm, null);
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.next_action = null;
    this.emit(ctx, 'charge.succeeded', charge);
    this.emit(ctx, 'payment_intent.succeeded', pi);
    if (this.pmState(ctx.account, pm).card.disputes) this.later(ctx.account, { kind: 'dispute', chargeId: charge.id });
  }

  /** A declined payment: a failed charge, the PaymentIntent back to requires_payment_method, and a 402. */
  private decline(ctx: Ctx, pi: PaymentIntentObject, pm: PaymentMethodObject, decline: CardDecline): Reply {
    const charge = this.newCharge(ctx, pi, pm, decline);
    const error: PaymentErrorObject = {
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      doc_url: docUrl(decline.code),
      message: decline.message,
      charge: charge.id,
      payment_method: structuredClone(pm),
      payment_method_type: 'card',
    };
    pi.status = 'requires_payment_method';
    pi.last_payment_error = error;
    this.emit(ctx, 'charge.failed', charge);
    this.emit(ctx, 'payment_intent.payment_failed', pi);
    const body = this.cardError(decline, { charge: charge.id, payment_intent: this.render(ctx, pi), payment_method: toJson(pm) });
    return { status: 402, body: { error: body } };
  }

  private cancelPaymentIntent(ctx: Ctx, id: string): Reply {
    const p = ctx.params;
    p.allowOnly(['cancellation_reason']);
    const pi = this.need(ctx.account, id, 'payment_intent', 'intent', true);
    const reason = p.optional('cancellation_reason');
    if (reason !== undefined && !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(reason)) {
      throw invalidParam('cancellation_reason', `Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned`);
    }
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'].includes(pi.status)) {
      throw unexpectedState(
        'payment_intent_unexpected_state',
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      );
    }
    pi.status = 'canceled';
    pi.canceled_at = this.seconds(ctx);
    pi.cancellation_reason = reason ?? null;
    pi.next_action = null;
    this.emit(ctx, 'payment_intent.canceled', pi);
    return { status: 200, body: this.render(ctx, pi) };
  }

  private listPaymentIntents(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly([...Emulator.LIST_PARAMS, 'customer']);
    const customer = p.optional('customer');
    const created = p.createdFilter();
    const items = this.all(ctx.account, 'payment_intent').filter((pi) => (customer === undefined || pi.customer === customer) && created(pi.created));
    return this.list(ctx, items, '/v1/payment_intents', 'payment_intent');
  }

  // ---- charges, refunds, disputes ---------------------------------------------------------------

  private listCharges(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly([...Emulator.LIST_PARAMS, 'customer', 'payment_intent']);
    const customer = p.optional('customer');
    const pi = p.optional('payment_intent');
    const created = p.createdFilter();
    const items = this.all(ctx.account, 'charge').filter(
      (c) => (customer === undefined || c.customer === customer) && (pi === undefined || c.payment_intent === pi) && created(c.created),
    );
    return this.list(ctx, items, '/v1/charges', 'charge');
  }

  private createRefund(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly(['payment_intent', 'charge', 'amount', 'reason', 'metadata']);
    const piId = p.optional('payment_intent');
    const chargeId = p.optional('charge');
    if (!piId && !chargeId) throw invalidParam('payment_intent', 'One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing');
    let charge: ChargeObject;
    if (piId) {
      const pi = this.need(ctx.account, piId, 'payment_intent', 'payment_intent');
      const latest = pi.latest_charge ? this.find(ctx.account, pi.latest_charge, 'charge') : undefined;
      if (!latest || latest.status !== 'succeeded') {
        throw unexpectedState('charge_not_refundable', `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'payment_intent');
      }
      if (chargeId && chargeId !== latest.id) throw invalidParam('charge', `The charge ${chargeId} does not belong to the PaymentIntent ${pi.id}.`);
      charge = latest;
    } else {
      charge = this.need(ctx.account, chargeId ?? '', 'charge', 'charge');
      if (charge.status !== 'succeeded') throw unexpectedState('charge_not_refundable', `Charge ${charge.id} did not succeed; there is nothing to refund.`, 'charge');
    }
    const reason = p.optional('reason');
    if (reason !== undefined && reason !== 'duplicate' && reason !== 'fraudulent' && reason !== 'requested_by_customer') {
      throw invalidParam('reason', 'Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer');
    }
    if (charge.disputed) throw unexpectedState('charge_disputed', `Charge ${charge.id} has been charged back; cannot issue a refund.`);
    const left = charge.amount - charge.amount_refunded;
    if (left <= 0) throw unexpectedState('charge_already_refunded', `Charge ${charge.id} has already been refunded.`);
    const amount = p.integer('amount') ?? left;
    if (amount < 1) throw invalidParam('amount', 'Invalid positive integer', 'parameter_invalid_integer');
    if (amount > left) {
      throw invalidParam(
        'amount',
        `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(left, charge.currency)})`,
        'amount_too_large',
      );
    }
    const refund: RefundObject = {
      id: this.id('re'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: this.seconds(ctx),
      currency: charge.currency,
      customer: charge.customer,
      metadata: p.metadata() ?? {},
      payment_intent: charge.payment_intent,
      payment_method: charge.payment_method,
      reason: reason ?? null,
      receipt_number: null,
      // Stripe's docs for the refund-failure card: "the refund appears to be successful at first".
      status: 'succeeded',
    };
    this.store(ctx.account, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.emit(ctx, 'refund.created', refund);
    this.emit(ctx, 'charge.refunded', charge);
    const pm = this.find(ctx.account, charge.payment_method, 'payment_method');
    if (pm && this.pmState(ctx.account, pm).card.refundsFail) this.later(ctx.account, { kind: 'refund_failure', refundId: refund.id });
    return { status: 200, body: this.render(ctx, refund) };
  }

  private listRefunds(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly([...Emulator.LIST_PARAMS, 'payment_intent', 'charge']);
    const pi = p.optional('payment_intent');
    const charge = p.optional('charge');
    const created = p.createdFilter();
    const items = this.all(ctx.account, 'refund').filter(
      (r) => (pi === undefined || r.payment_intent === pi) && (charge === undefined || r.charge === charge) && created(r.created),
    );
    return this.list(ctx, items, '/v1/refunds', 'refund');
  }

  private openDispute(ctx: Ctx, charge: ChargeObject): void {
    const created = this.seconds(ctx);
    const dispute: DisputeObject = {
      id: this.id('dp'),
      object: 'dispute',
      amount: charge.amount - charge.amount_refunded,
      charge: charge.id,
      created,
      currency: charge.currency,
      evidence_details: { due_by: created + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: 'fraudulent',
      status: 'needs_response',
    };
    this.store(ctx.account, dispute);
    charge.disputed = true;
    this.emit(ctx, 'charge.dispute.created', dispute);
  }

  // ---- events -------------------------------------------------------------------------------

  private listEvents(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly([...Emulator.LIST_PARAMS, 'type', 'types']);
    const type = p.optional('type');
    const types = p.list('types');
    const created = p.createdFilter();
    const matches = (t: string): boolean =>
      (type === undefined || (type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type)) && (types === undefined || types.includes(t));
    const items = this.all(ctx.account, 'event').filter((e) => matches(e.type) && created(e.created));
    return this.list(ctx, items, '/v1/events', 'event');
  }

  // ---- Checkout (setup mode) and SetupIntents ---------------------------------------------------

  private createCheckoutSession(ctx: Ctx): Reply {
    const p = ctx.params;
    p.allowOnly([
      'mode',
      'customer',
      'success_url',
      'cancel_url',
      'metadata',
      'setup_intent_data',
      'currency',
      'allowed_payment_method_types',
      'excluded_payment_method_types',
      'payment_method_types',
      'client_reference_id',
      'expires_at',
    ]);
    const mode = p.required('mode');
    if (mode !== 'setup') throw invalidParam('mode', `The local Stripe emulator supports mode=setup only, not mode=${mode}.`);
    const customerId = p.optional('customer');
    if (customerId) this.need(ctx.account, customerId, 'customer', 'customer');
    const successUrl = p.required('success_url');
    const types = this.paymentMethodTypes(p);
    const currency = p.optional('currency')?.toLowerCase();
    if (currency !== undefined && !/^[a-z]{3}$/.test(currency)) throw invalidParam('currency', `Invalid currency: ${currency}.`);
    if (!types.allowed && currency === undefined) throw invalidParam('currency', 'currency is required in setup mode when allowed_payment_method_types is not set.');
    const setupData = p.hash('setup_intent_data');
    setupData?.allowOnly(['metadata', 'description']);
    const created = this.seconds(ctx);
    const expiresAt = p.integer('expires_at') ?? created + 86_400;
    if (expiresAt < created + 1_800 || expiresAt > created + 86_400) {
      throw invalidParam('expires_at', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.');
    }
    const session: CheckoutSessionObject = {
      id: `cs_test_${base62(58)}`,
      object: 'checkout.session',
      allowed_payment_method_types: types.allowed,
      cancel_url: p.optional('cancel_url') ?? null,
      client_reference_id: p.optional('client_reference_id') ?? null,
      created,
      currency: currency ?? null,
      customer: customerId ?? null,
      expires_at: expiresAt,
      livemode: false,
      metadata: p.metadata() ?? {},
      mode: 'setup',
      payment_intent: null,
      payment_method_types: ['card'],
      payment_status: 'no_payment_required',
      setup_intent: null,
      status: 'open',
      success_url: successUrl,
      url: '',
    };
    session.url = `${this.apiBase}/checkout/${session.id}`;
    this.store(ctx.account, session);
    ctx.account.setupMetadata.set(session.id, setupData?.metadata() ?? {});
    return { status: 200, body: this.render(ctx, session) };
  }

  private expireIfDue(ctx: Ctx, session: CheckoutSessionObject): void {
    if (session.status === 'open' && this.seconds(ctx) >= session.expires_at) {
      session.status = 'expired';
      session.url = null;
      this.emit(ctx, 'checkout.session.expired', session);
    }
  }

  private checkoutRoute(res: ServerResponse, method: string, sessionId: string, body: string): void {
    const account = this.owners.get(sessionId);
    const session = account ? this.find(account, sessionId, 'checkout.session') : undefined;
    if (!account || !session) return sendHtml(res, 404, messagePage('Not found', 'This Checkout Session does not exist.'));
    this.stripeSide(account, (ctx) => this.expireIfDue(ctx, session));
    if (session.status === 'expired') return sendHtml(res, 410, messagePage('Session expired', 'This Checkout Session has expired.'));
    if (session.status === 'complete') {
      const status = method === 'POST' ? 409 : 200;
      return sendHtml(res, status, messagePage('Already complete', 'This Checkout Session is already complete; nothing was changed.'));
    }
    if (method !== 'POST') return sendHtml(res, 200, checkoutPage(session.id, Object.values(TEST_PAYMENT_METHODS), session.cancel_url));
    const token = new URLSearchParams(body).get('card') ?? '';
    const card = testCard(token);
    if (!card) return sendHtml(res, 400, messagePage('Unknown card', `"${token}" is not a test card.`, { href: `/checkout/${session.id}`, text: 'Choose another card' }));
    if (card.declinesOnAttach && card.decline) {
      return sendHtml(res, 402, messagePage('Card declined', card.decline.message, { href: `/checkout/${session.id}`, text: 'Try another card' }));
    }
    this.stripeSide(account, (ctx) => {
      const pm = this.createPaymentMethod(ctx, card, session.customer, true);
      const setupIntent: SetupIntentObject = {
        id: this.id('seti'),
        object: 'setup_intent',
        cancellation_reason: null,
        client_secret: '',
        created: this.seconds(ctx),
        customer: session.customer,
        description: null,
        last_setup_error: null,
        livemode: false,
        metadata: account.setupMetadata.get(session.id) ?? {},
        next_action: null,
        payment_method: pm.id,
        payment_method_types: ['card'],
        status: 'succeeded',
        usage: 'off_session',
      };
      setupIntent.client_secret = `${setupIntent.id}_secret_${base62(24)}`;
      this.store(account, setupIntent);
      session.status = 'complete';
      session.setup_intent = setupIntent.id;
      session.url = null;
      if (pm.customer) this.emit(ctx, 'payment_method.attached', pm);
      this.emit(ctx, 'setup_intent.succeeded', setupIntent);
      this.emit(ctx, 'checkout.session.completed', session);
    });
    res.writeHead(303, { Location: session.success_url.replace(/\{CHECKOUT_SESSION_ID\}/g, session.id) }).end();
  }

  // ---- 3-D Secure challenge -------------------------------------------------------------------

  private authenticateRoute(res: ServerResponse, method: string, piId: string, body: string): void {
    const account = this.owners.get(piId);
    const pi = account ? this.find(account, piId, 'payment_intent') : undefined;
    if (!account || !pi) return sendHtml(res, 404, messagePage('Not found', 'This payment does not exist.'));
    if (pi.status !== 'requires_action') {
      const status = method === 'POST' ? 409 : 200;
      return sendHtml(res, status, messagePage('Nothing to authenticate', `This payment has the status ${pi.status}; nothing was changed.`));
    }
    if (method !== 'POST') return sendHtml(res, 200, authenticationPage(pi.id, formatMoney(pi.amount, pi.currency)));
    const result = new URLSearchParams(body).get('result');
    if (result !== 'complete' && result !== 'fail') return sendHtml(res, 400, messagePage('Bad request', 'result must be complete or fail.'));
    const pm = pi.payment_method ? this.find(account, pi.payment_method, 'payment_method') : undefined;
    if (!pm) return sendHtml(res, 409, messagePage('No payment method', 'This payment has no payment method.'));
    this.stripeSide(account, (ctx) => {
      if (result === 'complete') return this.succeed(ctx, pi, pm);
      pi.status = 'requires_payment_method';
      pi.next_action = null;
      pi.last_payment_error = {
        type: 'invalid_request_error',
        code: 'payment_intent_authentication_failure',
        doc_url: docUrl('payment_intent_authentication_failure'),
        message: AUTH_FAILURE_MESSAGE,
        payment_method: structuredClone(pm),
        payment_method_type: 'card',
      };
      this.emit(ctx, 'payment_intent.payment_failed', pi);
    });
    const returnUrl = account.returnUrls.get(pi.id);
    if (!returnUrl) return sendHtml(res, 200, messagePage('Done', `Authentication ${result === 'complete' ? 'completed' : 'failed'}. You may close this page.`));
    const target = new URL(returnUrl);
    target.searchParams.set('payment_intent', pi.id);
    target.searchParams.set('payment_intent_client_secret', pi.client_secret);
    target.searchParams.set('redirect_status', result === 'complete' ? 'succeeded' : 'failed');
    res.writeHead(303, { Location: target.toString() }).end();
  }
}

// ---- small helpers ------------------------------------------------------------------------------

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
}

function emptyBillingDetails(): BillingDetails {
  return { address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }, email: null, name: null, phone: null };
}

/** Stripe's metadata update: keys merge, an empty value removes its key, `metadata=` clears all. */
function mergeMetadata(current: Metadata, update: Metadata, clear: boolean): Metadata {
  const out: Metadata = clear ? {} : { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

function isHash(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `previous_attributes`: the fields that changed with their old values; inside hashes only the changed keys (null when added). */
function changedFields(before: JsonObject, after: JsonObject): JsonObject {
  const previous: JsonObject = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[k];
    const now = after[k];
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    previous[k] = isHash(old) && isHash(now) ? changedFields(old, now) : (old ?? null);
  }
  return previous;
}

function missingPaymentMethodMessage(pi: PaymentIntentObject): string {
  return `You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent${
    pi.customer ? ` with ${pi.customer}` : ''
  }, specify a payment method attached to this customer along with the customer ID.`;
}

/** Starts the emulator on 127.0.0.1 (a free port unless `port` is given). */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

