import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_APP_DIR, type ConsoleFiles } from '../templates/console/build.js';
import { consoleHandler, loadConsoleEnv } from './handlers/console.js';

/** The compiled console the CDK bundling wrote next to this bundle (templates/console/build.ts). */
function readConsoleApp(dir: string, relative = '', files: ConsoleFiles = {}): ConsoleFiles {
  for (const name of readdirSync(join(dir, relative))) {
    const path = relative ? `${relative}/${name}` : name;
    if (statSync(join(dir, path)).isDirectory()) readConsoleApp(dir, path, files);
    else files[path] = readFileSync(join(dir, path), 'utf8');
  }
  return files;
}

/** Lambda entry: the admin console's page and assets, read with the auth configuration at cold start. */
export const handler = consoleHandler(loadConsoleEnv(process.env), readConsoleApp(fileURLToPath(new URL(`./${CONSOLE_APP_DIR}`, import.meta.url))));
