import { runtimeDeps } from '../shared/deps.js';
import { feedbackHandler } from './handlers/feedback.js';

/** Lambda entry: SES events of the configuration set, from EventBridge. */
export const handler = feedbackHandler(await runtimeDeps());
