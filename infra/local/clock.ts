import type { Clock } from '../../shared/ports/clock.js';

/**
 * The local cloud's controllable clock. Everything local that waits for an instant — Scheduler
 * schedules, Step Functions Wait states — registers a due entry here; advancing the clock fires
 * the due entries in time order (entries registered while firing included), and after each
 * firing awaits the settlers (the stream's worker, executions moving on) before it picks the next.
 *
 * Entries due at the same instant fire one at a time in the order they were registered, except
 * entries registered with a `key` (the target they act on, e.g. a membership): up to `width` of
 * them with different keys, due at the same instant and registered one after another (no keyless
 * entry between them), fire side by side, as EventBridge Scheduler delivers the schedules due in
 * a minute concurrently; the settlers then run once for the whole batch. Entries of one key never
 * share a batch: the next one fires in a later batch, after the settlers have run, so one target
 * sees its entries fire in order with everything the previous one caused settled in between,
 * exactly as it would alone.
 *
 * In `flow` mode the clock also runs at real speed from the last instant it was set to, and a
 * ticker fires entries as they fall due; in `frozen` mode it moves only when told to.
 */
export interface Fired {
  at: string;
  label: string;
  outcome: 'ok' | 'error';
  error?: string;
}

interface Entry {
  seq: number;
  at: number;
  label: string;
  fire: () => Promise<void>;
  /** The target it acts on: entries of different keys due at the same instant may fire together. */
  key: string | undefined;
}

/** How many keyed entries due at the same instant fire side by side, by default. */
export const DEFAULT_FIRING_WIDTH = 16;

export type ClockMode = 'flow' | 'frozen';

export class LocalClock implements Clock {
  private anchorVirtual: number;
  private anchorReal: number;
  private readonly entries = new Map<number, Entry>();
  private seq = 0;
  private running: Promise<unknown> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  /** Anchors of every jump, to map a real timestamp (e.g. of a stored e-mail) to clock time. */
  private readonly history: { real: number; virtual: number }[] = [];
  private readonly log: Fired[] = [];
  private readonly settlers: (() => Promise<void>)[] = [];

  constructor(
    start: Date = new Date(),
    readonly mode: ClockMode = 'flow',
    /** At most this many keyed entries fire side by side; 1 fires every entry alone. */
    readonly width: number = DEFAULT_FIRING_WIDTH,
  ) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError('the firing width must be a positive integer');
    this.anchorVirtual = start.getTime();
    this.anchorReal = Date.now();
    this.history.push({ real: this.anchorReal, virtual: this.anchorVirtual });
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  private nowMs(): number {
    return this.mode === 'flow' ? this.anchorVirtual + (Date.now() - this.anchorReal) : this.anchorVirtual;
  }

  private jump(to: number): void {
    if (to < this.nowMs()) return;
    this.anchorVirtual = to;
    this.anchorReal = Date.now();
    this.history.push({ real: this.anchorReal, virtual: this.anchorVirtual });
  }

  /** The clock time it was when the real clock read `realMs`. */
  clockTimeAt(realMs: number): Date {
    let anchor = this.history[0]!;
    for (const h of this.history) if (h.real <= realMs) anchor = h;
    const elapsed = this.mode === 'flow' ? realMs - anchor.real : 0;
    return new Date(anchor.virtual + Math.max(0, elapsed));
  }

  /**
   * Registers a part whose work runs on after a firing returns (a state machine execution moves
   * on to its next Wait in the background): the clock awaits every settler after each firing (each batch),
   * before it looks for the next due entry.
   */
  addSettler(settle: () => Promise<void>): () => void {
    this.settlers.push(settle);
    return () => {
      const index = this.settlers.indexOf(settle);
      if (index >= 0) this.settlers.splice(index, 1);
    };
  }

  private async settle(): Promise<void> {
    for (const settle of this.settlers) await settle();
  }

  /**
   * Registers work due at `at`; returns a function that cancels it. With `key` (the target it
   * acts on), it may fire side by side with entries of other keys due at the same instant.
   */
  schedule(at: Date, label: string, fire: () => Promise<void>, options: { key?: string } = {}): () => void {
    const seq = ++this.seq;
    this.entries.set(seq, { seq, at: at.getTime(), label, fire, key: options.key });
    return () => {
      this.entries.delete(seq);
    };
  }

