import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addStacks } from '../../infra/app.js';
import type { DeployConfigInput } from '../../infra/config.js';
import { LOCAL_DEPLOY_CONFIG } from '../../infra/local/template.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Report = { pluginReports: { pluginName: string; violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[] };

/**
 * cdk-nag 3.x runs as a CDK validation plugin: synth throws "Validation failed" when a pack
 * reports an unacknowledged finding, and writes every finding to validation-report.json.
 */
function nag(config: DeployConfigInput, extra?: (app: App) => void): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'relance-nag-'));
  dirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  addStacks(app, config);
  extra?.(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  let failed = false;
  try {
    app.synth();
  } catch (error) {
    failed = true;
    expect(String(error)).toMatch(/ValidationFailed|Validation failed/);
  }
  let findings: string[] = [];
  try {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    findings = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} (${v.severity}) ${c.constructPath}`)));
  } catch {
    // No report: nothing was found.
  }
  expect(failed).toBe(findings.length > 0);
  return findings;
}

describe('item 8: cdk-nag AwsSolutions and Serverless packs', () => {
  it('0 unacknowledged findings on both stacks (the local configuration)', () => {
    expect(nag(LOCAL_DEPLOY_CONFIG)).toEqual([]);
  });

  it('0 unacknowledged findings with every option on (custom domain, mail domain through Cognito, table caps, no fixed account)', () => {
    expect(
      nag({
        ...LOCAL_DEPLOY_CONFIG,
        stage: 'prod',
        account: undefined,
        mailDomain: 'mail.club.example',
        mailDomainVerified: true,
        apiDomain: 'relance.club.example',
        certificateArn: 'arn:aws:acm:ca-central-1:000000000000:certificate/0f3e2c1a-1111-2222-3333-444455556666',
        tableMaxReadUnits: 1000,
        tableMaxWriteUnits: 500,
      }),
    ).toEqual([]);
  });

  it('the packs do report: a new unacknowledged wildcard is found (the test can fail)', async () => {
    const iam = await import('aws-cdk-lib/aws-iam');
    const findings = nag(LOCAL_DEPLOY_CONFIG, (app) => {
      const stack = app.node.findChild('Relance-local-Stateless');
      new iam.Role(stack, 'Careless', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    });
    expect(findings).toEqual([expect.stringMatching(/^AwsSolutions-IAM5.*Careless/)]);
  });
});
