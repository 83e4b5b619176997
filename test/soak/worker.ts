import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { apiHandler } from '../../functions/handlers/api.js';
import { lambdaContext } from '../../infra/local/functions.js';
import type { Templates } from '../../infra/local/template.js';
import type { ApiEvent } from '../../shared/adapters/http/request.js';
import { createMember } from '../../shared/use-cases/members.js';
import { createMembership } from '../../shared/use-cases/memberships.js';
import { createPlan } from '../../shared/use-cases/plans.js';
import { putSettings } from '../../shared/use-cases/settings.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb.js';
import { ANNUAL_PLAN_BODY, SETTINGS_BODY } from '../support/fixtures.js';
import { fuzzAdminApi, type FuzzReport } from '../support/fuzz.js';
import { type FaultRates, seededRandom } from '../support/model/fakes.js';
import { InvariantError } from '../support/model/invariants.js';
import { emptyStats, type ModelStats, runSequences } from '../support/model/run.js';
import { createWorld } from '../support/model/world.js';

/**
 * One soak process: runs its share of model-based sequences in worlds of at most BATCH
 * sequences (a fresh table each), counting every violation and carrying on after one; then,
 * when asked, fuzzes the admin API. Reports to the parent over IPC.
 */
const BATCH = 50;
/**
 * In-memory DynamoDB Local gets slower as data passes through it (about a fifth per 50
 * sequences, deleted tables included): each process runs its own and starts it afresh every
 * few batches, so the soak keeps its pace.
 */
const BATCHES_PER_ENGINE = 2;
/** A batch of BATCH sequences takes 1–3 minutes on 2 cores; this is far beyond. */
const BATCH_LIMIT_MINUTES = 20;

export interface WorkerTask {
  templatesPath: string;
  sequences: number;
  seed: number;
  faults: FaultRates | null;
  fuzz: number;
}

export interface WorkerReport {
  stats: ModelStats;
  failures: { violation: string; message: string }[];
  fuzz: FuzzReport | null;
  ms: number;
}

async function fuzz(ddb: DynamoDBClient, endpoint: string, task: WorkerTask, templates: Templates): Promise<FuzzReport> {
  const world = await createWorld({ ddb, endpoint, templates, start: new Date('2027-01-15T15:00:00Z'), random: seededRandom(task.seed) });
  try {
    const caller = { orgId: 'soak-fuzz', actor: { type: 'admin' as const, id: 'fuzz' } };
    await putSettings(world.deps, caller, SETTINGS_BODY);
    world.connect(caller.orgId);
    const plan = await createPlan(world.deps, caller, ANNUAL_PLAN_BODY);
    const member = await createMember(world.deps, caller, { name: 'Léa Tremblay', email: 'lea@example.org', paymentMethod: { token: 'pm_card_visa' } });
    const ms = await createMembership(world.deps, caller, { memberId: member.id, planId: plan.id });
    const handler = apiHandler(world.deps);
    return await fuzzAdminApi({
      invoke: async (event: ApiEvent) => (await handler(event, lambdaContext('api'))) as APIGatewayProxyResultV2,
      count: task.fuzz,
      seed: task.seed,
      orgId: caller.orgId,
      ids: { memberId: member.id, planId: plan.id, membershipId: ms.membership.id, invoiceId: ms.membership.lastInvoiceId! },
    });
  } finally {
    await world.stop();
  }
}

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ region: 'ca-central-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function main(task: WorkerTask): Promise<WorkerReport> {
  const began = Date.now();
  const templates = JSON.parse(readFileSync(task.templatesPath, 'utf8')) as Templates;
  let engine = await startDynamoDbLocal();
  let ddb = client(engine.endpoint);
  const stats = emptyStats();
  const failures: WorkerReport['failures'] = [];
  let batch = 0;
  try {
    while (stats.sequences < task.sequences) {
      if (batch > 0 && batch % BATCHES_PER_ENGINE === 0) {
        ddb.destroy();
        await engine.stop();
        engine = await startDynamoDbLocal();
        ddb = client(engine.endpoint);
      }
      const seed = task.seed * 1000 + batch++;
      const world = await createWorld({ ddb, endpoint: engine.endpoint, templates, start: new Date(Date.UTC(2027, 0, 10 + (batch % 365), 12)), random: seededRandom(seed) });
      // A batch takes minutes; one still running long after is stuck (a loop in the code under test): say which, and stop.
      const watchdog = setTimeout(() => {
        process.send?.({ fatal: `batch seed ${seed} still running after ${BATCH_LIMIT_MINUTES} min: replay it with npx tsx test/soak/replay.ts ${seed}${task.faults ? ' --faults' : ''}` }, () => process.exit(1));
      }, BATCH_LIMIT_MINUTES * 60_000);
      try {
        await runSequences(world, {
          numRuns: Math.min(BATCH, task.sequences - stats.sequences),
          seed,
          faults: task.faults ?? undefined,
          stats,
          endOnFailure: true,
          onSequence: (s) => process.send?.({ progress: s.sequences }),
        });
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause ?? error;
        const violation = cause instanceof InvariantError ? cause.violation : 'error';
        if (!(cause instanceof InvariantError)) stats.violations.error = (stats.violations.error ?? 0) + 1;
        failures.push({ violation, message: `seed ${seed}: ${String((error as Error).message).slice(0, 4000)}` });
      } finally {
        clearTimeout(watchdog);
        await world.stop();
      }
    }
    const fuzzReport = task.fuzz > 0 ? await fuzz(ddb, engine.endpoint, task, templates) : null;
    return { stats, failures, fuzz: fuzzReport, ms: Date.now() - began };
  } finally {
    ddb.destroy();
    await engine.stop();
  }
}

process.once('message', (task: WorkerTask) => {
  main(task)
    .then((report) => process.send?.({ report }, () => process.exit(0)))
    .catch((error: unknown) => {
      process.send?.({ fatal: String((error as Error)?.stack ?? error) }, () => process.exit(1));
    });
});
