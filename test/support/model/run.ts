import * as fc from 'fast-check';
import type { Member } from '../../../shared/domain/member.js';
import type { Plan } from '../../../shared/domain/plan.js';
import type { Caller } from '../../../shared/use-cases/context.js';
import { createMember } from '../../../shared/use-cases/members.js';
import { createPlan } from '../../../shared/use-cases/plans.js';
import { createRefusalReason, updateRefusalReason } from '../../../shared/use-cases/refusal-reasons.js';
import { putSettings } from '../../../shared/use-cases/settings.js';
import { commandArbitraries, CreateMembership, type Model, type Real } from './commands.js';
import { type FaultRates, NO_FAULTS } from './fakes.js';
import { checkQuiet, checkSafety, InvariantError, snapshot, type Tracked } from './invariants.js';
import type { World } from './world.js';
import { ModelGateway } from './fakes.js';

/**
 * Runs model-based sequences against one world: each sequence is a fresh organisation (a random
 * time zone, plans and members), then random actions, faults and clock moves with the safety
 * invariants checked after every step; then the faults stop, the clock moves on two days so
 * every retry can run, and the quiet invariants are checked.
 */
export const TIME_ZONES = [
  'America/Toronto',
  'America/Havana',
  'America/Santiago',
  'America/St_Johns',
  'Europe/Paris',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
  'Pacific/Kiritimati',
  'UTC',
];

const planSpec = fc.record({
  cadence: fc.constantFrom('monthly' as const, 'upfront' as const),
  anchor: fc.oneof(fc.record({ type: fc.constant('purchaseDate' as const) }), fc.record({ type: fc.constant('fixedDay' as const), day: fc.integer({ min: 1, max: 28 }) })),
  termMonths: fc.constantFrom(1, 3, 12, undefined),
  // R-REN-5: notice needs an upfront plan with a term: a plan drawn with it is made one.
  policy: fc.constantFrom('automatic' as const, 'automatic' as const, 'confirmation' as const, 'none' as const, 'notice' as const, 'notice' as const),
  notice: fc.record({ sendDaysBefore: fc.constantFrom(3, 20, 28, 60), remindAfterDays: fc.constantFrom(2, 5) }),
  reminderDays: fc.uniqueArray(fc.constantFrom(1, 3, 14, 30), { maxLength: 3 }),
  memberMode: fc.constantFrom('immediate' as const, 'request' as const),
  price: fc.constantFrom(0, 1500, 2500, 9999),
  // R-DUN-2, R-DUN-6: the default ladder, short ones, the densest, a single retry; every final action.
  dunning: fc.record({
    retryDays: fc.constantFrom([3, 8, 13], [1, 2], [2, 4, 6, 8, 10, 12, 14, 16], [15]),
    finalAction: fc.constantFrom('cancel' as const, 'leave_unpaid' as const, 'downgrade' as const),
  }),
});

const memberSpec = fc.record({
  optIn: fc.boolean(),
  autoRenew: fc.boolean(),
  card: fc.option(fc.constantFrom('pm_card_visa', 'pm_card_visa', 'pm_card_mastercard', 'pm_card_chargeDeclined', 'pm_card_chargeDeclinedLostCard', 'pm_card_authenticationRequired'), { freq: 4 }),
});

const scenario = fc.record({
  timeZone: fc.constantFrom(...TIME_ZONES),
  plans: fc.array(planSpec, { minLength: 1, maxLength: 3 }),
  members: fc.array(memberSpec, { minLength: 1, maxLength: 3 }),
  startOffsetDays: fc.integer({ min: 0, max: 400 }),
  initial: fc.array(fc.tuple(fc.nat(9), fc.nat(9), fc.constantFrom(0, 0, 5, 30)), { minLength: 1, maxLength: 3 }),
  commands: fc.commands(commandArbitraries, { maxCommands: 16, size: '+1' }),
});

