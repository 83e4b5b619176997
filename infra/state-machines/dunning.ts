import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** State names the local cloud and the tests refer to. */
export const DUNNING_STATES = {
  plan: 'Plan ladder',
  finished: 'Ladder finished?',
  wait: 'Wait for next attempt',
  attempt: 'Attempt charge',
  done: 'Ladder done',
  failed: 'Ladder failed',
} as const;

/**
 * The dunning ladder (R-DUN-1, R-DUN-2): one execution per failed invoice, named after it.
 * The function decides; the state machine only waits durably between steps. Each step returns
 * `{ done, nextAttemptAt, attempt }`; the machine waits until `nextAttemptAt` and calls the
 * next step, until a step says `done`. Steps are idempotent, so Retry is safe.
 *
 *   Plan ladder → Ladder finished? ─yes→ Ladder done
 *                       ↑  └no→ Wait for next attempt → Attempt charge ─┘
 */
export function dunningDefinition(scope: Construct, fn: lambda.IFunction): sfn.IChainable {
  const failed = new sfn.Fail(scope, DUNNING_STATES.failed, { error: 'DunningStepFailed', cause: 'A dunning step failed after its retries' });
  const step = (name: string, action: 'plan' | 'attempt') =>
    new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({
        action,
        'run.$': '$$.Execution.Input',
        'step.$': '$',
        'executionName.$': '$$.Execution.Name',
      }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: true,
    })
      .addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(30), maxAttempts: 3, backoffRate: 2 })
      .addCatch(failed, { errors: ['States.ALL'] });

  const finished = new sfn.Choice(scope, DUNNING_STATES.finished);
  const wait = new sfn.Wait(scope, DUNNING_STATES.wait, { time: sfn.WaitTime.timestampPath('$.nextAttemptAt') });
  const attempt = step(DUNNING_STATES.attempt, 'attempt');
  return step(DUNNING_STATES.plan, 'plan').next(
    finished
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(scope, DUNNING_STATES.done))
      .otherwise(wait.next(attempt.next(finished))),
  );
}
