import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNUAL_PLAN_BODY } from '../support/fixtures.js';
import { linkIn, SETTINGS, TestCloud } from '../support/cloud.js';

/**
 * Stripe as the gateway, end to end (issue 8; SPEC §10, R-PAY-1…5): the local cloud connects
 * the organisation to its own account on the Stripe emulator, the functions charge through the
 * official SDK, and the emulator's signed webhooks come back through the front to the webhook
 * function. Everything printed while this file runs is kept, to check that no secret is logged.
 */
const START = '2027-01-15T15:00:00Z';
const printed: string[] = [];
const restore: (() => void)[] = [];

function capture(): void {
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[name];
    console[name] = (...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original.apply(console, args);
    };
    restore.push(() => (console[name] = original));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
}

let t: TestCloud;
let planId: string;

beforeAll(async () => {
  capture();
  t = await TestCloud.start({ at: START });
  await t.ok('PUT', '/api/settings', SETTINGS);
  planId = (await t.ok('POST', '/api/plans', ANNUAL_PLAN_BODY)).id;
});

afterAll(async () => {
  await t?.stop();
  for (const undo of restore.reverse()) undo();
});

const credentials = async () => {
  const gateway = (await t.request('GET', '/_local/gateway')).body as { stripe: { apiBase: string; accounts: Record<string, string> } };
  return { apiBase: gateway.stripe.apiBase, secretKey: gateway.stripe.accounts['e2e-club']! };
};

async function purchase(token = 'pm_card_visa') {
  const member = await t.ok('POST', '/api/members', { name: 'Léa Tremblay', email: `lea${Math.random().toString(36).slice(2, 8)}@example.org`, locale: 'en', paymentMethod: { token } });
  const membership = await t.ok('POST', '/api/memberships', { memberId: member.id, planId });
  const invoiceId = (await t.membership(membership.id)).invoices[0].id as string;
  return { member, membership, invoiceId };
}

