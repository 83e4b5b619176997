import type { Invoice, InvoiceStatus } from '../../../domain/invoice.js';
import { type Item, invoicePk, membershipPk } from './keys.js';

export const invoiceKey = (orgId: string, id: string) => ({ pk: invoicePk(orgId, id), sk: 'INVOICE' });

/** Invoices of a membership (gsi1), newest first: by creation instant (timer invoices have hash ids, not ULIDs). */
export const invoicesOfMembership = (orgId: string, membershipId: string) => `${membershipPk(orgId, membershipId)}#INV`;
/** Invoices by status (gsi5, keys only), oldest due date first. */
export const invoicesByStatus = (orgId: string, status: InvoiceStatus) => `ORG#${orgId}#INV#STATUS#${status}`;

export const invoiceItem = (i: Invoice): Item => ({
  ...invoiceKey(i.orgId, i.id),
  entity: 'invoice',
  gsi1pk: invoicesOfMembership(i.orgId, i.membershipId),
  gsi1sk: `${i.createdAt}#${i.id}`,
  gsi5pk: invoicesByStatus(i.orgId, i.status),
  gsi5sk: `${i.dueDate}#${i.id}`,
  ...i,
});
