import { runtimeDeps } from '../shared/deps.js';
import { emailRenderer } from '../templates/emails/render.js';
import { workerHandler } from './handlers/worker.js';

/** Lambda entry: the table's stream (e-mails, payment attempts, re-plan jobs) and their retry schedules. */
export const handler = workerHandler(await runtimeDeps(), emailRenderer);
