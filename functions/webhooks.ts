import { runtimeDeps } from '../shared/deps.js';
import { webhooksHandler } from './handlers/webhooks.js';

/** Lambda entry: each organisation's Stripe webhooks (R-PAY-4). */
export const handler = webhooksHandler(await runtimeDeps());
