import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { webhooksHandler } from './handlers/webhooks.js';

/** Lambda entry: each organisation's Stripe webhooks (R-PAY-4). */
const tools = observability('webhooks');
export const handler = observed(webhooksHandler({ ...(await runtimeDeps()), metrics: tools.metrics }), tools);
