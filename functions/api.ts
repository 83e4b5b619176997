import { runtimeDeps } from '../shared/deps.js';
import { apiHandler } from './handlers/api.js';

/** Lambda entry: the admin JSON API behind the HTTP API's JWT authorizer. */
export const handler = apiHandler(await runtimeDeps());
