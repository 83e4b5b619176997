import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { buildHandlerBundle, FUNCTION_NAMES, HANDLER_NODE_OPTIONS, NODE_TARGET, SOURCE_MAPS_NODE_OPTIONS } from '../../infra/constructs/bundling.js';
import { generateLinkKeys } from '../../shared/domain/links.js';
import { round, stats } from './stats.js';

/**
 * Cold starts: every handler built exactly as deployed (`buildHandlerBundle`: the entry, its
 * chunks and source maps), imported in RUNS fresh Node processes with the deployed NODE_OPTIONS
 * and the variables Lambda sets, next to a bare `node -e 0` measured in the same run. Nothing
 * here calls AWS: the configuration is dummy and the signed-link keys inline. Two more rows start
 * the timer as deployed but reading the keys at init from a loopback stand-in for Secrets Manager
 * (as the deployed functions do, without the network's latency), and with
 * NODE_OPTIONS=--enable-source-maps.
 *
 * `BENCH_COMPARE_NODE=<path of another node binary>` measures every row on that Node too, runs
 * interleaved (issue 13: Node 22 against Node 24 before switching).
 */
const LINK_KEYS = generateLinkKeys();
const LINK_KEYS_SECRET_ARN = 'arn:aws:secretsmanager:ca-central-1:000000000000:secret:relance-bench-link-keys';

/** A deployed function's environment, dummy values (the bundle tests start the handlers with it too). */
export const HANDLER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_OPTIONS: HANDLER_NODE_OPTIONS,
  // What Lambda sets and Powertools reads at init (the Tracer is on only in Lambda).
  AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${NODE_TARGET.replace('node', '')}.x`,
  AWS_LAMBDA_FUNCTION_NAME: 'relance-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
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
  LINK_KEYS,
  AUTH_MODE: 'local',
};

/** The handler of the variant rows. */
const VARIANTS_ROW = 'timer';

/**
 * GetSecretValue answered on loopback, from a worker thread: `spawnSync` blocks this thread's
 * event loop while a handler starts, so a server here could not answer it.
 */
async function secretsManagerStandIn(secret: string): Promise<{ endpoint: string; stop: () => Promise<number> }> {
  const worker = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort, workerData } = require('node:worker_threads');
     const server = createServer((req, res) => {
       req.resume();
       req.on('end', () => {
         res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
         res.end(JSON.stringify({ ARN: workerData.arn, Name: 'relance-bench-link-keys', SecretString: workerData.secret, VersionId: 'v1' }));
       });
     });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
    { eval: true, workerData: { secret, arn: LINK_KEYS_SECRET_ARN } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => worker.terminate() };
}

export interface HandlerFigures {
  name: string;
  /** The entry every cold start loads. */
  bundleBytes: number;
  /** Entry and chunks: all the function's JavaScript. */
  totalBytes: number;
  initMs: number;
  processMs: number;
  /** The same, on BENCH_COMPARE_NODE. */
  compare?: { initMs: number; processMs: number };
}

/** Whole-process wall time, and the in-process time from before the import to after it. */
function coldStart(node: string, probe: string, env: NodeJS.ProcessEnv): { wallMs: number; initMs: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(node, ['--input-type=module', '-e', probe], { env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`cold start failed: ${run.stderr}`);
  return { wallMs, initMs: Number(run.stdout.trim() || 0) };
}

const versionOf = (node: string) => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const ms = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(1)} ms [${s.min.toFixed(1)}–${s.max.toFixed(1)}]`;

type Figures = { init: ReturnType<typeof stats>; wall: ReturnType<typeof stats> };

/** RUNS samples of each binary, alternating, so both see the same machine load. */
function interleaved(nodes: string[], runs: number, sample: (node: string) => { wallMs: number; initMs: number }): Figures[] {
  const samples = nodes.map(() => [] as { wallMs: number; initMs: number }[]);
  for (let i = 0; i < runs; i++) nodes.forEach((node, n) => samples[n]!.push(sample(node)));
  return samples.map((s) => ({ init: stats(s.map((x) => x.initMs)), wall: stats(s.map((x) => x.wallMs)) }));
}

