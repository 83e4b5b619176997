/** What a timer delivers to its handler when it fires. */
export interface TimerPayload {
  orgId: string;
  membershipId: string;
  /** The deterministic schedule name; the handler acts only if it is still the armed timer. */
  name: string;
  at: string;
}

export interface TimerSpec {
  name: string;
  at: Date;
  /** The organisation's time zone: the schedule is written as local wall time in it. */
  timeZone: string;
  payload: TimerPayload;
}

/** One-shot timers (EventBridge Scheduler `at()` schedules, deleted after they fire). */
export interface Timers {
  /** Creates the schedule; creating a name that already exists is a no-op. */
  arm(spec: TimerSpec): Promise<void>;
  /** Deletes the schedule; deleting one that does not exist (already fired) is a no-op. */
  disarm(name: string): Promise<void>;
}
