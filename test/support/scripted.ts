import type { SesFault } from '../../infra/local/ses.js';
import type { SavedPaymentMethod } from '../../shared/domain/member.js';
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
} from '../../shared/ports/payments.js';

/**
 * Faults a test asks for, one call at a time: the next gateway charge fails, times out or
 * loses its answer; the next SES sends fail. Anything not asked for behaves.
 */
export type GatewayFault = 'fail' | 'lose_answer';

export class ScriptedGateway implements PaymentGateway {
  readonly queue: GatewayFault[] = [];
  /** How many calls reached the inner gateway, by kind. */
  readonly reached = { charge: 0, findCharge: 0, refund: 0, findRefund: 0 };

  constructor(private readonly inner: PaymentGateway) {}

  savePaymentMethod(input: GatewayCustomer & { token: string }): Promise<SavedPaymentMethod> {
    return this.inner.savePaymentMethod(input);
  }

  startCardSetup(input: GatewayCustomer & { successUrl: string; cancelUrl: string }): Promise<CardSetupSession> {
    return this.inner.startCardSetup(input);
  }

  getPaymentMethod(input: { orgId: string; reference: string }): Promise<SavedPaymentMethod | null> {
    return this.inner.getPaymentMethod(input);
  }

  startAuthentication(input: { orgId: string; reference: string; returnUrl: string }): Promise<AuthenticationStart> {
    return this.inner.startAuthentication(input);
  }

  readWebhook(input: WebhookInput, actedOn?: (eventId: string) => Promise<boolean>): Promise<GatewayEvent> {
    return this.inner.readWebhook(input, actedOn);
  }

  verifyKey(secretKey: string): Promise<void> {
    return this.inner.verifyKey(secretKey);
  }

  private async faulty<T>(kind: keyof ScriptedGateway['reached'], call: () => Promise<T>): Promise<T> {
    const fault = this.queue.shift();
    if (fault === 'fail') throw new Error(`${kind}: 503 from the gateway, nothing done`);
    this.reached[kind]++;
    const result = await call();
    if (fault === 'lose_answer') throw new Error(`${kind}: the answer was lost`);
    return result;
  }

  charge(input: ChargeRequest): Promise<ChargeResult> {
    return this.faulty('charge', () => this.inner.charge(input));
  }

  findCharge(input: ChargeRequest): Promise<ChargeResult | null> {
    return this.faulty('findCharge', () => this.inner.findCharge(input));
  }

  refund(input: RefundRequest): Promise<RefundResult> {
    return this.faulty('refund', () => this.inner.refund(input));
  }

  findRefund(input: RefundRequest): Promise<RefundResult | null> {
    return this.faulty('findRefund', () => this.inner.findRefund(input));
  }
}

/** SES faults on demand: `down()` until `up()`, or a queue of single faults. */
export class ScriptedSes {
  readonly queue: SesFault[] = [];
  private isDown = false;

  down(): void {
    this.isDown = true;
  }

  up(): void {
    this.isDown = false;
  }

  next(): SesFault {
    if (this.isDown) return 'fail';
    return this.queue.shift() ?? 'none';
  }
}
