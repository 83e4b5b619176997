import * as z from 'zod';
import { NotFoundError } from '../domain/errors.js';
import { timerPlan } from '../domain/timers.js';
import { SYSTEM } from '../domain/timeline.js';
import { parseInput } from '../domain/validate.js';
import type { Deps } from '../deps.js';
import { armTimer, commitChange, loadContext, MembershipChange, planInputs, retryOnConflict } from './membership-change.js';
import { act } from './renewal.js';

const payloadSchema = z.object({
  orgId: z.string().min(1).max(64),
  membershipId: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  at: z.iso.datetime(),
});

export type TimerOutcome =
  | { outcome: 'acted'; kinds: string[] }
  | { outcome: 'early'; rearmed: string }
  | { outcome: 'stale'; reason: string }
  | { outcome: 'membership_gone' };

/** Actions per delivery; a longer backlog continues from a timer armed a minute later. */
const MAX_ACTIONS = 20;
const MAX_ATTEMPTS = 5;

/**
 * Input: a timer payload as the schedule delivers it.
 * Output: what happened.
 * Steps: load the membership; a delivery that is not the armed timer (stale, duplicate) only
 * makes sure the armed timer exists; the armed one acts on every timer of the plan that is due,
 * in order, and commits with a version check (a concurrent delivery that commits first makes
 * this one retry and find nothing due). A delivery that arrives before its instant finds
 * nothing due and re-arms the plan's earliest entry, so the membership never loses its timer.
 * E-mails and charges are written in the commit and carried out by the worker.
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
    const m = ctx.state.membership;
    const now = deps.clock.now();
    if (m.armed?.name !== payload.name) {
      if (m.armed) await armTimer(deps, m, m.armed, ctx.settings.timeZone, now);
      return { outcome: 'stale', reason: m.armed ? `armed timer is ${m.armed.name}` : 'no timer is armed' } as const;
    }

    const change = new MembershipChange(deps, ctx, SYSTEM);
    const kinds: string[] = [];
    for (let i = 0; i < MAX_ACTIONS; i++) {
      const due = timerPlan(change.membership, planInputs(ctx, change.notice())).find((t) => Date.parse(t.at) <= change.now.getTime());
      if (!due) break;
      act(deps, change, due);
      kinds.push(due.kind);
    }
    if (kinds.length === 0) {
      // Early: nothing is due yet and the plan's earliest entry is the very timer delivered; the
      // schedule that fired deletes itself, so that entry is armed again under a new name (the
      // old one may not be deleted yet). When the earliest entry is another timer, this is not
      // an early delivery but a plan that moved, or a read torn by a concurrent delivery (the
      // membership read before its commit, the notice after): the plain commit below arms that
      // entry under its own name, and a conflicting commit leaves no `.e` orphan behind.
      const earliest = timerPlan(change.membership, planInputs(ctx, change.notice()))[0];
      if (earliest && earliest.name === plainName(m.armed.name)) {
        const name = rearmedName(earliest.name, m.armed.name);
        change.event('timer_rearmed', { delivered: payload.name, at: earliest.at, name });
        await commitChange(deps, change, { skipPastReminders: false, armAs: name });
        return { outcome: 'early', rearmed: name } as const;
      }
    }
    await commitChange(deps, change, { skipPastReminders: false });
    return { outcome: 'acted', kinds } as const;
  }, MAX_ATTEMPTS);
}

/** The plan's name of an armed timer: `<plan name>.e<n>` without its `.e<n>`. */
export function plainName(armedName: string): string {
  return armedName.replace(/\.e\d+$/, '');
}

/** `<plan name>.e<n>`: the n-th re-arming of a timer that was delivered early (≤ 64 characters). */
export function rearmedName(planName: string, armedName: string): string {
  const previous = armedName.startsWith(`${planName}.e`) ? Number(armedName.slice(planName.length + 2)) : 0;
  return `${planName}.e${Number.isInteger(previous) ? previous + 1 : 1}`;
}
