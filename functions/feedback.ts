import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { feedbackHandler } from './handlers/feedback.js';

/** Lambda entry: SES events of the configuration set, from EventBridge. */
const tools = observability('feedback');
export const handler = observed(feedbackHandler({ ...(await runtimeDeps()), metrics: tools.metrics }), tools);
