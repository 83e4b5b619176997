import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHandlerBundle, FUNCTION_NAMES } from '../../infra/constructs/bundling.js';

const outdir = mkdtempSync(join(tmpdir(), 'relance-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('handler bundles', () => {
  // A generous ceiling, not the budget: the budget is the cold start `npm run bench` measures.
  // The Stripe SDK (~230 KB minified) is in every back-end bundle, evaluated only on first use;
  // Powertools (R-OPS-5) adds ~160 KB, mostly the Tracer's X-Ray SDK (measured: +7 ms of init).
  it.each(FUNCTION_NAMES)('%s bundles into one minified ESM file under 800 KB, with the AWS SDK left to the runtime', async (name) => {
    const { bytes } = await buildHandlerBundle(name, outdir);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThan(800 * 1024);
  });
});
