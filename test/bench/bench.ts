import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { buildConsoleApp } from '../../templates/console/build.js';
import { benchHandlers } from './handlers.js';
import { benchOperations } from './operations.js';
import { benchYear } from './year.js';

/**
 * `npm run bench` (issue 13): prints, and writes to `.relance/bench/results.json`, the figures
 * the performance budgets are judged on — handler cold starts against a bare `node -e 0` of the
 * same run, DynamoDB calls and capacity per operation against DynamoDB Local, a simulated local
 * year, and the console's scripts. `-- --only handlers,operations,year,console` runs a subset.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Under .relance/ (ignored by git); the bundles need no node_modules to run.
const OUT = join(ROOT, '.relance', 'bench');
const onlyArg = process.argv.indexOf('--only');
const only = new Set(onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : ['handlers', 'operations', 'year', 'console']);

rmSync(join(OUT, 'bundles'), { recursive: true, force: true });
mkdirSync(join(OUT, 'bundles'), { recursive: true });
console.log(`Relance benchmark — Node ${process.version} ${process.arch}, ${RUNS} fresh processes per handler row\n`);

const results: Record<string, unknown> = { node: process.version };
const sections: string[] = [];

if (only.has('handlers')) {
  const { baseline, handlers, rows } = await benchHandlers(join(OUT, 'bundles'), RUNS);
  Object.assign(results, { baseline, handlers });
  sections.push(rows.join('\n'));
  console.log(`${rows.join('\n')}\n`);
}

if (only.has('operations')) {
  const { operations, rows } = await benchOperations();
  results.operations = operations;
  sections.push(rows.join('\n'));
  console.log(`${rows.join('\n')}\n`);
}

if (only.has('year')) {
  // BENCH_YEAR_MEMBERSHIPS: a smaller (or larger) club than the 1,000, for a quick look.
  const { rows, ...year } = await benchYear({ memberships: Number(process.env.BENCH_YEAR_MEMBERSHIPS) || undefined });
  results.year = year;
  sections.push(rows.join('\n'));
  console.log(`${rows.join('\n')}\n`);
}

if (only.has('console')) {
  // The console's browser scripts (issue 11): the entry (Preact, the frame, the shared words) runs
  // at the first load; each area's chunk (its pages and fr-CA/en words) when first opened.
  const consoleFiles = await buildConsoleApp();
  const rows = [`| console script | minified | gzipped |`, `|---|---:|---:|`];
  for (const [path, text] of Object.entries(consoleFiles).sort(([a], [b]) => (a === 'app.js' ? -1 : b === 'app.js' ? 1 : a.localeCompare(b)))) {
    rows.push(`| ${path.replace(/-[A-Z0-9]{8}\.js$/, '.js')} | ${(Buffer.byteLength(text) / 1024).toFixed(1)} KB | ${(gzipSync(text).length / 1024).toFixed(1)} KB |`);
  }
  results.console = Object.fromEntries(Object.entries(consoleFiles).map(([path, text]) => [path, { bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text).length }]));
  sections.push(rows.join('\n'));
  console.log(`${rows.join('\n')}\n`);
}

writeFileSync(join(OUT, 'results.md'), `${sections.join('\n\n')}\n`);
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`(also written to ${join('.relance', 'bench', 'results.md')} and results.json)`);
