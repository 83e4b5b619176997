import type { Mailer, OutgoingEmail } from '../../ports/mailer.js';

/**
 * R-OPS-4: keeps one process under its share of the account's SES send rate. Each worker
 * instance gets `rate / concurrency` messages per second (the worker's reserved concurrency
 * bounds how many run), so all of them together stay under the rate; SES's own throttling
 * error, should it come anyway, is retried by the mail worker.
 */
export class PacedMailer implements Mailer {
  private next = 0;

  constructor(
    private readonly inner: Mailer,
    /** Messages per second for this process. */
    private readonly perSecond: number,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new RangeError('the send rate must be positive');
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const interval = 1000 / this.perSecond;
    const at = Math.max(this.now(), this.next);
    this.next = at + interval;
    const wait = at - this.now();
    if (wait > 0) await this.sleep(wait);
    return this.inner.send(email);
  }
}
