import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A ULID (48-bit time + 80-bit randomness, Crockford base32) with a type prefix, e.g. `ms_01J…`.
 * Ids sort by creation time, which keeps "newest first" lists cheap. Within one process they
 * are monotonic: ids made in the same millisecond (or under a stopped clock) increase, so
 * events written together keep their order.
 */
export function newId(prefix: string, at: Date): string {
  let time = at.getTime();
  if (time <= lastTime) {
    time = lastTime;
    let i = lastRandom.length - 1;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i < 0) throw new RangeError('ULID randomness exhausted within one millisecond');
    lastRandom[i]!++;
  } else {
    const bytes = randomBytes(16);
    lastRandom = Array.from(bytes, (b) => b % 32);
    // Leave headroom so increments within one millisecond never overflow.
    lastRandom[0] = lastRandom[0]! % 16;
  }
  lastTime = time;
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  return `${prefix}_${timePart}${lastRandom.map((d) => CROCKFORD[d]).join('')}`;
}

export const ID_PATTERN = /^[a-z]{2,4}_[0-9A-HJKMNP-TV-Z]{26}$/;

/** An organisation id, as the identity provider's `custom:orgId` claim carries it. */
export const ORG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;

/**
 * An id derived from what it is for (e.g. the invoice of a membership's billing date), so a
 * retried decision produces the same id — and the same payment idempotency key.
 */
export function deterministicId(prefix: string, ...parts: (string | number)[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; i < 26; i++) out += CROCKFORD[digest[i]! % 32];
  return `${prefix}_${out}`;
}
