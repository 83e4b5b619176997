import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import type { Timers, TimerSpec } from '../../ports/timers.js';
import { type ClientSource, clientOf } from '../lazy-client.js';

/** The commands and errors, from the chunk that holds the client (loaded on the first timer). */
const sdk = () => import('./sdk.js');

dayjs.extend(utc);
dayjs.extend(timezone);

export interface SchedulerTimersConfig {
  groupName: string;
  /** The Lambda function membership timers invoke (the timer handler). */
  targetArn: string;
  /** The Lambda function retry schedules invoke (the worker). */
  workerArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
  /** Where Scheduler sends an invocation it could not deliver after its retries. */
  deadLetterArn?: string | undefined;
}

/** `at(...)` wants the local wall time in the schedule's time zone, to the second. */
export function atExpression(at: Date, timeZone: string): string {
  return `at(${dayjs(at).tz(timeZone).format('YYYY-MM-DDTHH:mm:ss')})`;
}

/** EventBridge Scheduler one-shot schedules; each deletes itself after it fires. */
export class SchedulerTimers implements Timers {
  constructor(
    private readonly client: ClientSource<SchedulerClient>,
    private readonly config: SchedulerTimersConfig,
  ) {}

  async arm(spec: TimerSpec): Promise<void> {
    const [client, { CreateScheduleCommand, ConflictException }] = await Promise.all([clientOf(this.client), sdk()]);
    try {
      await client.send(
        new CreateScheduleCommand({
          Name: spec.name,
          GroupName: this.config.groupName,
          ScheduleExpression: atExpression(spec.at, spec.timeZone),
          ScheduleExpressionTimezone: spec.timeZone,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: spec.target === 'worker' ? this.config.workerArn : this.config.targetArn,
            RoleArn: this.config.roleArn,
            Input: JSON.stringify(spec.payload),
            RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
            ...(this.config.deadLetterArn ? { DeadLetterConfig: { Arn: this.config.deadLetterArn } } : {}),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConflictException) return;
      throw error;
    }
  }

  async disarm(name: string): Promise<void> {
    const [client, { DeleteScheduleCommand, ResourceNotFoundException }] = await Promise.all([clientOf(this.client), sdk()]);
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.config.groupName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
  }
}