describe('R-PAY-1: each organisation connects its own Stripe account', () => {
  it('R-PAY-1: the local organisation is connected in test mode; GET shows the last 4 characters only', async () => {
    const { secretKey } = await credentials();
    expect(secretKey).toMatch(/^sk_test_/);
    const reply = await t.api('GET', '/api/gateway');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ provider: 'stripe', connected: true, mode: 'test', keyKind: 'secret', keyLast4: secretKey.slice(-4) });
    expect(reply.body.webhook.url).toBe(`${t.url}/webhooks/stripe/e2e-club`);
    expect(reply.body.webhook.events).toContain('payment_method.automatically_updated');
    expect(JSON.stringify(reply.body)).not.toMatch(/sk_test_|whsec_/);
  });

  it('R-PAY-1: malformed secrets are a 400 naming the field; a key Stripe refuses is a 422; neither changes the connection', async () => {
    const before = (await t.api('GET', '/api/gateway')).body;
    const malformed = await t.api('PUT', '/api/gateway', { secretKey: 'pk_test_publishableKeyIsNotSecret', webhookSecret: 'whsec_abcdefghijklmnopqrstuvwxyz' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toEqual([expect.objectContaining({ field: 'secretKey' })]);
    const refused = await t.api('PUT', '/api/gateway', { secretKey: 'sk_test_NotAnAccountOfTheEmulator000', webhookSecret: 'whsec_abcdefghijklmnopqrstuvwxyz' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('gateway_key_rejected');
    expect(JSON.stringify(refused.body)).not.toContain('NotAnAccountOfTheEmulator');
    expect((await t.api('GET', '/api/gateway')).body).toEqual(before);
  });
});

describe('R-PAY-3: the purchase is charged through Stripe', () => {
  it('R-PAY-3: the first invoice shows its payment with the PaymentIntent reference, paid once', async () => {
    const { invoiceId } = await purchase();
    const invoice = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(invoice.status).toBe('paid');
    expect(invoice.payments).toEqual([expect.objectContaining({ reference: expect.stringMatching(/^pi_/), status: 'succeeded', amount: invoice.amount })]);
    const { apiBase, secretKey } = await credentials();
    const stripe = new Stripe(secretKey, { host: '127.0.0.1', port: Number(new URL(apiBase).port), protocol: 'http' });
    const intent = await stripe.paymentIntents.retrieve(invoice.payments[0].reference);
    expect(intent).toMatchObject({ status: 'succeeded', amount: invoice.amount.amount, currency: 'cad', metadata: { orgId: 'e2e-club', invoiceId, attemptId: `${invoiceId}.c1` } });
  });

  it('R-MNY-3, R-PAY-4: a void with refund shows the refund reference; Stripe\'s refund webhook changes nothing more', async () => {
    const { invoiceId } = await purchase();
    await t.ok('POST', `/api/invoices/${invoiceId}/void`, { refund: true });
    const invoice = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(invoice.refunds).toEqual([expect.objectContaining({ reference: expect.stringMatching(/^re_/), status: 'succeeded' })]);
    const deliveries = (await t.request('GET', '/_local/payments')).body.webhooks as { type: string; delivered: boolean; lastStatus: number }[];
    expect(deliveries.filter((d) => d.type === 'charge.refunded').every((d) => d.delivered && d.lastStatus === 200)).toBe(true);
    expect((await t.ok('GET', `/api/invoices/${invoiceId}`)).version).toBe(invoice.version);
  });
});

describe('R-PAY-3: a card that needs 3-D Secure', () => {
  it('R-PAY-3: the member gets a signed link, approves the payment on the bank\'s page, and the payment is recorded once', async () => {
    const { member, membership, invoiceId } = await purchase('pm_card_authenticationRequired');
    const before = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(before).toMatchObject({ status: 'open', payments: [expect.objectContaining({ status: 'requires_action', reference: expect.stringMatching(/^pi_/) })] });
    expect((await t.membership(membership.id)).status).toBe('past_due');
    const mail = (await t.emails(member.email)).find((e) => e.subject.includes('could not charge'))!;
    expect(mail.text).toContain('approve this payment');
    const path = new URL(linkIn(mail)).pathname;

    // GET shows what will be approved and changes nothing (R-LNK-2).
    const shown = await t.request('GET', path);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('Approve your payment');
    expect((await t.ok('GET', `/api/invoices/${invoiceId}`)).version).toBe(before.version);

    const posted = await t.post(path, '');
    expect(posted.status).toBe(200);
    const bankPage = /<a class="go" href="([^"]+)"/.exec(posted.body)?.[1]?.replace(/&amp;/g, '&');
    expect(bankPage).toMatch(/\/authenticate\/pi_/);
    expect((await fetch(bankPage!)).status).toBe(200);
    const back = await fetch(bankPage!, { method: 'POST', body: new URLSearchParams({ result: 'complete' }), redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toContain(path);
    await t.settle();

    const paid = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(paid).toMatchObject({ status: 'paid', payments: [expect.objectContaining({ status: 'succeeded', reference: before.payments[0].reference })] });
    const record = await t.membership(membership.id);
    expect(record.status).toBe('active');
    const types = record.timeline.map((e: { type: string }) => e.type);
    expect(types).toContain('authentication_started');
    expect(types.filter((x: string) => x === 'payment_succeeded')).toHaveLength(1);
    // The same link now says there is nothing left to approve.
    expect((await t.request('GET', path)).body).toContain('Nothing left to approve');
    expect((await t.post(path, '')).body).toContain('Nothing left to approve');
  });
});

describe('R-PAY-4: webhooks — signed, once per event, in any order', () => {
  it('R-PAY-4: a dispute is recorded on the invoice and told to the organisation once, however often it is delivered', async () => {
    const { membership, invoiceId } = await purchase();
    const invoice = await t.ok('GET', `/api/invoices/${invoiceId}`);
    const { secretKey } = await credentials();
    const before = (await t.emails('admin@club.example')).length;
    t.cloud.stripe.createDispute(secretKey, invoice.payments[0].reference);
    await t.settle();
    const disputed = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(disputed.disputes).toEqual([expect.objectContaining({ reference: expect.stringMatching(/^dp_/), paymentReference: invoice.payments[0].reference, status: 'needs_response' })]);
    const record = await t.membership(membership.id);
    expect(record.timeline.filter((e: { type: string }) => e.type === 'dispute_opened')).toHaveLength(1);
    const staff = (await t.emails('admin@club.example')).slice(before);
    expect(staff.map((e) => e.subject)).toEqual([expect.stringContaining('disputed a payment')]);

    // Stripe delivers the same event again: answered, nothing done twice.
    const event = t.cloud.stripe.events(secretKey).find((e) => e.type === 'charge.dispute.created')!;
    const payload = JSON.stringify(event);
    const secret = (await t.cloud.deps.gatewaySecrets.get('e2e-club'))!.webhookSecret;
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(t.cloud.clock.now().getTime() / 1000) });
    const again = await t.request('POST', '/webhooks/stripe/e2e-club', payload, { 'content-type': 'application/json', 'stripe-signature': signature });
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    await t.settle();
    expect((await t.emails('admin@club.example')).slice(before)).toHaveLength(1);
    expect((await t.ok('GET', `/api/invoices/${invoiceId}`)).version).toBe(disputed.version);
  });

  it('R-PAY-4: an outcome the worker already recorded is answered "already known" and leaves no receipt; a type never acted on is ignored', async () => {
    const { invoiceId } = await purchase();
    await t.settle();
    const { secretKey } = await credentials();
    const succeeded = t.cloud.stripe.events(secretKey).find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { metadata?: { invoiceId?: string } }).metadata?.invoiceId === invoiceId)!;
    const created = t.cloud.stripe.events(secretKey).find((e) => e.type === 'payment_intent.created')!;
    const secret = (await t.cloud.deps.gatewaySecrets.get('e2e-club'))!.webhookSecret;
    const post = (event: object) => {
      const payload = JSON.stringify(event);
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(t.cloud.clock.now().getTime() / 1000) });
      return t.request('POST', '/webhooks/stripe/e2e-club', payload, { 'content-type': 'application/json', 'stripe-signature': signature });
    };
    const before = (await t.ok('GET', `/api/invoices/${invoiceId}`)).version;
    // The same outcome under an event id never seen: twice, and both times found in the attempt.
    const again = { ...succeeded, id: 'evt_test_alreadyKnown0001' };
    for (let i = 0; i < 2; i++) expect((await post(again)).body).toEqual({ received: true, outcome: 'already known' });
    expect(await t.cloud.deps.store.getWebhookReceipt('e2e-club', again.id)).toBeNull();
    expect((await post({ ...created, id: 'evt_test_neverActedOn001' })).body).toEqual({ received: true, outcome: 'ignored: Relance does not act on payment_intent.created' });
    expect(await t.cloud.deps.store.getWebhookReceipt('e2e-club', 'evt_test_neverActedOn001')).toBeNull();
    expect((await t.ok('GET', `/api/invoices/${invoiceId}`)).version).toBe(before);
  });

  it('R-PAY-4: a webhook with a bad signature, for another organisation, or unsigned is a 400 and changes nothing', async () => {
    const { secretKey } = await credentials();
    const event = t.cloud.stripe.events(secretKey).find((e) => e.type === 'payment_intent.succeeded')!;
    const payload = JSON.stringify(event);
    const secret = (await t.cloud.deps.gatewaySecrets.get('e2e-club'))!.webhookSecret;
    const now = Math.floor(t.cloud.clock.now().getTime() / 1000);
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_notTheOrganisationsSecret', timestamp: now });
    const good = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now });
    for (const [path, headers] of [
      ['/webhooks/stripe/e2e-club', { 'stripe-signature': forged }],
      ['/webhooks/stripe/e2e-club', {}],
      ['/webhooks/stripe/another-club', { 'stripe-signature': good }],
      ['/webhooks/stripe/%E0%A4%A', { 'stripe-signature': good }],
    ] as const) {
      const reply = await t.request('POST', path, payload, { 'content-type': 'application/json', ...headers });
      expect(reply.status, path).toBe(400);
    }
  });

  it('R-PAY-2, R-PAY-4: a card saved on Stripe\'s hosted page becomes the member\'s card', async () => {
    const member = await t.ok('POST', '/api/members', { name: 'Chloé Roy', email: 'chloe@example.org', locale: 'en' });
    const setup = await t.api('POST', `/api/members/${member.id}/card-setup`);
    expect(setup.status).toBe(201);
    expect(setup.body.url).toMatch(/\/checkout\/cs_test_/);
    const done = await fetch(setup.body.url, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_mastercard' }), redirect: 'manual' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${t.url}/console/#/members/${member.id}?card=saved`);
    await t.settle();
    const saved = await t.ok('GET', `/api/members/${member.id}`);
    expect(saved.paymentMethod).toMatchObject({ brand: 'mastercard', last4: '4444', reference: expect.stringMatching(/^pm_/) });
    expect(saved.customerRef).toBe(setup.body.customerRef);
  });

  it('R-PAY-4: a card setup whose webhook arrives after staff saved a newer card does not replace it', async () => {
    const member = await t.ok('POST', '/api/members', { name: 'Hugo Pelletier', email: 'hugo@example.org', locale: 'en' });
    const setup = await t.api('POST', `/api/members/${member.id}/card-setup`);
    t.cloud.stripe.holdWebhooks(true);
    try {
      await fetch(setup.body.url, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_mastercard' }), redirect: 'manual' });
      await t.cloud.clock.advanceTo(new Date(t.cloud.clock.now().getTime() + 60_000));
      await t.ok('PATCH', `/api/members/${member.id}`, { paymentMethod: { token: 'pm_card_visa' } });
    } finally {
      t.cloud.stripe.holdWebhooks(false);
    }
    await t.settle();
    expect((await t.ok('GET', `/api/members/${member.id}`)).paymentMethod).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('R-PAY-4: the card account updater\'s new expiry and last 4 reach the member; a detached card is forgotten', async () => {
    const { member } = await purchase();
    const { apiBase, secretKey } = await credentials();
    const card = (await t.ok('GET', `/api/members/${member.id}`)).paymentMethod;
    t.cloud.stripe.updateCardAutomatically(secretKey, card.reference, { expMonth: 9, expYear: 2032, last4: '0077' });
    await t.settle();
    expect((await t.ok('GET', `/api/members/${member.id}`)).paymentMethod).toMatchObject({ reference: card.reference, last4: '0077', expMonth: 9, expYear: 2032 });
    const stripe = new Stripe(secretKey, { host: '127.0.0.1', port: Number(new URL(apiBase).port), protocol: 'http' });
    await stripe.paymentMethods.detach(card.reference);
    await t.settle();
    expect((await t.ok('GET', `/api/members/${member.id}`)).paymentMethod).toBeNull();
  });
});

describe('R-PAY-1: replacing the connection', () => {
  it('R-PAY-1: a key of another account replaces the connection (If-Match guarded); the next payments go to that account', async () => {
    const old = await credentials();
    const before = (await t.api('GET', '/api/gateway')).body;
    const account = t.cloud.stripe.createAccount();
    const webhookSecret = 'whsec_rotatedSigningSecret0123456789';
    t.cloud.stripe.setWebhookEndpoint(account.secretKey, { url: `${t.url}/webhooks/stripe/e2e-club`, secret: webhookSecret });
    const stale = await t.api('PUT', '/api/gateway', { secretKey: account.secretKey, webhookSecret }, { 'if-match': `"${before.version + 5}"` });
    expect(stale.status).toBe(409);
    const replaced = await t.api('PUT', '/api/gateway', { secretKey: account.secretKey, webhookSecret }, { 'if-match': `"${before.version}"` });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ connected: true, keyLast4: account.secretKey.slice(-4), webhookSecretLast4: '6789', connectedAt: before.connectedAt, version: before.version + 1 });
    expect(JSON.stringify(replaced.body)).not.toContain(account.secretKey);

    const { invoiceId } = await purchase();
    const invoice = await t.ok('GET', `/api/invoices/${invoiceId}`);
    expect(invoice.status).toBe('paid');
    const reference = invoice.payments[0].reference as string;
    expect(t.cloud.stripe.paymentIntents(account.secretKey).map((pi) => pi.id)).toContain(reference);
    expect(t.cloud.stripe.paymentIntents(old.secretKey).map((pi) => pi.id)).not.toContain(reference);
    // The new account's webhooks verify with the new signing secret.
    expect(t.cloud.stripe.deliveries(account.secretKey).filter((d) => d.type === 'payment_intent.succeeded').every((d) => d.delivered && d.lastStatus === 200)).toBe(true);
  });
});

describe('R-PAY-1: no Stripe secret is ever printed', () => {
  it('R-PAY-1: nothing logged during this whole file contains a secret key or a webhook secret', async () => {
    const { secretKey } = await credentials();
    const secret = (await t.cloud.deps.gatewaySecrets.get('e2e-club'))!.webhookSecret;
    expect(printed.length).toBeGreaterThan(0);
    const all = printed.join('\n');
    expect(all).not.toContain(secretKey);
    expect(all).not.toContain(secret);
    expect(all).not.toMatch(/sk_(test|live)_[A-Za-z0-9]{8}/);
    expect(all).not.toMatch(/whsec_[A-Za-z0-9+/=]{8}/);
  });
});
