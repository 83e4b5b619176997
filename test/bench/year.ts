import { readdirSync, readFileSync } from 'node:fs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SETTINGS_BODY } from '../support/fixtures.js';
import { startLocalCloud, type LocalCloud } from '../../infra/local/cloud.js';
import type { Fired } from '../../infra/local/clock.js';
import { memberLinkUrl } from '../../shared/domain/links.js';
import type { Caller } from '../../shared/use-cases/context.js';
import { cancelByAdmin } from '../../shared/use-cases/cancellation.js';
import { recordPayment } from '../../shared/use-cases/collection.js';
import { actOnLink } from '../../shared/use-cases/links.js';
import { createMember } from '../../shared/use-cases/members.js';
import { createMembership } from '../../shared/use-cases/memberships.js';
import { approveNotice, getNotice, refuseNotice } from '../../shared/use-cases/notices.js';
import { createPlan } from '../../shared/use-cases/plans.js';
import { createRefusalReason } from '../../shared/use-cases/refusal-reasons.js';
import { putSettings } from '../../shared/use-cases/settings.js';

/**
 * Issue 13, item 6: a simulated year of a club on the local cloud (`npm run bench -- --only year`).
 *
 * One organisation (Toronto, Quebec rules) with a plan per way of renewing: monthly without a
 * term; annual billed monthly, renewing automatically; annual upfront, renewing automatically
 * (dunning left unpaid); quarterly upfront renewed by the member's click (confirmation); annual
 * upfront renewed by notice. `memberships` memberships (default 1,000) over about 0.8 as many
 * members (a fifth of them hold two), about one in ten on a card that attaches and then declines
 * every charge (`pm_card_chargeCustomerFail`), so the dunning ladder runs on Step Functions to
 * its final action. During the year staff cancel some monthly memberships, quarterly members
 * click "renew" each quarter, and the renewal notices are approved (and paid by cheque), accepted
 * by the member, refused, or left unanswered. Then the frozen clock moves a full year, day by
 * day through the actions, firing every timer, retry and wait on the way.
 *
 * Timed: from the first use-case call (settings) to the year's end with every stream record,
 * webhook and SES event worked (the cloud's start, about 3 s of DynamoDB Local and synthesis,
 * is shown apart; the checks after the year are not timed). The outcome is checked and a wrong
 * one throws: every membership charged exactly as its plan and story say, no invoice charged
 * twice, no e-mail sent twice, every declining card's membership dunned, no failed firing, no
 * dead letter, and each live membership with exactly one schedule.
 */
export interface YearFigures {
  memberships: number;
  seconds: number;
  timersFired: number;
  emails: number;
  charges: number;
  /** DynamoDB and DynamoDB Streams calls from the first use-case call to the year's end. */
  dynamodbCalls: number;
  /** CPU seconds DynamoDB Local (the Java engine) spent meanwhile; null where /proc is not there. */
  engineCpuSeconds: number | null;
  /** CPU seconds this process spent meanwhile: the functions, the SDK, the local services. */
  processCpuSeconds: number;
  rows: string[];
}

type Sendable = { send: (...args: unknown[]) => Promise<unknown> };

/** Counts every DynamoDB and Streams call until the returned function stops counting. */
function countDynamoDbCalls(): { calls: () => number; stop: () => void } {
  let calls = 0;
  const prototypes = [DynamoDBDocumentClient.prototype, DynamoDBStreamsClient.prototype] as unknown as Sendable[];
  const sends = prototypes.map((p) => p.send);
  prototypes.forEach((p, i) => {
    p.send = function (this: unknown, ...args: unknown[]) {
      calls++;
      return sends[i]!.apply(this, args);
    };
  });
  return { calls: () => calls, stop: () => prototypes.forEach((p, i) => (p.send = sends[i]!)) };
}

/** CPU seconds (user + system) of this process's `java` children (DynamoDB Local), from /proc; null elsewhere. */
function engineCpuSeconds(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === 'java' && Number(fields[1]) === process.pid) ticks += Number(fields[11]) + Number(fields[12]);
    }
    // Clock ticks are 100 a second on Linux.
    return ticks / 100;
  } catch {
    return null;
  }
}

const START = new Date('2027-01-15T15:00:00Z');
const END = new Date('2028-01-15T15:00:00Z');
const ORG = 'bench-year';
const CALLER: Caller = { orgId: ORG, actor: { type: 'admin', id: 'bench' } };
const GOOD = 'pm_card_visa';
const DECLINING = 'pm_card_chargeCustomerFail';

