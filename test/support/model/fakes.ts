import type { LocalClock } from '../../../infra/local/clock.js';
import { type Address, type Mailer, MailNotSentError, type OutgoingEmail } from '../../../shared/ports/mailer.js';
import { type StripeFault, TEST_PAYMENT_METHODS } from '../../../infra/local/stripe/emulator.js';
import type { TestStripe } from '../stripe.js';
import type { TimerSpec, Timers } from '../../../shared/ports/timers.js';

/**
 * The parts around the use cases that the model-based test controls, each able to misbehave on
 * purpose: EventBridge Scheduler (duplicate and early deliveries, failed targets retried), SES
 * (refuses, times out, loses its answer), and the card gateway (refuses before anything
 * happens, times out, loses its answer). Each keeps the ground truth the invariants compare
 * the table with: what the gateway really did, what SES really sent.
 */
export type Random = () => number;

export interface FaultRates {
  /** Each gateway or SES call fails this often, split evenly between failing, timing out and losing its answer. */
  callFailure: number;
  /** Each schedule delivery is duplicated this often. */
  duplicateDelivery: number;
  /** Each schedule is delivered early (before its instant) this often. */
  earlyDelivery: number;
  /** Each stream batch is delivered twice this often. */
  duplicateStream: number;
}

export const NO_FAULTS: FaultRates = { callFailure: 0, duplicateDelivery: 0, earlyDelivery: 0, duplicateStream: 0 };
/** The fault rates of `npm run soak -- --faults`. */
export const SOAK_FAULTS: FaultRates = { callFailure: 0.15, duplicateDelivery: 0.05, earlyDelivery: 0.05, duplicateStream: 0.05 };

export type CallFault = 'none' | 'fail' | 'timeout' | 'lose_answer';

export class Faults {
  rates: FaultRates = NO_FAULTS;
  readonly injected: Record<string, number> = {};

  constructor(private readonly random: Random) {}

  /** Whether an event of probability `rate` happens now (counted under `what`). */
  roll(rate: number, what: string): boolean {
    if (rate <= 0 || this.random() >= rate) return false;
    this.injected[what] = (this.injected[what] ?? 0) + 1;
    return true;
  }

  call(where: string): CallFault {
    if (!this.roll(this.rates.callFailure, `${where}:any`)) return 'none';
    const fault = (['fail', 'timeout', 'lose_answer'] as const)[Math.floor(this.random() * 3)]!;
    this.injected[`${where}:${fault}`] = (this.injected[`${where}:${fault}`] ?? 0) + 1;
    return fault;
  }
}

/** A gateway operation that really happened, whatever the caller heard of it. */
export interface LedgerEntry {
  kind: 'charge' | 'refund';
  orgId: string;
  invoiceId: string;
  attemptId: string;
  idempotencyKey: string;
  amount: { amount: number; currency: string };
  paymentMethod: string | null;
  result: { status: string };
}

/**
 * The gateway's side of the model: the real Stripe adapter in front of the Stripe emulator
 * (R-PAY-5), with the emulator failing requests at random — a 500 before anything happens, an
 * answer lost after it happened, or held past the client's timeout — at the calls that move or
 * find money. The ledger is what the emulator really holds, whatever the caller heard.
 */
export class ModelGateway {
  calls = 0;

  constructor(
    readonly stripe: TestStripe,
    faults: Faults,
  ) {
    stripe.emulator.setFault(({ method, path }) => {
      const where =
        method === 'POST' && path === '/v1/payment_intents'
          ? 'gateway.charge'
          : method === 'POST' && path === '/v1/refunds'
            ? 'gateway.refund'
            : method === 'GET' && (path === '/v1/payment_intents' || path === '/v1/refunds')
              ? 'gateway.find'
              : null;
      if (where === null) return 'none';
      this.calls++;
      return STRIPE_FAULT[faults.call(where)];
    });
  }

  /**
   * The token to save for a card that should behave like `token`: Stripe refuses to attach its
   * declining test cards, so a Visa is saved and then made to decline like the token
   * (`declineLike`), as a card that goes bad after it was saved.
   */
  static attachable(token: string): string {
    return TEST_PAYMENT_METHODS[token]?.declinesOnAttach ? 'pm_card_visa' : token;
  }

