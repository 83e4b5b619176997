/**
 * Replays one failed soak batch alone and prints its whole failure:
 *   npx tsx test/soak/replay.ts <seed> [--faults]
 * A batch's seed is `task seed × 1000 + batch index`; its world starts on day 10 + index + 1 of
 * January 2027, as the soak worker starts it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { emptyStats, runSequences } from '../support/model/run.js';
import { createWorld } from '../support/model/world.js';
import { seededRandom, SOAK_FAULTS } from '../support/model/fakes.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb.js';
import { synthesizeTemplates } from '../../infra/local/template.js';

const seed = Number(process.argv[2]);
if (!Number.isInteger(seed)) throw new Error('usage: replay.ts <seed> [--faults]');
const engine = await startDynamoDbLocal();
const ddb = new DynamoDBClient({ region: 'ca-central-1', endpoint: engine.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const batch = (seed % 1000) + 1;
const world = await createWorld({ ddb, endpoint: engine.endpoint, templates: synthesizeTemplates(), start: new Date(Date.UTC(2027, 0, 10 + (batch % 365), 12)), random: seededRandom(seed) });
try {
  await runSequences(world, { numRuns: 50, seed, faults: process.argv.includes('--faults') ? SOAK_FAULTS : undefined, stats: emptyStats(), endOnFailure: true });
  console.log(`seed ${seed}: no violation`);
} catch (error) {
  console.log(String((error as Error).message));
  const cause = (error as { cause?: unknown }).cause;
  console.log(cause instanceof Error ? cause.message : String(cause));
} finally {
  await world.stop();
  ddb.destroy();
  await engine.stop();
}
