import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { UnprocessableError } from '../../domain/errors.js';
import type { SavedPaymentMethod } from '../../domain/member.js';
import type { Money } from '../../domain/schema.js';
import type { Clock } from '../../ports/clock.js';
import type { ChargeOutcome, PaymentGateway } from '../../ports/payments.js';

/**
 * A payment gateway for local use and tests, with Stripe's test payment-method tokens. Its
 * idempotency records live in the same DynamoDB table (partition `SIMGW#…`), so a key charges
 * once however many processes repeat it.
 */
interface TestCard {
  brand: string;
  last4: string;
  decline?: { code: string; message: string; hard: boolean };
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    decline: { code: 'card_declined', message: 'Your card was declined.', hard: false },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    decline: { code: 'insufficient_funds', message: 'Your card has insufficient funds.', hard: false },
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    decline: { code: 'expired_card', message: 'Your card has expired.', hard: false },
  },
  pm_card_chargeDeclinedLostCard: {
    brand: 'visa',
    last4: '9987',
    decline: { code: 'lost_card', message: 'Your card was declined (reported lost).', hard: true },
  },
};

const REF_PREFIX = 'simpm_';
/** All simulated charges, for tests and the local console (gsi1, one partition: simulation only). */
const CHARGES_INDEX_PK = 'SIMGW#CHARGES';

export interface SimulatedCharge {
  idempotencyKey: string;
  amount: Money;
  paymentMethod: string;
  customerRef: string;
  description: string;
  outcome: ChargeOutcome;
  at: string;
}

export interface SimulatedRefund {
  idempotencyKey: string;
  chargeId: string;
  amount: Money;
  refundId: string;
  at: string;
}

function fingerprint(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

export class SimulatedGateway implements PaymentGateway {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async savePaymentMethod({ token }: { customerRef: string; token: string }): Promise<SavedPaymentMethod> {
    const card = TEST_CARDS[token];
    if (!card) {
      throw new UnprocessableError('payment_method_rejected', `the payment gateway does not know the token ${token}`, [
        { field: 'paymentMethod.token', message: `use a test token: ${Object.keys(TEST_CARDS).join(', ')}` },
      ]);
    }
    const year = this.clock.now().getUTCFullYear();
    return { gatewayRef: `${REF_PREFIX}${token}`, brand: card.brand, last4: card.last4, expMonth: 12, expYear: year + 3 };
  }

  async charge(input: {
    idempotencyKey: string;
    amount: Money;
    paymentMethod: string;
    customerRef: string;
    description: string;
  }): Promise<ChargeOutcome> {
    const card = TEST_CARDS[input.paymentMethod.slice(REF_PREFIX.length)];
    const outcome: ChargeOutcome = !input.paymentMethod.startsWith(REF_PREFIX) || !card
      ? { status: 'failed', code: 'invalid_number', message: 'The payment method is not valid.', hard: true }
      : card.decline
        ? { status: 'failed', ...card.decline }
        : { status: 'succeeded', chargeId: `ch_sim_${fingerprint([input.idempotencyKey])}` };
    const record: SimulatedCharge = {
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      paymentMethod: input.paymentMethod,
      customerRef: input.customerRef,
      description: input.description,
      outcome,
      at: this.clock.now().toISOString(),
    };
    const stored = await this.once(`SIMGW#CHARGE#${input.idempotencyKey}`, record, [input.amount, input.paymentMethod]);
    return stored.outcome;
  }

  async refund(input: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<{ refundId: string }> {
    const record = { ...input, refundId: `re_sim_${fingerprint([input.idempotencyKey])}`, at: this.clock.now().toISOString() };
    const stored = await this.once(`SIMGW#REFUND#${input.idempotencyKey}`, record, [input.chargeId, input.amount]);
    return { refundId: stored.refundId };
  }

  /** Every charge attempt the gateway has seen, oldest first (simulation and tests only). */
  async listCharges(): Promise<SimulatedCharge[]> {
    return (await this.records('CHARGE')) as SimulatedCharge[];
  }

  /** Every refund, oldest first (simulation and tests only). */
  async listRefunds(): Promise<SimulatedRefund[]> {
    return (await this.records('REFUND')) as SimulatedRefund[];
  }

  private async records(kind: 'CHARGE' | 'REFUND'): Promise<unknown[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': CHARGES_INDEX_PK },
      }),
    );
    return (out.Items ?? []).filter((i) => i.sk === kind).map((i) => i.record);
  }

  /**
   * Stores the first record for a key and returns it; a repeat with the same parameters gets the
   * stored record, with other parameters an error (as Stripe answers a reused key).
   */
  private async once<T>(pk: string, record: T, params: unknown[]): Promise<T> {
    const sk = pk.startsWith('SIMGW#CHARGE#') ? 'CHARGE' : 'REFUND';
    const paramsHash = fingerprint(params);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk, entity: 'simulated-gateway', gsi1pk: CHARGES_INDEX_PK, gsi1sk: `${this.clock.now().toISOString()}#${pk}`, paramsHash, record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }));
      if (existing.Item?.paramsHash !== paramsHash) {
        throw new Error(`idempotency key ${pk} was reused with different parameters`);
      }
      return existing.Item.record as T;
    }
  }
}
