import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandlerBundle, FUNCTION_NAMES, type FunctionName, HANDLER_NODE_OPTIONS, type HandlerBundle } from '../../infra/constructs/bundling.js';
import { HANDLER_ENV } from '../bench/handlers.js';

/**
 * Issue 13, item 1: each function is one directory — an ESM entry, the chunks it loads on first
 * use, source maps — with the AWS SDK bundled, so it needs no node_modules where it runs. Built
 * outside the repository, where no node_modules can be found by walking up.
 */
const outdir = mkdtempSync(join(tmpdir(), 'relance-bundles-'));
const bundles = new Map<FunctionName, HandlerBundle>();
beforeAll(async () => {
  for (const name of FUNCTION_NAMES) bundles.set(name, await buildHandlerBundle(name, outdir));
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const BACK_END = FUNCTION_NAMES.filter((name) => name !== 'console');

/** Node looks for a package in every `node_modules` from the file's directory up to the root. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) found.push(join(at, 'node_modules'));
    if (dirname(at) === at) return found;
  }
}

/** Starts the bundle in a fresh Node as Lambda would (deployed NODE_OPTIONS, dummy configuration), then imports every chunk. */
function start(bundle: HandlerBundle): { status: number | null; stdout: string; stderr: string } {
  const dir = dirname(bundle.file);
  const chunks = bundle.files.filter((f) => f.endsWith('.mjs') && f !== 'index.mjs').map((f) => pathToFileURL(join(dir, f)).href);
  const probe = [
    `const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});`,
    `if (typeof m.handler !== 'function') throw new Error('no handler export');`,
    // The chunks a request may load (clients, Stripe, the Tracer) must resolve here too.
    `for (const chunk of ${JSON.stringify(chunks)}) await import(chunk);`,
    `console.log('ok', ${chunks.length});`,
  ].join('\n');
  return spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir, env: { ...HANDLER_ENV, NODE_OPTIONS: HANDLER_NODE_OPTIONS, NODE_PATH: '' }, encoding: 'utf8' });
}

describe('handler bundles', () => {
  // A generous ceiling, not the budget (the budget is the cold start `npm run bench` measures):
  // measured entries 110–390 KB, entry + chunks ≤ 1.3 MB; a bundle that doubles fails.
  it.each(FUNCTION_NAMES)('%s: the entry is under 640 KB and entry + chunks under 2.2 MB, minified', (name) => {
    const bundle = bundles.get(name)!;
    expect(bundle.bytes).toBeGreaterThan(1_000);
    expect(bundle.bytes).toBeLessThan(640 * 1024);
    expect(bundle.totalBytes).toBeLessThan(2.2 * 1024 * 1024);
  });

  it('every function is an index.mjs, its chunks and their source maps', () => {
    for (const [name, bundle] of bundles) {
      expect(bundle.files, name).toContain('index.mjs');
      expect(bundle.files, name).toContain('index.mjs.map');
      for (const file of bundle.files) expect(file, name).toMatch(/^(index\.mjs|chunks\/[\w.-]+\.mjs)(\.map)?$/);
    }
  });

  // What a request may not need is not evaluated at init: the clients other than DynamoDB, Stripe, the X-Ray SDK.
  it.each(BACK_END)('%s: a cold start evaluates DynamoDB, Powertools Logger and Metrics, but not the lazy clients, Stripe nor the Tracer', (name) => {
    const init = bundles.get(name)!.initModules.join('\n');
    expect(init).toMatch(/@aws-sdk\/client-dynamodb\//);
    expect(init).toMatch(/@aws-lambda-powertools\/logger\//);
    expect(init).toMatch(/@aws-lambda-powertools\/metrics\//);
    for (const lazy of ['client-scheduler', 'client-sesv2', 'client-sfn', 'client-ssm', 'client-secrets-manager', 'client-eventbridge', 'node_modules/stripe/', 'aws-xray-sdk-core', '@aws-lambda-powertools/tracer']) {
      expect(init, `${name} evaluates ${lazy} at init`).not.toContain(lazy);
    }
  });

  it('the bundles are built where no node_modules can be found (the next test would prove nothing otherwise)', () => {
    expect(nodeModulesAbove(outdir)).toEqual([]);
  });

  it.each(FUNCTION_NAMES)('%s starts and loads every chunk without node_modules', (name) => {
    const run = start(bundles.get(name)!);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ok \d+/);
  });
});
