/**
 * R-OPS-3: takes the dead letters of one stage back to where they failed.
 *
 *   npm run redrive -- --stage prod [--region ca-central-1] [--dry-run]
 *
 * The queue `relance-<stage>-dead-letters` receives four kinds of messages; this reads each one
 * and decides:
 * - Scheduler could not invoke a timer or retry target: the body is the schedule's input and the
 *   TARGET_ARN attribute names the function;
 * - EventBridge could not deliver an SES event to the feedback function: the body is the event,
 *   with RULE_ARN and TARGET_ARN attributes;
 * - a timer or worker run failed after Lambda's retries: the body is Lambda's invocation record
 *   (`requestContext.functionArn`, `requestPayload`);
 * - a stream batch exhausted its retries: the body names the batch's stream positions
 *   (`DDBStreamBatchInfo`), not the records. It cannot be replayed from here and is left in the
 *   queue (README, runbook: the records' items are in the table).
 *
 * SQS's StartMessageMoveTask only moves dead letters back to a source queue; these came from
 * Scheduler, Lambda and EventBridge, so each one is handed back as a one-shot schedule in the
 * stage's group, invoking the same function with the same input a minute later, with the
 * scheduler role, its retry policy and this queue as its dead letters again. The schedule is named
 * after the message, so a message redriven twice (a crash before its deletion) is scheduled once;
 * and every target is idempotent (a timer acts only if still armed, an SES event once per e-mail).
 */
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SCHEDULE_TARGETS, scheduleNames } from '../stacks/stateful.js';

/** The functions a dead letter may go back to: this stage's timer, worker and feedback functions. */
const REDRIVABLE = SCHEDULE_TARGETS;

export type Verdict =
  | { kind: 'redrive'; source: 'scheduler' | 'eventbridge' | 'lambda'; targetArn: string; input: string }
  | { kind: 'keep'; reason: string };

export interface RedriveOptions {
  sqs: SQSClient;
  scheduler: SchedulerClient;
  stage: string;
  dryRun?: boolean;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface RedriveReport {
  redriven: number;
  alreadyRedriven: number;
  kept: { messageId: string; reason: string }[];
}

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

/** What a dead letter is, and where it goes back to (only this stage's own functions). */
export function classify(message: Message, stage: string): Verdict {
  const body = message.Body ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const record = parsed as { requestContext?: { functionArn?: string }; requestPayload?: unknown; DDBStreamBatchInfo?: unknown } | undefined;
  let verdict: Verdict;
  if (record && typeof record === 'object' && record.DDBStreamBatchInfo) {
    return { kind: 'keep', reason: 'a stream batch that exhausted its retries: not replayable from the queue (runbook: stream batches)' };
  } else if (record && typeof record === 'object' && record.requestContext?.functionArn && 'requestPayload' in record) {
    verdict = { kind: 'redrive', source: 'lambda', targetArn: record.requestContext.functionArn, input: JSON.stringify(record.requestPayload) };
  } else if (attribute(message, 'TARGET_ARN')) {
    verdict = { kind: 'redrive', source: attribute(message, 'RULE_ARN') ? 'eventbridge' : 'scheduler', targetArn: attribute(message, 'TARGET_ARN')!, input: body };
  } else {
    return { kind: 'keep', reason: 'not a Scheduler, EventBridge or Lambda dead letter' };
  }
  const unqualified = verdict.targetArn.replace(/^(arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+):.+$/, '$1');
  const fn = /^arn:[^:]+:lambda:[^:]+:\d{12}:function:(.+)$/.exec(unqualified)?.[1];
  if (!fn || !REDRIVABLE.some((name) => fn === `relance-${stage}-${name}`)) {
    return { kind: 'keep', reason: `its target ${verdict.targetArn} is not a ${stage} timer, worker or feedback function` };
  }
  return { ...verdict, targetArn: unqualified };
}

/** `at()` one minute from now, in UTC, to the second. */
function atOneMinute(now: Date): string {
  return `at(${new Date(Math.ceil(now.getTime() / 1000) * 1000 + 60_000).toISOString().slice(0, 19)})`;
}

/** Reads the stage's dead letters until the queue answers none, and hands each one back. */
export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const { sqs, scheduler, stage } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => new Date());
  const names = scheduleNames(stage);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: names.deadLetters }));
  if (!QueueUrl) throw new Error(`no queue ${names.deadLetters}`);
  // https://sqs.<region>.amazonaws.com/<account>/<name>
  const [, region, account] = /^https:\/\/sqs\.([a-z0-9-]+)\.[^/]+\/(\d{12})\//.exec(QueueUrl) ?? [];
  if (!region || !account) throw new Error(`cannot read the region and account of ${QueueUrl}`);
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const roleArn = `arn:${partition}:iam::${account}:role/${names.role}`;
  const deadLetterArn = `arn:${partition}:sqs:${region}:${account}:${names.deadLetters}`;
  const report: RedriveReport = { redriven: 0, alreadyRedriven: 0, kept: [] };
  const seen = new Set<string>();

  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        // Long enough to schedule and delete a batch; a kept message comes back after it.
        VisibilityTimeout: options.dryRun ? 30 : 300,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      const verdict = classify(message, stage);
      if (verdict.kind === 'keep') {
        report.kept.push({ messageId: message.MessageId!, reason: verdict.reason });
        log(`kept ${message.MessageId}: ${verdict.reason}`);
        continue;
      }
      const name = `redrive-${createHash('sha256').update(message.MessageId!).digest('hex').slice(0, 40)}`;
      log(`${options.dryRun ? 'would redrive' : 'redrive'} ${message.MessageId} (${verdict.source}) → ${verdict.targetArn} as schedule ${names.group}/${name}`);
      if (options.dryRun) continue;
      try {
        await scheduler.send(
          new CreateScheduleCommand({
            Name: name,
            GroupName: names.group,
            ScheduleExpression: atOneMinute(now()),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Description: `dead letter ${message.MessageId} redriven`,
            Target: {
              Arn: verdict.targetArn,
              RoleArn: roleArn,
              Input: verdict.input,
              RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
              DeadLetterConfig: { Arn: deadLetterArn },
            },
          }),
        );
        report.redriven += 1;
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        report.alreadyRedriven += 1;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  log(`${report.redriven} redriven, ${report.alreadyRedriven} already redriven, ${report.kept.length} kept in ${names.deadLetters}`);
  return report;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stage: { type: 'string' }, region: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  if (!values.stage) {
    console.error('usage: npm run redrive -- --stage <stage> [--region <region>] [--dry-run]');
    process.exit(2);
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    console.error('no region: pass --region <region> or set AWS_REGION');
    process.exit(2);
  }
  const report = await redrive({ sqs: new SQSClient({ region }), scheduler: new SchedulerClient({ region }), stage: values.stage, dryRun: values['dry-run'] });
  process.exit(report.kept.length > 0 ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
