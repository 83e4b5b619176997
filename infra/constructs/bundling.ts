/**
 * How every handler is bundled: one minified ESM file per function, Node 22, the AWS SDK v3
 * left to the Lambda runtime. The CDK construct and the benchmark both use these options so
 * the measured bundle is the deployed one.
 */
export const BUNDLE_EXTERNALS = ['@aws-sdk/*'];

/** ESM output that still contains CommonJS `require` calls needs a real `require`. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __relanceCreateRequire } from 'node:module'; const require = __relanceCreateRequire(import.meta.url);";

export const esbuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  external: BUNDLE_EXTERNALS,
  banner: { js: ESM_REQUIRE_BANNER },
  legalComments: 'none',
} as const;

/** Every Lambda entry point: `functions/<name>.ts`. */
export const FUNCTION_NAMES = ['api', 'links', 'console', 'timer', 'dunning', 'worker', 'feedback', 'webhooks'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Bundles `functions/<name>.ts` as the CDK construct does; answers the bundle's path and size. */
export async function buildHandlerBundle(name: FunctionName, outdir: string): Promise<{ file: string; bytes: number }> {
  const { build } = await import('esbuild');
  const { fileURLToPath } = await import('node:url');
  const { join } = await import('node:path');
  const file = join(outdir, name, 'index.mjs');
  const result = await build({
    ...esbuildOptions,
    mainFields: [...esbuildOptions.mainFields],
    external: [...esbuildOptions.external],
    entryPoints: [fileURLToPath(new URL(`../../functions/${name}.ts`, import.meta.url))],
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  if (name === 'console') {
    // As the CDK after-bundling hook does: the compiled console beside the handler.
    const { writeConsoleApp } = await import('../../templates/console/build.js');
    await writeConsoleApp(join(outdir, name));
  }
  return { file, bytes: result.metafile.outputs[Object.keys(result.metafile.outputs).find((o) => o.endsWith('index.mjs'))!]!.bytes };
}
