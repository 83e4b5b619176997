import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { synthesizeTemplates } from '../../infra/local/template.js';
import { SOAK_FAULTS } from '../support/model/fakes.js';
import { emptyStats, type ModelStats } from '../support/model/run.js';
import type { WorkerReport, WorkerTask } from './worker.js';

/**
 * `npm run soak` — the model-based test at scale (issue 7): 10,000 sequences of random admin
 * actions, member clicks, card changes, gateway outcomes and clock moves over random time zones,
 * against the real use cases on DynamoDB Local, with every invariant checked after every step;
 * then 5,000 malformed admin requests. `-- --faults` makes the gateway and SES fail, time out or
 * lose their answers at random at every call site, schedules arrive early or twice, and stream
 * batches twice. Each process runs its own DynamoDB Local. Prints the counts; exits 1 on any
 * violation or 5xx.
 *
 *   npm run soak -- [--faults] [--sequences 10000] [--fuzz 5000] [--workers N] [--seed 1]
 */
const { values } = parseArgs({
  options: {
    faults: { type: 'boolean', default: false },
    sequences: { type: 'string', default: '10000' },
    fuzz: { type: 'string', default: '5000' },
    workers: { type: 'string', default: String(Math.max(1, availableParallelism())) },
    seed: { type: 'string', default: '1' },
  },
});


async function main(): Promise<number> {
  const sequences = Number(values.sequences);
  const workers = Math.max(1, Math.min(Number(values.workers), sequences));
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'relance-soak-'));
  const templates = synthesizeTemplates();
  const templatesPath = join(dir, 'templates.json');
  writeFileSync(templatesPath, JSON.stringify(templates));
  console.log(`soak: ${sequences} sequences${values.faults ? ' with faults' : ''}, ${values.fuzz} fuzzed requests, ${workers} processes`);
  const progress = new Array<number>(workers).fill(0);
  let last = 0;
  try {
    const reports = await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const task: WorkerTask = {
          templatesPath,
          sequences: Math.floor(sequences / workers) + (i < sequences % workers ? 1 : 0),
          seed: Number(values.seed) * 100 + i,
          faults: values.faults ? SOAK_FAULTS : null,
          fuzz: i === 0 ? Number(values.fuzz) : 0,
        };
        const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        child.send(task);
        return new Promise<WorkerReport>((resolve, reject) => {
          child.on('message', (message: { progress?: number; report?: WorkerReport; fatal?: string }) => {
            if (message.progress !== undefined) {
              progress[i] = message.progress;
              const done = progress.reduce((a, b) => a + b, 0);
              if (done - last >= 100 || done === sequences) {
                last = done;
                console.log(`  ${done}/${sequences} sequences, ${Math.round((Date.now() - began) / 1000)} s`);
              }
            }
            if (message.report) resolve(message.report);
            if (message.fatal) reject(new Error(message.fatal));
          });
          child.on('exit', (code) => code !== 0 && reject(new Error(`soak worker ${i} exited with ${code}`)));
        });
      }),
    );
    return summarise(reports, Date.now() - began);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function summarise(reports: WorkerReport[], ms: number): number {
  const total: ModelStats = emptyStats();
  for (const r of reports) {
    total.sequences += r.stats.sequences;
    total.charges += r.stats.charges;
    total.refunds += r.stats.refunds;
    total.emailsSent += r.stats.emailsSent;
    total.emailsDropped += r.stats.emailsDropped;
    add(total.steps, r.stats.steps);
    add(total.faults, r.stats.faults);
    add(total.violations, r.stats.violations);
    add(total.runs, r.stats.runs ?? {});
    add(total.notices, r.stats.notices ?? {});
  }
  const v = (k: string) => total.violations[k] ?? 0;
  const steps = Object.entries(total.steps).filter(([k]) => k !== 'advancedMinutes');
  const fuzz = reports.find((r) => r.fuzz)?.fuzz ?? null;
  console.log('');
  console.log(`sequences            ${total.sequences}`);
  console.log(`actions              ${steps.reduce((n, [, c]) => n + c, 0)} (${steps.map(([k, c]) => `${k} ${c}`).join(', ')})`);
  console.log(`clock moved          ${Math.round((total.steps.advancedMinutes ?? 0) / 1440)} days`);
  console.log(`gateway charges      ${total.charges}`);
  console.log(`gateway refunds      ${total.refunds}`);
  console.log(`e-mails sent         ${total.emailsSent} (dropped as stale: ${total.emailsDropped})`);
  console.log(`dunning runs         ${Object.entries(total.runs).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => `${k} ${c}`).join(', ') || 'none'}`);
  console.log(`renewal notices      ${Object.entries(total.notices).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => `${k} ${c}`).join(', ') || 'none'}`);
  console.log(`faults injected      ${Object.keys(total.faults).length === 0 ? 'none' : Object.entries(total.faults).map(([k, c]) => `${k} ${c}`).join(', ')}`);
  console.log('');
  console.log(`double charges       ${v('double_charge')}`);
  console.log(`orphan charges       ${v('orphan_charge')}`);
  console.log(`orphan refunds       ${v('orphan_refund')}`);
  console.log(`refunds > payments   ${v('refund_over_payment')}`);
  console.log(`ledger mismatches    ${v('ledger_mismatch')}`);
  console.log(`charges kept on void ${v('kept_charge_on_void')}`);
  console.log(`billed after end     ${v('billed_after_termination')}`);
  console.log(`lost e-mails         ${v('lost_email')}`);
  console.log(`duplicated e-mails   ${v('duplicated_email')}`);
  console.log(`missing reminders    ${v('missing_reminder')}`);
  console.log(`schedule violations  ${v('schedule_count') + v('schedule_on_terminal')}`);
  console.log(`claim violations     ${v('claim_mismatch')}`);
  console.log(`unsettled attempts   ${v('unsettled_attempt')}`);
  console.log(`dunning after paid   ${v('dunning_after_paid')}`);
  console.log(`run mismatches       ${v('run_mismatch')}`);
  console.log(`stalled runs         ${v('stalled_run')}`);
  console.log(`charged while held   ${v('charged_while_held')}`);
  console.log(`notice mismatches    ${v('notice_mismatch')}`);
  console.log(`notices while held   ${v('notice_while_held')}`);
  console.log(`count mismatches     ${v('count_mismatch')}`);
  console.log(`record mismatches    ${v('record_mismatch')}`);
  console.log(`other errors         ${v('error')}`);
  if (fuzz) console.log(`fuzzed requests      ${fuzz.total}: ${Object.entries(fuzz.byStatus).map(([s, c]) => `${s} ${c}`).join(', ')}; 5xx ${fuzz.serverErrors.length}`);
  console.log(`took                 ${Math.round(ms / 1000)} s`);
  const failures = reports.flatMap((r) => r.failures);
  // Every failed batch by its seed (a batch replays alone: its world starts from its seed), then the first five in full.
  if (failures.length > 0) console.log(`failed batches       ${failures.map((f) => `${f.violation} ${/seed (\d+)/.exec(f.message)?.[1] ?? '?'}`).join(', ')}`);
  for (const f of failures.slice(0, 5)) console.log(`\nFAILED (${f.violation}): ${f.message}`);
  const bad = Object.values(total.violations).reduce((a, b) => a + b, 0) + (fuzz?.serverErrors.length ?? 0) + (fuzz?.badErrorBodies.length ?? 0);
  return bad === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
