import { observability, observed } from '../shared/adapters/observability/powertools.js';
import { runtimeDeps } from '../shared/deps.js';
import { linksHandler } from './handlers/links.js';

/** Lambda entry: the member link pages (GET shows, POST acts). */
const tools = observability('links');
export const handler = observed(linksHandler({ ...(await runtimeDeps()), metrics: tools.metrics }), tools);
