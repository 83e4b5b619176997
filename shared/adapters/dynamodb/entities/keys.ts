/**
 * Single-table keys. Every partition key starts with the organisation, so a request can only
 * reach its own tenant's items. Generic attribute names; indexes are named after what they
 * serve (see README "Data model").
 */
export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'gsi5pk', 'gsi5sk', 'entity', 'expiresAt'] as const;

export const INDEX = {
  /** gsi1 "byParent": the children of a parent, newest first (members of an org, memberships of a member, invoices of a membership). */
  byParent: 'gsi1',
  /** gsi2 "byStatus": sparse status lists (open invoices, memberships by status, dashboards). */
  byStatus: 'gsi2',
  /** gsi3 "byPlan": the live memberships of a plan (sparse), for re-planning after a plan edit. */
  byPlan: 'gsi3',
  /** gsi4 "byDue": R-NOT-9's "to remind" board, by the instant a notice is due a reminder (sparse; the row's attributes only). */
  byDue: 'gsi4',
  /**
   * gsi5 "byStatusKeys": memberships and invoices by status, keys only (issue 13). A list reads a
   * page of keys, then the items with one BatchGetItem: the index costs nothing on the writes that
   * leave the status alone, which are most writes of a membership (its sort key holds still: the
   * instant the status began, not the last change).
   */
  byStatusKeys: 'gsi5',
} as const;

export const orgPk = (orgId: string) => `ORG#${orgId}`;
export const memberPk = (orgId: string, memberId: string) => `ORG#${orgId}#MBR#${memberId}`;
export const membershipPk = (orgId: string, membershipId: string) => `ORG#${orgId}#MS#${membershipId}`;
export const invoicePk = (orgId: string, invoiceId: string) => `ORG#${orgId}#INV#${invoiceId}`;

export type Item = Record<string, unknown>;

/** The domain value of an item: the item without its key attributes. */
export function valueOf<T>(item: Item): T {
  const value: Item = { ...item };
  for (const attr of KEY_ATTRIBUTES) delete value[attr];
  return value as T;
}