  /** After `attachable`: the saved card now behaves like `token` (nothing when it already does). */
  declineLike(orgId: string, paymentMethodId: string | undefined, token: string): void {
    const credentials = this.stripe.secrets.values.get(orgId);
    if (!credentials || !paymentMethodId || ModelGateway.attachable(token) === token) return;
    this.stripe.emulator.cardStartsDeclining(credentials.secretKey, paymentMethodId, token);
  }

  /**
   * What was disputed, by invoice: a disputed charge's amount is taken back by the bank (Stripe
   * debits it at once), so it is no longer kept, and Stripe refuses to refund it (`charge_disputed`).
   */
  disputed(orgId: string): Map<string, number> {
    const credentials = this.stripe.secrets.values.get(orgId);
    const out = new Map<string, number>();
    if (!credentials) return out;
    const invoiceOf = new Map(this.stripe.emulator.paymentIntents(credentials.secretKey).map((pi) => [pi.id, pi.metadata.invoiceId ?? '']));
    for (const e of this.stripe.emulator.events(credentials.secretKey, 'charge.dispute.created')) {
      const dispute = e.data.object as { payment_intent: string; amount: number };
      const invoiceId = invoiceOf.get(dispute.payment_intent);
      if (invoiceId) out.set(invoiceId, (out.get(invoiceId) ?? 0) + dispute.amount);
    }
    return out;
  }

  /** What the emulator holds for the organisation: every PaymentIntent and refund, with the key that made it. */
  ledger(orgId: string): LedgerEntry[] {
    const credentials = this.stripe.secrets.values.get(orgId);
    if (!credentials) return [];
    const key = credentials.secretKey;
    const keys = this.stripe.emulator.creationKeys(key);
    const entries: LedgerEntry[] = [];
    for (const pi of this.stripe.emulator.paymentIntents(key)) {
      const status =
        pi.status === 'requires_payment_method'
          ? pi.last_payment_error?.code === 'authentication_required'
            ? 'requires_action'
            : 'declined'
          : pi.status;
      entries.push({
        kind: 'charge',
        orgId,
        invoiceId: pi.metadata.invoiceId ?? '',
        attemptId: pi.metadata.attemptId ?? '',
        idempotencyKey: keys.get(pi.id) ?? '',
        amount: { amount: pi.amount, currency: pi.currency.toUpperCase() },
        paymentMethod: pi.payment_method,
        result: { status },
      });
    }
    for (const r of this.stripe.emulator.refunds(key)) {
      entries.push({
        kind: 'refund',
        orgId,
        invoiceId: r.metadata.invoiceId ?? '',
        attemptId: r.metadata.attemptId ?? '',
        idempotencyKey: keys.get(r.id) ?? '',
        amount: { amount: r.amount, currency: r.currency.toUpperCase() },
        paymentMethod: null,
        result: { status: r.status },
      });
    }
    return entries;
  }
}

const STRIPE_FAULT: Record<CallFault, StripeFault> = { none: 'none', fail: 'server_error', timeout: 'timeout', lose_answer: 'lost_answer' };

export interface SentMail {
  reference: string;
  to: Address[];
  subject: string;
  tags: Record<string, string>;
  at: string;
}

/**
 * SES behind faults. `fail`: throttled, not sent (MailNotSentError). `timeout`: no answer, not
 * sent. `lose_answer`: sent, its Send event delivered later through `onSendEvent` (as the
 * configuration set's event destination would), the answer lost.
 */
export class FaultySes implements Mailer {
  readonly sent: SentMail[] = [];
  private n = 0;

  constructor(
    private readonly faults: Faults,
    private readonly clock: LocalClock,
    private readonly random: Random,
    private readonly onSendEvent: (event: { eventType: string; mail: { messageId: string; timestamp: string; tags: Record<string, string[]> } }) => Promise<void>,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const fault = this.faults.call('ses.send');
    if (fault === 'fail') throw new MailNotSentError('Maximum sending rate exceeded.');
    if (fault === 'timeout') throw new Error('SES did not answer in time');
    const messageId = `ses-${++this.n}`;
    const at = this.clock.now().toISOString();
    this.sent.push({ reference: email.reference, to: email.to, subject: email.subject, tags: email.tags ?? {}, at });
    const event = { eventType: 'Send', mail: { messageId, timestamp: at, tags: Object.fromEntries(Object.entries(email.tags ?? {}).map(([k, v]) => [k, [v]])) } };
    if (fault === 'lose_answer') {
      // The event arrives a little later, through EventBridge; it may come before or after the worker gives up.
      const delay = Math.floor(this.random() * 120_000);
      this.clock.schedule(new Date(this.clock.now().getTime() + delay), `ses send event ${messageId}`, () => this.onSendEvent(event));
      throw new Error('socket hang up: the answer was lost');
    }
    return { messageId };
  }
}

