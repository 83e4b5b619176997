/**
 * R-PAY-5: the local Stripe emulator, driven only the way Relance drives Stripe: the official
 * `stripe` SDK pointed at it, `fetch` for the hosted pages, and `stripe.webhooks.constructEvent`
 * on the webhooks it sends to a small receiver on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION, startStripeEmulator, TEST_PAYMENT_METHODS, type StripeEmulator, type StripeFault } from '../../infra/local/stripe/emulator.js';
import { FIRST_TRY_DELAY_MS } from '../../infra/local/stripe/webhooks.js';

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;

/** The emulator's clock: frozen, moved by the tests. */
let nowMs = Date.parse('2027-03-01T14:00:00Z');
const now = (): Date => new Date(nowMs);
const nowSeconds = (): number => Math.floor(nowMs / 1000);

const RETRY_DELAYS_MS = [40, 80];
const TIMEOUT_MS = 1_500;

let emu: StripeEmulator;

// ---- the webhook receiver ----------------------------------------------------------------------

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
/** Status the receiver answers, by path and try (1-based); 200 unless set. */
const answers = new Map<string, (attempt: number) => number>();
let receiver: Server;
let receiverBase = '';

function hooksOf(path: string): Received[] {
  return received.filter((r) => r.path === path);
}

/** The events delivered to `path`, parsed (signature not checked here). */
function eventsAt(path: string): Stripe.Event[] {
  return hooksOf(path).map((r) => JSON.parse(r.body) as Stripe.Event);
}

// ---- per-test accounts ---------------------------------------------------------------------------

interface TestAccount {
  key: string;
  accountId: string;
  stripe: Stripe;
  hookPath: string;
  secret: string;
}
let accounts = 0;

function client(key: string, extra: Partial<Stripe.StripeConfig> = {}): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...extra });
}

/** A fresh Stripe account with its webhook endpoint on the receiver. */
function account(withEndpoint = true): TestAccount {
  const { accountId, secretKey } = emu.createAccount();
  const n = ++accounts;
  const hookPath = `/hooks/${n}`;
  const secret = `whsec_test${n}abcdefghijklmnopqrstuvwxyz`;
  if (withEndpoint) emu.setWebhookEndpoint(secretKey, { url: `${receiverBase}${hookPath}`, secret });
  return { key: secretKey, accountId, stripe: client(secretKey), hookPath, secret };
}

async function refusal(promise: Promise<unknown>): Promise<StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected Stripe to refuse the request');
}

async function customerWithCard(a: TestAccount, token = 'pm_card_visa'): Promise<{ customer: Stripe.Customer; pm: Stripe.PaymentMethod }> {
  const customer = await a.stripe.customers.create({ email: 'lea@example.org', metadata: { orgId: 'org_1', memberId: 'mbr_1' } });
  const pm = await a.stripe.paymentMethods.attach(token, { customer: customer.id });
  return { customer, pm };
}

/** An off-session renewal charge the way the adapter makes it. */
function charge(a: TestAccount, customer: string, paymentMethod: string, amount = 5000, options: Stripe.RequestOptions = {}) {
  return a.stripe.paymentIntents.create(
    {
      amount,
      currency: 'cad',
      customer,
      payment_method: paymentMethod,
      allowed_payment_method_types: ['card'],
      confirm: true,
      off_session: true,
      metadata: { orgId: 'org_1', invoiceId: 'inv_1', attemptId: 'att_1' },
    },
    options,
  );
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answers.get(path)?.(hooksOf(path).length) ?? 200;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  emu = await startStripeEmulator({ now, webhookRetryDelaysMs: RETRY_DELAYS_MS, timeoutMs: TIMEOUT_MS });
});

afterEach(() => {
  emu.setFault(undefined);
});