export interface ModelStats {
  sequences: number;
  steps: Record<string, number>;
  faults: Record<string, number>;
  charges: number;
  refunds: number;
  emailsSent: number;
  emailsDropped: number;
  violations: Record<string, number>;
  /** Dunning and offline-invoice runs at the end of each sequence, by kind, state and outcome. */
  runs: Record<string, number>;
  /** Renewal notices at the end of each sequence, by mode and status (and paid). */
  notices: Record<string, number>;
}

export function emptyStats(): ModelStats {
  return { sequences: 0, steps: {}, faults: {}, charges: 0, refunds: 0, emailsSent: 0, emailsDropped: 0, violations: {}, runs: {}, notices: {} };
}

let orgCounter = 0;

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function setUp(world: World, s: Scenario): Promise<Real> {
  const orgId = `model-${process.pid}-${++orgCounter}`;
  const caller: Caller = { orgId, actor: { type: 'admin', id: 'model@club.example' } };
  const deps = world.deps;
  await world.advanceTo(new Date(world.clock.now().getTime() + s.startOffsetDays * 86_400_000));
  await putSettings(deps, caller, {
    name: 'Model club',
    mainContactEmail: 'staff@club.example',
    sender: { name: 'Sophie Gagnon', email: 'sophie@club.example' },
    replyTo: 'membres@club.example',
    timeZone: s.timeZone,
    locale: 'en',
    jurisdiction: 'ON',
  });
  world.connect(orgId);
  const plans: Plan[] = [];
  const tracked: Tracked = { orgId, timeZone: s.timeZone, membershipIds: [], reminderWatch: new Map(), plans: new Map(), held: new Map() };
  for (const [i, drawn] of s.plans.entries()) {
    const notice = drawn.policy === 'notice';
    // Mostly short terms, so that sequences reach the notice, its answer and the term end.
    const p = notice ? { ...drawn, cadence: 'upfront' as const, termMonths: drawn.termMonths === 12 || drawn.termMonths === undefined ? 1 : drawn.termMonths } : drawn;
    const policy = p.policy;
    const renewal =
      p.termMonths === undefined
        ? undefined
        : notice
          ? { policy, reminderDays: [], notice: { sendDaysBefore: Math.min(p.notice.sendDaysBefore, p.termMonths * 28), remindAfterDays: p.notice.remindAfterDays } }
          : { policy, reminderDays: policy === 'none' ? [] : p.reminderDays };
    const plan = await createPlan(deps, caller, {
      name: `Plan ${i}`,
      price: { amount: p.price, currency: 'CAD' },
      ...(p.termMonths === undefined ? {} : { termMonths: p.termMonths }),
      billing: { cadence: p.cadence, anchor: p.anchor },
      ...(renewal ? { renewal } : {}),
      cancellation: { memberMode: p.memberMode },
      dunning: dunningOf(p, plans),
    });
    plans.push(plan);
    tracked.plans.set(plan.id, { policy: renewal?.policy ?? 'none', reminderDays: renewal?.reminderDays ?? [], editedAt: null });
  }
  const members: Member[] = [];
  for (const [i, m] of s.members.entries()) {
    const member = await createMember(deps, caller, {
      name: `Member ${i} Lévesque`,
      email: `member${i}@example.org`,
      communicationsOptIn: m.optIn,
      autoRenew: m.autoRenew,
      ...(m.card ? { paymentMethod: { token: ModelGateway.attachable(m.card) } } : {}),
    });
    if (m.card) world.gateway.declineLike(orgId, member.paymentMethod?.gatewayRef, m.card);
    members.push(member);
  }
  // R-NOT-3: the reasons staff refuse renewals with (one of them retired).
  const reasons = [await createRefusalReason(deps, caller, { label: 'Moved away' }), await createRefusalReason(deps, caller, { label: 'Closed business' })];
  const retired = await createRefusalReason(deps, caller, { label: 'Old reason' });
  await updateRefusalReason(deps, caller, retired.id, { retired: true }, undefined);
  return { world, caller, tracked, plans, members, stats: {}, reasons: [...reasons.map((r) => r.id), retired.id] };
}

