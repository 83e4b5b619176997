import type { DomainEvent } from '../../domain/events.js';
import type { EventPublisher } from '../../use-cases/events.js';

/**
 * R-EVT-1, local only: the bus of the local cloud. It keeps every event published, in order, for
 * `GET /_local/events?orgId=&type=` (tests and people see what a deployed bus would carry).
 */
export class LocalEventBus implements EventPublisher {
  private readonly events: DomainEvent[] = [];

  publish(events: DomainEvent[]): Promise<void> {
    for (const e of events) this.events.push(structuredClone(e));
    return Promise.resolve();
  }

  /** Published events, oldest first, optionally of one organisation and one type. */
  list(filter: { orgId?: string; type?: string } = {}): DomainEvent[] {
    return this.events.filter((e) => (!filter.orgId || e.orgId === filter.orgId) && (!filter.type || e.type === filter.type));
  }
}
