// PLACEHOLDER
export function LocalCloudPanel() {
  return null;
}