export interface ScheduleEntry {
  name: string;
  at: string;
  target: TimerSpec['target'];
  payload: unknown;
}

/**
 * EventBridge Scheduler for one-shot `at()` schedules on the local clock: a name is unique while
 * the schedule lives; it deletes itself when it fires (ActionAfterCompletion DELETE); a target
 * that throws is retried a minute later, up to 3 times, then counted as a dead letter.
 * Faults: a delivery may come early (before its instant) or twice at once.
 */
export class FakeScheduler implements Timers {
  readonly live = new Map<string, ScheduleEntry & { cancel: () => void }>();
  /** What happened to each schedule, in order (`arm`, `arm (exists)`, `disarm`, `fire`…), for a failure's story. */
  readonly story: string[] = [];
  deadLetters = 0;
  deliveries = 0;

  constructor(
    private readonly clock: LocalClock,
    private readonly faults: Faults,
    private readonly invoke: (target: TimerSpec['target'], payload: unknown) => Promise<unknown>,
  ) {}

  async arm(spec: TimerSpec): Promise<void> {
    if (this.live.has(spec.name)) {
      this.tell(`arm ${spec.name} (exists)`);
      return;
    }
    const early = this.faults.roll(this.faults.rates.earlyDelivery, 'scheduler.early');
    this.tell(`arm ${spec.name}${early ? ' (will fire 30 s early)' : ''}`);
    const at = new Date(spec.at.getTime() - (early ? 30_000 : 0));
    const cancel = this.clock.schedule(at, `schedule ${spec.name}`, () => this.fire(spec.name, 0));
    this.live.set(spec.name, { name: spec.name, at: spec.at.toISOString(), target: spec.target, payload: spec.payload, cancel });
  }

  async disarm(name: string): Promise<void> {
    this.tell(`disarm ${name}${this.live.has(name) ? '' : ' (gone)'}`);
    this.live.get(name)?.cancel();
    this.live.delete(name);
  }

  /** Ends every live schedule (a sequence is over: its organisation stops living on the shared clock). */
  clear(): void {
    for (const entry of this.live.values()) entry.cancel();
    this.live.clear();
  }

  /** The story of one membership's schedules (names start with its id), its last `count` lines. */
  storyOf(membershipId: string, count = 16): string[] {
    return this.story.filter((line) => line.includes(` ${membershipId}-`)).slice(-count);
  }

  private tell(line: string): void {
    this.story.push(`${this.clock.now().toISOString()} ${line}`);
    if (this.story.length > 5_000) this.story.splice(0, 1_000);
  }

  /** Live schedules whose name starts with the membership id (its timer), or every one of a target. */
  timersOf(membershipId: string): ScheduleEntry[] {
    return [...this.live.values()].filter((e) => e.target === 'timer' && e.name.startsWith(`${membershipId}-`));
  }

  private async fire(name: string, retries: number): Promise<void> {
    const entry = this.live.get(name);
    if (!entry) return;
    this.live.delete(name);
    this.deliveries++;
    const times = this.faults.roll(this.faults.rates.duplicateDelivery, 'scheduler.duplicate') ? 2 : 1;
    this.tell(`fire ${name}${times > 1 ? ' (twice)' : ''}`);
    const results = await Promise.allSettled(
      Array.from({ length: times }, async (_, i) => {
        const outcome = await this.invoke(entry.target, entry.payload);
        this.tell(`delivery ${i + 1} of ${name}: ${JSON.stringify(outcome)}`);
        return outcome;
      }),
    );
    if (results.every((r) => r.status === 'rejected')) {
      if (retries >= 3) {
        this.deadLetters++;
        return;
      }
      const retryName = `${name}#retry${retries + 1}`;
      const cancel = this.clock.schedule(new Date(this.clock.now().getTime() + 60_000), `retry ${name}`, () => this.fire(retryName, retries + 1));
      this.live.set(retryName, { ...entry, name: retryName, cancel });
    }
  }
}

/** A small seeded PRNG (mulberry32), so a run with faults can be replayed from its seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
