import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { emailRenderer } from '../templates/emails/render.js';
import { workerHandler } from './handlers/worker.js';

/** Lambda entry: the table's stream (e-mails, payment attempts, re-plan jobs) and their retry schedules. */
const tools = observability('worker');
export const handler = observed(workerHandler({ ...(await runtimeDeps()), metrics: tools.metrics }, emailRenderer), tools);
