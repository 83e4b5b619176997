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

/** Invoices in one status, oldest due date first. */
export function listInvoices(deps: Pick<Deps, 'store'>, caller: Caller, status: InvoiceStatus, page: PageRequest): Promise<Page<Invoice>> {
  return deps.store.listInvoicesByStatus(caller.orgId, status, page);
}
