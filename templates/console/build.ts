import { fileURLToPath } from 'node:url';

/**
 * Issue 11, item 6: the console is Preact components in TSX (`templates/console/ui/`),
 * compiled by esbuild into ES modules: the entry (`app.js`: Preact, the frame, the shared words)
 * and one chunk per area of pages, loaded when a page of the area is first opened. It is built
 * where it is served — by the CDK bundling of the console function (into the function's
 * assets), by the local cloud at start and by the tests — so no built file is committed.
 */
export const CONSOLE_APP_DIR = 'console-app';

/** The budget for what the first page load runs (entry and its static imports), minified. */
export const CONSOLE_ENTRY_BUDGET_BYTES = 80 * 1024;
/** The budget for any one area's chunk (pages and their fr-CA/en words), minified. */
export const CONSOLE_CHUNK_BUDGET_BYTES = 100 * 1024;

/** The compiled console: file path under /console/ → text; `app.js` is the entry. */
export type ConsoleFiles = Record<string, string>;

export async function buildConsoleApp(): Promise<ConsoleFiles> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { app: fileURLToPath(new URL('./ui/main.tsx', import.meta.url)) },
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last two years: what an association's staff use.
    target: ['chrome120', 'firefox121', 'safari17', 'edge120'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    outdir: '/console',
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    logLevel: 'silent',
  });
  const files: ConsoleFiles = {};
  for (const file of result.outputFiles) files[file.path.replace(/^\/console\//, '')] = file.text;
  if (!files['app.js']) throw new Error('the console build wrote no app.js');
  return files;
}

let cached: Promise<ConsoleFiles> | undefined;

/** The console, built once per process (local cloud, tests). */
export function consoleApp(): Promise<ConsoleFiles> {
  cached ??= buildConsoleApp();
  return cached;
}

/** `tsx templates/console/build.ts <dir>`: writes the console into a function's bundle (CDK after-bundling hook). */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx templates/console/build.ts <output directory>');
    process.exit(2);
  }
  await writeConsoleApp(dir);
}

/** Writes the compiled console under `<dir>/console-app/`. */
export async function writeConsoleApp(dir: string): Promise<void> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  for (const [path, text] of Object.entries(await buildConsoleApp())) {
    const file = join(dir, CONSOLE_APP_DIR, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
