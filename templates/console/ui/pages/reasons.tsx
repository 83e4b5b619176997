import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function ReasonsPage() {
  return <PageHeader title="ReasonsPage" />;
}

