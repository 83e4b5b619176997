import { spawnSync } from 'node:child_process';
import { buildHandlerBundle, FUNCTION_NAMES } from '../../infra/constructs/bundling.js';
import { generateLinkKeys } from '../../shared/domain/links.js';
import { round, stats } from './stats.js';

/**
 * Cold starts: every handler built exactly as the CDK construct builds it, imported in RUNS
 * fresh Node processes (which builds its configuration and AWS clients), next to a bare
 * `node -e 0` measured in the same run. Nothing here calls AWS: configuration is dummy.
 */
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

export interface HandlerFigures {
  name: string;
  bundleBytes: number;
  initMs: number;
  processMs: number;
}

/** Whole-process wall time, and the in-process time from before the import to after it. */
function coldStart(probe: string): { wallMs: number; initMs: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { env: ENV, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`cold start failed: ${run.stderr}`);
  return { wallMs, initMs: Number(run.stdout.trim() || 0) };
}

export async function benchHandlers(outdir: string, runs: number): Promise<{ baseline: { processMs: number }; handlers: HandlerFigures[]; rows: string[] }> {
  const baseline = stats(Array.from({ length: runs }, () => coldStart('0').wallMs));
  const rows: string[] = [];
  rows.push(`| handler | minified bundle | cold init (import + clients), median [min–max] | whole process, median [min–max] |`);
  rows.push(`|---|---:|---:|---:|`);
  rows.push(`| \`node -e 0\` (baseline) | — | — | ${baseline.median.toFixed(1)} ms [${baseline.min.toFixed(1)}–${baseline.max.toFixed(1)}] |`);
  const handlers: HandlerFigures[] = [];
  for (const name of FUNCTION_NAMES) {
    const { file, bytes } = await buildHandlerBundle(name, outdir);
    const probe = `const t0 = performance.now(); const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - t0);`;
    const samples = Array.from({ length: runs }, () => coldStart(probe));
    const init = stats(samples.map((s) => s.initMs));
    const wall = stats(samples.map((s) => s.wallMs));
    handlers.push({ name, bundleBytes: bytes, initMs: round(init.median), processMs: round(wall.median) });
    rows.push(
      `| ${name} | ${(bytes / 1024).toFixed(1)} KB | ${init.median.toFixed(1)} ms [${init.min.toFixed(1)}–${init.max.toFixed(1)}] | ${wall.median.toFixed(1)} ms [${wall.min.toFixed(1)}–${wall.max.toFixed(1)}] |`,
    );
  }
  return { baseline: { processMs: round(baseline.median) }, handlers, rows };
}
