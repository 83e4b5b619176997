import { readFileSync } from 'node:fs';
import { CONSOLE_APP_FILE } from '../templates/console/build.js';
import { consoleHandler, loadConsoleEnv } from './handlers/console.js';

/**
 * Lambda entry: the admin console's page and assets. The auth configuration and the compiled
 * console (written next to this bundle by the CDK bundling) are read at cold start.
 */
export const handler = consoleHandler(loadConsoleEnv(process.env), readFileSync(new URL(`./${CONSOLE_APP_FILE}`, import.meta.url), 'utf8'));
