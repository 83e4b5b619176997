import { PageHeader } from '../components.js';

// PLACEHOLDER — replaced by the real pages.
export function SettingsPage() {
  return <PageHeader title="SettingsPage" />;
}

export function SettingsEditPage() {
  return <PageHeader title="SettingsEditPage" />;
}

export function GatewayPage() {
  return <PageHeader title="GatewayPage" />;
}

