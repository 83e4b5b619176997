import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { buildHandlerBundle, FUNCTION_NAMES } from '../../infra/constructs/bundling.js';
import { generateLinkKeys } from '../../shared/domain/links.js';
import { buildConsoleApp } from '../../templates/console/build.js';

/**
 * `npm run bench`: builds every handler exactly as the CDK construct does and prints, per
 * handler, its minified size and its cold init in a fresh Node process (import the bundle,
 * which builds its configuration and AWS clients) — the median of RUNS processes — next to a
 * bare `node -e 0` measured in the same run. Nothing here calls AWS: configuration is dummy.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repository so the bundles resolve the external AWS SDK from node_modules, as the
// Lambda runtime provides it.
const OUT = join(ROOT, '.relance', 'bench');

const ENV = {
  ...process.env,
  AWS_REGION: 'ca-central-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'relance-bench',
  SCHEDULER_GROUP_NAME: 'relance-bench',
  TIMER_FUNCTION_ARN: 'arn:aws:lambda:ca-central-1:000000000000:function:relance-bench-timer',
  WORKER_FUNCTION_ARN: 'arn:aws:lambda:ca-central-1:000000000000:function:relance-bench-worker',
  MAIL_SEND_RATE: '0.5',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/relance-bench',
  DUNNING_STATE_MACHINE_ARN: 'arn:aws:states:ca-central-1:000000000000:stateMachine:relance-bench-dunning',
  PUBLIC_BASE_URL: 'https://relance.example',
  GATEWAY_PARAMETER_PREFIX: '/relance/bench/stripe',
  LINK_KEYS: generateLinkKeys(),
  AUTH_MODE: 'local',
};

const round = (ms: number) => Math.round(ms * 10) / 10;

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};

/** Whole-process wall time, and the in-process time from before the import to after it. */
function coldStart(probe: string): { wallMs: number; initMs: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { env: ENV, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`cold start failed: ${run.stderr}`);
  return { wallMs, initMs: Number(run.stdout.trim() || 0) };
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
console.log(`Relance handler benchmark — Node ${process.version} ${process.arch}, ${RUNS} fresh processes per row\n`);

const baseline = stats(Array.from({ length: RUNS }, () => coldStart('0').wallMs));
const rows: string[] = [];
rows.push(`| handler | minified bundle | cold init (import + clients), median [min–max] | whole process, median [min–max] |`);
rows.push(`|---|---:|---:|---:|`);
rows.push(`| \`node -e 0\` (baseline) | — | — | ${baseline.median.toFixed(1)} ms [${baseline.min.toFixed(1)}–${baseline.max.toFixed(1)}] |`);
// Issue 13's results file: the same figures as JSON (operations and the local year come next).
const handlers: { name: string; bundleBytes: number; initMs: number; processMs: number }[] = [];
for (const name of FUNCTION_NAMES) {
  const { file, bytes } = await buildHandlerBundle(name, OUT);
  const probe = `const t0 = performance.now(); const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - t0);`;
  const samples = Array.from({ length: RUNS }, () => coldStart(probe));
  const init = stats(samples.map((s) => s.initMs));
  const wall = stats(samples.map((s) => s.wallMs));
  handlers.push({ name, bundleBytes: bytes, initMs: round(init.median), processMs: round(wall.median) });
  rows.push(
    `| ${name} | ${(bytes / 1024).toFixed(1)} KB | ${init.median.toFixed(1)} ms [${init.min.toFixed(1)}–${init.max.toFixed(1)}] | ${wall.median.toFixed(1)} ms [${wall.min.toFixed(1)}–${wall.max.toFixed(1)}] |`,
  );
}
// The console's browser scripts (issue 11): the entry (Preact, the frame, the shared words) runs
// at the first load; each area's chunk (its pages and fr-CA/en words) when first opened.
const consoleFiles = await buildConsoleApp();
rows.push('');
rows.push(`| console script | minified | gzipped |`);
rows.push(`|---|---:|---:|`);
for (const [path, text] of Object.entries(consoleFiles).sort(([a], [b]) => (a === 'app.js' ? -1 : b === 'app.js' ? 1 : a.localeCompare(b)))) {
  rows.push(`| ${path.replace(/-[A-Z0-9]{8}\.js$/, '.js')} | ${(Buffer.byteLength(text) / 1024).toFixed(1)} KB | ${(gzipSync(text).length / 1024).toFixed(1)} KB |`);
}
const table = rows.join('\n');
console.log(table);
writeFileSync(join(OUT, 'results.md'), `${table}\n`);
const results = {
  node: process.version,
  baseline: { processMs: round(baseline.median) },
  handlers,
  console: Object.fromEntries(Object.entries(consoleFiles).map(([path, text]) => [path, { bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text).length }])),
};
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n(also written to ${join('.relance', 'bench', 'results.md')} and results.json)`);
