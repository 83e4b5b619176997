import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function DunningPage() {
  return <PageHeader title="DunningPage" />;
}

