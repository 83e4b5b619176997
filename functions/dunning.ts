import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { dunningHandler } from './handlers/dunning.js';

/** Lambda entry: the steps of the dunning ladder state machine. */
const tools = observability('dunning');
export const handler = observed(dunningHandler({ ...(await runtimeDeps()), metrics: tools.metrics }), tools);
