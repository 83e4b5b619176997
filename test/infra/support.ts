import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addStacks } from '../../infra/app.js';
import type { DeployConfigInput } from '../../infra/config.js';
import { LOCAL_DEPLOY_CONFIG } from '../../infra/local/template.js';

/** An app of both stacks, without bundling the functions (as the local cloud synthesizes). */
export function testApp(overrides: Partial<DeployConfigInput> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return addStacks(app, { ...LOCAL_DEPLOY_CONFIG, ...overrides });
}

/** Both templates of an app built with these options. */
export function templatesOf(overrides: Partial<DeployConfigInput> = {}) {
  const { stateful, stateless } = testApp(overrides);
  return { stateful: Template.fromStack(stateful), stateless: Template.fromStack(stateless) };
}

export type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>>; Effect: string; Principal?: unknown };
export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every IAM statement of a template's policies (and roles' inline policies), optionally of the logical ids starting with `prefix`. */
export function policyStatements(template: Template, prefix = ''): Statement[] {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  return policies.flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}
