import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHandlerBundle, FUNCTION_NAMES } from '../../infra/constructs/bundling.js';

const outdir = mkdtempSync(join(tmpdir(), 'relance-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('handler bundles', () => {
  it.each(FUNCTION_NAMES)('%s bundles into one minified ESM file under 300 KB, with the AWS SDK left to the runtime', async (name) => {
    const { bytes } = await buildHandlerBundle(name, outdir);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThan(300 * 1024);
  });
});
