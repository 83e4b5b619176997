import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { HouseFunction } from './house-function.js';

export interface DomainEventsProps {
  stage: string;
  /** The function that publishes the outbox's domain events (the worker). */
  publisher: HouseFunction;
}

/**
 * R-EVT-1: the Relance EventBridge bus, `relance-<stage>`. The worker publishes each committed
 * change's domain events on it (`Source` "relance", `DetailType` the event type, `Detail` the
 * versioned envelope of shared/events/schemas); it alone may put events there, on this bus only.
 * Staff systems subscribe with their own rules (e.g. `{ "source": ["relance"], "detail-type":
 * ["invoice.paid"] }`).
 */
export class DomainEvents extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `relance-${props.stage}`,
      description: 'Relance domain events (membership.*, invoice.*, dunning.*, notice.*), schema version 1',
    });
    props.publisher.setEnv({ EVENT_BUS_NAME: this.bus.eventBusName }).allow(['events:PutEvents'], [this.bus.eventBusArn]);
  }
}