afterAll(async () => {
  await emu.stop();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

// ---- customers, keys, routing --------------------------------------------------------------------

describe('customers, keys and routing', () => {
  it('R-PAY-5: customers are created, read, updated (metadata merged, empty value unsets) and listed newest first', async () => {
    const a = account();
    const first = await a.stripe.customers.create({ email: 'lea@example.org', name: 'Léa', metadata: { orgId: 'org_1', memberId: 'mbr_1' } });
    expect(first).toMatchObject({ object: 'customer', livemode: false, email: 'lea@example.org', name: 'Léa', created: nowSeconds() });
    expect(first.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(first.lastResponse.requestId).toMatch(/^req_/);

    const updated = await a.stripe.customers.update(first.id, { metadata: { memberId: '', plan: 'gold' }, name: 'Léa T.' });
    expect(updated.metadata).toEqual({ orgId: 'org_1', plan: 'gold' });
    expect(updated.name).toBe('Léa T.');
    const change = emu.events(a.key).find((e) => e.type === 'customer.updated');
    expect(change?.data.previous_attributes).toEqual({ metadata: { memberId: 'mbr_1', plan: null }, name: 'Léa' });
    const read = await a.stripe.customers.retrieve(first.id);
    expect(read).toMatchObject({ id: first.id, metadata: { orgId: 'org_1', plan: 'gold' }, name: 'Léa T.' });

    const second = await a.stripe.customers.create({ email: 'marc@example.org' });
    const third = await a.stripe.customers.create({ email: 'zoe@example.org' });
    const page = await a.stripe.customers.list({ limit: 2 });
    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/customers');
    expect(page.data.map((c) => c.id)).toEqual([third.id, second.id]);
    expect(page.has_more).toBe(true);
    const rest = await a.stripe.customers.list({ limit: 2, starting_after: second.id });
    expect(rest.data.map((c) => c.id)).toEqual([first.id]);
    expect(rest.has_more).toBe(false);
  });

  it("R-PAY-5: a bad key is refused 401, and one account's objects are invisible to another's key (404 resource_missing)", async () => {
    const a = account();
    const b = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });

    const bad = await refusal(client('sk_test_000000000000000000000000').customers.list());
    expect(bad).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(bad.statusCode).toBe(401);
    expect(bad.message).toContain('Invalid API Key provided');

    const hidden = await refusal(b.stripe.customers.retrieve(customer.id));
    expect(hidden).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.code).toBe('resource_missing');
    expect(hidden.message).toBe(`No such customer: '${customer.id}'`);
    expect((await b.stripe.customers.list()).data).toEqual([]);
  });

  it('R-PAY-5: an unknown URL answers 404 "Unrecognized request URL", an unknown parameter is refused by name', async () => {
    const a = account();
    const unknown = await refusal(a.stripe.rawRequest('GET', '/v1/subscriptions_of_nothing'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.message).toContain('Unrecognized request URL (GET: /v1/subscriptions_of_nothing)');

    const param = await refusal(a.stripe.rawRequest('POST', '/v1/customers', { emial: 'typo@example.org' }));
    expect(param.statusCode).toBe(400);
    expect(param.param).toBe('emial');
    expect(param.message).toBe('Received unknown parameter: emial');
    expect((await a.stripe.customers.list()).data).toHaveLength(0);
  });
});

// ---- payment methods ------------------------------------------------------------------------------

describe('payment methods', () => {
  it('R-PAY-5: attaching a test token creates a new pm_ with its card; the fingerprint is stable per card within an account', async () => {
    const a = account();
    const b = account();
    const { customer, pm } = await customerWithCard(a, 'pm_card_mastercard');
    expect(pm.id).toMatch(/^pm_[A-Za-z0-9]{24}$/);
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: customer.id, livemode: false });
    expect(pm.card).toMatchObject({ brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US', exp_month: 12, exp_year: 2030 });

    const again = await a.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    expect(again.id).not.toBe(pm.id);
    expect(again.card?.fingerprint).toBe(pm.card?.fingerprint);
    const visa = await a.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(visa.card?.fingerprint).not.toBe(pm.card?.fingerprint);
    const other = await customerWithCard(b, 'pm_card_mastercard');
    expect(other.pm.card?.fingerprint).not.toBe(pm.card?.fingerprint);

    const listed = await a.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(listed.data.map((p) => p.id)).toEqual([visa.id, again.id, pm.id]);
    const viaCustomer = await a.stripe.customers.listPaymentMethods(customer.id, { limit: 2 });
    expect(viaCustomer.data.map((p) => p.id)).toEqual([visa.id, again.id]);
    expect(viaCustomer.has_more).toBe(true);
    await emu.deliverWebhooks();
    expect(eventsAt(a.hookPath).filter((e) => e.type === 'payment_method.attached')).toHaveLength(3);

    const unknown = await refusal(a.stripe.paymentMethods.attach('pm_card_unheard_of', { customer: customer.id }));
    expect(unknown.code).toBe('resource_missing');
    expect(unknown.message).toBe("No such PaymentMethod: 'pm_card_unheard_of'");
  });

  it('R-PAY-5: cards of the declined table cannot be attached; pm_card_chargeCustomerFail attaches and its charges fail', async () => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const declined = await refusal(a.stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', { customer: customer.id }));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds' });
    expect((await a.stripe.paymentMethods.list({ customer: customer.id })).data).toHaveLength(0);

    const pm = await a.stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    expect(pm.card?.last4).toBe('0341');
    const failed = await refusal(charge(a, customer.id, pm.id));
    expect(failed).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
  });

  it('R-PAY-5: a detached card emits payment_method.detached (previous customer) and can no longer be charged', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    await a.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const detached = await a.stripe.paymentMethods.detach(pm.id);
    expect(detached.customer).toBeNull();
    expect((await a.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: null } });
    await emu.deliverWebhooks();
    const event = eventsAt(a.hookPath).find((e) => e.type === 'payment_method.detached');
    expect(event?.data.object).toMatchObject({ id: pm.id, customer: null });
    expect(event?.data.previous_attributes).toEqual({ customer: customer.id });

    const reuse = await refusal(a.stripe.paymentIntents.create({ amount: 5000, currency: 'cad', payment_method: pm.id, allowed_payment_method_types: ['card'], confirm: true }));
    expect(reuse.statusCode).toBe(400);
    expect(reuse.param).toBe('payment_method');
    expect(reuse.message).toContain('It may not be used again');
    expect(emu.paymentIntents(a.key)).toHaveLength(0);
  });

  it("R-PAY-5: the customer's default payment method must be one of its cards", async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const stranger = await a.stripe.customers.create({ email: 'marc@example.org' });
    const refused = await refusal(a.stripe.customers.update(stranger.id, { invoice_settings: { default_payment_method: pm.id } }));
    expect(refused.param).toBe('invoice_settings[default_payment_method]');
    const ok = await a.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    expect(ok.invoice_settings.default_payment_method).toBe(pm.id);
  });
});

// ---- payment intents ------------------------------------------------------------------------------