type PlanKey = 'monthly' | 'annualMonthly' | 'annualUpfront' | 'quarterly' | 'notice';
/** What happens to a membership during the year. */
type Story = 'plain' | 'declining' | 'cancelled' | 'confirms' | 'lapses' | 'approved' | 'accepted' | 'refused' | 'unanswered';

interface Planned {
  plan: PlanKey;
  story: Story;
  memberIndex: number;
  id?: string;
}

/**
 * Successful charges a membership of each plan and story gets in the year, from the rules:
 * monthly purchase-date billing charges the purchase and each of 12 billing dates (the last on
 * 2028-01-15, within the year); annual billed monthly on the 1st charges the purchase and 12
 * first-of-months (its term end renews without a charge); annual upfront charges the purchase
 * and the renewed term at its end (2028-01-15); quarterly confirmed each quarter charges the
 * purchase and 4 renewed terms, unconfirmed only the purchase; a notice renewal is invoiced, not
 * charged (paid by cheque or left open); a card that declines never succeeds; an admin
 * cancellation for July ends on the billing eve of July 15: purchase + February…June.
 */
function expectedCharges(p: Planned): number {
  if (p.story === 'declining') return 0;
  switch (p.plan) {
    case 'monthly':
      return p.story === 'cancelled' ? 6 : 13;
    case 'annualMonthly':
      return 13;
    case 'annualUpfront':
      return 2;
    case 'quarterly':
      return p.story === 'confirms' ? 5 : 1;
    case 'notice':
      return 1;
  }
}

/** The year's memberships: plans and stories spread deterministically (the same every run). */
function plan(count: number): { memberships: Planned[]; members: { declining: boolean }[] } {
  const memberCount = Math.max(1, Math.round(count * 0.8));
  const members = Array.from({ length: memberCount }, (_, i) => ({ declining: i % 10 === 7 }));
  const plans: PlanKey[] = ['monthly', 'monthly', 'annualMonthly', 'annualMonthly', 'annualUpfront', 'quarterly', 'notice'];
  const memberships: Planned[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < count; i++) {
    // The first pass gives each member one membership; the second gives a fifth of them another, on another plan.
    const memberIndex = i < memberCount ? i : ((i - memberCount) * 4) % memberCount;
    const declining = members[memberIndex]!.declining;
    // Declining cards go on the plans charged at once (a notice renewal charges nothing; a quarterly click needs a card that works).
    const choices = declining ? plans.filter((k) => k !== 'notice' && k !== 'quarterly') : plans;
    let k = (i * 3 + Math.floor(i / 7)) % choices.length;
    while (taken.has(`${memberIndex}:${choices[k]}`)) k = (k + 1) % choices.length;
    const key = choices[k]!;
    taken.add(`${memberIndex}:${key}`);
    const n = memberships.filter((m) => m.plan === key).length;
    let story: Story = 'plain';
    if (declining) story = 'declining';
    else if (key === 'monthly' && n % 6 === 1) story = 'cancelled';
    else if (key === 'quarterly') story = n % 2 === 0 ? 'confirms' : 'lapses';
    else if (key === 'notice') story = (['approved', 'accepted', 'refused', 'unanswered'] as const)[n % 4]!;
    memberships.push({ plan: key, story, memberIndex });
  }
  return { memberships, members };
}

const PLAN_BODIES: Record<PlanKey, object> = {
  monthly: {
    name: 'Monthly access',
    price: { amount: 4000, currency: 'CAD' },
    billing: { cadence: 'monthly', anchor: { type: 'purchaseDate' } },
    cancellation: { memberMode: 'immediate' },
  },
  annualMonthly: {
    name: 'Annual membership, billed monthly',
    price: { amount: 2500, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'monthly', anchor: { type: 'fixedDay', day: 1 } },
    renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
    cancellation: { memberMode: 'immediate' },
    dunning: { retryDays: [3, 8, 13], finalAction: 'cancel', fallbackPlanId: null },
  },
  annualUpfront: {
    name: 'Annual membership',
    price: { amount: 30000, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'automatic', reminderDays: [30, 14, 3] },
    cancellation: { memberMode: 'request' },
    dunning: { retryDays: [2, 5], finalAction: 'leave_unpaid', fallbackPlanId: null },
  },
  quarterly: {
    name: 'Season pass',
    price: { amount: 9000, currency: 'CAD' },
    termMonths: 3,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'confirmation', reminderDays: [14, 3] },
    cancellation: { memberMode: 'request' },
  },
  notice: {
    name: 'Corporate membership',
    price: { amount: 45000, currency: 'CAD' },
    termMonths: 12,
    billing: { cadence: 'upfront', anchor: { type: 'purchaseDate' } },
    renewal: { policy: 'notice', reminderDays: [], notice: { sendDaysBefore: 45, remindAfterDays: 7 } },
    cancellation: { memberMode: 'request' },
  },
};

