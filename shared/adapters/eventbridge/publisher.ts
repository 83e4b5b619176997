import type { EventBridgeClient, PutEventsCommand } from './sdk.js';
import { DOMAIN_EVENT_SOURCE, type DomainEvent } from '../../domain/events.js';
import type { EventPublisher } from '../../use-cases/events.js';

/** PutEvents takes at most 10 entries a call. */
const MAX_ENTRIES = 10;

/**
 * R-EVT-1: publishes domain events on the stack's bus with PutEvents (`Source` "relance",
 * `DetailType` the event's type, `Detail` its envelope). The EventBridge client is loaded on the
 * first publish, so a cold start that publishes nothing does not pay for it. An entry EventBridge
 * refuses (`FailedEntryCount`) is an error: the stream record is retried.
 */
export class EventBridgePublisher implements EventPublisher {
  private client: Promise<{ client: EventBridgeClient; PutEventsCommand: typeof PutEventsCommand }> | null = null;

  constructor(
    private readonly busName: string,
    private readonly clientOptions: { region?: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
  ) {}

  private load() {
    this.client ??= import('./sdk.js').then((sdk) => ({
      client: new sdk.EventBridgeClient({ ...this.clientOptions, maxAttempts: 3, requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true } }),
      PutEventsCommand: sdk.PutEventsCommand,
    }));
    return this.client;
  }

  async publish(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { client, PutEventsCommand } = await this.load();
    for (let i = 0; i < events.length; i += MAX_ENTRIES) {
      const batch = events.slice(i, i + MAX_ENTRIES);
      const out = await client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: DOMAIN_EVENT_SOURCE,
            DetailType: e.type,
            Detail: JSON.stringify(e),
            Time: new Date(e.occurredAt),
          })),
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        const failed = (out.Entries ?? []).filter((entry) => entry.ErrorCode).map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`);
        throw new Error(`EventBridge refused ${out.FailedEntryCount} of ${batch.length} event(s): ${failed.join('; ')}`);
      }
    }
  }
}
