import { runtimeDeps } from '../shared/deps.js';
import { linksHandler } from './handlers/links.js';

/** Lambda entry: the member link pages (GET shows, POST acts). */
export const handler = linksHandler(await runtimeDeps());
