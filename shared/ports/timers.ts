/** What a membership timer delivers to the timer handler when it fires. */
export interface TimerPayload {
  orgId: string;
  membershipId: string;
  /** The deterministic schedule name; the handler acts only if it is still the armed timer. */
  name: string;
  at: string;
}

/** What a retry schedule delivers to the worker: take this e-mail, payment attempt or webhook delivery (R-EVT-1) up again. */
export interface RetryPayload {
  work: 'mail' | 'payment' | 'webhook';
  orgId: string;
  membershipId: string;
  id: string;
}

export type TimerSpec =
  | { target: 'timer'; name: string; at: Date; timeZone: string; payload: TimerPayload }
  | { target: 'worker'; name: string; at: Date; timeZone: string; payload: RetryPayload };

/** One-shot timers (EventBridge Scheduler `at()` schedules, deleted after they fire). */
export interface Timers {
  /** Creates the schedule; creating a name that already exists is a no-op. */
  arm(spec: TimerSpec): Promise<void>;
  /** Deletes the schedule; deleting one that does not exist (already fired) is a no-op. */
  disarm(name: string): Promise<void>;
}
