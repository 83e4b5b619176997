import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function RenewalsPage() {
  return <PageHeader title="RenewalsPage" />;
}

export function NoticePage() {
  return <PageHeader title="NoticePage" />;
}