describe('payment intents', () => {
  it('R-PAY-5: an off-session charge succeeds with a charge (expandable, refunds only when expanded) and its money events', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const pi = await charge(a, customer.id, pm.id, 12_345);
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 12_345, amount_received: 12_345, currency: 'cad', customer: customer.id, payment_method: pm.id, livemode: false, created: nowSeconds() });
    expect(pi.metadata).toEqual({ orgId: 'org_1', invoiceId: 'inv_1', attemptId: 'att_1' });
    expect(typeof pi.latest_charge).toBe('string');

    const expanded = await a.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    const ch = expanded.latest_charge as Stripe.Charge;
    expect(ch).toMatchObject({ object: 'charge', id: pi.latest_charge, amount: 12_345, amount_refunded: 0, refunded: false, status: 'succeeded', paid: true, payment_intent: pi.id, payment_method: pm.id });
    expect(ch.outcome).toMatchObject({ type: 'authorized', network_status: 'approved_by_network' });
    expect(ch.refunds).toBeUndefined();
    const withRefunds = await a.stripe.charges.retrieve(ch.id, { expand: ['refunds'] });
    expect(withRefunds.refunds).toMatchObject({ object: 'list', data: [], has_more: false });

    await emu.deliverWebhooks();
    const types = eventsAt(a.hookPath).filter((e) => 'payment_intent' in e.data.object || e.type.startsWith('payment_intent')).map((e) => e.type);
    expect(types.sort()).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
  });

  const declines: [string, string, string, string][] = [
    ['pm_card_chargeDeclined', '0002', 'card_declined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', '9995', 'card_declined', 'insufficient_funds'],
    ['pm_card_chargeDeclinedLostCard', '9987', 'card_declined', 'lost_card'],
    ['pm_card_chargeDeclinedStolenCard', '9979', 'card_declined', 'stolen_card'],
    ['pm_card_chargeDeclinedExpiredCard', '0069', 'expired_card', 'expired_card'],
    ['pm_card_chargeDeclinedIncorrectCvc', '0127', 'incorrect_cvc', 'incorrect_cvc'],
    ['pm_card_chargeDeclinedProcessingError', '0119', 'processing_error', 'processing_error'],
    ['pm_card_chargeDeclinedFraudulent', '0019', 'card_declined', 'fraudulent'],
    ['pm_card_chargeDeclinedVelocityLimitExceeded', '6975', 'card_declined', 'card_velocity_exceeded'],
  ];

  it.each(declines)('R-PAY-5: %s (…%s) is declined with 402 %s / %s, a failed charge and the PaymentIntent back to requires_payment_method', async (token, last4, code, declineCode) => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const error = await refusal(charge(a, customer.id, token));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, rawType: 'card_error', code, decline_code: declineCode });
    expect(error.doc_url).toBe(`https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`);
    const pi = error.payment_intent;
    expect(pi).toMatchObject({ status: 'requires_payment_method', last_payment_error: { type: 'card_error', code, decline_code: declineCode, charge: error.charge } });
    expect(pi?.last_payment_error?.payment_method?.card?.last4).toBe(last4);
    const failed = await a.stripe.charges.retrieve(error.charge ?? '');
    expect(failed).toMatchObject({ status: 'failed', paid: false, failure_code: code, payment_intent: pi?.id });
    expect(failed.outcome?.type).toBe(declineCode === 'fraudulent' ? 'blocked' : 'issuer_declined');
    await emu.deliverWebhooks();
    expect(eventsAt(a.hookPath).map((e) => e.type)).toEqual(expect.arrayContaining(['charge.failed', 'payment_intent.payment_failed']));
  });

  it('R-PAY-5: both spellings of the declined tokens are accepted, and TEST_PAYMENT_METHODS lists every card', async () => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const error = await refusal(charge(a, customer.id, 'pm_card_visa_chargeDeclinedInsufficientFunds'));
    expect(error.decline_code).toBe('insufficient_funds');
    expect(Object.keys(TEST_PAYMENT_METHODS)).toHaveLength(18);
    for (const card of Object.values(TEST_PAYMENT_METHODS)) expect(card.number.endsWith(card.last4)).toBe(true);
  });

  it('R-PAY-5: a 3-D Secure card charged off-session fails with authentication_required', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a, 'pm_card_authenticationRequired');
    const error = await refusal(charge(a, customer.id, pm.id));
    expect(error).toMatchObject({ statusCode: 402, code: 'authentication_required', decline_code: 'authentication_required' });
    expect(error.payment_intent).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'authentication_required' } });
  });

  it('R-PAY-5: on-session 3-D Secure answers requires_action with a redirect; the page completes it, and GET changes nothing', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a, 'pm_card_authenticationRequired');
    const pi = await a.stripe.paymentIntents.create({ amount: 2000, currency: 'eur', customer: customer.id, payment_method: pm.id, confirm: true, return_url: 'https://club.example/back?x=1' });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action).toEqual({ type: 'redirect_to_url', redirect_to_url: { url: `${emu.apiBase}/authenticate/${pi.id}`, return_url: 'https://club.example/back?x=1' } });

    const page = await fetch(`${emu.apiBase}/authenticate/${pi.id}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('>Complete authentication</button>');
    expect(html).toContain('>Fail authentication</button>');
    expect((await a.stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_action');

    const done = await fetch(`${emu.apiBase}/authenticate/${pi.id}`, { method: 'POST', body: new URLSearchParams({ result: 'complete' }), redirect: 'manual' });
    expect(done.status).toBe(303);
    const back = new URL(done.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe('https://club.example/back');
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('payment_intent')).toBe(pi.id);
    expect(back.searchParams.get('redirect_status')).toBe('succeeded');
    const after = await a.stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'succeeded', next_action: null, amount_received: 2000 });

    const twice = await fetch(`${emu.apiBase}/authenticate/${pi.id}`, { method: 'POST', body: new URLSearchParams({ result: 'fail' }), redirect: 'manual' });
    expect(twice.status).toBe(409);
    expect((await a.stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('R-PAY-5: failing authentication leaves requires_payment_method with payment_intent_authentication_failure', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a, 'pm_card_authenticationRequired');
    const pi = await a.stripe.paymentIntents.create({ amount: 2000, currency: 'eur', customer: customer.id, payment_method: pm.id, confirm: true, return_url: 'https://club.example/back' });
    const failed = await fetch(`${emu.apiBase}/authenticate/${pi.id}`, { method: 'POST', body: new URLSearchParams({ result: 'fail' }), redirect: 'manual' });
    expect(new URL(failed.headers.get('location') ?? '').searchParams.get('redirect_status')).toBe('failed');
    const after = await a.stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({ type: 'invalid_request_error', code: 'payment_intent_authentication_failure' });
    expect(after.latest_charge).toBeNull();
  });

  it('R-PAY-5: pm_card_authenticationRequiredOnSetup is charged off-session without authentication only after a setup', async () => {
    const a = account();
    const attached = await customerWithCard(a, 'pm_card_authenticationRequiredOnSetup');
    expect((await refusal(charge(a, attached.customer.id, attached.pm.id))).code).toBe('authentication_required');

    const session = await a.stripe.checkout.sessions.create({ mode: 'setup', customer: attached.customer.id, currency: 'cad', success_url: 'https://club.example/ok' });
    await fetch(session.url ?? '', { method: 'POST', body: new URLSearchParams({ card: 'pm_card_authenticationRequiredOnSetup' }), redirect: 'manual' });
    const done = await a.stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
    const setupPm = (done.setup_intent as Stripe.SetupIntent).payment_method as string;
    const pi = await charge(a, attached.customer.id, setupPm);
    expect(pi.status).toBe('succeeded');
  });

  it('R-PAY-5: validation refusals name the parameter and create nothing', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const base = { customer: customer.id, payment_method: pm.id, confirm: true, off_session: true, allowed_payment_method_types: ['card'] };

    const currency = await refusal(a.stripe.paymentIntents.create({ ...base, amount: 5000, currency: 'dollars' }));
    expect(currency).toMatchObject({ statusCode: 400, param: 'currency' });
    const small = await refusal(a.stripe.paymentIntents.create({ ...base, amount: 10, currency: 'usd' }));
    expect(small).toMatchObject({ statusCode: 400, param: 'amount', code: 'amount_too_small' });
    const fraction = await refusal(a.stripe.rawRequest('POST', '/v1/payment_intents', { ...base, amount: '50.5', currency: 'usd' }));
    expect(fraction).toMatchObject({ statusCode: 400, param: 'amount', message: 'Invalid integer: 50.5' });
    const noReturnUrl = await refusal(a.stripe.paymentIntents.create({ amount: 5000, currency: 'cad', customer: customer.id, payment_method: pm.id, confirm: true, off_session: true }));
    expect(noReturnUrl).toMatchObject({ statusCode: 400, param: 'return_url' });
    const oldParam = await refusal(a.stripe.rawRequest('POST', '/v1/payment_intents', { amount: 5000, currency: 'cad', payment_method_types: ['card'] }));
    expect(oldParam).toMatchObject({ statusCode: 400, param: 'payment_method_types' });
    expect(oldParam.message).toContain('allowed_payment_method_types');
    const otherCustomer = await a.stripe.customers.create({ email: 'marc@example.org' });
    const wrongOwner = await refusal(charge(a, otherCustomer.id, pm.id));
    expect(wrongOwner).toMatchObject({ statusCode: 400, param: 'payment_method' });
    expect(emu.paymentIntents(a.key)).toHaveLength(0);

    const uppercase = await a.stripe.paymentIntents.create({ ...base, amount: 5000, currency: 'CAD' });
    expect(uppercase.currency).toBe('cad');
    const never = await a.stripe.paymentIntents.create({ amount: 5000, currency: 'cad', customer: customer.id, payment_method: pm.id, confirm: true, off_session: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    expect(never.status).toBe('succeeded');
  });

  it('R-PAY-5: created unconfirmed, then confirmed; confirming again and canceling a succeeded one are refused; canceling works', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const pi = await a.stripe.paymentIntents.create({ amount: 3000, currency: 'cad', customer: customer.id, payment_method: pm.id, allowed_payment_method_types: ['card'] });
    expect(pi.status).toBe('requires_confirmation');
    const confirmed = await a.stripe.paymentIntents.confirm(pi.id, { off_session: true });
    expect(confirmed.status).toBe('succeeded');
    const again = await refusal(a.stripe.paymentIntents.confirm(pi.id, { off_session: true }));
    expect(again).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    const cancelSucceeded = await refusal(a.stripe.paymentIntents.cancel(pi.id));
    expect(cancelSucceeded.code).toBe('payment_intent_unexpected_state');

    const open = await a.stripe.paymentIntents.create({ amount: 3000, currency: 'cad', customer: customer.id });
    expect(open.status).toBe('requires_payment_method');
    const canceled = await a.stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', canceled_at: nowSeconds() });
    await emu.deliverWebhooks();
    expect(eventsAt(a.hookPath).some((e) => e.type === 'payment_intent.canceled' && (e.data.object as Stripe.PaymentIntent).id === open.id)).toBe(true);
  });

  it('R-PAY-5: PaymentIntent lists filter by customer and created, newest first, and page with starting_after', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const other = await customerWithCard(a);
    const t0 = nowSeconds();
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push((await charge(a, customer.id, pm.id, 1000 + i)).id);
      nowMs += 60_000;
    }
    await charge(a, other.customer.id, other.pm.id);
    const all = await a.stripe.paymentIntents.list({ customer: customer.id });
    expect(all.data.map((p) => p.id)).toEqual([...made].reverse());
    const window = await a.stripe.paymentIntents.list({ customer: customer.id, created: { gte: t0 + 60, lte: t0 + 120 } });
    expect(window.data.map((p) => p.id)).toEqual([made[2], made[1]]);
    const first = await a.stripe.paymentIntents.list({ customer: customer.id, limit: 3 });
    expect(first.has_more).toBe(true);
    const next = await a.stripe.paymentIntents.list({ customer: customer.id, limit: 3, starting_after: first.data[2]?.id });
    expect(next.data.map((p) => p.id)).toEqual([made[0]]);
    const walked: string[] = [];
    for await (const p of a.stripe.paymentIntents.list({ customer: customer.id, limit: 1 })) walked.push(p.id);
    expect(walked).toEqual([...made].reverse());
  });
});

// ---- refunds and disputes --------------------------------------------------------------------------

describe('refunds and disputes', () => {
  it('R-PAY-5: refunds never exceed what is left of the charge, and the charge tracks amount_refunded', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const pi = await charge(a, customer.id, pm.id, 5000);
    const partial = await a.stripe.refunds.create({ payment_intent: pi.id, amount: 2000, reason: 'requested_by_customer', metadata: { attemptId: 'r1' } });
    expect(partial).toMatchObject({ object: 'refund', amount: 2000, status: 'succeeded', payment_intent: pi.id, charge: pi.latest_charge, metadata: { attemptId: 'r1' } });
    const tooMuch = await refusal(a.stripe.refunds.create({ payment_intent: pi.id, amount: 3001 }));
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    const rest = await a.stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(3000);
    const full = await refusal(a.stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    expect(full.code).toBe('charge_already_refunded');
    const ch = await a.stripe.charges.retrieve(pi.latest_charge as string);
    expect(ch).toMatchObject({ amount_refunded: 5000, refunded: true });
    const listed = await a.stripe.refunds.list({ payment_intent: pi.id });
    expect(listed.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
    expect(emu.refunds(a.key).map((r) => r.id)).toEqual([partial.id, rest.id]);
    await emu.deliverWebhooks();
    const refunded = eventsAt(a.hookPath).filter((e) => e.type === 'charge.refunded');
    expect(refunded.map((e) => (e.data.object as Stripe.Charge).amount_refunded).sort()).toEqual([2000, 5000]);
    expect(eventsAt(a.hookPath).filter((e) => e.type === 'refund.created')).toHaveLength(2);
  });

  it('R-PAY-5: pm_card_refundFail: the refund looks successful, then fails (refund.failed, charge.refund.updated)', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a, 'pm_card_refundFail');
    const pi = await charge(a, customer.id, pm.id, 5000);
    const refund = await a.stripe.refunds.create({ payment_intent: pi.id });
    expect(refund.status).toBe('succeeded');
    await emu.deliverWebhooks();
    const later = await a.stripe.refunds.retrieve(refund.id);
    expect(later).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    expect(await a.stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ amount_refunded: 0, refunded: false });
    await emu.deliverWebhooks();
    const types = eventsAt(a.hookPath).filter((e) => (e.data.object as { id?: string }).id === refund.id).map((e) => e.type);
    expect(types.sort()).toEqual(['charge.refund.updated', 'refund.created', 'refund.failed', 'refund.updated']);
  });

  it('R-PAY-5: pm_card_createDispute is disputed shortly after the payment, and a disputed charge cannot be refunded', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a, 'pm_card_createDispute');
    const pi = await charge(a, customer.id, pm.id, 4200);
    await emu.deliverWebhooks();
    await emu.deliverWebhooks();
    const dispute = eventsAt(a.hookPath).find((e) => e.type === 'charge.dispute.created')?.data.object as Stripe.Dispute | undefined;
    expect(dispute).toMatchObject({ object: 'dispute', charge: pi.latest_charge, payment_intent: pi.id, amount: 4200, currency: 'cad', reason: 'fraudulent', status: 'needs_response' });
    expect(dispute?.id).toMatch(/^dp_/);
    expect((await a.stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);
    const refused = await refusal(a.stripe.refunds.create({ payment_intent: pi.id }));
    expect(refused.code).toBe('charge_disputed');
  });

  it('R-PAY-5: the helpers createDispute and updateCardAutomatically emit the events Stripe would', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const pi = await charge(a, customer.id, pm.id, 1500);
    emu.createDispute(a.key, pi.id);
    emu.updateCardAutomatically(a.key, pm.id, { expMonth: 4, expYear: 2033, last4: '1881' });
    await emu.deliverWebhooks();
    const events = eventsAt(a.hookPath);
    const dispute = events.find((e) => e.type === 'charge.dispute.created');
    expect(dispute?.data.object).toMatchObject({ object: 'dispute', payment_intent: pi.id, amount: 1500, status: 'needs_response' });
    expect(dispute?.request).toEqual({ id: null, idempotency_key: null });
    const updated = events.find((e) => e.type === 'payment_method.automatically_updated');
    expect(updated?.data.object).toMatchObject({ id: pm.id, customer: customer.id, card: { exp_month: 4, exp_year: 2033, last4: '1881' } });
    expect(updated?.data.previous_attributes).toEqual({ card: { exp_month: 12, exp_year: 2030, last4: '4242' } });
    expect((await a.stripe.paymentMethods.retrieve(pm.id)).card).toMatchObject({ exp_month: 4, exp_year: 2033 });
  });
});

// ---- idempotency --------------------------------------------------------------------------------------

describe('idempotency', () => {
  it('R-PAY-5: a repeat with the same key and parameters replays the saved answer (Idempotent-Replayed) and changes nothing', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const first = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'renewal-1' });
    const again = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'renewal-1' });
    expect(again.id).toBe(first.id);
    expect(again.latest_charge).toBe(first.latest_charge);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(again.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(emu.paymentIntents(a.key)).toHaveLength(1);
    expect(emu.events(a.key).filter((e) => e.type === 'payment_intent.succeeded')).toHaveLength(1);
  });

  it('R-PAY-5: a key reused with other parameters or on another endpoint is refused with idempotency_error; parameter order does not matter', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'renewal-2' });
    const other = await refusal(charge(a, customer.id, pm.id, 6000, { idempotencyKey: 'renewal-2' }));
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(other.statusCode).toBe(400);
    expect(other.message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with\./);
    const elsewhere = await refusal(a.stripe.customers.create({ email: 'x@example.org' }, { idempotencyKey: 'renewal-2' }));
    expect(elsewhere).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(emu.paymentIntents(a.key)).toHaveLength(1);

    const params = { email: 'lea@example.org', metadata: { a: '1', b: '2' } };
    const c1 = await a.stripe.customers.create(params, { idempotencyKey: 'cust-1' });
    const c2 = await a.stripe.customers.create({ metadata: { b: '2', a: '1' }, email: 'lea@example.org' }, { idempotencyKey: 'cust-1' });
    expect(c2.id).toBe(c1.id);
    expect(c2.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('R-PAY-5: a card decline is saved for its key, a validation refusal is not', async () => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const declined = await refusal(charge(a, customer.id, 'pm_card_chargeDeclined', 5000, { idempotencyKey: 'k-decline' }));
    const replayed = await refusal(charge(a, customer.id, 'pm_card_chargeDeclined', 5000, { idempotencyKey: 'k-decline' }));
    expect(replayed.statusCode).toBe(402);
    expect(replayed.charge).toBe(declined.charge);
    expect(replayed.headers?.['idempotent-replayed']).toBe('true');
    expect(emu.paymentIntents(a.key)).toHaveLength(1);

    const invalid = await refusal(charge(a, customer.id, 'pm_card_visa', 10, { idempotencyKey: 'k-invalid' }));
    expect(invalid.code).toBe('amount_too_small');
    const pm = await a.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const fixed = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-invalid' });
    expect(fixed.status).toBe('succeeded');
    expect(fixed.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('R-PAY-5: keys are kept 24 hours by the emulator clock', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const first = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-day' });
    nowMs += 23 * 3600_000;
    expect((await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-day' })).id).toBe(first.id);
    nowMs += 3600_000;
    const fresh = await charge(a, customer.id, pm.id, 7000, { idempotencyKey: 'k-day' });
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.amount).toBe(7000);
  });
});

// ---- faults -------------------------------------------------------------------------------------------

describe('faults', () => {
  /** Answers `fault` for the next `times` POSTs to `path`, then none. */
  function faultOn(path: string, fault: StripeFault, times = 1): { seen: () => number } {
    let seen = 0;
    emu.setFault((r) => {
      if (r.method !== 'POST' || r.path !== path) return 'none';
      seen++;
      return seen <= times ? fault : 'none';
    });
    return { seen: () => seen };
  }

  it('R-PAY-5: server_error answers 500 api_error and nothing happens, nothing is saved for the key', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    faultOn('/v1/payment_intents', 'server_error');
    const error = await refusal(charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-500' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 500, rawType: 'api_error' });
    expect(emu.paymentIntents(a.key)).toHaveLength(0);
    const retried = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-500' });
    expect(retried.status).toBe('succeeded');
    expect(retried.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(emu.paymentIntents(a.key)).toHaveLength(1);
  });

  it('R-PAY-5: lost_answer is carried out; the SDK repeats a closed connection once with its key and gets the saved answer', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const counter = faultOn('/v1/payment_intents', 'lost_answer');
    const pi = await charge(a, customer.id, pm.id);
    expect(counter.seen()).toBe(2);
    expect(pi.status).toBe('succeeded');
    expect(pi.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(emu.paymentIntents(a.key)).toHaveLength(1);
  });

  it('R-PAY-5: lost_answer on every try: the caller sees a connection error; a retry with the same key answers the saved outcome; one PaymentIntent', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    faultOn('/v1/payment_intents', 'lost_answer', 2);
    const error = await refusal(charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-lost' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    const [made] = emu.paymentIntents(a.key);
    expect(made?.status).toBe('succeeded');
    const retried = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-lost' });
    expect(retried.id).toBe(made?.id);
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(emu.paymentIntents(a.key)).toHaveLength(1);
    await emu.deliverWebhooks();
    expect(eventsAt(a.hookPath).filter((e) => e.type === 'payment_intent.succeeded')).toHaveLength(1);
  });

  it('R-PAY-5: timeout: the SDK gives up; a retry with the same key answers the saved outcome; one PaymentIntent', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const impatient = client(a.key, { timeout: 300 });
    faultOn('/v1/payment_intents', 'timeout');
    const started = Date.now();
    const error = await refusal(
      impatient.paymentIntents.create(
        { amount: 5000, currency: 'cad', customer: customer.id, payment_method: pm.id, allowed_payment_method_types: ['card'], confirm: true, off_session: true },
        { idempotencyKey: 'k-timeout' },
      ),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(error.message).toContain('timeout');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(emu.paymentIntents(a.key)).toHaveLength(1);
    const retried = await impatient.paymentIntents.create(
      { amount: 5000, currency: 'cad', customer: customer.id, payment_method: pm.id, allowed_payment_method_types: ['card'], confirm: true, off_session: true },
      { idempotencyKey: 'k-timeout' },
    );
    expect(retried.status).toBe('succeeded');
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(emu.paymentIntents(a.key)).toHaveLength(1);
  });
});

// ---- webhooks -----------------------------------------------------------------------------------------

describe('webhooks', () => {
  it('R-PAY-5: events are signed as stripe.webhooks.constructEvent verifies, and name the request and key that caused them', async () => {
    const a = account();
    const { customer, pm } = await customerWithCard(a);
    const pi = await charge(a, customer.id, pm.id, 5000, { idempotencyKey: 'k-signed' });
    await emu.deliverWebhooks();
    const hook = hooksOf(a.hookPath).find((r) => (JSON.parse(r.body) as Stripe.Event).type === 'payment_intent.succeeded');
    const header = String(hook?.headers['stripe-signature']);
    expect(header).toMatch(new RegExp(`^t=${nowSeconds()},v1=[0-9a-f]{64}$`));
    expect(hook?.headers['content-type']).toContain('application/json');

    const event = a.stripe.webhooks.constructEvent(hook?.body ?? '', header, a.secret, 300, undefined, nowMs);
    expect(event).toMatchObject({ object: 'event', type: 'payment_intent.succeeded', api_version: STRIPE_API_VERSION, livemode: false, created: nowSeconds(), pending_webhooks: 1 });
    expect(event.id).toMatch(/^evt_/);
    expect(event.request).toEqual({ id: pi.lastResponse.requestId, idempotency_key: 'k-signed' });
    expect((event.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    expect((await a.stripe.events.retrieve(event.id)).pending_webhooks).toBe(0);

    expect(() => a.stripe.webhooks.constructEvent(hook?.body ?? '', header, 'whsec_another', 300, undefined, nowMs)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    // receivedAt is in milliseconds: ten minutes later the 300 s tolerance refuses it.
    expect(() => a.stripe.webhooks.constructEvent(hook?.body ?? '', header, a.secret, 300, undefined, nowMs + 600_000)).toThrow(/tolerance/);
  });

  it('R-PAY-5: an event\'s first try goes out a moment after the API answer (half a second by default), not with it; deliverWebhooks sends it at once', async () => {
    expect(FIRST_TRY_DELAY_MS).toBe(500);
    const slow = await startStripeEmulator({ now, webhookFirstTryDelayMs: 60_000 });
    try {
      const { secretKey } = slow.createAccount();
      slow.setWebhookEndpoint(secretKey, { url: `${receiverBase}/hooks/slow`, secret: 'whsec_testslowabcdefghijklmnopqrstuvwxyz' });
      const stripe = new Stripe(secretKey, { host: '127.0.0.1', port: slow.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
      await stripe.customers.create({ email: 'lea@example.org' });
      await new Promise((r) => setTimeout(r, 100));
      expect(slow.deliveries(secretKey)).toEqual([expect.objectContaining({ type: 'customer.created', attempts: 0, delivered: false })]);
      expect(hooksOf('/hooks/slow')).toHaveLength(0);
      await slow.deliverWebhooks();
      expect(slow.deliveries(secretKey)).toEqual([expect.objectContaining({ type: 'customer.created', attempts: 1, delivered: true })]);
      expect(hooksOf('/hooks/slow')).toHaveLength(1);
    } finally {
      await slow.stop();
    }
  });

  it('R-PAY-5: a failing endpoint is tried again after each configured delay until it answers 2xx', async () => {
    const a = account();
    answers.set(a.hookPath, (attempt) => (attempt <= 2 ? 500 : 200));
    await a.stripe.customers.create({ email: 'lea@example.org' });
    await waitUntil(() => emu.deliveries(a.key).some((d) => d.delivered), 'the third try');
    const [delivery] = emu.deliveries(a.key);
    expect(delivery).toMatchObject({ type: 'customer.created', attempts: 3, delivered: true, lastStatus: 200 });
    expect(hooksOf(a.hookPath)).toHaveLength(3);
    expect(new Set(hooksOf(a.hookPath).map((h) => JSON.parse(h.body).id as string)).size).toBe(1);
    expect(emu.pendingWebhooks()).toBe(0);
  });

  it('R-PAY-5: after the last delay a delivery is given up and recorded', async () => {
    const a = account();
    answers.set(a.hookPath, () => 503);
    await a.stripe.customers.create({ email: 'lea@example.org' });
    await waitUntil(() => hooksOf(a.hookPath).length === RETRY_DELAYS_MS.length + 1, 'every try');
    await new Promise((r) => setTimeout(r, 200));
    expect(hooksOf(a.hookPath)).toHaveLength(RETRY_DELAYS_MS.length + 1);
    expect(emu.deliveries(a.key)).toEqual([expect.objectContaining({ type: 'customer.created', attempts: 3, delivered: false, lastStatus: 503 })]);
    const [event] = emu.events(a.key);
    expect(event?.pending_webhooks).toBe(0);
  });

  it('R-PAY-5: an account without an endpoint keeps its events (GET /v1/events) and sends nothing', async () => {
    const a = account(false);
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    await a.stripe.customers.update(customer.id, { name: 'Léa' });
    await emu.deliverWebhooks();
    expect(hooksOf(a.hookPath)).toHaveLength(0);
    expect(emu.deliveries(a.key)).toEqual([]);
    const list = await a.stripe.events.list();
    expect(list.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    const updated = await a.stripe.events.retrieve(list.data[0]?.id ?? '');
    expect(updated.data.previous_attributes).toEqual({ name: null });
    expect((await a.stripe.events.list({ type: 'customer.created' })).data).toHaveLength(1);
  });
});

// ---- Checkout in setup mode (R-PAY-2) --------------------------------------------------------------------

describe('Checkout in setup mode', () => {
  async function session(a: TestAccount, customer: string) {
    return a.stripe.checkout.sessions.create({
      mode: 'setup',
      customer,
      allowed_payment_method_types: ['card'],
      success_url: 'https://club.example/cards/done?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://club.example/cards/cancel',
      metadata: { orgId: 'org_1', memberId: 'mbr_1' },
      setup_intent_data: { metadata: { orgId: 'org_1', memberId: 'mbr_1' } },
    });
  }

  it('R-PAY-2, R-PAY-5: the hosted page lists the test cards; choosing one saves the card, completes the session and redirects', async () => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const cs = await session(a, customer.id);
    expect(cs.id).toMatch(/^cs_test_/);
    expect(cs).toMatchObject({ object: 'checkout.session', mode: 'setup', status: 'open', customer: customer.id, setup_intent: null, url: `${emu.apiBase}/checkout/${cs.id}`, expires_at: nowSeconds() + 86_400 });

    const page = await fetch(cs.url ?? '');
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<h1>[^<]+<\/h1>/);
    expect(html).toContain('<form method="post"');
    expect(html).toContain('value="pm_card_visa">Visa ending 4242</button>');
    expect(html).toContain('>Declined: insufficient funds (9995)</button>');
    expect(html).toContain('<a href="https://club.example/cards/cancel">Cancel</a>');

    const chosen = await fetch(cs.url ?? '', { method: 'POST', body: new URLSearchParams({ card: 'pm_card_visa' }), redirect: 'manual' });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.get('location')).toBe(`https://club.example/cards/done?session=${cs.id}`);

    const done = await a.stripe.checkout.sessions.retrieve(cs.id, { expand: ['setup_intent'] });
    expect(done).toMatchObject({ status: 'complete', url: null });
    const seti = done.setup_intent as Stripe.SetupIntent;
    expect(seti).toMatchObject({ object: 'setup_intent', status: 'succeeded', customer: customer.id, usage: 'off_session', metadata: { orgId: 'org_1', memberId: 'mbr_1' } });
    expect(seti.id).toMatch(/^seti_/);
    expect(await a.stripe.setupIntents.retrieve(seti.id)).toMatchObject({ id: seti.id, payment_method: seti.payment_method });
    const pm = await a.stripe.paymentMethods.retrieve(seti.payment_method as string);
    expect(pm).toMatchObject({ customer: customer.id, card: { last4: '4242', brand: 'visa' } });

    await emu.deliverWebhooks();
    const types = eventsAt(a.hookPath).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['setup_intent.succeeded', 'payment_method.attached', 'checkout.session.completed']));
    const completed = eventsAt(a.hookPath).find((e) => e.type === 'checkout.session.completed');
    expect(completed?.data.object).toMatchObject({ id: cs.id, setup_intent: seti.id, metadata: { memberId: 'mbr_1' } });
  });

  it('R-PAY-2: a completed session refuses a second card (409) and creates nothing; a declined card leaves it open', async () => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const cs = await session(a, customer.id);
    const declined = await fetch(cs.url ?? '', { method: 'POST', body: new URLSearchParams({ card: 'pm_card_chargeDeclinedInsufficientFunds' }), redirect: 'manual' });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card has insufficient funds.');
    expect((await a.stripe.checkout.sessions.retrieve(cs.id)).status).toBe('open');

    await fetch(cs.url ?? '', { method: 'POST', body: new URLSearchParams({ card: 'pm_card_visa' }), redirect: 'manual' });
    const second = await fetch(`${emu.apiBase}/checkout/${cs.id}`, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_mastercard' }), redirect: 'manual' });
    expect(second.status).toBe(409);
    const cards = await a.stripe.paymentMethods.list({ customer: customer.id });
    expect(cards.data.map((p) => p.card?.last4)).toEqual(['4242']);
  });

  it('R-PAY-2: currency is required without allowed_payment_method_types, and sessions expire by the emulator clock', async () => {
    const a = account();
    const customer = await a.stripe.customers.create({ email: 'lea@example.org' });
    const noCurrency = await refusal(a.stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, success_url: 'https://club.example/ok' }));
    expect(noCurrency).toMatchObject({ statusCode: 400, param: 'currency' });
    const cs = await a.stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, currency: 'cad', success_url: 'https://club.example/ok', expires_at: nowSeconds() + 3600 });
    nowMs += 3601_000;
    expect(await a.stripe.checkout.sessions.retrieve(cs.id)).toMatchObject({ status: 'expired', url: null });
    expect((await fetch(`${emu.apiBase}/checkout/${cs.id}`)).status).toBe(410);
  });
});