  /** How many entries are waiting, and the earliest one. */
  pending(): { count: number; next: string | null } {
    const next = this.earliest(Number.POSITIVE_INFINITY);
    return { count: this.entries.size, next: next ? new Date(next.at).toISOString() : null };
  }

  private earliest(limit: number): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.entries.values()) {
      if (e.at > limit) continue;
      if (!best || e.at < best.at || (e.at === best.at && e.seq < best.seq)) best = e;
    }
    return best;
  }

  /**
   * Moves the clock to `target` (never backwards), firing every entry due by then in time
   * order (keyed entries due together side by side, see above), and answers what fired, in the
   * order the entries were registered within an instant. Calls are serialised.
   */
  advanceTo(target: Date): Promise<Fired[]> {
    const run = this.running.then(() => this.fireUntil(target.getTime()));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Fires whatever is due now (used by the ticker and after a schedule is created). */
  fireDue(): Promise<Fired[]> {
    return this.advanceTo(this.now());
  }

  /**
   * What fires next: the earliest entry alone when it has no key; else it and the keyed entries
   * due at the same instant registered after it, up to the first keyless one, one per key, at
   * most `width`.
   */
  private nextBatch(limit: number): Entry[] {
    const first = this.earliest(limit);
    if (!first || first.key === undefined || this.width === 1) return first ? [first] : [];
    const due = [...this.entries.values()].filter((e) => e.at === first.at).sort((a, b) => a.seq - b.seq);
    const batch: Entry[] = [];
    const keys = new Set<string>();
    for (const e of due) {
      if (e.key === undefined) break;
      // The same target's next entry fires in a later batch, once this one's consequences are settled.
      if (keys.has(e.key)) continue;
      keys.add(e.key);
      batch.push(e);
      if (batch.length === this.width) break;
    }
    return batch;
  }

  private async fireUntil(target: number): Promise<Fired[]> {
    const fired: Fired[] = [];
    await this.settle();
    for (;;) {
      const limit = Math.max(target, this.nowMs());
      const batch = this.nextBatch(limit);
      if (batch.length === 0) break;
      for (const entry of batch) this.entries.delete(entry.seq);
      this.jump(batch[0]!.at);
      const records = await Promise.all(
        batch.map(async (entry) => {
          const record: Fired = { at: new Date(entry.at).toISOString(), label: entry.label, outcome: 'ok' };
          try {
            await entry.fire();
          } catch (error) {
            record.outcome = 'error';
            record.error = error instanceof Error ? error.message : String(error);
          }
          return record;
        }),
      );
      await this.settle();
      fired.push(...records);
      this.log.push(...records);
    }
    this.jump(target);
    return fired;
  }

  /** What fired since the clock started, oldest first. */
  firedLog(): Fired[] {
    return [...this.log];
  }

  /** In flow mode, fires entries as they fall due in real time. */
  startTicker(intervalMs = 1000): void {
    if (this.mode !== 'flow' || this.ticker) return;
    this.ticker = setInterval(() => {
      const next = this.earliest(this.nowMs());
      if (next) void this.fireDue();
    }, intervalMs);
    this.ticker.unref();
  }

  /** Stops the ticker and waits for whatever is firing. */
  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    await this.running;
  }
}

/** `P30D`, `PT12H`, `P1M2DT3H4M5S` → the target instant (months and years are calendar months, in UTC). */
export function addIsoDuration(from: Date, duration: string): Date {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) throw new RangeError(`not an ISO-8601 duration: ${duration}`);
  const [, y, mo, w, d, h, mi, s] = m.map((v) => (v === undefined ? 0 : Number(v))) as number[];
  const t = new Date(from.getTime());
  if (y || mo) t.setUTCMonth(t.getUTCMonth() + (y! * 12 + mo!));
  return new Date(t.getTime() + (((w! * 7 + d!) * 24 + h!) * 60 + mi!) * 60_000 + s! * 1000);
}
