import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../infra/local/dynamodb.js';
import { LOCAL_AWS, testTemplates } from '../aws.js';
import { seededRandom } from './fakes.js';
import { emptyStats, runSequences } from './run.js';
import { createWorld, type World } from './world.js';

/**
 * One file of the model-based test in `npm test`: `runs` sequences from a fixed seed (so CI
 * replays the same ones), with the gateway and SES failing, timing out and losing answers at
 * random, schedules arriving early or twice and stream batches twice. `npm run soak` runs the
 * same harness 10,000 times.
 */
export const TEST_FAULTS = { callFailure: 0.15, duplicateDelivery: 0.05, earlyDelivery: 0.05, duplicateStream: 0.05 };

export function defineModelSuite(options: { seed: number; runs: number; start: string }): void {
  let world: World;
  let engine: DynamoDbLocal;
  // Its own DynamoDB Local: in-memory DynamoDB Local slows as data goes through it, and a
  // hundred sequences write a lot; the other test files keep their pace, and so does this one.
  beforeAll(async () => {
    engine = await startDynamoDbLocal();
    const ddb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: engine.endpoint });
    world = await createWorld({ ddb, endpoint: engine.endpoint, templates: testTemplates(), start: new Date(options.start), random: seededRandom(options.seed) });
  });
  afterAll(async () => {
    await world?.stop();
    await engine?.stop();
  });

  describe('model-based: money and mail under random actions, faults and clock moves', () => {
    it(`R-MNY-1…7, R-REN-7: ${options.runs} random sequences (seed ${options.seed}) keep every invariant after every step and leave nothing pending`, async () => {
      const stats = emptyStats();
      // A failure stops at once (no shrinking against DynamoDB): the seed and path in the report replay it.
      await runSequences(world, { numRuns: options.runs, seed: options.seed, faults: TEST_FAULTS, stats, endOnFailure: true });
      console.log(`model seed ${options.seed}: ${JSON.stringify({ sequences: stats.sequences, charges: stats.charges, refunds: stats.refunds, emailsSent: stats.emailsSent, emailsDropped: stats.emailsDropped, authentications: Object.fromEntries(Object.entries(stats.steps).filter(([k]) => k.startsWith('authenticate:'))), runs: stats.runs, notices: stats.notices, noticeSteps: Object.fromEntries(Object.entries(stats.steps).filter(([k]) => /^(notice|staffNotice|bulk|autoRenew)/.test(k))), dunningSteps: Object.fromEntries(Object.entries(stats.steps).filter(([k]) => /^(pay|resend|requestCard|updateCard|link:update_payment|link:manage)/.test(k))), violations: stats.violations })}`);
      expect(stats.violations).toEqual({});
      // The sequences did real work: purchases, charges, mail and injected faults.
      expect(stats.steps['create:ok']).toBeGreaterThan(options.runs);
      expect(stats.charges).toBeGreaterThan(options.runs / 2);
      expect(stats.emailsSent).toBeGreaterThan(options.runs);
      expect(Object.keys(stats.faults).length).toBeGreaterThan(5);
      // Renewal notices were written, answered and decided (R-NOT-*).
      expect(Object.values(stats.notices).reduce((a, b) => a + b, 0)).toBeGreaterThan(options.runs / 10);
    }, 600_000);
  });
}
