import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function MembersPage() {
  return <PageHeader title="MembersPage" />;
}

export function MemberCreatePage() {
  return <PageHeader title="MemberCreatePage" />;
}

export function MemberPage() {
  return <PageHeader title="MemberPage" />;
}

export function MemberEditPage() {
  return <PageHeader title="MemberEditPage" />;
}

