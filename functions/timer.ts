import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { timerHandler } from './handlers/timer.js';

/** Lambda entry: the target of every Relance schedule (reminders, term end, billing, termination). */
const tools = observability('timer');
export const handler = observed(timerHandler({ ...(await runtimeDeps()), metrics: tools.metrics }), tools);
