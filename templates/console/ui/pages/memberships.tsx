import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function MembershipsPage() {
  return <PageHeader title="MembershipsPage" />;
}

export function MembershipPage() {
  return <PageHeader title="MembershipPage" />;
}

