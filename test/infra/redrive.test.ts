import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { classify, redrive } from '../../infra/bin/redrive.js';

const sqsMock = mockClient(SQSClient);
const schedulerMock = mockClient(SchedulerClient);
afterEach(() => {
  sqsMock.reset();
  schedulerMock.reset();
});

const ACCOUNT = '123456789012';
const fnArn = (name: string) => `arn:aws:lambda:ca-central-1:${ACCOUNT}:function:${name}`;
const timerPayload = { orgId: 'org_1', membershipId: 'ms_01', schedule: 'ms_01-billing-20270101T050000Z' };

/** The four kinds of messages the stage's dead-letter queue receives. */
const scheduler: Message = {
  MessageId: 'm-scheduler',
  ReceiptHandle: 'r-scheduler',
  Body: JSON.stringify(timerPayload),
  MessageAttributes: { TARGET_ARN: { DataType: 'String', StringValue: fnArn('relance-prod-timer') }, ERROR_CODE: { DataType: 'String', StringValue: 'Lambda.TooManyRequestsException' } },
};
const lambdaRecord: Message = {
  MessageId: 'm-lambda',
  ReceiptHandle: 'r-lambda',
  Body: JSON.stringify({
    version: '1.0',
    requestContext: { requestId: 'x', functionArn: `${fnArn('relance-prod-worker')}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: { retry: 'eml_01' },
    responsePayload: { errorMessage: 'boom' },
  }),
};
const sesEvent: Message = {
  MessageId: 'm-rule',
  ReceiptHandle: 'r-rule',
  Body: JSON.stringify({ source: 'aws.ses', 'detail-type': 'Email Bounced', detail: { eventType: 'Bounce' } }),
  MessageAttributes: {
    RULE_ARN: { DataType: 'String', StringValue: `arn:aws:events:ca-central-1:${ACCOUNT}:rule/relance-prod-ses-events` },
    TARGET_ARN: { DataType: 'String', StringValue: fnArn('relance-prod-feedback') },
  },
};
const streamBatch: Message = {
  MessageId: 'm-stream',
  ReceiptHandle: 'r-stream',
  Body: JSON.stringify({ requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo: { shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2' } }),
};

function queue(...batches: Message[][]) {
  sqsMock.on(GetQueueUrlCommand, { QueueName: 'relance-prod-dead-letters' }).resolves({ QueueUrl: `https://sqs.ca-central-1.amazonaws.com/${ACCOUNT}/relance-prod-dead-letters` });
  let call = sqsMock.on(ReceiveMessageCommand);
  for (const batch of batches) call = call.resolvesOnce({ Messages: batch });
  call.resolves({ Messages: [] });
  sqsMock.on(DeleteMessageCommand).resolves({});
}

describe('R-OPS-3: npm run redrive', () => {
  it('classifies each kind of dead letter, and only sends back to this stage\'s timer, worker and feedback functions', () => {
    expect(classify(scheduler, 'prod')).toEqual({ kind: 'redrive', source: 'scheduler', targetArn: fnArn('relance-prod-timer'), input: JSON.stringify(timerPayload) });
    expect(classify(lambdaRecord, 'prod')).toEqual({ kind: 'redrive', source: 'lambda', targetArn: fnArn('relance-prod-worker'), input: '{"retry":"eml_01"}' });
    expect(classify(sesEvent, 'prod')).toMatchObject({ kind: 'redrive', source: 'eventbridge', targetArn: fnArn('relance-prod-feedback') });
    expect(classify(streamBatch, 'prod')).toMatchObject({ kind: 'keep', reason: expect.stringMatching(/stream batch/) });
    expect(classify(scheduler, 'dev')).toMatchObject({ kind: 'keep', reason: expect.stringMatching(/not a dev timer/) });
    const api = { ...scheduler, MessageAttributes: { TARGET_ARN: { DataType: 'String', StringValue: fnArn('relance-prod-api') } } };
    expect(classify(api, 'prod')).toMatchObject({ kind: 'keep' });
    expect(classify({ MessageId: 'x', Body: 'not json' }, 'prod')).toMatchObject({ kind: 'keep' });
  });

  it('hands each redrivable letter back as a one-shot schedule with the stable role, group and dead-letter queue, then deletes it; keeps stream batches', async () => {
    queue([scheduler, lambdaRecord], [sesEvent, streamBatch]);
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const report = await redrive({ sqs: new SQSClient({ region: 'ca-central-1' }), scheduler: new SchedulerClient({ region: 'ca-central-1' }), stage: 'prod', now: () => new Date('2026-11-30T14:00:00.400Z'), log: () => undefined });
    expect(report).toEqual({ redriven: 3, alreadyRedriven: 0, kept: [{ messageId: 'm-stream', reason: expect.any(String) }] });
    const created = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(created.map((c) => c.Target?.Arn)).toEqual([fnArn('relance-prod-timer'), fnArn('relance-prod-worker'), fnArn('relance-prod-feedback')]);
    for (const c of created) {
      expect(c).toMatchObject({
        GroupName: 'relance-prod',
        ScheduleExpression: 'at(2026-11-30T14:01:01)',
        ScheduleExpressionTimezone: 'UTC',
        ActionAfterCompletion: 'DELETE',
        Target: { RoleArn: `arn:aws:iam::${ACCOUNT}:role/relance-prod-scheduler`, DeadLetterConfig: { Arn: `arn:aws:sqs:ca-central-1:${ACCOUNT}:relance-prod-dead-letters` } },
      });
      expect(c.Name).toMatch(/^redrive-[0-9a-f]{40}$/);
    }
    expect(created[0]!.Target?.Input).toBe(JSON.stringify(timerPayload));
    expect(created[1]!.Target?.Input).toBe('{"retry":"eml_01"}');
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['r-scheduler', 'r-lambda', 'r-rule']);
  });

  it('a letter redriven before (its schedule exists) is deleted without a second schedule; a dry run changes nothing', async () => {
    queue([scheduler]);
    schedulerMock.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const again = await redrive({ sqs: new SQSClient({ region: 'ca-central-1' }), scheduler: new SchedulerClient({ region: 'ca-central-1' }), stage: 'prod', log: () => undefined });
    expect(again).toMatchObject({ redriven: 0, alreadyRedriven: 1 });
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(1);

    sqsMock.reset();
    schedulerMock.reset();
    queue([scheduler, lambdaRecord]);
    const dry = await redrive({ sqs: new SQSClient({ region: 'ca-central-1' }), scheduler: new SchedulerClient({ region: 'ca-central-1' }), stage: 'prod', dryRun: true, log: () => undefined });
    expect(dry).toMatchObject({ redriven: 0, kept: [] });
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('the same letter received twice in one run (visibility ran out) is scheduled once', async () => {
    queue([scheduler], [scheduler]);
    schedulerMock.on(CreateScheduleCommand).resolves({});
    const report = await redrive({ sqs: new SQSClient({ region: 'ca-central-1' }), scheduler: new SchedulerClient({ region: 'ca-central-1' }), stage: 'prod', log: () => undefined });
    expect(report.redriven).toBe(1);
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });
});
