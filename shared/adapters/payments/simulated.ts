import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { UnprocessableError } from '../../domain/errors.js';
import type { SavedPaymentMethod } from '../../domain/member.js';
import type { AttemptFailure } from '../../domain/payment.js';
import type { Money } from '../../domain/schema.js';
import type { Clock } from '../../ports/clock.js';
import type { ChargeRequest, ChargeResult, PaymentGateway, RefundRequest, RefundResult } from '../../ports/payments.js';

/**
 * A payment gateway for local use and tests, with Stripe's test payment-method tokens. Its
 * records live in the same DynamoDB table (partition `SIMGW#…`), so a key charges once however
 * many processes repeat it, and a key reused with another request is refused, as Stripe does.
 * Refunds are checked against their charge: never more than was charged.
 */
interface TestCard {
  brand: string;
  last4: string;
  decline?: AttemptFailure;
  authentication?: boolean;
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', decline: { code: 'card_declined', message: 'Your card was declined.', hard: false } },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    decline: { code: 'insufficient_funds', message: 'Your card has insufficient funds.', hard: false },
  },
  pm_card_chargeDeclinedExpiredCard: { brand: 'visa', last4: '0069', decline: { code: 'expired_card', message: 'Your card has expired.', hard: true } },
  pm_card_chargeDeclinedLostCard: { brand: 'visa', last4: '9987', decline: { code: 'lost_card', message: 'Your card was declined (reported lost).', hard: true } },
  pm_card_chargeDeclinedFraudulent: { brand: 'visa', last4: '0019', decline: { code: 'fraudulent', message: 'Your card was declined.', hard: true } },
  pm_card_authenticationRequired: { brand: 'visa', last4: '3184', authentication: true },
};

const REF_PREFIX = 'simpm_';
/** All simulated records, for tests and the local views (gsi1, one partition: simulation only). */
const RECORDS_INDEX_PK = 'SIMGW#RECORDS';

export interface SimulatedCharge {
  idempotencyKey: string;
  amount: Money;
  paymentMethod: string;
  customerRef: string;
  description: string;
  metadata: ChargeRequest['metadata'];
  result: ChargeResult;
  /** Minor units refunded so far (succeeded charges only). */
  refunded: number;
  at: string;
}

export interface SimulatedRefund {
  idempotencyKey: string;
  chargeReference: string;
  amount: Money;
  metadata: RefundRequest['metadata'];
  result: RefundResult;
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

  async charge(input: ChargeRequest): Promise<ChargeResult> {
    const reference = `pi_sim_${fingerprint([input.idempotencyKey])}`;
    const card = input.paymentMethod.startsWith(REF_PREFIX) ? TEST_CARDS[input.paymentMethod.slice(REF_PREFIX.length)] : undefined;
    const result: ChargeResult = !card
      ? { status: 'declined', reference, failure: { code: 'invalid_number', message: 'The payment method is not valid.', hard: true } }
      : card.decline
        ? { status: 'declined', reference, failure: card.decline }
        : card.authentication
          ? { status: 'requires_action', reference, failure: { code: 'authentication_required', message: 'The card needs the cardholder to authenticate.', hard: false } }
          : { status: 'succeeded', reference };
    const record: SimulatedCharge = {
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      paymentMethod: input.paymentMethod,
      customerRef: input.customerRef,
      description: input.description,
      metadata: input.metadata,
      result,
      refunded: 0,
      at: this.clock.now().toISOString(),
    };
    const stored = await this.once(chargeKey(input.idempotencyKey), record, [input.amount, input.paymentMethod, input.metadata]);
    return stored.result;
  }

  async findCharge(input: ChargeRequest): Promise<ChargeResult | null> {
    return (await this.record<SimulatedCharge>(chargeKey(input.idempotencyKey)))?.result ?? null;
  }

