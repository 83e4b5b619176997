import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { EventBridgePublisher } from '../shared/adapters/eventbridge/publisher.js';
import { emailRenderer } from '../templates/emails/render.js';
import { workerHandler } from './handlers/worker.js';

/** Lambda entry: the table's stream (e-mails, payment attempts, re-plan jobs) and their retry schedules. */
const tools = observability('worker');
// R-EVT-1: domain events go to the stack's bus (EVENT_BUS_NAME); its client loads on the first publish.
const bus = process.env.EVENT_BUS_NAME;
export const handler = observed(workerHandler({ ...(await runtimeDeps()), metrics: tools.metrics }, emailRenderer, bus ? new EventBridgePublisher(bus) : undefined), tools);
