import { runtimeDeps } from '../shared/deps.js';
import { timerHandler } from './handlers/timer.js';

/** Lambda entry: the target of every Relance schedule (reminders, term end, billing, termination). */
export const handler = timerHandler(await runtimeDeps());
