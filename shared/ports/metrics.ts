/**
 * R-OPS-5: the business figures operators watch (CloudWatch metrics in AWS, namespace
 * `Relance`; nothing locally). Names are fixed so dashboards and alarms can rely on them.
 */
export const METRIC_NAMES = [
  'MembershipsStarted',
  'Renewals',
  'Charges',
  'ChargedAmount',
  'Declines',
  'RecoveredAmount',
  'Refunds',
  'EmailsSent',
  'EmailsDropped',
  'NoticesSent',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Metrics {
  /** Adds `value` (default 1) to the metric for this invocation; amounts are in minor units of `currency`. */
  add(name: MetricName, value?: number, currency?: string): void;
}

/** For tests and the local cloud. */
export const NO_METRICS: Metrics = { add: () => undefined };
