import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamodb/store.js';
import { SimulatedGateway } from '../../shared/adapters/payments/simulated.js';
import { UnprocessableError } from '../../shared/domain/errors.js';
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

describe('simulated payment gateway', () => {
  it('saves Stripe test tokens as cards, without a card number, and refuses unknown tokens', async () => {
    expect(await gateway.savePaymentMethod({ customerRef: 'mbr_1', token: 'pm_card_visa' })).toEqual({ gatewayRef: 'simpm_pm_card_visa', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 });
    await expect(gateway.savePaymentMethod({ customerRef: 'mbr_1', token: 'tok_4242424242424242' })).rejects.toBeInstanceOf(UnprocessableError);
  });

  it('R-BIL-1: charges once per idempotency key, even when the same charge arrives concurrently', async () => {
    const pm = await card('pm_card_visa');
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => gateway.charge({ idempotencyKey: 'inv_once:1', amount, paymentMethod: pm, customerRef: 'mbr_1', description: 'x' })));
    expect(new Set(outcomes.map((o) => (o.status === 'succeeded' ? `ok:${o.chargeId}` : `failed:${o.code}`))).size).toBe(1);
    expect(outcomes[0]).toMatchObject({ status: 'succeeded' });
    expect((await gateway.listCharges()).filter((c) => c.idempotencyKey === 'inv_once:1')).toHaveLength(1);
  });

  it('refuses to reuse a key with other parameters', async () => {
    const pm = await card('pm_card_visa');
    await gateway.charge({ idempotencyKey: 'inv_reuse:1', amount, paymentMethod: pm, customerRef: 'mbr_1', description: 'x' });
    await expect(gateway.charge({ idempotencyKey: 'inv_reuse:1', amount: { amount: 1, currency: 'CAD' }, paymentMethod: pm, customerRef: 'mbr_1', description: 'x' })).rejects.toThrow(/reused/);
  });

  it('R-DUN-5: declines soft for declined, insufficient funds and expired cards, hard for a lost card', async () => {
    const outcome = async (token: string) => gateway.charge({ idempotencyKey: `inv_${token}:1`, amount, paymentMethod: await card(token), customerRef: 'mbr_1', description: 'x' });
    expect(await outcome('pm_card_chargeDeclined')).toMatchObject({ status: 'failed', code: 'card_declined', hard: false });
    expect(await outcome('pm_card_chargeDeclinedInsufficientFunds')).toMatchObject({ status: 'failed', code: 'insufficient_funds', hard: false });
    expect(await outcome('pm_card_chargeDeclinedExpiredCard')).toMatchObject({ status: 'failed', code: 'expired_card', hard: false });
    expect(await outcome('pm_card_chargeDeclinedLostCard')).toMatchObject({ status: 'failed', code: 'lost_card', hard: true });
  });

  it('refunds once per key', async () => {
    const first = await gateway.refund({ idempotencyKey: 'inv_r:refund', chargeId: 'ch_1', amount });
    const again = await gateway.refund({ idempotencyKey: 'inv_r:refund', chargeId: 'ch_1', amount });
    expect(again).toEqual(first);
  });
});
