import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { apiHandler } from './handlers/api.js';

/** Lambda entry: the admin JSON API behind the HTTP API's JWT authorizer. */
const tools = observability('api');
export const handler = observed(apiHandler({ ...(await runtimeDeps()), metrics: tools.metrics }), tools);