// ---- lifecycle ------------------------------------------------------------------------------------------

describe('lifecycle', () => {
  it('R-PAY-5: with persistFile, accounts, objects and saved keys survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-emulator-'));
    const file = join(dir, 'stripe.json');
    try {
      const first = await startStripeEmulator({ now, persistFile: file });
      const { secretKey } = first.createAccount();
      const s1 = new Stripe(secretKey, { host: '127.0.0.1', port: first.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
      const customer = await s1.customers.create({ email: 'lea@example.org' }, { idempotencyKey: 'persist-1' });
      await first.stop();

      const second = await startStripeEmulator({ now, persistFile: file });
      const s2 = new Stripe(secretKey, { host: '127.0.0.1', port: second.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
      expect((await s2.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ email: 'lea@example.org' });
      const replay = await s2.customers.create({ email: 'lea@example.org' }, { idempotencyKey: 'persist-1' });
      expect(replay.id).toBe(customer.id);
      expect(second.events(secretKey).map((e) => e.type)).toEqual(['customer.created']);
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('R-PAY-5: stop() closes the server and its connections', async () => {
    const other = await startStripeEmulator({ now });
    const { secretKey } = other.createAccount();
    const s = new Stripe(secretKey, { host: '127.0.0.1', port: other.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
    expect((await s.customers.list()).data).toEqual([]);
    await other.stop();
    expect(await refusal(s.customers.list())).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });
});
