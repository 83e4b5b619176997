import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../../shared/ports/metrics.js';
import type { HouseFunction } from './house-function.js';
import { acknowledge } from './nag.js';

export interface OperationsProps {
  stage: string;
  alarmEmail?: string;
  functions: HouseFunction[];
  /** The timer function, drawn apart on the dashboard (its reserved concurrency is the peak's valve). */
  timer: HouseFunction;
  api: apigw.HttpApi;
  tableName: string;
  scheduleGroupName: string;
  stateMachine: sfn.StateMachine;
  deadLetters: sqs.IQueue;
}

/** One alarm of the stack: what it watches, when it fires and what the operator does (README, operations). */
interface AlarmSpec {
  id: string;
  metric: cloudwatch.IMetric;
  threshold: number;
  description: string;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  missing?: cloudwatch.TreatMissingData;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * R-OPS-5: the alarms (to an SNS topic e-mailed to `alarmEmail`, with an OK message when the
 * condition clears) and the CloudWatch dashboard `relance-<stage>`. R-OPS-1: the account's SES
 * reputation, below SES's own review levels.
 */
export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { stage, api, stateMachine, deadLetters } = props;
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `Relance ${stage} alarms`, enforceSSL: true });
    acknowledge(this.topic, 'AwsSolutions-SNS2', 'Alarm notifications carry no personal data (alarm names and figures); the AWS-managed SNS key would not let CloudWatch publish without a key policy of our own.');
    if (props.alarmEmail) {
      const subscription = new subscriptions.EmailSubscription(props.alarmEmail);
      this.topic.addSubscription(subscription);
    }
    acknowledge(this.topic, 'Serverless-SNSRedrivePolicy', 'The only subscription is an e-mail address: SNS retries e-mail itself, and an alarm that cannot be mailed stays visible on the dashboard and in CloudWatch.');
    const notify = new cwActions.SnsAction(this.topic);

    const add = (spec: AlarmSpec) => {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmName: `relance-${stage}-${spec.id}`,
        metric: spec.metric,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        datapointsToAlarm: spec.datapointsToAlarm,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: spec.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: spec.description,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms.push(alarm);
      return alarm;
    };
    const sum = (namespace: string, metricName: string, dimensionsMap: Record<string, string>) =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic: 'Sum', period: FIVE_MINUTES });

    // EventBridge Scheduler, per schedule group: a target that failed (after its retries the
    // invocation goes to the dead letters) or an invocation dropped (none should ever be).
    add({ id: 'scheduler-target-errors', metric: sum('AWS/Scheduler', 'TargetErrorCount', { ScheduleGroup: props.scheduleGroupName }), threshold: 1, description: 'Scheduler could not invoke a timer or retry target (throttled or failed); see the dead-letter alarms' });
    add({ id: 'scheduler-dropped', metric: sum('AWS/Scheduler', 'InvocationDroppedCount', { ScheduleGroup: props.scheduleGroupName }), threshold: 1, description: 'Scheduler dropped an invocation after all its retries and could not dead-letter it: a membership lost its timer' });

    // The HTTP API.
    add({ id: 'api-5xx', metric: api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), threshold: 5, description: 'The API answered 5xx (functions failing or throttled)' });
    add({ id: 'api-latency-p99', metric: api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }), threshold: 3000, evaluationPeriods: 3, datapointsToAlarm: 2, description: 'p99 API latency above 3 s for 10 of 15 minutes' });

    // Each function: errors and throttles.
    for (const fn of props.functions) {
      const name = fn.functionName.replace(`relance-${stage}-`, '');
      add({ id: `${name}-errors`, metric: fn.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), threshold: 1, description: `${fn.functionName} raised errors` });
      add({ id: `${name}-throttles`, metric: fn.fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), threshold: name === 'timer' || name === 'worker' ? 50 : 1, description: `${fn.functionName} was throttled (reserved concurrency or the account's limit)` });
    }

    // DynamoDB: any throttled request on the table (on-demand: a partition or the optional max throughput).
    add({
      id: 'table-throttles',
      metric: new cloudwatch.MathExpression({
        expression: 'r + w',
        usingMetrics: { r: sum('AWS/DynamoDB', 'ReadThrottleEvents', { TableName: props.tableName }), w: sum('AWS/DynamoDB', 'WriteThrottleEvents', { TableName: props.tableName }) },
        period: FIVE_MINUTES,
        label: 'throttled reads + writes',
      }),
      threshold: 1,
      description: 'The table throttled reads or writes (a hot partition, or tableMaxReadUnits / tableMaxWriteUnits reached)',
    });

    // Step Functions: a dunning run failed or timed out.
    add({ id: 'dunning-failed', metric: stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }), threshold: 1, description: 'A dunning run failed' });
    add({ id: 'dunning-timed-out', metric: stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }), threshold: 1, description: 'A dunning run timed out' });

    // Dead letters: the age of the oldest message, in three steps so a letter left alone
    // notifies again (a new letter, still there after a day, about to expire at 14 days). A
    // quiet queue may stop reporting: missing data keeps the state, so an alarm never clears
    // by itself; it clears (OK message) once the queue is redriven or purged.
    const age = deadLetters.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' });
    add({ id: 'dead-letters', metric: age, threshold: 60, missing: cloudwatch.TreatMissingData.IGNORE, description: 'A dead letter arrived (a timer, retry, stream batch or SES event that failed after its retries): read it, fix, npm run redrive' });
    add({ id: 'dead-letters-1d', metric: age, threshold: 86_400, missing: cloudwatch.TreatMissingData.IGNORE, description: 'A dead letter is still waiting after a day: redrive it (npm run redrive)' });
    add({ id: 'dead-letters-10d', metric: age, threshold: 864_000, missing: cloudwatch.TreatMissingData.IGNORE, description: 'A dead letter is 10 days old and will be lost at 14 days: redrive it now' });

    // R-OPS-1: the account's SES reputation, well below SES's review levels (5 % and 0.1 %).
    const ses = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.minutes(15) });
    add({ id: 'ses-bounce-rate', metric: ses('Reputation.BounceRate'), threshold: 0.02, description: "The account's SES bounce rate reached 2 % (SES reviews at 5 %, pauses at 10 %): look at the bouncing members" });
    add({ id: 'ses-complaint-rate', metric: ses('Reputation.ComplaintRate'), threshold: 0.0005, description: "The account's SES complaint rate reached 0.05 % (SES reviews at 0.1 %, pauses at 0.5 %): look at who complained and why" });

    // The dashboard.
    const fns = props.functions;
    const perFunction = (label: string, metric: (fn: HouseFunction) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title: label, width: 12, left: fns.map(metric), stacked: false });
    const business = (names: readonly string[], title: string) =>
      new cloudwatch.GraphWidget({
        title,
        width: 12,
        left: names.map((n) => new cloudwatch.MathExpression({ expression: `SUM(SEARCH('{Relance,service} MetricName="${n}"', 'Sum', 3600))`, label: n, period: Duration.hours(1) })),
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `relance-${stage}`,
      defaultInterval: Duration.days(1),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms })],
        [
          new cloudwatch.GraphWidget({ title: 'API requests and errors', width: 12, left: [api.metricCount({ period: FIVE_MINUTES }), api.metricClientError({ period: FIVE_MINUTES }), api.metricServerError({ period: FIVE_MINUTES })] }),
          new cloudwatch.GraphWidget({ title: 'API latency', width: 12, left: ['p50', 'p90', 'p99'].map((statistic) => api.metricLatency({ period: FIVE_MINUTES, statistic })) }),
        ],
        [perFunction('Invocations', (fn) => fn.fn.metricInvocations({ period: FIVE_MINUTES, label: fn.functionName })), perFunction('Errors', (fn) => fn.fn.metricErrors({ period: FIVE_MINUTES, label: fn.functionName }))],
        [perFunction('Throttles', (fn) => fn.fn.metricThrottles({ period: FIVE_MINUTES, label: fn.functionName })), perFunction('Duration p99', (fn) => fn.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: fn.functionName }))],
        [
          new cloudwatch.GraphWidget({
            title: 'Scheduler',
            width: 12,
            left: ['InvocationAttemptCount', 'TargetErrorCount', 'InvocationDroppedCount', 'InvocationsSentToDeadLetterCount'].map((m) => sum('AWS/Scheduler', m, { ScheduleGroup: props.scheduleGroupName })),
          }),
          new cloudwatch.GraphWidget({
            title: `Timer concurrency (reserved: ${props.timer.reservedConcurrency ?? 'none'})`,
            width: 12,
            left: [props.timer.fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: Duration.minutes(1) })],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Table',
            width: 12,
            left: ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits'].map((m) => sum('AWS/DynamoDB', m, { TableName: props.tableName })),
            right: ['ReadThrottleEvents', 'WriteThrottleEvents'].map((m) => sum('AWS/DynamoDB', m, { TableName: props.tableName })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Dunning runs',
            width: 12,
            left: [stateMachine.metricStarted({ period: FIVE_MINUTES }), stateMachine.metricSucceeded({ period: FIVE_MINUTES }), stateMachine.metricFailed({ period: FIVE_MINUTES }), stateMachine.metricTimedOut({ period: FIVE_MINUTES })],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead letters',
            width: 12,
            left: [deadLetters.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' })],
            right: [age],
          }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation (account)',
            width: 12,
            left: [ses('Reputation.BounceRate'), ses('Reputation.ComplaintRate')],
            leftAnnotations: [
              { value: 0.02, label: 'bounce alarm 2 %' },
              { value: 0.0005, label: 'complaint alarm 0.05 %' },
            ],
          }),
        ],
        [
          business(['MembershipsStarted', 'Renewals', 'NoticesSent', 'EmailsSent', 'EmailsDropped'], 'Memberships and e-mail (Relance metrics)'),
          business(METRIC_NAMES.filter((n) => ['Charges', 'ChargedAmount', 'Declines', 'RecoveredAmount', 'Refunds'].includes(n)), 'Money (Relance metrics; amounts in minor units)'),
        ],
      ],
    });
  }
}
