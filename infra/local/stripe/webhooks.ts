/**
 * Stands in for Stripe's webhook delivery: each event is POSTed as JSON to the account's endpoint,
 * signed with `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>">` keyed
 * with the endpoint's whole `whsec_…` secret; a non-2xx answer or a network error is tried again
 * after each configured delay, then given up.
 */

import { createHmac } from 'node:crypto';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EventObject } from './types.js';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

/** One event's delivery to one endpoint. */
export interface Delivery {
  eventId: string;
  type: string;
  attempts: number;
  delivered: boolean;
  lastStatus: number | null;
  givenUp: boolean;
}

interface DeliveryState extends Delivery {
  endpoint: WebhookEndpoint;
  event: EventObject;
  timer: NodeJS.Timeout | null;
  inFlight: Promise<void> | null;
}

/** How long one try waits for the endpoint's answer. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/**
 * How soon after the API answer an event's first try goes out. Stripe sends it a moment later
 * (commonly a second or so); here half a second, so that a worker recording the answer it got
 * usually does so first, as in AWS. Tests that need the webhook first hold the deliveries.
 */
export const FIRST_TRY_DELAY_MS = 500;
/** Held deliveries, once released, go out at once. */
const RELEASED_DELAY_MS = 5;

/** The `Stripe-Signature` header for a payload, as `stripe.webhooks.constructEvent` checks it. */
export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}

export class WebhookDispatcher {
  private readonly deliveries: DeliveryState[] = [];
  private readonly inFlight = new Set<ClientRequest>();
  private stopped = false;
  private held = false;

  constructor(
    private readonly retryDelaysMs: readonly number[],
    private readonly now: () => Date,
    /** Told after each try (an event's `pending_webhooks` may have changed). */
    private readonly onTried: () => void = () => {},
    private readonly firstTryDelayMs = FIRST_TRY_DELAY_MS,
  ) {}

  /** Queues an event for an endpoint; the first try goes out a moment later. */
  enqueue(endpoint: WebhookEndpoint, event: EventObject): void {
    const delivery: DeliveryState = {
      eventId: event.id,
      type: event.type,
      attempts: 0,
      delivered: false,
      lastStatus: null,
      givenUp: false,
      endpoint,
      event,
      timer: null,
      inFlight: null,
    };
    this.deliveries.push(delivery);
    this.schedule(delivery, this.firstTryDelayMs);
  }

  /**
   * While held, nothing is delivered (Stripe's deliveries can lag minutes behind the API); on
   * release, every pending delivery is tried at once.
   */
  hold(held: boolean): void {
    this.held = held;
    if (held) return;
    for (const d of this.deliveries) {
      if (d.delivered || d.givenUp || d.inFlight) continue;
      if (d.timer) clearTimeout(d.timer);
      this.schedule(d, RELEASED_DELAY_MS);
    }
  }

  /** How many deliveries are neither delivered nor given up (none while held: nothing can be delivered). */
  pending(): number {
    if (this.held) return 0;
    return this.deliveries.filter((d) => !d.delivered && !d.givenUp).length;
  }

  /** The deliveries of the given events, in the order they were queued. */
  list(eventIds: ReadonlySet<string>): Delivery[] {
    return this.deliveries
      .filter((d) => eventIds.has(d.eventId))
      .map(({ eventId, type, attempts, delivered, lastStatus, givenUp }) => ({ eventId, type, attempts, delivered, lastStatus, givenUp }));
  }

  /** Tries every delivery still pending now, ignoring retry waits; resolves when each got an answer or failed once. */
  async deliverPending(): Promise<void> {
    if (this.held) return;
    const tries = this.deliveries
      .filter((d) => !d.delivered && !d.givenUp)
      .map((d) => {
        if (d.inFlight) return d.inFlight;
        if (d.timer) clearTimeout(d.timer);
        d.timer = null;
        return this.attempt(d);
      });
    await Promise.all(tries);
  }

  /** Clears every retry timer and aborts the tries under way. */
  stop(): void {
    this.stopped = true;
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
    for (const d of this.deliveries) {
      if (d.timer) clearTimeout(d.timer);
      d.timer = null;
    }
  }

  private schedule(delivery: DeliveryState, delayMs: number): void {
    if (this.stopped || this.held) return;
    delivery.timer = setTimeout(() => {
      delivery.timer = null;
      void this.attempt(delivery);
    }, delayMs);
    delivery.timer.unref();
  }

  private attempt(delivery: DeliveryState): Promise<void> {
    const run = async (): Promise<void> => {
      delivery.attempts += 1;
      const status = await this.post(delivery);
      delivery.lastStatus = status;
      if (status !== null && status >= 200 && status < 300) {
        delivery.delivered = true;
        delivery.event.pending_webhooks = Math.max(0, delivery.event.pending_webhooks - 1);
        return;
      }
      const wait = this.retryDelaysMs[delivery.attempts - 1];
      if (wait === undefined) {
        delivery.givenUp = true;
        delivery.event.pending_webhooks = Math.max(0, delivery.event.pending_webhooks - 1);
      } else {
        this.schedule(delivery, wait);
      }
    };
    delivery.inFlight = run().finally(() => {
      delivery.inFlight = null;
      this.onTried();
    });
    return delivery.inFlight;
  }

  /** One POST; the answer's status, or null for a network error or a timeout. */
  private post(delivery: DeliveryState): Promise<number | null> {
    if (this.stopped) return Promise.resolve(null);
    const payload = JSON.stringify(delivery.event, null, 2);
    const timestamp = Math.floor(this.now().getTime() / 1000);
    let url: URL;
    try {
      url = new URL(delivery.endpoint.url);
    } catch {
      return Promise.resolve(null);
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(payload),
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'Stripe-Signature': signatureHeader(payload, delivery.endpoint.secret, timestamp),
          },
          timeout: ATTEMPT_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? null));
          res.on('error', () => resolve(res.statusCode ?? null));
        },
      );
      this.inFlight.add(req);
      req.on('close', () => this.inFlight.delete(req));
      req.on('timeout', () => req.destroy(new Error('webhook attempt timed out')));
      req.on('error', () => resolve(null));
      req.end(payload);
    });
  }
}
