import { fileURLToPath } from 'node:url';

/**
 * Issue 11, item 6: the console is Preact components in TSX (`templates/console/ui/`),
 * compiled by esbuild into one minified ES module. It is built where it is served — by the
 * CDK bundling of the console function (into the function's assets), by the local cloud at
 * start and by the tests — so no built file is committed.
 */
export const CONSOLE_APP_FILE = 'console-app.js';

/** The budget for the whole console script, minified (README, "The admin console"). */
export const CONSOLE_APP_BUDGET_BYTES = 80 * 1024;

export async function buildConsoleApp(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./ui/main.tsx', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last two years: what an association's staff use.
    target: ['chrome120', 'firefox121', 'safari17', 'edge120'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

let cached: Promise<string> | undefined;

/** The console script, built once per process (local cloud, tests). */
export function consoleApp(): Promise<string> {
  cached ??= buildConsoleApp();
  return cached;
}

/** `tsx templates/console/build.ts <dir>`: writes the script into a function's bundle (CDK after-bundling hook). */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx templates/console/build.ts <output directory>');
    process.exit(2);
  }
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  writeFileSync(join(dir, CONSOLE_APP_FILE), await buildConsoleApp());
}
