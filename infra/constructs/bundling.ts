import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/**
 * How every handler is bundled (issue 13, item 1): one directory per function holding a
 * minified ESM entry (`index.mjs`) and the chunks it loads on first use (`chunks/`), Node 24,
 * everything bundled — the AWS SDK included. The SDK the Lambda runtime provides is a whole
 * client package per import, resolved and compiled at init (~150 ms of a ~190 ms cold start);
 * bundled, only the commands we call are kept, and a client a request may not need (Scheduler,
 * SES, Step Functions, SSM, Secrets Manager, EventBridge, Stripe) sits in a chunk imported on
 * first use. The CDK construct (house-function.ts), the benchmark and the bundle tests all call
 * `buildHandlerBundle`, so the measured bundle is the deployed one.
 */
export const BUNDLE_EXTERNALS: string[] = [];

/** ESM output that still contains CommonJS `require` calls needs a real `require` (in every chunk). */
export const ESM_REQUIRE_BANNER = "import { createRequire as __relanceCreateRequire } from 'node:module'; const require = __relanceCreateRequire(import.meta.url);";

/** The Lambda runtime and the esbuild target move together (package.json engines). */
export const NODE_TARGET = 'node24';

/**
 * What every function runs with (house-function.ts), and so the benchmark: nothing. Measured
 * (issue 13, README "Benchmarks"), `--enable-source-maps` costs ~10–30 ms of every cold start
 * (Node reads each loaded file's map) and 30–50 ms more the first time a stack trace is
 * formatted in a container (it parses the whole map). The maps still ship next to the code: setting
 * NODE_OPTIONS=--enable-source-maps on a function maps its stack traces without a rebuild.
 */
export const HANDLER_NODE_OPTIONS: string = '';

/** The variant the benchmark also measures, to keep that cost in sight. */
export const SOURCE_MAPS_NODE_OPTIONS = '--enable-source-maps';

/** Where the chunks go inside a function's directory. */
export const CHUNK_DIR = 'chunks';

export const esbuildOptions = {
  bundle: true,
  splitting: true,
  minify: true,
  // Linked maps, not enabled by default (HANDLER_NODE_OPTIONS); without the sources' text they
  // are a fraction of the size Node reads at each module's load once enabled.
  sourcemap: true,
  sourcesContent: false,
  platform: 'node',
  target: NODE_TARGET,
  format: 'esm',
  mainFields: ['module', 'main'],
  external: BUNDLE_EXTERNALS,
  banner: { js: ESM_REQUIRE_BANNER },
  legalComments: 'none',
  entryNames: '[name]',
  chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
  outExtension: { '.js': '.mjs' },
} as const;

const BUILTINS = new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])));

/**
 * Node's own modules through `require`, not `import`: an ESM import of a built-in builds its ES
 * module facade, which reads every export — and `node:http`'s lazy `WebSocket`/`EventSource`
 * getters then load all of undici (~7 ms of each cold start, measured), though nothing here
 * uses it. The banner's `require` loads them as CommonJS does, getters untouched.
 */
export const requireBuiltins: Plugin = {
  name: 'relance-require-builtins',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!BUILTINS.has(args.path)) return undefined;
      // The stub's own `require` is the real one (external), anything else gets the stub.
      if (args.namespace === 'builtin') return { path: args.path, external: true };
      return { path: args.path, namespace: 'builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/** Every Lambda entry point: `functions/<name>.ts`. */
export const FUNCTION_NAMES = ['api', 'links', 'console', 'timer', 'dunning', 'worker', 'feedback', 'webhooks'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface HandlerBundle {
  /** The entry Lambda loads (`<dir>/index.mjs`). */
  file: string;
  /** Its size: what every cold start reads. */
  bytes: number;
  /** All JavaScript of the function, the chunks loaded on first use included. */
  totalBytes: number;
  /** Every file written (JavaScript and source maps), relative to the function's directory. */
  files: string[];
  /** The source modules a cold start evaluates: the entry's and its static imports' (not the chunks loaded on first use). */
  initModules: string[];
}

type Outputs = Record<string, { imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }>;

/** The inputs of `entry` and of every output it imports statically, transitively. */
function initModulesOf(outputs: Outputs, entry: string): string[] {
  const seen = new Set<string>();
  const modules = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const output = outputs[path];
    if (seen.has(path) || !output) continue;
    seen.add(path);
    for (const input of Object.keys(output.inputs)) modules.add(input);
    for (const imported of output.imports) if (imported.kind === 'import-statement') pending.push(imported.path);
  }
  return [...modules].sort();
}

/**
 * Bundles `functions/<name>.ts` into `<outdir>/<name>/` exactly as deployed: `index.mjs`, its
 * chunks and source maps (and, for the console, the compiled console beside them).
 */
export async function buildHandlerBundle(name: FunctionName, outdir: string): Promise<HandlerBundle> {
  const { join } = await import('node:path');
  return bundleInto(name, join(outdir, name));
}

/** Bundles one function into `dir` itself (the CDK asset's output directory). */
export async function bundleInto(name: FunctionName, dir: string): Promise<HandlerBundle> {
  const { build } = await import('esbuild');
  const { relative, join } = await import('node:path');
  const result = await build({
    ...esbuildOptions,
    mainFields: [...esbuildOptions.mainFields],
    external: [...esbuildOptions.external],
    entryPoints: { index: fileURLToPath(new URL(`../../functions/${name}.ts`, import.meta.url)) },
    plugins: [requireBuiltins],
    outdir: dir,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.entries(result.metafile.outputs).map(([path, output]) => ({ path: relative(dir, path), bytes: output.bytes }));
  const entry = outputs.find((o) => o.path === 'index.mjs');
  if (!entry) throw new Error(`bundling ${name} wrote no index.mjs`);
  const entryKey = Object.keys(result.metafile.outputs).find((path) => relative(dir, path) === 'index.mjs')!;
  if (name === 'console') {
    // The console function serves the compiled console (issue 11): built into its assets.
    const { writeConsoleApp } = await import('../../templates/console/build.js');
    await writeConsoleApp(dir);
  }
  return {
    file: join(dir, 'index.mjs'),
    bytes: entry.bytes,
    totalBytes: outputs.filter((o) => o.path.endsWith('.mjs')).reduce((sum, o) => sum + o.bytes, 0),
    files: outputs.map((o) => o.path),
    initModules: initModulesOf(result.metafile.outputs, entryKey),
  };
}

/**
 * `tsx infra/constructs/bundling.ts <name> <dir>`: the CDK asset's local bundling runs this (its
 * hook is synchronous; esbuild's splitting and the console build are not).
 */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, dir] = process.argv.slice(2) as [FunctionName | undefined, string | undefined];
  if (!name || !dir || !(FUNCTION_NAMES as readonly string[]).includes(name)) {
    console.error(`usage: tsx infra/constructs/bundling.ts <${FUNCTION_NAMES.join('|')}> <output directory>`);
    process.exit(2);
  }
  await bundleInto(name, dir);
}
