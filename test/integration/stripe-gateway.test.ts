import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalClock } from '../../infra/local/clock.js';
import type { StripeFault } from '../../infra/local/stripe/emulator.js';
import { GatewayNotConnectedError, UnprocessableError } from '../../shared/domain/errors.js';
import { HARD_DECLINE_CODES } from '../../shared/domain/declines.js';
import type { ChargeRequest, GatewayEvent, RefundRequest } from '../../shared/ports/payments.js';
import { WebhookRejectedError } from '../../shared/ports/payments.js';
import { startTestStripe, type TestStripe } from '../support/stripe.js';

/**
 * Contract tests of the Stripe adapter (R-PAY-1…5): the real adapter, through the official SDK,
 * against the local Stripe emulator — every path Relance uses, as a deployed function would.
 */
const ORG = 'contract-club';
const clock = new LocalClock(new Date('2027-03-01T12:00:00Z'), 'frozen');
let stripe: TestStripe;
let fault: StripeFault[] = [];
let requests = 0;
let webhooks: { payload: string; signature: string }[] = [];
let receiver: Server;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      webhooks.push({ payload: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature'] ?? '') });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  stripe = await startTestStripe(clock, { fault: () => (requests++, fault.shift() ?? 'none') });
  stripe.connect(ORG, `http://127.0.0.1:${port}/hook`);
});

