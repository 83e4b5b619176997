import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamodb/store.js';
import { IdempotencyKeyReusedError, SimulatedGateway } from '../../shared/adapters/payments/simulated.js';
import { UnprocessableError } from '../../shared/domain/errors.js';
import type { ChargeRequest } from '../../shared/ports/payments.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';

let gateway: SimulatedGateway;
const clock = { now: () => new Date('2027-01-15T12:00:00Z') };
const amount = { amount: 2500, currency: 'CAD' };

beforeAll(async () => {
  const client = dynamodbClient();
  gateway = new SimulatedGateway(documentClient(client), await createTestTable(client), clock);
});

async function card(token: string) {
  return (await gateway.savePaymentMethod({ customerRef: 'mbr_1', token })).gatewayRef;
}

async function chargeOf(key: string, token = 'pm_card_visa', overrides: Partial<ChargeRequest> = {}): Promise<ChargeRequest> {
  return { idempotencyKey: key, amount, paymentMethod: await card(token), customerRef: 'mbr_1', description: 'x', metadata: { orgId: 'o', invoiceId: 'inv_1', attemptId: `${key}.c1` }, ...overrides };
}

describe('simulated payment gateway', () => {
  it('saves Stripe test tokens as cards, without a card number, and refuses unknown tokens', async () => {
    expect(await gateway.savePaymentMethod({ customerRef: 'mbr_1', token: 'pm_card_visa' })).toEqual({ gatewayRef: 'simpm_pm_card_visa', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 });
    await expect(gateway.savePaymentMethod({ customerRef: 'mbr_1', token: 'tok_4242424242424242' })).rejects.toBeInstanceOf(UnprocessableError);
  });

  it('R-BIL-1: charges once per idempotency key, even when the same charge arrives concurrently', async () => {
    const request = await chargeOf('k_once');
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => gateway.charge(request)));
    expect(outcomes).toEqual(outcomes.map(() => outcomes[0]));
    expect(outcomes[0]).toMatchObject({ status: 'succeeded', reference: expect.stringMatching(/^pi_sim_/) });
    expect((await gateway.listCharges()).filter((c) => c.idempotencyKey === 'k_once')).toHaveLength(1);
  });

  it('R-MNY-2: refuses to reuse a key with other parameters, as Stripe does', async () => {
    await gateway.charge(await chargeOf('k_reuse'));
    await expect(gateway.charge(await chargeOf('k_reuse', 'pm_card_visa', { amount: { amount: 1, currency: 'CAD' } }))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(gateway.charge(await chargeOf('k_reuse', 'pm_card_mastercard'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('R-MNY-2: tells the outcome of a key it received, and null for one it never did', async () => {
    const request = await chargeOf('k_find');
    expect(await gateway.findCharge(request)).toBeNull();
    const outcome = await gateway.charge(request);
    expect(await gateway.findCharge(request)).toEqual(outcome);
  });

  it('R-DUN-5: declines soft for declined and insufficient funds, hard for expired, lost and fraudulent cards; asks for authentication', async () => {
    const outcome = async (token: string) => gateway.charge(await chargeOf(`k_${token}`, token));
    expect(await outcome('pm_card_chargeDeclined')).toMatchObject({ status: 'declined', failure: { code: 'card_declined', hard: false } });
    expect(await outcome('pm_card_chargeDeclinedInsufficientFunds')).toMatchObject({ status: 'declined', failure: { code: 'insufficient_funds', hard: false } });
    expect(await outcome('pm_card_chargeDeclinedExpiredCard')).toMatchObject({ status: 'declined', failure: { code: 'expired_card', hard: true } });
    expect(await outcome('pm_card_chargeDeclinedLostCard')).toMatchObject({ status: 'declined', failure: { code: 'lost_card', hard: true } });
    expect(await outcome('pm_card_chargeDeclinedFraudulent')).toMatchObject({ status: 'declined', failure: { code: 'fraudulent', hard: true } });
    expect(await outcome('pm_card_authenticationRequired')).toMatchObject({ status: 'requires_action', failure: { code: 'authentication_required' } });
  });

  it('R-MNY-5: refunds once per key, never more than the charge, and nothing of a charge it does not know', async () => {
    const charge = await gateway.charge(await chargeOf('k_refunded'));
    const reference = charge.status === 'succeeded' ? charge.reference : '';
    const refund = (key: string, value = 2500, chargeReference = reference) =>
      gateway.refund({ idempotencyKey: key, chargeReference, amount: { amount: value, currency: 'CAD' }, metadata: { orgId: 'o', invoiceId: 'inv_1', attemptId: `${key}.r1` } });
    const first = await refund('r_1');
    expect(first).toMatchObject({ status: 'succeeded' });
    expect(await refund('r_1')).toEqual(first);
    expect(await refund('r_2')).toMatchObject({ status: 'failed', failure: { code: 'amount_too_large' } });
    expect(await refund('r_3', 100, 'pi_sim_unknown')).toMatchObject({ status: 'failed', failure: { code: 'charge_not_found' } });
    const concurrent = await Promise.all(['r_4', 'r_5', 'r_6'].map((k) => refund(k, 1)));
    expect(concurrent.every((r) => r.status === 'failed')).toBe(true);
  });
});
