import type { Deps } from '../deps.js';
import type { RetryPayload } from '../ports/timers.js';
import type { WorkRef } from '../ports/store.js';

/**
 * A one-shot schedule that hands an e-mail or a payment attempt back to the worker at `at`:
 * the durable half of "retries within minutes". The name is deterministic per try, so arming
 * the same try twice is a no-op, and it deletes itself after it fires.
 */
export function retryScheduleName(work: RetryPayload['work'], id: string, tries: number): string {
  return `${work === 'mail' ? 'mail' : work === 'webhook' ? 'whk' : 'pay'}-${id}-t${tries}`;
}

export function armRetry(deps: Pick<Deps, 'timers' | 'clock'>, work: RetryPayload['work'], ref: WorkRef, at: Date, tries: number): Promise<void> {
  const earliest = deps.clock.now().getTime() + 60_000;
  return deps.timers.arm({
    target: 'worker',
    name: retryScheduleName(work, ref.id, tries),
    at: new Date(Math.max(at.getTime(), earliest)),
    timeZone: 'UTC',
    payload: { work, orgId: ref.orgId, membershipId: ref.membershipId, id: ref.id },
  });
}