afterAll(async () => {
  await stripe?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

let seq = 0;
async function member(token = 'pm_card_visa') {
  const memberId = `mbr_${String(++seq).padStart(26, '0')}`;
  const card = await stripe.gateway.savePaymentMethod({ orgId: ORG, memberId, customerRef: null, name: `Member ${seq}`, email: `m${seq}@example.org`, token });
  return { memberId, card };
}

function chargeOf(card: { gatewayRef: string; customerRef: string }, amount = 2500, attempt = `inv_${++seq}.c1`): ChargeRequest {
  const [invoiceId] = attempt.split('.');
  return {
    idempotencyKey: `relance:${ORG}:${attempt}`,
    amount: { amount, currency: 'CAD' },
    paymentMethod: card.gatewayRef,
    customerRef: card.customerRef,
    description: 'Adhésion annuelle',
    metadata: { orgId: ORG, invoiceId: invoiceId!, attemptId: attempt },
    createdAt: clock.now().toISOString(),
  };
}

function refundOf(reference: string, amount: number, attempt = `inv_${++seq}.r1`): RefundRequest {
  const [invoiceId] = attempt.split('.');
  return { idempotencyKey: `relance:${ORG}:${attempt}`, chargeReference: reference, amount: { amount, currency: 'CAD' }, metadata: { orgId: ORG, invoiceId: invoiceId!, attemptId: attempt } };
}

const secretKey = () => stripe.secrets.values.get(ORG)!.secretKey;

/** Where the next events start: everything earlier is delivered first. */
async function mark(): Promise<number> {
  await stripe.emulator.deliverWebhooks();
  return webhooks.length;
}

/** The events delivered to the organisation's endpoint since `from`, read by the adapter. */
async function readDelivered(from: number): Promise<GatewayEvent[]> {
  await stripe.emulator.deliverWebhooks();
  const out: GatewayEvent[] = [];
  for (const w of webhooks.slice(from)) out.push(await stripe.gateway.readWebhook({ orgId: ORG, payload: w.payload, signature: w.signature, receivedAt: clock.now() }));
  return out;
}

describe('R-PAY-2: cards are saved at Stripe, Relance keeps only their description', () => {
  it('R-PAY-2: a test token becomes a card of a new customer, default for off-session payments', async () => {
    const { memberId, card } = await member('pm_card_mastercard');
    expect(card.gatewayRef).toMatch(/^pm_/);
    expect(card.gatewayRef).not.toBe('pm_card_mastercard');
    expect(card.customerRef).toMatch(/^cus_/);
    expect(card).toMatchObject({ brand: 'mastercard', last4: '4444' });
    expect(card.expYear).toBeGreaterThan(2027);
    expect(card.fingerprint).toMatch(/\w{8,}/);
    const customer = await (await stripe.gateway.clientFor(secretKey())).customers.retrieve(card.customerRef);
    expect(customer).toMatchObject({ metadata: { orgId: ORG, memberId }, invoice_settings: { default_payment_method: card.gatewayRef } });
  });

  it('R-PAY-2: a second card of the member goes to the same customer; the same card has the same fingerprint', async () => {
    const first = await member('pm_card_visa');
    const again = await stripe.gateway.savePaymentMethod({ orgId: ORG, memberId: first.memberId, customerRef: first.card.customerRef, name: 'x', email: 'x@example.org', token: 'pm_card_visa' });
    expect(again.customerRef).toBe(first.card.customerRef);
    expect(again.gatewayRef).not.toBe(first.card.gatewayRef);
    expect(again.fingerprint).toBe(first.card.fingerprint);
  });

  it('R-PAY-2: a token Stripe does not know, or a card it declines on attach, is a 422 naming the field', async () => {
    for (const token of ['pm_card_nope', 'pm_card_chargeDeclinedLostCard']) {
      const error = await member(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnprocessableError);
      expect(error).toMatchObject({ code: 'payment_method_rejected', details: [{ field: 'paymentMethod.token' }] });
    }
  });

  it('R-PAY-1: an organisation without a connection cannot save a card or charge', async () => {
    const error = await stripe.gateway.savePaymentMethod({ orgId: 'not-connected', memberId: 'mbr_x', customerRef: null, name: 'x', email: 'x@example.org', token: 'pm_card_visa' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayNotConnectedError);
  });

  it('R-PAY-1: a key Stripe refuses is rejected before anything is stored', async () => {
    await expect(stripe.gateway.verifyKey('sk_test_thisKeyDoesNotExistAnywhere00')).rejects.toMatchObject({ code: 'gateway_key_rejected' });
    await expect(stripe.gateway.verifyKey(secretKey())).resolves.toBeUndefined();
  });
});

describe('R-PAY-3: charges are off-session PaymentIntents with the attempt key and metadata', () => {
  it('R-PAY-3: a charge succeeds once per key, with the attempt metadata, whatever the repeats', async () => {
    const { card } = await member();
    const request = chargeOf(card, 2500);
    const first = await stripe.gateway.charge(request);
    const second = await stripe.gateway.charge(request);
    expect(first).toEqual({ status: 'succeeded', reference: expect.stringMatching(/^pi_/) });
    expect(second).toEqual(first);
    const intents = stripe.emulator.paymentIntents(secretKey()).filter((pi) => pi.metadata.attemptId === request.metadata.attemptId);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ amount: 2500, currency: 'cad', customer: card.customerRef, payment_method: card.gatewayRef, status: 'succeeded', metadata: request.metadata });
  });

  it('R-PAY-3: a key reused with other parameters moves no money (Stripe answers idempotency_error)', async () => {
    const { card } = await member();
    const request = chargeOf(card, 2500);
    await stripe.gateway.charge(request);
    const error = await stripe.gateway.charge({ ...request, amount: { amount: 9900, currency: 'CAD' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(stripe.emulator.paymentIntents(secretKey()).filter((pi) => pi.metadata.attemptId === request.metadata.attemptId)).toHaveLength(1);
  });

  it('R-DUN-5: a saved card that is later declined gets the decline code Stripe gives, classified soft', async () => {
    const { card } = await member('pm_card_chargeCustomerFail');
    const result = await stripe.gateway.charge(chargeOf(card));
    expect(result).toMatchObject({ status: 'declined', reference: expect.stringMatching(/^pi_/), failure: { code: 'generic_decline', hard: false } });
  });

  it('R-PAY-3, R-DUN-5: each test card gives Stripe\'s decline code, and lost, stolen, expired and fraudulent cards are hard', async () => {
    const expected: Record<string, string> = {
      pm_card_chargeDeclined: 'generic_decline',
      pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
      pm_card_chargeDeclinedLostCard: 'lost_card',
      pm_card_chargeDeclinedStolenCard: 'stolen_card',
      pm_card_chargeDeclinedExpiredCard: 'expired_card',
      pm_card_chargeDeclinedFraudulent: 'fraudulent',
      pm_card_chargeDeclinedIncorrectCvc: 'incorrect_cvc',
      pm_card_chargeDeclinedProcessingError: 'processing_error',
    };
    const { card } = await member();
    for (const [token, code] of Object.entries(expected)) {
      // A declining card cannot be attached (Stripe checks it): the charge names the test token itself.
      const result = await stripe.gateway.charge({ ...chargeOf(card), paymentMethod: token });
      expect(result, token).toMatchObject({ status: 'declined', failure: { code, hard: HARD_DECLINE_CODES.has(code) } });
    }
    expect(HARD_DECLINE_CODES.has('lost_card') && HARD_DECLINE_CODES.has('stolen_card') && HARD_DECLINE_CODES.has('expired_card') && HARD_DECLINE_CODES.has('fraudulent')).toBe(true);
    expect(HARD_DECLINE_CODES.has('insufficient_funds') || HARD_DECLINE_CODES.has('generic_decline')).toBe(false);
  });

  it('R-PAY-3: a card that needs 3-D Secure off-session is requires_action with authentication_required', async () => {
    const { card } = await member('pm_card_authenticationRequired');
    const result = await stripe.gateway.charge(chargeOf(card));
    expect(result).toMatchObject({ status: 'requires_action', reference: expect.stringMatching(/^pi_/), failure: { code: 'authentication_required', hard: false } });
  });

  it('R-MNY-5: a lost answer is found again by the attempt, and a charge never sent is not found', async () => {
    const { card } = await member();
    const request = chargeOf(card, 4000);
    expect(await stripe.gateway.findCharge(request)).toBeNull();
    fault = ['lost_answer', 'lost_answer'];
    await expect(stripe.gateway.charge(request)).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    fault = [];
    const found = await stripe.gateway.findCharge(request);
    expect(found).toEqual({ status: 'succeeded', reference: expect.stringMatching(/^pi_/) });
    expect(stripe.emulator.paymentIntents(secretKey()).filter((pi) => pi.metadata.attemptId === request.metadata.attemptId)).toHaveLength(1);
    // Sent again with its key, Stripe answers the same intent.
    expect(await stripe.gateway.charge(request)).toEqual(found);
  });

  it('R-MNY-5: a 500 from Stripe leaves the outcome unknown and nothing charged; the same key then charges once', async () => {
    const { card } = await member();
    const request = chargeOf(card, 1500);
    fault = ['server_error', 'server_error'];
    await expect(stripe.gateway.charge(request)).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    fault = [];
    expect(await stripe.gateway.findCharge(request)).toBeNull();
    expect(await stripe.gateway.charge(request)).toMatchObject({ status: 'succeeded' });
    expect(stripe.emulator.paymentIntents(secretKey()).filter((pi) => pi.metadata.attemptId === request.metadata.attemptId)).toHaveLength(1);
  });
});

describe('R-MNY-3: refunds with idempotency keys, never more than was charged', () => {
  it('R-MNY-3: a refund succeeds once per key and is found again by its attempt', async () => {
    const { card } = await member();
    const charged = await stripe.gateway.charge(chargeOf(card, 3000));
    if (charged.status !== 'succeeded') throw new Error('the charge should succeed');
    const request = refundOf(charged.reference, 3000);
    expect(await stripe.gateway.findRefund(request)).toBeNull();
    const first = await stripe.gateway.refund(request);
    expect(first).toEqual({ status: 'succeeded', reference: expect.stringMatching(/^re_/) });
    expect(await stripe.gateway.refund(request)).toEqual(first);
    expect(await stripe.gateway.findRefund(request)).toEqual(first);
    expect(stripe.emulator.refunds(secretKey()).filter((r) => r.metadata.attemptId === request.metadata.attemptId)).toHaveLength(1);
  });

  it('R-MNY-3: a second refund of a charge already refunded is refused for good, nothing moves', async () => {
    const { card } = await member();
    const charged = await stripe.gateway.charge(chargeOf(card, 3000));
    if (charged.status !== 'succeeded') throw new Error('the charge should succeed');
    await stripe.gateway.refund(refundOf(charged.reference, 3000));
    const again = await stripe.gateway.refund(refundOf(charged.reference, 3000));
    expect(again).toMatchObject({ status: 'failed', failure: { code: 'charge_already_refunded', hard: true } });
    const refunded = stripe.emulator.refunds(secretKey()).filter((r) => r.payment_intent === charged.reference && r.status === 'succeeded');
    expect(refunded.reduce((sum, r) => sum + r.amount, 0)).toBe(3000);
  });
});

describe('R-PAY-4: webhooks are verified with the organisation\'s secret and read as Relance acts on them', () => {
  it('R-PAY-4: a payment\'s events carry its attempt; a declined one its failure', async () => {
    const from = await mark();
    const { card } = await member('pm_card_chargeCustomerFail');
    const request = chargeOf(card);
    await stripe.gateway.charge(request);
    const events = await readDelivered(from);
    const outcome = events.find((e) => e.kind === 'charge_outcome' && e.attempt.attemptId === request.metadata.attemptId);
    expect(outcome).toMatchObject({ kind: 'charge_outcome', eventType: 'payment_intent.payment_failed', attempt: request.metadata, result: { status: 'declined', failure: { code: 'generic_decline' } } });
  });

  it('R-PAY-4: a body changed after signing, another secret, or a stale signature is rejected', async () => {
    const payload = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'payment_intent.succeeded', livemode: false, created: Math.floor(clock.now().getTime() / 1000), data: { object: {} } });
    const secret = stripe.secrets.values.get(ORG)!.webhookSecret;
    const sign = (p: string, s: string, at = clock.now()) => Stripe.webhooks.generateTestHeaderString({ payload: p, secret: s, timestamp: Math.floor(at.getTime() / 1000) });
    const read = (p: string, signature: string) => stripe.gateway.readWebhook({ orgId: ORG, payload: p, signature, receivedAt: clock.now() });
    await expect(read(payload.replace('evt_forged', 'evt_other'), sign(payload, secret))).rejects.toBeInstanceOf(WebhookRejectedError);
    await expect(read(payload, sign(payload, 'whsec_someoneElsesSecretValue'))).rejects.toBeInstanceOf(WebhookRejectedError);
    await expect(read(payload, sign(payload, secret, new Date(clock.now().getTime() - 10 * 60_000)))).rejects.toBeInstanceOf(WebhookRejectedError);
    const live = payload.replace('"livemode":false', '"livemode":true');
    await expect(read(live, sign(live, secret))).rejects.toThrow(/live event for a test connection/);
    await expect(read(payload, sign(payload, secret))).resolves.toMatchObject({ eventId: 'evt_forged', kind: 'ignored' });
  });

  it('R-PAY-2, R-PAY-4: a card saved on the hosted page arrives as card_saved for the member', async () => {
    const from = await mark();
    const memberId = `mbr_${String(++seq).padStart(26, '0')}`;
    const session = await stripe.gateway.startCardSetup({ orgId: ORG, memberId, customerRef: null, name: 'Léa', email: 'lea@example.org', successUrl: 'https://relance.example/ok?s={CHECKOUT_SESSION_ID}', cancelUrl: 'https://relance.example/cancel' });
    expect(session.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\/cs_test_/);
    const page = await fetch(session.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Visa ending 4242');
    const done = await fetch(session.url, { method: 'POST', body: new URLSearchParams({ card: 'pm_card_visa' }), redirect: 'manual' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`https://relance.example/ok?s=${session.sessionRef}`);
    const saved = (await readDelivered(from)).filter((e) => e.kind === 'card_saved');
    expect(saved.length).toBeGreaterThanOrEqual(1);
    for (const e of saved) expect(e).toMatchObject({ memberId, card: { brand: 'visa', last4: '4242', customerRef: session.customerRef } });
  });

  it('R-PAY-4: the card account updater\'s change and a detached card name the member', async () => {
    const { memberId, card } = await member();
    const from = await mark();
    stripe.emulator.updateCardAutomatically(secretKey(), card.gatewayRef, { expMonth: 4, expYear: 2031, last4: '1881' });
    await (await stripe.gateway.clientFor(secretKey())).paymentMethods.detach(card.gatewayRef);
    const events = await readDelivered(from);
    expect(events.find((e) => e.kind === 'card_updated')).toMatchObject({ memberId, automatic: true, card: { gatewayRef: card.gatewayRef, expMonth: 4, expYear: 2031, last4: '1881' } });
    expect(events.find((e) => e.kind === 'card_removed')).toMatchObject({ memberId, reference: card.gatewayRef });
  });

  it('R-PAY-4: a dispute names the invoice and attempt of the disputed payment', async () => {
    const { card } = await member();
    const request = chargeOf(card, 2200);
    const charged = await stripe.gateway.charge(request);
    if (charged.status !== 'succeeded') throw new Error('the charge should succeed');
    const from = await mark();
    stripe.emulator.createDispute(secretKey(), charged.reference);
    const dispute = (await readDelivered(from)).find((e) => e.kind === 'dispute');
    expect(dispute).toMatchObject({ eventType: 'charge.dispute.created', attempt: request.metadata, dispute: { reference: expect.stringMatching(/^dp_/), paymentReference: charged.reference, amount: 2200, currency: 'CAD' } });
  });

  it('R-PAY-4: an event already acted on is answered duplicate before Stripe is asked anything', async () => {
    const { card } = await member();
    const charged = await stripe.gateway.charge(chargeOf(card, 1800));
    if (charged.status !== 'succeeded') throw new Error('the charge should succeed');
    const from = await mark();
    stripe.emulator.createDispute(secretKey(), charged.reference);
    await stripe.emulator.deliverWebhooks();
    const delivered = webhooks.slice(from).find((w) => w.payload.includes('charge.dispute.created'))!;
    const input = { orgId: ORG, payload: delivered.payload, signature: delivered.signature, receivedAt: clock.now() };
    const asked = requests;
    expect(await stripe.gateway.readWebhook(input, async () => true)).toMatchObject({ kind: 'duplicate', eventType: 'charge.dispute.created' });
    expect(requests).toBe(asked);
    expect(await stripe.gateway.readWebhook(input, async () => false)).toMatchObject({ kind: 'dispute' });
    expect(requests).toBeGreaterThan(asked);
  });

  it('R-PAY-4: a charge\'s events of types Relance never acts on are ignored without a look at the receipts', async () => {
    const { card } = await member();
    const from = await mark();
    const charged = await stripe.gateway.charge(chargeOf(card, 1700));
    if (charged.status !== 'succeeded') throw new Error('the charge should succeed');
    await stripe.emulator.deliverWebhooks();
    const delivered = webhooks.slice(from);
    const asked: string[] = [];
    const read = (w: (typeof delivered)[number]) =>
      stripe.gateway.readWebhook({ orgId: ORG, payload: w.payload, signature: w.signature, receivedAt: clock.now() }, async (eventId) => {
        asked.push(eventId);
        return false;
      });
    const events = await Promise.all(delivered.map(read));
    const types = events.map((e) => e.eventType);
    expect(types).toEqual(expect.arrayContaining(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']));
    for (const e of events) {
      if (e.eventType === 'payment_intent.succeeded') expect(e.kind).toBe('charge_outcome');
      else expect(e).toMatchObject({ kind: 'ignored', reason: `Relance does not act on ${e.eventType}` });
    }
    // Only the event acted on was looked up.
    expect(asked).toEqual(events.filter((e) => e.kind !== 'ignored').map((e) => e.eventId));
  });

  it('R-PAY-4: a refund\'s events carry the refund attempt', async () => {
    const { card } = await member();
    const charged = await stripe.gateway.charge(chargeOf(card, 1000));
    if (charged.status !== 'succeeded') throw new Error('the charge should succeed');
    const from = await mark();
    const request = refundOf(charged.reference, 1000);
    await stripe.gateway.refund(request);
    const refunded = (await readDelivered(from)).find((e) => e.kind === 'refund_outcomes' && e.eventType === 'charge.refunded');
    expect(refunded).toMatchObject({ outcomes: [{ attempt: request.metadata, result: { status: 'succeeded' } }], external: [] });
  });
});
