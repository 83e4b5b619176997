import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient, DynamoStore } from '../../shared/adapters/dynamodb/store.js';
import { newId } from '../../shared/domain/ids.js';
import { NOTICE_BOARDS, type Notice, type NoticeBoard } from '../../shared/domain/notice.js';
import { createTestTable, dynamodbClient } from '../support/aws.js';

/**
 * R-NOT-9: every renewal dashboard is one Query on a sparse index of the real table (DynamoDB
 * Local, the synthesized table), newest first, paginated; "unanswered for more than 7 days / 6
 * months" and "due a reminder" are bounds on an instant in the key condition.
 */
const ORG = `boards-${Date.now()}`;
const NOW = new Date('2027-09-01T12:00:00.000Z');
const DAY = 86_400_000;

let store: DynamoStore;
const calls: string[] = [];

beforeAll(async () => {
  const client = dynamodbClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  store = new DynamoStore(documentClient(client), await createTestTable(client));
});

function notice(name: string, daysAgo: number, over: Partial<Notice> = {}): Notice {
  const sentAt = new Date(NOW.getTime() - daysAgo * DAY).toISOString();
  return {
    id: newId('ntc', NOW),
    orgId: ORG,
    membershipId: newId('ms', NOW),
    memberId: newId('mbr', NOW),
    memberName: name,
    memberEmail: `${name.toLowerCase()}@example.org`,
    termSeq: 1,
    termEnd: '2027-10-01',
    planName: 'Annual',
    mode: 'notice',
    status: 'sent',
    heldFrom: null,
    next: { planId: newId('pln', NOW), planName: 'Annual', price: { amount: 30000, currency: 'CAD' }, termMonths: 12, seq: 2, start: '2027-10-02', end: '2028-10-01' },
    sentAt,
    mailed: true,
    lastContactAt: sentAt,
    remindAfterDays: 5,
    autoReminded: false,
    reminders: 0,
    message: null,
    answeredAt: null,
    approvals: 0,
    approved: null,
    invoiceId: null,
    paidAt: null,
    refusal: null,
    timeline: [{ at: sentAt, type: 'sent', actor: { type: 'system', id: 'relance' }, data: {} }],
    version: 0,
    createdAt: sentAt,
    updatedAt: sentAt,
    ...over,
  };
}

const approved = { status: 'approved' as const, approved: { at: NOW.toISOString(), by: { type: 'admin' as const, id: 'staff' } }, invoiceId: newId('inv', NOW) };
const FIXTURES: Notice[] = [
  notice('Fresh', 1),
  notice('Week', 8),
  notice('Old', 200),
  notice('Reminded', 10, { lastContactAt: new Date(NOW.getTime() - 2 * DAY).toISOString() }),
  notice('Asks', 3, { status: 'change_requested', message: 'Family plan please' }),
  notice('Flagged', 9, { status: 'intervention_required', heldFrom: 'sent' }),
  notice('Unpaid', 12, approved),
  notice('Paid', 20, { ...approved, paidAt: NOW.toISOString() }),
  notice('Refused', 30, { status: 'refused', refusal: { reasonId: newId('rsn', NOW), label: 'Moved', at: NOW.toISOString(), by: { type: 'admin', id: 'staff' }, note: null } }),
];

const EXPECTED: Record<NoticeBoard, string[]> = {
  // Newest first by sent instant (to-remind: by the instant it became due).
  active: ['Fresh', 'Asks', 'Week', 'Flagged', 'Reminded', 'Unpaid', 'Old'],
  'change-requests': ['Asks'],
  intervention: ['Flagged'],
  'accepted-unpaid': ['Unpaid'],
  'unanswered-7d': ['Week', 'Reminded', 'Old'],
  'unanswered-6m': ['Old'],
  'to-remind': ['Week', 'Old'],
};

describe('renewal dashboards (R-NOT-9)', () => {
  beforeAll(async () => {
    for (const n of FIXTURES) await store.commit([{ kind: 'notice', value: n }]);
  });

  it.each(NOTICE_BOARDS)('R-NOT-9: board %s is one Query, newest first, with only its notices', async (board) => {
    calls.length = 0;
    const page = await store.listNotices(ORG, board, NOW, { limit: 50 });
    expect(calls).toEqual(['QueryCommand']);
    expect(page.items.map((n) => n.memberName)).toEqual(EXPECTED[board]);
    expect(page.nextCursor).toBeNull();
    // Every row carries what a dashboard shows.
    for (const row of page.items) {
      expect(row).toMatchObject({ id: expect.stringMatching(/^ntc_/), membershipId: expect.stringMatching(/^ms_/), memberName: expect.any(String), planName: 'Annual', termEnd: '2027-10-01', sentAt: expect.any(String) });
      expect(row.next.end).toBe('2028-10-01');
    }
  });

  it('R-NOT-9: a board pages with its cursor, one Query a page, and the pages add up to the board', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    calls.length = 0;
    do {
      const page = await store.listNotices(ORG, 'active', NOW, { limit: 3, cursor });
      seen.push(...page.items.map((n) => n.memberName));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(EXPECTED.active);
    expect(calls.every((c) => c === 'QueryCommand')).toBe(true);
    expect(calls).toHaveLength(pages);
  });

  it('R-NOT-9: a notice moves between boards as it changes: refused, it leaves all of them', async () => {
    const n = notice('Mover', 8);
    await store.commit([{ kind: 'notice', value: n }]);
    expect((await store.listNotices(ORG, 'unanswered-7d', NOW, { limit: 50 })).items.map((x) => x.id)).toContain(n.id);
    const stored = (await store.getNotice(ORG, n.id))!;
    await store.commit([{ kind: 'notice', value: { ...stored, status: 'refused' } }]);
    for (const board of NOTICE_BOARDS) {
      expect((await store.listNotices(ORG, board, NOW, { limit: 50 })).items.map((x) => x.id)).not.toContain(n.id);
    }
  });
});
