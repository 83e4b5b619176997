import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function PlansPage() {
  return <PageHeader title="PlansPage" />;
}

export function PlanCreatePage() {
  return <PageHeader title="PlanCreatePage" />;
}

export function PlanPage() {
  return <PageHeader title="PlanPage" />;
}

export function PlanEditPage() {
  return <PageHeader title="PlanEditPage" />;
}

