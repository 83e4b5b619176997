import * as z from 'zod';
import { NotFoundError } from '../domain/errors.js';
import { timerPlan } from '../domain/timers.js';
import { SYSTEM } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { armTimer, commitChange, dispatchOutbox, loadContext, MembershipChange, planInputs, retryOnConflict } from './membership-change.js';
import { act } from './renewal.js';

const payloadSchema = z.object({
  orgId: z.string().min(1),
  membershipId: z.string().min(1),
  name: z.string().min(1),
  at: z.iso.datetime(),
});

export type TimerOutcome =
  | { outcome: 'acted'; kinds: string[] }
  | { outcome: 'stale'; reason: string }
  | { outcome: 'membership_gone' };

/** Actions per delivery; a longer backlog continues from a timer armed a minute later. */
const MAX_ACTIONS = 20;
const MAX_ATTEMPTS = 5;

/**
 * Input: a timer payload as the schedule delivers it.
 * Output: what happened.
 * Steps: load the membership; if the delivered timer is not the armed one (stale, duplicate,
 * or a drain request) only send what is left in its outbox and make sure its armed timer
 * exists; otherwise act on every timer of its plan that is due, in order, then commit with a
 * version check (a concurrent delivery that commits first makes this one retry and find
 * nothing due). Throws when an e-mail could not be sent, so the delivery is retried.
 */
export async function handleTimer(deps: Deps, input: unknown): Promise<TimerOutcome> {
  const payload = parseInput(payloadSchema, input, 'timer payload');
  return retryOnConflict(async () => {
    let ctx;
    try {
      ctx = await loadContext(deps, payload.orgId, payload.membershipId);
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'membership_gone' } as const;
      throw error;
    }
    const m = ctx.record.membership;
    const pending = ctx.record.outbox.filter((e) => e.status !== 'sent');
    if (m.armed?.name !== payload.name) {
      const unsent = await dispatchOutbox(deps, pending);
      if (m.armed) await armTimer(deps, m, m.armed, ctx.settings.timeZone, deps.clock.now());
      if (unsent > 0) throw new Error(`${unsent} e-mail(s) of membership ${m.id} could not be sent; retrying`);
      return { outcome: 'stale', reason: m.armed ? `armed timer is ${m.armed.name}` : 'no timer is armed' } as const;
    }

    const change = new MembershipChange(deps, ctx, SYSTEM, payload.name);
    const kinds: string[] = [];
    for (let i = 0; i < MAX_ACTIONS; i++) {
      const due = timerPlan(change.membership, planInputs(ctx)).filter((t) => Date.parse(t.at) <= change.now.getTime());
      const first = due[0];
      if (!first) break;
      await act(deps, change, first, due);
      kinds.push(first.kind);
    }
    const { unsent } = await commitChange(deps, change, { skipPastReminders: false });
    const leftover = await dispatchOutbox(deps, pending);
    if (unsent + leftover > 0) throw new Error(`${unsent + leftover} e-mail(s) of membership ${m.id} could not be sent; retrying`);
    return { outcome: 'acted', kinds } as const;
  }, MAX_ATTEMPTS);
}