export async function benchHandlers(outdir: string, runs: number): Promise<{ baseline: { processMs: number; compare?: { node: string; processMs: number } }; handlers: HandlerFigures[]; rows: string[] }> {
  const compareNode = process.env.BENCH_COMPARE_NODE;
  const nodes = compareNode ? [process.execPath, compareNode] : [process.execPath];
  const secrets = await secretsManagerStandIn(LINK_KEYS);
  const env = HANDLER_ENV;
  const secretsEnv = { ...HANDLER_ENV, LINK_KEYS: undefined, LINK_KEYS_SECRET_ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint };
  try {
    const [base, baseCompare] = interleaved(nodes, runs, (node) => coldStart(node, '0', { ...env, NODE_OPTIONS: '' }));
    const versions = nodes.map(versionOf);
    const head = versions.map((v) => `init ${v}, median [min–max] | whole process ${v}, median [min–max] | × baseline ${v}`).join(' | ');
    const rows = [
      `| handler | entry (minified) | entry + chunks | ${head} |`,
      `|---|---:|---:|${versions.map(() => '---:|---:|---:|').join('')}`,
      `| \`node -e 0\` (baseline) | — | — | ${[base!, baseCompare].filter((b) => b !== undefined).map((b) => `— | ${ms(b.wall)} | 1.0`).join(' | ')} |`,
    ];
    const row = (label: string, bytes: number, totalBytes: number, own: Figures, other: Figures | undefined) => {
      const cells = [own, other]
        .map((figures, i) => (figures ? `${ms(figures.init)} | ${ms(figures.wall)} | ${(figures.wall.median / [base!, baseCompare][i]!.wall.median).toFixed(1)}` : undefined))
        .filter((cell) => cell !== undefined);
      rows.push(`| ${label} | ${(bytes / 1024).toFixed(1)} KB | ${(totalBytes / 1024).toFixed(1)} KB | ${cells.join(' | ')} |`);
    };
    const handlers: HandlerFigures[] = [];
    const variantRows: (() => void)[] = [];
    for (const name of FUNCTION_NAMES) {
      const { file, bytes, totalBytes } = await buildHandlerBundle(name, outdir);
      const probe = `const t0 = performance.now(); const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - t0);`;
      const [own, other] = interleaved(nodes, runs, (node) => coldStart(node, probe, env));
      if (name === VARIANTS_ROW) {
        const variants = { 'link keys read from Secrets Manager at init (loopback stand-in)': secretsEnv, [`NODE_OPTIONS=${SOURCE_MAPS_NODE_OPTIONS}`]: { ...env, NODE_OPTIONS: SOURCE_MAPS_NODE_OPTIONS } };
        for (const [label, variantEnv] of Object.entries(variants)) {
          const [figures, otherFigures] = interleaved(nodes, runs, (node) => coldStart(node, probe, variantEnv));
          variantRows.push(() => row(`${name}, ${label}`, bytes, totalBytes, figures!, otherFigures));
        }
      }
      handlers.push({
        name,
        bundleBytes: bytes,
        totalBytes,
        initMs: round(own!.init.median),
        processMs: round(own!.wall.median),
        ...(other ? { compare: { initMs: round(other.init.median), processMs: round(other.wall.median) } } : {}),
      });
      row(name, bytes, totalBytes, own!, other);
    }
    for (const variantRow of variantRows) variantRow();
    return {
      baseline: { processMs: round(base!.wall.median), ...(baseCompare ? { compare: { node: versions[1]!, processMs: round(baseCompare.wall.median) } } : {}) },
      handlers,
      rows,
    };
  } finally {
    await secrets.stop();
  }
}
