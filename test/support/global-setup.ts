import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb.js';
import { synthesizeTemplates } from '../../infra/local/template.js';
import { launchChromium } from './browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    templatesPath: string;
    /** Issue 11: the run's one headless Chromium. */
    browserWSEndpoint: string;
  }
}

/**
 * One DynamoDB Local (the real engine, in memory, on 127.0.0.1), one synthesis of the CDK app
 * and one headless Chromium for the whole run. Each test file creates its own tables (and
 * pages), so files stay independent.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'relance-test-'));
  const [dynamodb, templates, browser] = await Promise.all([startDynamoDbLocal(), Promise.resolve(synthesizeTemplates()), launchChromium()]);
  const templatesPath = join(dir, 'templates.json');
  writeFileSync(templatesPath, JSON.stringify(templates));
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('templatesPath', templatesPath);
  project.provide('browserWSEndpoint', browser.wsEndpoint());
  return async () => {
    await browser.close();
    await dynamodb.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