const day = (iso: string) => new Date(`${iso}T17:00:00Z`);

async function localJson<T>(cloud: LocalCloud, path: string): Promise<T> {
  const response = await fetch(`${cloud.url}${path}`);
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

export async function benchYear(options: { memberships?: number } = {}): Promise<YearFigures> {
  const count = options.memberships ?? 1000;
  // The functions log a JSON line per timer, stream record and SES event (some 100,000 in the
  // year): a terminal would time its own scrolling. Info lines are dropped while the year runs;
  // warnings and errors still show.
  const info = console.info;
  console.info = () => undefined;
  const began = Date.now();
  const cloud = await startLocalCloud({ port: 0, seed: false, clock: { start: START, mode: 'frozen' } }).catch((error: unknown) => {
    console.info = info;
    throw error;
  });
  const startSeconds = (Date.now() - began) / 1000;
  const fired: Fired[] = [];
  const advance = async (to: Date) => {
    fired.push(...(await cloud.clock.advanceTo(to)));
    await cloud.settle();
  };
  try {
    const t0 = Date.now();
    const counter = countDynamoDbCalls();
    const engine0 = engineCpuSeconds();
    const cpu0 = process.cpuUsage();
    const deps = cloud.deps;
    await putSettings(deps, CALLER, { ...SETTINGS_BODY, locale: 'en' });
    const plans = {} as Record<PlanKey, string>;
    for (const key of Object.keys(PLAN_BODIES) as PlanKey[]) plans[key] = (await createPlan(deps, CALLER, PLAN_BODIES[key])).id;
    const reason = await createRefusalReason(deps, CALLER, { label: 'Unpaid dues', labels: { 'fr-CA': 'Cotisation impayée', en: 'Unpaid dues' } });

    const { memberships, members } = plan(count);
    const memberIds: string[] = new Array(members.length);
    await pool(members, 8, async (m, i) => {
      const member = await createMember(deps, CALLER, {
        name: `Member ${i}`,
        email: `member${i}@example.org`,
        communicationsOptIn: true,
        paymentMethod: { token: m.declining ? DECLINING : GOOD },
      });
      memberIds[i] = member.id;
    });
    await pool(memberships, 8, async (p) => {
      p.id = (await createMembership(deps, CALLER, { memberId: memberIds[p.memberIndex], planId: plans[p.plan] })).membership.id;
    });
    await cloud.settle();
    const setupSeconds = (Date.now() - t0) / 1000;

    const byStory = (story: Story, key?: PlanKey) => memberships.filter((p) => p.story === story && (!key || p.plan === key));
    const click = async (p: Planned, purpose: 'renew' | 'notice', form: Record<string, string> = {}) => {
      const url = memberLinkUrl(deps.linkKeys, cloud.url, { purpose, orgId: ORG, membershipId: p.id! }, deps.clock.now());
      const token = url.slice(url.lastIndexOf('/l/') + 3);
      return actOnLink(deps, decodeURIComponent(token), form);
    };
    let renewals = 0;
    const renewQuarterly = async () => {
      await pool(byStory('confirms'), 4, async (p) => {
        const result = await click(p, 'renew');
        if (result.status === 200 && result.page.view === 'renew_done') renewals++;
      });
      await cloud.settle();
    };

    const t1 = Date.now();
    await renewQuarterly();
    // Month by month; on the way, the actions of staff and members.
    const points: [string, () => Promise<void>][] = [
      ['2027-03-01', async () => {
        await pool(byStory('cancelled'), 4, async (p) => {
          await cancelByAdmin(deps, CALLER, p.id!, { month: '2027-07' });
        });
        await cloud.settle();
      }],
      ['2027-04-20', renewQuarterly],
      ['2027-07-20', renewQuarterly],
      ['2027-10-20', renewQuarterly],
      // The notices went out on 2027-11-30 (45 days before the term's last day, 2028-01-14).
      ['2027-12-03', async () => {
        await pool(byStory('approved'), 4, async (p) => {
          const noticeId = (await deps.store.getMembership(ORG, p.id!))!.notice!.id;
          await approveNotice(deps, CALLER, noticeId);
        });
        await pool(byStory('refused'), 4, async (p) => {
          const noticeId = (await deps.store.getMembership(ORG, p.id!))!.notice!.id;
          await refuseNotice(deps, CALLER, noticeId, { reasonId: reason.id });
        });
        await pool(byStory('accepted'), 4, async (p) => {
          const result = await click(p, 'notice', { action: 'accept' });
          if (result.page.view !== 'notice_accepted') throw new Error(`membership ${p.id}: the notice could not be accepted (${result.page.view})`);
        });
        await cloud.settle();
      }],
      ['2027-12-20', async () => {
        // The approved renewals are paid by cheque; the accepted ones stay unpaid (past due at the term end).
        await pool(byStory('approved'), 4, async (p) => {
          const noticeId = (await deps.store.getMembership(ORG, p.id!))!.notice!.id;
          const notice = await getNotice(deps, CALLER, noticeId);
          await recordPayment(deps, CALLER, notice.invoiceId!, { method: 'cheque', reference: `chq-${p.memberIndex}` });
        });
        await cloud.settle();
      }],
    ];
    for (let month = 1; month <= 12; month++) {
      const first = new Date(Date.UTC(2027, month, 1, 17));
      for (const [at, act] of points) {
        const when = day(at);
        if (when.getTime() <= first.getTime() && when.getTime() > cloud.clock.now().getTime()) {
          await advance(when);
          await act();
        }
      }
      await advance(first.getTime() < END.getTime() ? first : END);
    }
    await advance(END);
    const yearSeconds = (Date.now() - t1) / 1000;
    const seconds = (Date.now() - t0) / 1000;
    const dynamodbCalls = counter.calls();
    counter.stop();
    const engine1 = engineCpuSeconds();
    const engineCpu = engine0 === null || engine1 === null ? null : engine1 - engine0;
    const cpu = process.cpuUsage(cpu0);
    const processCpu = (cpu.user + cpu.system) / 1e6;

    // The checks (not timed).
    const payments = await localJson<{ items: { metadata: Record<string, string>; result: { status: string } }[] }>(cloud, '/_local/payments');
    const emails = await localJson<{ items: { reference: string | null; to: string[]; subject: string }[] }>(cloud, '/_local/emails');
    const schedules = await localJson<{ items: { name: string }[]; deadLetters: unknown[] }>(cloud, '/_local/schedules');
    const stream = await localJson<{ deadLetters: unknown[] }>(cloud, '/_local/stream');
    const problems: string[] = [];

    const succeededByInvoice = new Map<string, number>();
    const attemptsByInvoice = new Map<string, number>();
    for (const pi of payments.items) {
      const invoiceId = pi.metadata.invoiceId ?? '?';
      attemptsByInvoice.set(invoiceId, (attemptsByInvoice.get(invoiceId) ?? 0) + 1);
      if (pi.result.status === 'succeeded') succeededByInvoice.set(invoiceId, (succeededByInvoice.get(invoiceId) ?? 0) + 1);
    }
    for (const [invoiceId, n] of succeededByInvoice) if (n > 1) problems.push(`invoice ${invoiceId} charged ${n} times`);
    const charges = [...succeededByInvoice.values()].reduce((a, b) => a + b, 0);

    const invoiceOwner = new Map<string, string>();
    await pool(memberships, 8, async (p) => {
      // Every invoice of the membership (the record shows only the latest): page by page.
      let cursor: string | undefined;
      do {
        const page = await deps.store.listInvoicesOfMembership(ORG, p.id!, { limit: 100, cursor });
        for (const invoice of page.items) invoiceOwner.set(invoice.id, p.id!);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    });
    const chargedBy = new Map<string, number>();
    const attemptedBy = new Map<string, number>();
    for (const [invoiceId, n] of succeededByInvoice) {
      const owner = invoiceOwner.get(invoiceId);
      if (!owner) problems.push(`charge of invoice ${invoiceId}, which no membership lists`);
      else chargedBy.set(owner, (chargedBy.get(owner) ?? 0) + n);
    }
    for (const [invoiceId, n] of attemptsByInvoice) {
      const owner = invoiceOwner.get(invoiceId);
      if (owner) attemptedBy.set(owner, (attemptedBy.get(owner) ?? 0) + n);
    }
    const wrong = new Map<string, string[]>();
    for (const p of memberships) {
      const got = chargedBy.get(p.id!) ?? 0;
      const want = expectedCharges(p);
      if (got !== want) wrong.set(`${p.plan}/${p.story}`, [...(wrong.get(`${p.plan}/${p.story}`) ?? []), `${p.id}: ${got} charges, expected ${want}`]);
      // A declining card is tried, then retried along the plan's dunning ladder.
      if (p.story === 'declining' && (attemptedBy.get(p.id!) ?? 0) < 2) problems.push(`membership ${p.id} (${p.plan}) on a declining card was not dunned: ${attemptedBy.get(p.id!) ?? 0} attempt(s)`);
    }
    for (const [kind, list] of wrong) problems.push(`${list.length} ${kind} membership(s) charged wrongly, e.g. ${list.slice(0, 3).join('; ')}`);
    const quarterlyWanted = byStory('confirms').length * 4;
    if (renewals !== quarterlyWanted) problems.push(`${renewals} quarterly renewals clicked, expected ${quarterlyWanted}`);

    const references = new Map<string, number>();
    for (const e of emails.items) if (e.reference) references.set(e.reference, (references.get(e.reference) ?? 0) + 1);
    const duplicated = [...references].filter(([, n]) => n > 1);
    if (duplicated.length > 0) problems.push(`${duplicated.length} e-mail(s) sent more than once, e.g. ${duplicated.slice(0, 3).map(([r, n]) => `${r} ×${n}`).join(', ')}`);
    if (emails.items.some((e) => !e.reference)) problems.push('an e-mail without its X-Relance-Reference');

    const failed = fired.filter((f) => f.outcome === 'error');
    if (failed.length > 0) problems.push(`${failed.length} firing(s) failed, e.g. ${failed.slice(0, 3).map((f) => `${f.label}: ${f.error}`).join('; ')}`);
    if (schedules.deadLetters.length > 0) problems.push(`${schedules.deadLetters.length} schedule dead letter(s)`);
    if (stream.deadLetters.length > 0) problems.push(`${stream.deadLetters.length} stream dead letter(s)`);
    const armed = new Map<string, number>();
    for (const s of schedules.items) {
      const id = /^(ms_[0-9A-Z]+)-/.exec(s.name)?.[1];
      if (id) armed.set(id, (armed.get(id) ?? 0) + 1);
    }
    for (const [id, n] of armed) if (n > 1) problems.push(`membership ${id} has ${n} schedules`);
    const timersFired = fired.filter((f) => f.label.startsWith('scheduler ')).length;
    const waitsFired = fired.filter((f) => f.label.startsWith('states ')).length;

    if (problems.length > 0) throw new Error(`the simulated year is wrong:\n- ${problems.join('\n- ')}`);

    const perPlan = (Object.keys(PLAN_BODIES) as PlanKey[]).map((k) => `${k} ${memberships.filter((p) => p.plan === k).length}`).join(', ');
    const rows = [
      '| simulated year on the local cloud | figure |',
      '|---|---:|',
      `| memberships (${perPlan}) | ${count} |`,
      `| members (${members.filter((m) => m.declining).length} on a declining card) | ${members.length} |`,
      `| **setup + year, wall** | **${seconds.toFixed(1)} s** |`,
      `| of which setup (settings, plans, members, memberships, first charges) | ${setupSeconds.toFixed(1)} s |`,
      `| of which the year (2027-01-15 → 2028-01-15, frozen clock) | ${yearSeconds.toFixed(1)} s |`,
      `| not counted: the cloud's start (DynamoDB Local, synthesis, servers) | ${startSeconds.toFixed(1)} s |`,
      `| timers fired (scheduler deliveries, retries included) | ${timersFired} |`,
      `| Step Functions waits fired (dunning ladder) | ${waitsFired} |`,
      `| charges made (succeeded; attempts incl. declines ${payments.items.length}) | ${charges} |`,
      `| e-mails sent | ${emails.items.length} |`,
      `| DynamoDB calls, setup + year (a transaction or a batch is one; stream reads included) | ${dynamodbCalls} (${(dynamodbCalls / Math.max(1, timersFired)).toFixed(1)} per timer fired) |`,
      `| CPU of DynamoDB Local meanwhile (the Java engine) | ${engineCpu === null ? 'not measured here' : `${engineCpu.toFixed(1)} s, ${((engineCpu * 1000) / Math.max(1, dynamodbCalls)).toFixed(2)} ms a call`} |`,
      `| CPU of this process meanwhile (functions, SDK, local services) | ${processCpu.toFixed(1)} s, ${((processCpu * 1000) / Math.max(1, dynamodbCalls)).toFixed(2)} ms a DynamoDB call |`,
    ];
    return { memberships: count, seconds, timersFired, emails: emails.items.length, charges, dynamodbCalls, engineCpuSeconds: engineCpu, processCpuSeconds: processCpu, rows };
  } finally {
    await cloud.stop();
    console.info = info;
  }
}
