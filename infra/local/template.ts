import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addStacks } from '../app.js';
import type { DeployConfig } from '../config.js';

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> };

export interface Templates {
  stateful: CfnTemplate;
  stateless: CfnTemplate;
}

/** The deploy configuration the local cloud synthesizes with. */
export const LOCAL_DEPLOY_CONFIG: DeployConfig = {
  stage: 'local',
  region: 'ca-central-1',
  account: '000000000000',
  // Never mailed: the local cloud has no SNS. Set so the template is the production posture (R-OPS-5).
  alarmEmail: 'alarms@relance.invalid',
  logRetentionDays: 30,
  mailSendRate: 10,
  workerConcurrency: 2,
  timerConcurrency: 50,
  apiThrottle: { rate: 100, burst: 200 },
  mailIdentityOwner: true,
  mailDomainVerified: false,
};

/**
 * Synthesizes the real CDK app in-process, without bundling the functions (the local cloud
 * runs their sources), and answers both stack templates. What runs locally is what deploys.
 */
export function synthesizeTemplates(config: DeployConfig = LOCAL_DEPLOY_CONFIG): Templates {
  const outdir = mkdtempSync(join(tmpdir(), 'relance-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const { stateful, stateless } = addStacks(app, config);
    const assembly = app.synth();
    return {
      stateful: assembly.getStackByName(stateful.stackName).template as CfnTemplate,
      stateless: assembly.getStackByName(stateless.stackName).template as CfnTemplate,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The one resource of a type in a template. */
export function singleResource(template: CfnTemplate, type: string): { logicalId: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
  const [logicalId, resource] = found[0]!;
  return { logicalId, properties: resource.Properties ?? {} };
}
