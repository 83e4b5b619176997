import { describe, expect, it } from 'vitest';
import { LocalClock } from '../../infra/local/clock.js';

/**
 * The local cloud's clock (infra/local/clock.ts): keyed entries due at the same instant fire side
 * by side, one per key per batch, with the settlers run after each batch; keyless entries fire
 * alone; everything else in time order.
 */
const T0 = new Date('2027-01-15T15:00:00Z');
const AT = new Date('2027-02-01T05:00:00Z');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock whose entries write what happens to `log`, and which counts how many run at once. */
function harness(width?: number) {
  const clock = new LocalClock(T0, 'frozen', width);
  const log: string[] = [];
  let running = 0;
  let most = 0;
  clock.addSettler(async () => {
    log.push('settle');
  });
  const entry = (name: string, at: Date = AT, key?: string) =>
    clock.schedule(
      at,
      name,
      async () => {
        running++;
        most = Math.max(most, running);
        log.push(`${name} start`);
        // Long enough for anything that fires alongside to start too.
        for (let i = 0; i < 5; i++) await tick();
        log.push(`${name} end`);
        running--;
      },
      key === undefined ? {} : { key },
    );
  return { clock, log, entry, most: () => most };
}

describe('LocalClock', () => {
  it('fires keyed entries due at the same instant side by side, then settles once', async () => {
    const h = harness();
    h.entry('a', AT, 'ms:a');
    h.entry('b', AT, 'ms:b');
    h.entry('c', AT, 'ms:c');
    const fired = await h.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(h.most()).toBe(3);
    expect(h.log.slice(0, 3)).toEqual(['settle', 'a start', 'b start']);
    expect(h.log.filter((l) => l === 'settle')).toHaveLength(2);
    expect(h.log.at(-1)).toBe('settle');
    expect(fired.map((f) => f.label)).toEqual(['a', 'b', 'c']);
    expect(fired.every((f) => f.at === AT.toISOString() && f.outcome === 'ok')).toBe(true);
  });

  it('keeps one key in order: its next entry fires in a later batch, after the settlers ran', async () => {
    const h = harness();
    h.entry('a1', AT, 'ms:a');
    h.entry('a2', AT, 'ms:a');
    h.entry('b1', AT, 'ms:b');
    h.entry('a3', AT, 'ms:a');
    await h.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    const at = (line: string) => h.log.indexOf(line);
    // a1 and b1 together; a2 only after a1 ended and the clock settled; a3 after a2 the same way.
    expect(at('b1 start')).toBeLessThan(at('a1 end'));
    expect(h.log.slice(at('a1 end'), at('a2 start'))).toContain('settle');
    expect(h.log.slice(at('a2 end'), at('a3 start'))).toContain('settle');
    expect(h.log.filter((l) => l.endsWith('start'))).toEqual(['a1 start', 'b1 start', 'a2 start', 'a3 start']);
    expect(h.most()).toBe(2);
  });

  it('fires a keyless entry alone, in its place among the entries of its instant', async () => {
    const h = harness();
    h.entry('a', AT, 'ms:a');
    h.entry('solo', AT);
    h.entry('b', AT, 'ms:b');
    await h.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(h.most()).toBe(1);
    expect(h.log).toEqual(['settle', 'a start', 'a end', 'settle', 'solo start', 'solo end', 'settle', 'b start', 'b end', 'settle']);
  });

  it('never fires entries of different instants together, and keeps time order', async () => {
    const h = harness();
    const later = new Date(AT.getTime() + 60_000);
    h.entry('late', later, 'ms:a');
    h.entry('early', AT, 'ms:b');
    const fired = await h.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(h.most()).toBe(1);
    expect(fired.map((f) => `${f.label}@${f.at}`)).toEqual([`early@${AT.toISOString()}`, `late@${later.toISOString()}`]);
  });

  it('fires at most `width` entries side by side; width 1 fires every entry alone', async () => {
    const narrow = harness(2);
    for (const k of ['a', 'b', 'c', 'd', 'e']) narrow.entry(k, AT, `ms:${k}`);
    await narrow.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(narrow.most()).toBe(2);
    expect(narrow.log.filter((l) => l === 'settle')).toHaveLength(4);

    const single = harness(1);
    for (const k of ['a', 'b', 'c']) single.entry(k, AT, `ms:${k}`);
    await single.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(single.most()).toBe(1);
    expect(() => new LocalClock(T0, 'frozen', 0)).toThrow(RangeError);
  });

  it('shows the clock at the batch instant to every entry of it, and records a failure without holding the others', async () => {
    const clock = new LocalClock(T0, 'frozen');
    const seen: string[] = [];
    clock.schedule(AT, 'fails', async () => {
      seen.push(clock.now().toISOString());
      throw new Error('boom');
    }, { key: 'ms:a' });
    clock.schedule(AT, 'works', async () => {
      await tick();
      seen.push(clock.now().toISOString());
    }, { key: 'ms:b' });
    const fired = await clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(seen).toEqual([AT.toISOString(), AT.toISOString()]);
    expect(fired).toEqual([
      { at: AT.toISOString(), label: 'fails', outcome: 'error', error: 'boom' },
      { at: AT.toISOString(), label: 'works', outcome: 'ok' },
    ]);
    expect(clock.now().toISOString()).toBe('2027-02-02T00:00:00.000Z');
  });

  it('fires an entry registered during a batch at the same instant in a later batch', async () => {
    const h = harness();
    h.clock.schedule(AT, 'a', async () => {
      h.log.push('a start');
      h.clock.schedule(AT, 'a-again', async () => {
        h.log.push('a-again start');
      }, { key: 'ms:c' });
    }, { key: 'ms:a' });
    h.entry('b', AT, 'ms:b');
    const fired = await h.clock.advanceTo(new Date('2027-02-02T00:00:00Z'));
    expect(fired.map((f) => f.label)).toEqual(['a', 'b', 'a-again']);
    expect(h.log.indexOf('a-again start')).toBeGreaterThan(h.log.indexOf('b end'));
  });
});