/** A downgrade falls back to an earlier plan billed the same way; without one, the run cancels. */
function dunningOf(p: Scenario['plans'][number], earlier: Plan[]) {
  const fallback = earlier.find((e) => e.billing.cadence === p.cadence);
  if (p.dunning.finalAction !== 'downgrade') return { retryDays: p.dunning.retryDays, finalAction: p.dunning.finalAction, fallbackPlanId: null };
  return fallback ? { retryDays: p.dunning.retryDays, finalAction: 'downgrade' as const, fallbackPlanId: fallback.id } : { retryDays: p.dunning.retryDays, finalAction: 'cancel' as const, fallbackPlanId: null };
}

/** The memberships a sequence starts with, bought through the same command as later ones. */
async function buyInitial(real: Real, model: Model, initial: Scenario['initial']): Promise<void> {
  for (const [member, plan, days] of initial) await new CreateMembership(member, plan, days, 1).run(model, real);
}

/** Stops the faults and lets every retry run: two days, in steps. */
async function quiet(world: World): Promise<void> {
  const rates = world.faults.rates;
  world.faults.rates = NO_FAULTS;
  try {
    for (let i = 0; i < 4; i++) await world.advanceTo(new Date(world.clock.now().getTime() + 12 * 3_600_000));
    await world.settle();
  } finally {
    world.faults.rates = rates;
  }
}

export async function runSequences(
  world: World,
  options: { numRuns: number; seed?: number; faults?: FaultRates; stats?: ModelStats; endOnFailure?: boolean; onSequence?: (stats: ModelStats, ms: number) => void },
): Promise<ModelStats> {
  const stats = options.stats ?? emptyStats();
  world.faults.rates = options.faults ?? NO_FAULTS;
  const property = fc.asyncProperty(scenario, async (s) => {
    const began = Date.now();
    const real = await setUp(world, s);
    const model: Model = { memberships: 0 };
    try {
      await buyInitial(real, model, s.initial);
      await fc.asyncModelRun(() => ({ model, real }), s.commands);
      await quiet(world);
      const snap = await snapshot(world, real.tracked);
      await checkSafety(world, real.tracked, snap);
      checkQuiet(snap);
      stats.charges += snap.ledger.filter((e) => e.kind === 'charge').length;
      stats.refunds += snap.ledger.filter((e) => e.kind === 'refund').length;
      stats.emailsSent += snap.outbox.filter((o) => o.status === 'sent').length;
      stats.emailsDropped += snap.outbox.filter((o) => o.status === 'dropped').length;
      for (const run of snap.runs.values()) {
        const key = `${run.kind}:${run.state}${run.outcome ? `:${run.outcome}` : run.recovered ? `:${run.recovered.by}` : ''}`;
        stats.runs[key] = (stats.runs[key] ?? 0) + 1;
      }
      for (const n of snap.notices.values()) {
        if (!n) continue;
        const key = `${n.mode}:${n.status}${n.paidAt ? ':paid' : ''}`;
        stats.notices[key] = (stats.notices[key] ?? 0) + 1;
      }
    } catch (error) {
      if (error instanceof InvariantError) stats.violations[error.violation] = (stats.violations[error.violation] ?? 0) + 1;
      throw error;
    } finally {
      // The next sequence is another organisation on the same clock: this one's timers and records go.
      world.scheduler.clear();
      await world.stopExecutions();
      world.ses.sent.length = 0;
      stats.sequences++;
      for (const [k, v] of Object.entries(real.stats)) stats.steps[k] = (stats.steps[k] ?? 0) + v;
      options.onSequence?.(stats, Date.now() - began);
    }
  });
  const before = { ...world.faults.injected };
  try {
    await fc.assert(property, { numRuns: options.numRuns, seed: options.seed, endOnFailure: options.endOnFailure ?? false });
  } finally {
    for (const [k, v] of Object.entries(world.faults.injected)) stats.faults[k] = (stats.faults[k] ?? 0) + v - (before[k] ?? 0);
  }
  return stats;
}
