import type { Money } from './schema.js';

/**
 * R-EVT-1: the domain events Relance publishes on its EventBridge bus (`relance-<stage>`), one
 * per fact, each with a versioned JSON Schema in `shared/events/schemas/<type>.v<version>.json`.
 * They carry ids, dates and amounts — what staff systems need to act — and never a name, an
 * e-mail address, a member's message or any card data.
 */
export const DOMAIN_EVENT_TYPES = [
  'membership.started',
  'membership.renewed',
  'membership.cancellation_scheduled',
  'membership.terminated',
  'membership.voided',
  'invoice.issued',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.refunded',
  'dunning.started',
  'dunning.recovered',
  'dunning.lost',
  'notice.sent',
  'notice.answered',
  'notice.approved',
  'notice.refused',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** The schema version every event type is published at today. */
export const DOMAIN_EVENT_VERSION = 1;

/** EventBridge's `Source` of every Relance event; the `DetailType` is the event's `type`. */
export const DOMAIN_EVENT_SOURCE = 'relance';

/** What every event names: the membership it is about, its member and plan (ids only). */
export interface Subject {
  membershipId: string;
  memberId: string;
  planId: string;
}

/** The `data` of each event type (mirrors its JSON Schema). */
export interface DomainEventData {
  'membership.started': Subject & { status: string; startDate: string; termEnd: string | null };
  'membership.renewed': Subject & { termSeq: number; start: string; end: string | null; invoiceId: string | null };
  'membership.cancellation_scheduled': Subject & { terminationDate: string; by: 'member' | 'admin' | 'system' };
  'membership.terminated': Subject & { terminationDate: string | null };
  'membership.voided': Subject & { invoiceId: string | null; refunded: Money | null };
  'invoice.issued': Subject & { invoiceId: string; amount: Money; periodStart: string; periodEnd: string | null; dueDate: string };
  'invoice.paid': Subject & { invoiceId: string; amount: Money; method: string; paidAt: string };
  'invoice.payment_failed': Subject & { invoiceId: string; attemptId: string | null; amount: Money; code: string | null; hard: boolean };
  'invoice.refunded': Subject & { invoiceId: string; attemptId: string; amount: Money };
  'dunning.started': Subject & { invoiceId: string; amount: Money; finalAction: string };
  'dunning.recovered': Subject & { invoiceId: string; amount: Money; by: string | null };
  'dunning.lost': Subject & { invoiceId: string; amount: Money; outcome: string | null };
  'notice.sent': Subject & { noticeId: string; mode: 'notice' | 'invoice'; termEnd: string; nextStart: string; nextEnd: string | null };
  'notice.answered': Subject & { noticeId: string; answer: 'accepted' | 'change_requested' };
  'notice.approved': Subject & { noticeId: string; invoiceId: string | null; by: 'member' | 'admin' | 'system' };
  'notice.refused': Subject & { noticeId: string; reasonId: string | null; lastDay: string | null };
}

/** The envelope published as the EventBridge event's `detail`. `id` is stable: consumers dedupe on it. */
export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  id: string;
  type: T;
  version: number;
  orgId: string;
  occurredAt: string;
  data: DomainEventData[T];
}

/** Builds an event's envelope. */
export function domainEvent<T extends DomainEventType>(id: string, type: T, orgId: string, occurredAt: string, data: DomainEventData[T]): DomainEvent<T> {
  return { id, type, version: DOMAIN_EVENT_VERSION, orgId, occurredAt, data };
}

/**
 * The outbox item of one domain event: written in the transaction of the change that decided it
 * (so it exists iff the change committed), published by the worker from the table's stream, then
 * marked published with a conditional write (a redelivered record finds it published).
 */
export interface DomainEventRecord {
  id: string;
  orgId: string;
  membershipId: string;
  type: DomainEventType;
  event: DomainEvent;
  status: 'pending' | 'published';
  createdAt: string;
  publishedAt: string | null;
}

/** The schema file of an event type (relative to the repository root). */
export function schemaPathOf(type: DomainEventType, version = DOMAIN_EVENT_VERSION): string {
  return `shared/events/schemas/${type}.v${version}.json`;
}
