import { NotFoundError } from '../domain/errors.js';
import type { Invoice, InvoiceStatus } from '../domain/invoice.js';
import type { Deps } from '../deps.js';
import type { Page, PageRequest } from '../ports/store.js';
import type { Caller } from './context.js';

export async function getInvoice(deps: Pick<Deps, 'store'>, caller: Caller, invoiceId: string): Promise<Invoice> {
  const invoice = await deps.store.getInvoice(caller.orgId, invoiceId);
  if (!invoice) throw new NotFoundError('invoice', invoiceId);
  return invoice;
}

/** Who a listed item is about, as staff read it: null when the member no longer exists. */
export type MemberRef = { id: string; name: string } | null;

/**
 * A page's items with their member's name, for lists staff read: one BatchGetItem for the
 * page's distinct members (a page holds at most 100), never one read per row.
 */
export async function withMembers<T extends { memberId: string }>(deps: Pick<Deps, 'store'>, orgId: string, page: Page<T>): Promise<Page<T & { member: MemberRef }>> {
  const ids = [...new Set(page.items.map((i) => i.memberId))];
  const members = ids.length === 0 ? [] : await deps.store.getMembers(orgId, ids);
  const byId = new Map(members.map((m) => [m.id, { id: m.id, name: m.name }]));
  return { nextCursor: page.nextCursor, items: page.items.map((i) => ({ ...i, member: byId.get(i.memberId) ?? null })) };
}

/** Invoices in one status, oldest due date first, each with its member's name. */
export async function listInvoices(deps: Pick<Deps, 'store'>, caller: Caller, status: InvoiceStatus, page: PageRequest): Promise<Page<Invoice & { member: MemberRef }>> {
  return withMembers(deps, caller.orgId, await deps.store.listInvoicesByStatus(caller.orgId, status, page));
}
