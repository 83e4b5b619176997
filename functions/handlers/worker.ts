import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import type { Deps } from '../../shared/deps.js';
import { parseInput } from '../../shared/domain/validate.js';
import type { EmailRenderer } from '../../shared/ports/mailer.js';
import { deliverMail } from '../../shared/use-cases/mail.js';
import { executeAttempt } from '../../shared/use-cases/payments.js';
import { onCardChanged, startRunExecution } from '../../shared/use-cases/collection.js';
import { runReplanJob } from '../../shared/use-cases/plans.js';
import { type EventPublisher, missingPublisher, publishDomainEvent, publishDomainEvents } from '../../shared/use-cases/events.js';
import { deliverWebhook } from '../../shared/use-cases/webhooks-out.js';

/**
 * The worker: the table's stream (new outbox e-mails, new payment attempts, re-plan jobs, new
 * dunning runs to start, changed cards to pay with) and
 * the retry schedules that hand an e-mail or an attempt back to it. Each record calls one use
 * case; every use case is idempotent, so a record delivered twice acts once. A record that
 * throws is reported as a batch item failure: Lambda retries from it (bisecting), and sends it
 * to the on-failure destination after its retries.
 */
type WorkerEvent = DynamoDBStreamEvent | unknown;

const retryPayload = z.strictObject({
  work: z.enum(['mail', 'payment', 'webhook']),
  orgId: z.string().min(1).max(64),
  membershipId: z.string().min(1).max(64),
  id: z.string().min(1).max(128),
});

type Work =
  | { kind: 'mail' | 'payment'; orgId: string; membershipId: string; id: string }
  /** R-EVT-1: a domain event's outbox item to publish on the bus. */
  | { kind: 'event'; orgId: string; membershipId: string; id: string }
  /** R-EVT-1: a domain event to POST to the organisation's webhook. */
  | { kind: 'webhook'; orgId: string; membershipId: string; id: string }
  | { kind: 'replan'; orgId: string; planId: string }
  | { kind: 'run'; orgId: string; membershipId: string; invoiceId: string }
  | { kind: 'card'; orgId: string; memberId: string; reason: 'saved' | 'updated' | 'removed' };

/** What a stream record asks for, from the keys and attributes of its new image; null for anything else. */
export function workOf(record: DynamoDBRecord): Work | null {
  const image = record.dynamodb?.NewImage;
  const text = (name: string) => image?.[name]?.S;
  const entity = text('entity');
  const orgId = text('orgId');
  if (!orgId) return null;
  if ((entity === 'outbox' || entity === 'attempt') && record.eventName === 'INSERT') {
    const membershipId = text('membershipId');
    const id = text('id');
    return membershipId && id ? { kind: entity === 'outbox' ? 'mail' : 'payment', orgId, membershipId, id } : null;
  }
  if (entity === 'domain_event' && record.eventName === 'INSERT') {
    const membershipId = text('membershipId');
    const id = text('id');
    return membershipId && id ? { kind: 'event', orgId, membershipId, id } : null;
  }
  if (entity === 'webhook_delivery' && record.eventName === 'INSERT') {
    const membershipId = text('membershipId');
    const id = text('id');
    return membershipId && id ? { kind: 'webhook', orgId, membershipId, id } : null;
  }
  if (entity === 'dunning_run' && record.eventName === 'INSERT') {
    const membershipId = text('membershipId');
    const invoiceId = text('invoiceId');
    return membershipId && invoiceId ? { kind: 'run', orgId, membershipId, invoiceId } : null;
  }
  if (entity === 'card_change' && record.eventName === 'INSERT') {
    const memberId = text('memberId');
    const reason = text('reason');
    return memberId && (reason === 'saved' || reason === 'updated' || reason === 'removed') ? { kind: 'card', orgId, memberId, reason } : null;
  }
  if (entity === 'replan_job' && text('status') === 'running') {
    const planId = text('planId');
    return planId ? { kind: 'replan', orgId, planId } : null;
  }
  return null;
}

async function perform(deps: Deps, renderer: EmailRenderer, work: Work, events: EventPublisher): Promise<string> {
  switch (work.kind) {
    case 'event':
      return publishDomainEvent({ ...deps, events }, work);
    case 'webhook':
      return deliverWebhook(deps, work);
    case 'mail':
      return deliverMail({ ...deps, renderer }, work);
    case 'payment':
      return executeAttempt(deps, work);
    case 'replan':
      return runReplanJob(deps, work);
    case 'run':
      return startRunExecution(deps, work);
    case 'card':
      return onCardChanged(deps, work);
  }
}

function isStreamEvent(event: WorkerEvent): event is DynamoDBStreamEvent {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);
}

/** `events`: the bus domain events go to (R-EVT-1); the entry loads EventBridge's client only when one arrives. */
export function workerHandler(deps: Deps, renderer: EmailRenderer, events: EventPublisher = missingPublisher) {
  return middy<WorkerEvent, DynamoDBBatchResponse | { result: string }>().handler(async (event) => {
    if (!isStreamEvent(event)) {
      const retry = parseInput(retryPayload, event, 'retry payload');
      const result = await perform(deps, renderer, { kind: retry.work, orgId: retry.orgId, membershipId: retry.membershipId, id: retry.id }, events);
      console.info(JSON.stringify({ level: 'info', msg: 'retry', work: retry, result }));
      return { result };
    }
    const failures: { itemIdentifier: string }[] = [];
    // Records of one membership in order; memberships side by side.
    const lanes = new Map<string, { record: DynamoDBRecord; work: Work }[]>();
    for (const record of event.Records) {
      const work = workOf(record);
      if (!work) continue;
      // R-EVT-1: each webhook delivery has a lane of its own, so a slow receiver (up to 10 s a POST)
      // holds neither the membership's other work nor the other deliveries of the batch.
      const lane =
        work.kind === 'replan' ? `plan:${work.planId}` : work.kind === 'card' ? `mbr:${work.memberId}` : work.kind === 'webhook' ? `whk:${work.id}` : `ms:${work.membershipId}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), { record, work }]);
    }
    await Promise.all(
      [...lanes.values()].map(async (items) => {
        for (let i = 0; i < items.length; ) {
          // R-EVT-1: a change's domain events (consecutive in its lane) are published together.
          let end = i + 1;
          if (items[i]!.work.kind === 'event') while (end < items.length && items[end]!.work.kind === 'event') end++;
          const group = items.slice(i, end);
          try {
            const results =
              group.length > 1
                ? await publishDomainEvents({ ...deps, events }, group.map(({ work }) => work as Extract<Work, { kind: 'event' }>))
                : [await perform(deps, renderer, group[0]!.work, events)];
            group.forEach(({ work }, k) => console.info(JSON.stringify({ level: 'info', msg: 'stream record', work, result: results[k] })));
          } catch (error) {
            console.error(JSON.stringify({ level: 'error', msg: 'stream record failed', work: group[0]!.work, records: group.length, error: String(error), stack: (error as Error)?.stack }));
            failures.push({ itemIdentifier: group[0]!.record.dynamodb?.SequenceNumber ?? group[0]!.record.eventID ?? '' });
            return;
          }
          i = end;
        }
      }),
    );
    return { batchItemFailures: failures };
  });
}