  async refund(input: RefundRequest): Promise<RefundResult> {
    const reference = `re_sim_${fingerprint([input.idempotencyKey])}`;
    const provisional: SimulatedRefund = {
      idempotencyKey: input.idempotencyKey,
      chargeReference: input.chargeReference,
      amount: input.amount,
      metadata: input.metadata,
      result: { status: 'pending', reference },
      at: this.clock.now().toISOString(),
    };
    // The key is taken first: a repeat (or a concurrent call) answers what the first one decided.
    const stored = await this.once(refundKey(input.idempotencyKey), provisional, [input.chargeReference, input.amount, input.metadata]);
    if (stored !== provisional) return stored.result;
    const result = await this.takeFromCharge(input, reference);
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: refundKey(input.idempotencyKey), sk: 'RECORD' },
        UpdateExpression: 'SET #r.#result = :result',
        ExpressionAttributeNames: { '#r': 'record', '#result': 'result' },
        ExpressionAttributeValues: { ':result': result },
      }),
    );
    return result;
  }

  /** Takes the refund off its charge, conditionally, so no refund ever exceeds what was charged. */
  private async takeFromCharge(input: RefundRequest, reference: string): Promise<RefundResult> {
    const tooLarge: RefundResult = { status: 'failed', reference, failure: { code: 'amount_too_large', message: 'The refund is more than what is left of the charge.', hard: true } };
    const charge = await this.chargeByReference(input.chargeReference);
    if (!charge || charge.result.status !== 'succeeded') {
      return { status: 'failed', reference, failure: { code: 'charge_not_found', message: `no succeeded charge ${input.chargeReference}`, hard: true } };
    }
    if (charge.amount.currency !== input.amount.currency || input.amount.amount > charge.amount.amount) return tooLarge;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: chargeKey(charge.idempotencyKey), sk: 'RECORD' },
          UpdateExpression: 'SET #r.refunded = #r.refunded + :amount',
          ConditionExpression: '#r.refunded <= :room',
          ExpressionAttributeNames: { '#r': 'record' },
          ExpressionAttributeValues: { ':amount': input.amount.amount, ':room': charge.amount.amount - input.amount.amount },
        }),
      );
      return { status: 'succeeded', reference };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return tooLarge;
      throw error;
    }
  }

  async findRefund(input: RefundRequest): Promise<RefundResult | null> {
    return (await this.record<SimulatedRefund>(refundKey(input.idempotencyKey)))?.result ?? null;
  }

  /** Every charge the gateway has seen, oldest first (simulation and tests only). */
  async listCharges(): Promise<SimulatedCharge[]> {
    return (await this.records('charge')) as SimulatedCharge[];
  }

  /** Every refund, oldest first (simulation and tests only). */
  async listRefunds(): Promise<SimulatedRefund[]> {
    return (await this.records('refund')) as SimulatedRefund[];
  }

  private async chargeByReference(reference: string): Promise<SimulatedCharge | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `SIMGW#REF#${reference}`, sk: 'RECORD' }, ConsistentRead: true }),
    );
    const key = out.Item?.chargeKey as string | undefined;
    return key ? this.record<SimulatedCharge>(key) : null;
  }

  private async records(kind: 'charge' | 'refund'): Promise<unknown[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': RECORDS_INDEX_PK },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    // The index is eventually consistent: read each record by key for its latest state.
    const keys = items.filter((i) => i.kind === kind).map((i) => String(i.pk));
    return Promise.all(keys.map(async (k) => this.record(k)));
  }

  private async record<T>(pk: string): Promise<T | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: 'RECORD' }, ConsistentRead: true }));
    return (out.Item?.record as T | undefined) ?? null;
  }

  /**
   * Stores the first record for a key and returns it; a repeat with the same parameters gets the
   * stored record, with other parameters an error (as Stripe answers a reused key).
   */
  private async once<T extends SimulatedCharge | SimulatedRefund>(pk: string, record: T, params: unknown[]): Promise<T> {
    const paramsHash = fingerprint(params);
    const kind = pk.startsWith('SIMGW#CHARGE#') ? 'charge' : 'refund';
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: 'RECORD', entity: 'simulated-gateway', kind, gsi1pk: RECORDS_INDEX_PK, gsi1sk: `${record.at}#${pk}`, paramsHash, record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      const reference = record.result.reference;
      if (kind === 'charge' && reference) {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: `SIMGW#REF#${reference}`, sk: 'RECORD', entity: 'simulated-gateway', chargeKey: pk } }));
      }
      return record;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: 'RECORD' }, ConsistentRead: true }));
      if (existing.Item?.paramsHash !== paramsHash) throw new IdempotencyKeyReusedError(pk);
      return existing.Item.record as T;
    }
  }
}

/** What Stripe answers when a key comes back with other parameters (`idempotency_error`). */
export class IdempotencyKeyReusedError extends Error {
  constructor(key: string) {
    super(`idempotency key ${key} was reused with different parameters`);
  }
}

const chargeKey = (key: string) => `SIMGW#CHARGE#${key}`;
const refundKey = (key: string) => `SIMGW#REFUND#${key}`;
