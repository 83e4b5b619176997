import { awaitingPayment, inProcess, type Notice, type NoticeBoard, remindAt } from '../../../domain/notice.js';
import type { Item } from './keys.js';

/**
 * R-NOT-1, R-NOT-9: a renewal notice is its own item, keyed by its id, and places itself on the
 * dashboards through three sparse index keys, each sorted by an instant so that "unanswered for
 * more than N days" and "due for a reminder" are key conditions, not filters:
 *
 * - gsi1 `NTC#ACTIVE` (sent instant): every notice still in process (open, or approved and unpaid);
 * - gsi2 `NTC#<bucket>` (sent instant): by status, with approved-and-unpaid as its own bucket;
 * - gsi4 `NTC#REMIND` (the instant it is due a reminder): unanswered notices only. gsi4 projects
 *   only the board row's attributes (NOTICE_ROW_ATTRIBUTES); every board answers rows.
 *
 * A notice that is refused, or renewed and paid, leaves every index.
 */
export const noticeKey = (orgId: string, id: string) => ({ pk: `ORG#${orgId}#NTC#${id}`, sk: 'NOTICE' });

/** What a dashboard row shows (R-NOT-9), the attributes gsi4 projects besides its keys. */
export const NOTICE_ROW_ATTRIBUTES = [
  'id',
  'membershipId',
  'memberId',
  'memberName',
  'memberEmail',
  'planName',
  'termEnd',
  'mode',
  'status',
  'sentAt',
  'lastContactAt',
  'remindAfterDays',
  'reminders',
  'message',
  'answeredAt',
  'next',
  'approved',
  'invoiceId',
  'paidAt',
  'refusal',
] as const;

export const noticeBucket = (orgId: string, bucket: string) => `ORG#${orgId}#NTC#${bucket}`;

/** Which index and partition serve a board, and the sort key bound for the time-bounded ones. */
export function boardQuery(orgId: string, board: NoticeBoard): { index: 'gsi1' | 'gsi2' | 'gsi4'; partition: string; olderThanDays?: number; due?: true } {
  switch (board) {
    case 'active':
      return { index: 'gsi1', partition: noticeBucket(orgId, 'ACTIVE') };
    case 'change-requests':
      return { index: 'gsi2', partition: noticeBucket(orgId, 'change_requested') };
    case 'intervention':
      return { index: 'gsi2', partition: noticeBucket(orgId, 'intervention_required') };
    case 'accepted-unpaid':
      return { index: 'gsi2', partition: noticeBucket(orgId, 'accepted_unpaid') };
    case 'unanswered-7d':
      return { index: 'gsi2', partition: noticeBucket(orgId, 'sent'), olderThanDays: 7 };
    case 'unanswered-6m':
      return { index: 'gsi2', partition: noticeBucket(orgId, 'sent'), olderThanDays: 183 };
    case 'to-remind':
      return { index: 'gsi4', partition: noticeBucket(orgId, 'REMIND'), due: true };
  }
}

export const noticeItem = (n: Notice): Item => {
  const sort = `${n.sentAt}#${n.id}`;
  const bucket = awaitingPayment(n) ? 'accepted_unpaid' : inProcess(n) ? n.status : null;
  return {
    ...noticeKey(n.orgId, n.id),
    entity: 'notice',
    ...(inProcess(n) ? { gsi1pk: noticeBucket(n.orgId, 'ACTIVE'), gsi1sk: sort } : {}),
    ...(bucket ? { gsi2pk: noticeBucket(n.orgId, bucket), gsi2sk: sort } : {}),
    ...(n.status === 'sent' ? { gsi4pk: noticeBucket(n.orgId, 'REMIND'), gsi4sk: `${remindAt(n)}#${n.id}` } : {}),
    ...n,
  };
};
