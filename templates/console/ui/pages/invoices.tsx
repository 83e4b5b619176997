import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function InvoicesPage() {
  return <PageHeader title="InvoicesPage" />;
}

export function InvoicePage() {
  return <PageHeader title="InvoicePage" />;
}

