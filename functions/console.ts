import { consoleHandler, loadConsoleEnv } from './handlers/console.js';

/** Lambda entry: the admin console's page and assets; the auth configuration is read at cold start. */
export const handler = consoleHandler(loadConsoleEnv(process.env));
